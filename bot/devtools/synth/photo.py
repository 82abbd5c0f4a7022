"""Turn a flat document into a phone photo: a busy background, tilt,
perspective, a shadow, uneven light, blur, noise and sometimes a quarter turn.

The rotation recorded is PIL's convention: the angle (degrees,
counter-clockwise) by which the upright document was turned, one of 0, 90,
180, 270. ``image.rotate(-rotation, expand=True)`` puts it upright again.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

MAX_SIDE = 1280


@dataclass(frozen=True)
class PhotoParams:
    rotation: int  # 0/90/180/270, counter-clockwise
    tilt: float  # small in-plane rotation, degrees
    fill: float  # share of the canvas width the document covers
    blur: float
    noise: float
    background: str


def _wood(gen: np.random.Generator, w: int, h: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    red = gen.uniform(110, 200)
    base = np.array([red, red * gen.uniform(0.55, 0.7), red * gen.uniform(0.3, 0.45)], np.float32)
    warp = 18 * np.sin(x / gen.uniform(60, 160)) + 6 * np.sin(x / 23.0 + y / 97.0)
    grain = np.sin((y + warp) / gen.uniform(3.0, 7.0)) * 0.5 + 0.5
    rings = np.sin((y + warp * 2) / gen.uniform(25, 60)) * 0.5 + 0.5
    shade = 0.75 + 0.15 * grain + 0.12 * rings
    return base * shade[..., None]


def _desk(gen: np.random.Generator, w: int, h: int) -> np.ndarray:
    base = gen.uniform(40, 230, 3).astype(np.float32)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = 0.85 + 0.15 * (x / w) * gen.uniform(-1, 1) + 0.1 * (y / h)
    return base * shade[..., None] + gen.normal(0, 6, (h, w, 1))


def _fabric(gen: np.random.Generator, w: int, h: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = gen.uniform(50, 200, 3).astype(np.float32)
    period = gen.uniform(4, 9)
    weave = 0.9 + 0.06 * np.sin(x / period * math.pi) * np.sin(y / period * math.pi)
    return base * weave[..., None] + gen.normal(0, 8, (h, w, 1))


BACKGROUNDS = {"wood": _wood, "desk": _desk, "fabric": _fabric}


def _clutter(img: Image.Image, rng: random.Random) -> None:
    """Pens, coins, paper corners and a phone: shapes a detector must ignore."""
    d = ImageDraw.Draw(img, "RGBA")
    w, h = img.size
    for _ in range(rng.randint(2, 7)):
        kind = rng.random()
        color = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255), 255)
        x, y = rng.uniform(-0.1, 1.0) * w, rng.uniform(-0.1, 1.0) * h
        if kind < 0.3:  # pen
            length, angle = rng.uniform(0.2, 0.5) * w, rng.uniform(0, math.pi)
            x2, y2 = x + length * math.cos(angle), y + length * math.sin(angle)
            d.line((x, y, x2, y2), fill=color, width=rng.randint(8, 16))
        elif kind < 0.55:  # coin
            r = rng.uniform(0.02, 0.05) * w
            d.ellipse(
                (x - r, y - r, x + r, y + r), fill=(200, 180, 120, 255), outline=(120, 100, 60)
            )
        elif kind < 0.8:  # sheet of paper
            s = rng.uniform(0.2, 0.45) * w
            pts = [
                (x, y),
                (x + s, y + s * 0.1),
                (x + s * 0.9, y + s * 1.3),
                (x - s * 0.1, y + s * 1.2),
            ]
            shade = rng.randint(215, 250)
            d.polygon(pts, fill=(shade, shade, shade - 5, 255))
            for k in range(1, 8):  # ruled lines, no text
                t = k / 8
                d.line(
                    (
                        x + s * 0.05 * (1 - t),
                        y + s * 1.2 * t,
                        x + s * 0.95,
                        y + s * (0.1 + 1.2 * t),
                    ),
                    fill=(150, 170, 210, 120),
                    width=2,
                )
        else:  # phone
            pw, ph = rng.uniform(0.12, 0.2) * w, rng.uniform(0.25, 0.4) * w
            d.rounded_rectangle((x, y, x + pw, y + ph), radius=pw * 0.15, fill=(25, 25, 30, 255))


def choose_rotation(rng: random.Random) -> int:
    """Most photos are upright; one in ten is turned by each quarter."""
    return rng.choices((0, 90, 180, 270), weights=(70, 10, 10, 10))[0]


def _perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list:
    """Coefficients for ``Image.transform(PERSPECTIVE)``: output ``dst`` to input ``src``."""
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, np.float64)
    b = np.array([c for p in src for c in p], np.float64)
    return np.linalg.solve(a, b).tolist()


def _lighting(arr: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    h, w = arr.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = gen.uniform(0, w), gen.uniform(0, h)
    dist = np.hypot(x - cx, y - cy) / math.hypot(w, h)
    light = gen.uniform(1.0, 1.15) - gen.uniform(0.2, 0.45) * dist
    light += gen.uniform(-0.08, 0.08) * (x / w - 0.5)
    out = arr * light[..., None]
    if gen.random() < 0.3:  # glare: a lamp reflected on a laminated card
        gx, gy = gen.uniform(0.2, 0.8) * w, gen.uniform(0.2, 0.8) * h
        radius = gen.uniform(0.06, 0.16) * math.hypot(w, h)
        out += (
            gen.uniform(25, 60) * np.exp(-(((x - gx) ** 2 + (y - gy) ** 2) / radius**2))[..., None]
        )
    return out


def _inside(
    corners: list[tuple[float, float]], w: int, h: int, margin: float = 0.02
) -> list[tuple[float, float]]:
    """The corners moved, and shrunk about their middle if need be, to lie inside a
    ``w`` x ``h`` frame with ``margin`` of its size to spare: a card turned 30 degrees
    reaches past a frame drawn for it upright, and what the frame cuts off (its
    借记卡) could not be read, yet its truth would still ask for it."""
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    mx, my = margin * w, margin * h
    if min(xs) >= mx and max(xs) <= w - mx and min(ys) >= my and max(ys) <= h - my:
        return corners  # as drawn, to the last bit
    scale = min(1.0, (w - 2 * mx) / (max(xs) - min(xs)), (h - 2 * my) / (max(ys) - min(ys)))
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half_w, half_h = scale * (max(xs) - min(xs)) / 2, scale * (max(ys) - min(ys)) / 2
    to_x = min(max(mid_x, mx + half_w), w - mx - half_w)
    to_y = min(max(mid_y, my + half_h), h - my - half_h)
    return [(to_x + scale * (x - mid_x), to_y + scale * (y - mid_y)) for x, y in corners]


def photograph(
    doc: Image.Image,
    rng: random.Random,
    rotation: int | None = None,
    fill: float | None = None,
    angle: float | None = None,
) -> tuple[Image.Image, PhotoParams]:
    """Place ``doc`` (RGB or RGBA) in a photo; returns the RGB photo and what was done.

    ``rotation`` forces the quarter turn; by default 70 % of photos are upright.
    ``fill`` forces the share of the width the document covers (a plate on a car in
    a street: 0.12-0.25); by default 0.55-0.85. ``angle``: the document lies at that
    angle on a desk (degrees), shot from the side (twice the perspective), instead of
    the hand-held few degrees.
    """
    gen = np.random.default_rng(rng.getrandbits(32))
    doc = doc.convert("RGBA")
    turn = choose_rotation(rng)
    rotation = turn if rotation is None else rotation
    if rotation not in (0, 90, 180, 270):
        raise ValueError(f"rotation is 0, 90, 180 or 270, not {rotation}")
    tilt = rng.uniform(-6, 6)
    keystone = 0.035
    if angle is not None:
        tilt, keystone = angle, 0.07
    drawn = rng.uniform(0.55, 0.85)  # drawn either way: the later draws stay the same
    fill = drawn if fill is None else fill
    landscape = doc.width >= doc.height
    aspect = rng.uniform(0.66, 0.8) if landscape else rng.uniform(1.2, 1.4)
    cw = int(doc.width / fill)
    ch = max(int(cw * aspect), int(doc.height / 0.85))
    # Work at the final size: scale the document so the canvas fits MAX_SIDE.
    scale = min(1.0, MAX_SIDE / max(cw, ch))
    if scale < 1.0:
        doc = doc.resize((round(doc.width * scale), round(doc.height * scale)), Image.LANCZOS)
        cw, ch = min(MAX_SIDE, round(cw * scale)), min(MAX_SIDE, round(ch * scale))
    bg_name = rng.choice(sorted(BACKGROUNDS))
    bg = Image.fromarray(BACKGROUNDS[bg_name](gen, cw, ch).clip(0, 255).astype(np.uint8), "RGB")
    _clutter(bg, rng)
    # Where the document's corners land: centred-ish, tilted, each corner nudged.
    cx = cw / 2 + rng.uniform(-0.06, 0.06) * cw
    cy = ch / 2 + rng.uniform(-0.06, 0.06) * ch
    a = math.radians(tilt)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y = sx * doc.width / 2, sy * doc.height / 2
        x += rng.uniform(-keystone, keystone) * doc.width
        y += rng.uniform(-keystone, keystone) * doc.height
        corners.append(
            (cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a))
        )
    if angle is not None:
        corners = _inside(corners, cw, ch)
    src = [(0, 0), (doc.width, 0), (doc.width, doc.height), (0, doc.height)]
    coeffs = _perspective_coeffs(src, corners)
    warped = doc.transform((cw, ch), Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    # A soft shadow under the document.
    alpha = warped.getchannel("A")
    shadow = Image.new("RGBA", (cw, ch), (0, 0, 0, 0))
    off = (rng.randint(4, 18), rng.randint(4, 18))
    shadow.paste((0, 0, 0, 110), off, alpha)
    shadow = shadow.filter(ImageFilter.GaussianBlur(rng.uniform(6, 14)))
    photo = bg.convert("RGBA")
    photo.alpha_composite(shadow)
    photo.alpha_composite(warped)
    arr = _lighting(np.asarray(photo.convert("RGB"), np.float32), gen)
    noise = rng.uniform(2.0, 7.0)
    arr += gen.normal(0, noise, arr.shape)
    photo = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")
    blur = rng.choice((0.0, rng.uniform(0.3, 1.3)))
    if blur:
        photo = photo.filter(ImageFilter.GaussianBlur(blur))
    if rotation:
        photo = photo.rotate(rotation, expand=True)
    photo = shrink(photo)
    return photo, PhotoParams(
        rotation, round(tilt, 2), round(fill, 3), round(blur, 2), round(noise, 2), bg_name
    )


def tight_crop(doc: Image.Image, rng: random.Random) -> Image.Image:
    """A plate cropped to its edges by a plate detector or a person, and kept small:
    a few pixels of margin at most, 90-160 px wide, a little blur and noise."""
    img = doc.convert("RGB")
    w, h = img.size
    box = [rng.uniform(-0.02, 0.03) * w, rng.uniform(-0.03, 0.05) * h]
    box += [w - rng.uniform(-0.02, 0.03) * w, h - rng.uniform(-0.03, 0.05) * h]
    img = img.crop(tuple(round(v) for v in box))
    width = rng.randint(90, 160)
    img = img.resize((width, max(8, round(img.height * width / img.width))), Image.LANCZOS)
    arr = np.asarray(img, np.float32) * rng.uniform(0.7, 1.05)
    arr += np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(1, 5), arr.shape)
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(0, 0.6)))


def fade(img: Image.Image, rng: random.Random) -> Image.Image:
    """A plate crop washed out as road cameras and dim car parks leave them: its tones
    pulled towards a pale grey (a quarter to a half of their contrast left), the colour
    mostly gone."""
    arr = np.asarray(img.convert("RGB"), np.float32)
    grey = arr.mean(axis=2, keepdims=True)
    arr = grey + (arr - grey) * rng.uniform(0.3, 0.6)  # the paint's colour, faint
    level = rng.uniform(120, 170)
    arr = level + (arr - arr.mean()) * rng.uniform(0.25, 0.5)
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


def green_cast(img: Image.Image, rng: random.Random) -> Image.Image:
    """A photo taken under trees or on a wet car park: the light dimmer and tinted green,
    which turns a blue plate's white print green (its paint stays deep blue)."""
    tint = np.array([rng.uniform(0.7, 0.85), 1.0, rng.uniform(0.65, 0.8)], np.float32)
    arr = np.asarray(img.convert("RGB"), np.float32) * tint * rng.uniform(0.6, 0.85)
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


