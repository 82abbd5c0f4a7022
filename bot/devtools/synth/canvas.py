"""Drawing helpers shared by the document layouts.

Everything takes an explicit ``random.Random`` so a seed fixes every stroke.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

Color = tuple[int, int, int]
Font = ImageFont.FreeTypeFont


def text_width(s: str, font: Font, spacing: float = 0) -> float:
    return font.getlength(s) + spacing * max(len(s) - 1, 0)


def draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    s: str,
    font: Font,
    fill: Color | tuple[int, int, int, int],
    spacing: float = 0,
    anchor: str = "ls",
) -> float:
    """Draw ``s`` with ``spacing`` extra pixels between characters; returns the end x.

    The default anchor is the left end of the baseline, so labels and values
    on one row line up whatever their fonts.
    """
    x, y = xy
    if not spacing:
        draw.text((x, y), s, font=font, fill=fill, anchor=anchor)
        return x + font.getlength(s)
    for ch in s:
        draw.text((x, y), ch, font=font, fill=fill, anchor=anchor)
        x += font.getlength(ch) + spacing
    return x - spacing


def fit_font(load, s: str, size: int, max_width: float, min_size: int = 10) -> Font:
    """The largest font from ``load(size)`` not wider than ``max_width`` for ``s``."""
    font = load(size)
    while size > min_size and font.getlength(s) > max_width:
        size -= 1
        font = load(size)
    return font


def wrap(s: str, font: Font, width: float, spacing: float = 0) -> list[str]:
    """Break ``s`` into lines no wider than ``width`` (character by character, as on cards)."""
    lines: list[str] = []
    line = ""
    for ch in s:
        if line and text_width(line + ch, font, spacing) > width:
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


def round_corners(img: Image.Image, radius: int) -> Image.Image:
    """An RGBA copy with transparent rounded corners (cards are not rectangles)."""
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, img.width - 1, img.height - 1), radius, fill=255)
    out = img.convert("RGBA")
    out.putalpha(mask)
    return out


def gradient(size: tuple[int, int], a: Color, b: Color, angle: float = 0.0) -> Image.Image:
    """A linear gradient from ``a`` to ``b`` along ``angle`` (radians)."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    t = x * math.cos(angle) + y * math.sin(angle)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1.0)
    arr = np.array(a, np.float32) * (1 - t[..., None]) + np.array(b, np.float32) * t[..., None]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


def guilloche(
    img: Image.Image, rng: random.Random, color: Color, lines: int = 40, width: int = 1
) -> None:
    """Fine interlaced wave lines, the anti-copy background of ID documents."""
    draw = ImageDraw.Draw(img, "RGBA")
    w, h = img.size
    f1, f2 = rng.uniform(1.5, 4.0), rng.uniform(4.0, 9.0)
    phase = rng.uniform(0, math.tau)
    for i in range(lines):
        y0 = h * (i + 0.5) / lines
        amp = h / lines * rng.uniform(1.5, 3.0)
        pts = [
            (
                x,
                y0
                + amp * math.sin(math.tau * f1 * x / w + phase + i * 0.35)
                + amp * 0.4 * math.sin(math.tau * f2 * x / w + i),
            )
            for x in range(0, w + 8, 8)
        ]
        draw.line(pts, fill=(*color, 70), width=width)


def rosette(img: Image.Image, center: tuple[float, float], radius: float, color: Color) -> None:
    """A spirograph rosette, another security-print motif."""
    draw = ImageDraw.Draw(img, "RGBA")
    cx, cy = center
    for k in range(12):
        pts = []
        for t in range(0, 361, 3):
            a = math.radians(t)
            r = radius * (0.6 + 0.4 * math.cos(7 * a + k * 0.52))
            pts.append((cx + r * math.cos(a + k * 0.26), cy + r * math.sin(a + k * 0.26)))
        draw.line(pts, fill=(*color, 60), width=1)


def paper_noise(img: Image.Image, rng: random.Random, strength: float = 6.0) -> Image.Image:
    """Low-amplitude grain, so flat areas are not perfectly flat."""
    gen = np.random.default_rng(rng.getrandbits(32))
    arr = np.asarray(img.convert("RGB"), np.float32)
    arr += gen.normal(0, strength, arr.shape[:2])[..., None]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