ROAD_SIZE = (1280, 720)  # a road camera's frame, shrunk as people forward it
# Most cars are white, silver, grey or black; a few red, blue (as blue as a plate) or gold.
CAR_PAINTS = ((235, 236, 238),) * 4 + ((175, 178, 182),) * 2 + ((90, 92, 96), (28, 28, 30)) * 2 + (
    (165, 25, 30), (25, 55, 140), (190, 160, 100))  # fmt: skip


def road_camera(
    plate: Image.Image, rng: random.Random
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A car seen from above by a road camera: the plate small on its bumper (6-11 % of
    the frame's width), around it what a detector boxes and no one can read either way
    up: the grille's slats, the lamps, the windscreen's edge, the road's white bars.
    Real frames of this kind were turned upside down by an orientation that let those
    outvote the plate. Returns the frame and the plate's box in it (left, top, right,
    bottom)."""
    gen = np.random.default_rng(rng.getrandbits(32))
    w, h = ROAD_SIZE
    tar = rng.uniform(60, 115)
    arr = np.full((h, w, 3), tar, np.float32) + gen.normal(0, 7, (h, w, 1))
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    paint = rng.randint(200, 240)
    for edge in (rng.uniform(0.05, 0.25), rng.uniform(0.75, 0.95)):  # lane lines
        x, lean = edge * w, rng.uniform(-0.15, 0.15) * w
        d.line((x, 0, x + lean, h), fill=(paint,) * 3, width=rng.randint(8, 16))
    car_w = rng.uniform(0.28, 0.42) * w
    cx = w / 2 + rng.uniform(-0.12, 0.12) * w
    top, bottom = rng.uniform(0.0, 0.12) * h, rng.uniform(0.58, 0.72) * h
    for k in range(rng.randint(2, 4)):  # bars across the road in front of the car
        y = bottom + (0.06 + 0.07 * k) * h
        for x in range(int(cx - 0.45 * w), int(cx + 0.45 * w), rng.randint(18, 40)):
            d.rectangle((x, y, x + rng.randint(12, 30), y + rng.randint(10, 18)), fill=(paint,) * 3)
    body = rng.choice(CAR_PAINTS)
    x0, x1 = cx - car_w / 2, cx + car_w / 2
    d.rounded_rectangle((x0, top, x1, bottom), radius=car_w * 0.12, fill=body)
    glass = rng.randint(30, 70)
    d.polygon([(x0 + 0.1 * car_w, top + 0.12 * h), (x1 - 0.1 * car_w, top + 0.12 * h),
               (x1 - 0.04 * car_w, top + 0.3 * h), (x0 + 0.04 * car_w, top + 0.3 * h)],
              fill=(glass, glass, glass + 10))  # fmt: skip
    plate_w = round(rng.uniform(0.06, 0.11) * w)
    small = plate.convert("RGB").resize((plate_w, round(plate.height * plate_w / plate.width)),
                                        Image.LANCZOS)  # fmt: skip
    py = round(bottom - rng.uniform(0.05, 0.08) * h - small.height)
    gy0, gy1 = py - rng.uniform(0.06, 0.1) * h, py - 0.015 * h
    d.rectangle((cx - 0.22 * car_w, gy0, cx + 0.22 * car_w, gy1), fill=(20, 20, 22))  # grille
    for k in range(1, rng.randint(3, 5)):
        y = gy0 + (gy1 - gy0) * k / 5
        d.line((cx - 0.2 * car_w, y, cx + 0.2 * car_w, y), fill=(190, 190, 195), width=2)
    for side in (-1, 1):  # lamps
        lx = cx + side * 0.36 * car_w
        lamp = (lx - 0.08 * car_w, gy0 - 4, lx + 0.08 * car_w, gy0 + 0.05 * h)
        d.ellipse(lamp, fill=(225, 230, 235), outline=(60, 60, 60), width=2)
    left = round(cx - plate_w / 2)
    img.paste(small, (left, py))
    out = np.asarray(img, np.float32) * rng.uniform(0.8, 1.05)
    out += gen.normal(0, rng.uniform(2, 6), out.shape)
    img = Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB")
    blurred = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    return blurred, (left, py, left + small.width, py + small.height)


def shrink(img: Image.Image, max_side: int = MAX_SIDE) -> Image.Image:
    """Scale down so the long side is at most ``max_side`` (phones upload resized images too)."""
    scale = max_side / max(img.size)
    if scale >= 1:
        return img
    return img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