def portrait(img: Image.Image, box: tuple[int, int, int, int], rng: random.Random) -> None:
    """A grey head-and-shoulders silhouette standing in for the holder's photo."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    shade = rng.randint(150, 190)
    cx = x0 + w / 2 + rng.uniform(-0.04, 0.04) * w
    d.ellipse((cx - w * 0.22, y0 + h * 0.12, cx + w * 0.22, y0 + h * 0.58), fill=(shade,) * 3)
    d.ellipse((cx - w * 0.48, y0 + h * 0.62, cx + w * 0.48, y0 + h * 1.3), fill=(shade,) * 3)
    d.rectangle((x0, y1, img.width, img.height), fill=(0, 0, 0, 0))
    layer = layer.crop((0, 0, img.width, y1)).filter(ImageFilter.GaussianBlur(1.5))
    img.paste(layer, (0, 0), layer)


def seal(
    img: Image.Image,
    center: tuple[float, float],
    radius: float,
    text: str,
    font_load,
    rng: random.Random,
    color: Color = (215, 30, 35),
) -> None:
    """A round red official seal: ring, star, and ``text`` around the upper arc."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = center
    ring = max(2, int(radius * 0.06))
    d.ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius), outline=(*color, 255), width=ring
    )
    star = [
        (
            cx + radius * (0.28 if k % 2 == 0 else 0.11) * math.sin(math.pi * k / 5),
            cy - radius * (0.28 if k % 2 == 0 else 0.11) * math.cos(math.pi * k / 5),
        )
        for k in range(10)
    ]
    d.polygon(star, fill=(*color, 255))
    # Seal text is engraved in condensed characters that fill the band between the
    # ring and the star: as tall as the band allows, squeezed sideways to fit the arc.
    n = len(text)
    span = min(250.0, 24.0 * n)
    height = int(radius * 0.3)
    r = radius * 0.9 - height / 2  # glyph centres: just inside the ring
    per_char = r * math.radians(span) / n  # arc length each character gets
    width = min(height, int(per_char * 0.92))
    font = font_load(height)
    for i, ch in enumerate(text):
        ang = math.radians(-90 - span / 2 + span * (i + 0.5) / n)
        glyph = Image.new("RGBA", (height * 2, height * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((height, height), ch, font=font, fill=(*color, 255), anchor="mm")
        glyph = glyph.resize((max(1, width * 2), height * 2), Image.LANCZOS)
        glyph = glyph.rotate(-math.degrees(ang) - 90, resample=Image.BICUBIC, expand=True)
        gx = cx + r * math.cos(ang) - glyph.width / 2
        gy = cy + r * math.sin(ang) - glyph.height / 2
        layer.alpha_composite(glyph, (int(gx), int(gy)))
    _stamp(img, layer, rng)


def square_seal(
    img: Image.Image,
    box: tuple[float, float, float, float],
    text: str,
    font_load,
    rng: random.Random,
    color: Color = (215, 30, 35),
) -> None:
    """A square red seal, as a licence's traffic police detachment stamps it: a frame and
    ``text`` in rows of upright, condensed characters (河北省承德 / 市公安局交 / 通警察支队),
    three rows, four for a long name."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    x0, y0, x1, y1 = box
    frame = max(2, int((x1 - x0) * 0.025))
    d.rectangle(box, outline=(*color, 255), width=frame)
    rows = 3 if len(text) <= 21 else 4
    per_row = math.ceil(len(text) / rows)
    pitch = (y1 - y0 - 4 * frame) / rows
    height = int(pitch * 0.78)
    width = min(height, int((x1 - x0 - 4 * frame) / per_row * 0.95))
    font = font_load(height)
    for r in range(rows):
        part = text[r * per_row : (r + 1) * per_row]
        cy = y0 + 2 * frame + pitch * (r + 0.5)
        left = (x0 + x1) / 2 - width * len(part) / 2
        for i, ch in enumerate(part):
            glyph = Image.new("RGBA", (height * 2, height * 2), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text((height, height), ch, font=font, fill=(*color, 255),
                                       anchor="mm")  # fmt: skip
            glyph = glyph.resize((max(1, width * 2), height * 2), Image.LANCZOS)
            layer.alpha_composite(glyph, (int(left + width * i - width / 2), int(cy - height)))
    _stamp(img, layer, rng)


def _stamp(img: Image.Image, layer: Image.Image, rng: random.Random) -> None:
    """Press a seal's ``layer`` onto ``img``: ink is never even, so it fades in patches."""
    gen = np.random.default_rng(rng.getrandbits(32))
    alpha = np.asarray(layer.getchannel("A"), np.float32)
    patchy = gen.uniform(0.55, 1.0, (max(1, img.height // 16), max(1, img.width // 16)))
    patchy = np.asarray(
        Image.fromarray((patchy * 255).astype(np.uint8)).resize(img.size, Image.BILINEAR),
        np.float32,
    )
    layer.putalpha(Image.fromarray((alpha * patchy / 255 * 0.85).astype(np.uint8)))
    img.paste(layer, (0, 0), layer)


def emblem(img: Image.Image, center: tuple[float, float], radius: float) -> None:
    """A stylised emblem: red disc, gold ring and stars (a placeholder, not the real one)."""
    d = ImageDraw.Draw(img)
    cx, cy = center
    gold, red = (222, 170, 40), (200, 30, 30)
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=gold)
    d.ellipse(
        (cx - radius * 0.82, cy - radius * 0.82, cx + radius * 0.82, cy + radius * 0.82), fill=red
    )
    for k, (dx, dy, r) in enumerate(
        [
            (0, -0.35, 0.22),
            (-0.38, -0.05, 0.09),
            (-0.2, 0.2, 0.09),
            (0.2, 0.2, 0.09),
            (0.38, -0.05, 0.09),
        ]
    ):
        sx, sy, rr = cx + dx * radius, cy + dy * radius, r * radius
        pts = [
            (
                sx + rr * (1 if j % 2 == 0 else 0.4) * math.sin(math.pi * j / 5 + k),
                sy - rr * (1 if j % 2 == 0 else 0.4) * math.cos(math.pi * j / 5 + k),
            )
            for j in range(10)
        ]
        d.polygon(pts, fill=gold)
    d.rectangle(
        (cx - radius * 0.5, cy + radius * 0.45, cx + radius * 0.5, cy + radius * 0.6), fill=gold
    )
