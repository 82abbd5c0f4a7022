"""Bank cards (85.6 x 54 mm, 856 x 540 px): bank name, chip, embossed number, valid thru."""

from __future__ import annotations

import random
from functools import partial

from PIL import Image, ImageDraw, ImageFilter

from .. import canvas, fonts, numbers, pinyin
from . import Doc

W, H = 856, 540

PALETTES = (  # (background start, background end, text)
    ((180, 20, 30), (120, 10, 20), (245, 235, 210)),
    ((20, 60, 140), (10, 30, 80), (235, 235, 240)),
    ((10, 110, 80), (5, 60, 45), (240, 240, 230)),
    ((200, 160, 60), (150, 110, 30), (60, 40, 10)),
    ((210, 210, 215), (150, 150, 160), (40, 40, 50)),
    ((30, 30, 35), (70, 70, 80), (225, 200, 140)),
    ((120, 40, 130), (60, 20, 80), (240, 230, 250)),
)


def _embossed(img: Image.Image, xy: tuple[float, float], s: str, font, color, spacing: float):
    """Raised digits: a light edge up-left, a dark edge down-right, then the face."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    x, y = xy
    canvas.draw_text(d, (x - 2, y - 2), s, font, (255, 255, 255, 150), spacing)
    canvas.draw_text(d, (x + 2, y + 2), s, font, (0, 0, 0, 170), spacing)
    canvas.draw_text(d, (x, y), s, font, (*color, 255), spacing)
    img.paste(layer.filter(ImageFilter.SMOOTH), (0, 0), layer)


def _unionpay(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], font) -> None:
    """The UnionPay mark: three slanted bands (red, blue, green) with 银联 / UnionPay."""
    x0, y0, x1, y1 = box
    bw = (x1 - x0) / 3.2
    for i, color in enumerate(((220, 20, 40), (0, 60, 140), (0, 130, 120))):
        left = x0 + i * bw * 0.95
        draw.polygon(
            [(left + 10, y0), (left + bw + 10, y0), (left + bw - 10, y1), (left - 10, y1)],
            fill=color,
        )
    draw.text(((x0 + x1) / 2, y0 + (y1 - y0) * 0.42), "银联", font=font, fill="white", anchor="mm")
    small = font.font_variant(size=max(10, int(font.size * 0.55)))
    draw.text(
        ((x0 + x1) / 2, y0 + (y1 - y0) * 0.78), "UnionPay", font=small, fill="white", anchor="mm"
    )


def _logo(draw: ImageDraw.ImageDraw, box, ink, style: random.Random) -> None:
    """A graphic bank mark (ring, square or coin shape), never letters: real logos are drawings."""
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    kind = style.randrange(3)
    if kind == 0:  # coin with a square hole
        draw.ellipse(box, outline=ink, width=7)
        d = r * 0.35
        draw.rectangle((cx - d, cy - d, cx + d, cy + d), outline=ink, width=6)
    elif kind == 1:  # ring cut by a bar
        draw.ellipse(box, outline=ink, width=9)
        draw.rectangle((cx - 4, y0 - 4, cx + 4, y1 + 4), fill=ink)
    else:  # diamond in a ring
        draw.ellipse(box, outline=ink, width=5)
        d = r * 0.6
        draw.polygon([(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)], fill=ink)


def make(data: random.Random, style: random.Random, side: str | None = None) -> Doc:
    bin_ = data.choice(numbers.BINS)
    number = numbers.card_number(data, bin_)
    show_valid = bin_.card_type == "信用卡" or data.random() < 0.5
    # Credit cards carry the holder's name in pinyin (not a field: a distractor).
    holder = " ".join(pinyin.name(data, data.choice(("男", "女")))[2:4])
    valid_thru = f"{data.randint(1, 12):02d}/{data.randint(26, 35)}"
    top, bottom, ink = style.choice(PALETTES)
    img = canvas.gradient((W, H), top, bottom, style.uniform(0, 3.1))
    canvas.guilloche(img, style, tuple(min(255, c + 40) for c in top), lines=style.randint(8, 20))
    img = canvas.paper_noise(img, style, 2.0)
    draw = ImageDraw.Draw(img)
    name_spec = fonts.pick(style, style.choice(("sans_bold", "serif_bold", "kai")))
    name_font = fonts.load(name_spec, style.randint(40, 50))
    # Logo (a drawing), then the bank's name.
    _logo(draw, (40, 40, 110, 110), ink, style)
    canvas.draw_text(draw, (128, 95), bin_.bank, name_font, ink, spacing=2)
    # Chip.
    cx, cy = 80 + style.randint(-6, 6), 190 + style.randint(-6, 6)
    draw.rounded_rectangle((cx, cy, cx + 105, cy + 80), radius=12, fill=(212, 180, 100))
    for k in range(1, 3):
        draw.line((cx, cy + 26 * k, cx + 105, cy + 26 * k), fill=(150, 120, 60), width=2)
    draw.line((cx + 52, cy, cx + 52, cy + 80), fill=(150, 120, 60), width=2)
    # Number: big groups, embossed on most cards, flat-printed on newer debit cards.
    num_spec = fonts.pick(style, "mono")
    grouped = numbers.group_card_number(number)
    if len(number) == 19 and style.random() < 0.3:
        grouped = f"{number[:6]} {number[6:]}"  # older 19-digit debit cards: 6 + 13
    num_font = canvas.fit_font(partial(fonts.load, num_spec), grouped, 62, W - 140)
    metal = (235, 235, 235) if sum(top) < 400 else (50, 45, 40)
    if bin_.card_type == "借记卡" and style.random() < 0.35:
        canvas.draw_text(draw, (55, 360), grouped, num_font, metal, spacing=2)
    else:
        _embossed(img, (55, 360), grouped, num_font, metal, spacing=2)
    small_spec = fonts.pick(style, "sans")
    small = fonts.load(small_spec, 22)
    if show_valid:
        canvas.draw_text(draw, (330, 420), "VALID", small, ink)
        canvas.draw_text(draw, (330, 444), "THRU", small, ink)
        _embossed(img, (400, 445), valid_thru, fonts.load(num_spec, 36), metal, spacing=1)
    if bin_.card_type == "信用卡":
        _embossed(img, (60, 470), holder, fonts.load(num_spec, 28), metal, spacing=2)
    type_font = fonts.load(fonts.pick(style, "sans_bold"), 34)
    # 借记卡 bottom left; 信用卡 top right (the holder's name takes the bottom left).
    type_xy = (60, 500) if bin_.card_type == "借记卡" else (W - 190, 95)
    canvas.draw_text(draw, type_xy, bin_.card_type, type_font, ink, spacing=4)
    _unionpay(draw, (640, 420, 800, 510), fonts.load(fonts.pick(style, "sans_bold"), 34))
    truth = {
        "number": number,
        "bank_name": bin_.bank,
        "card_type": bin_.card_type,
    }
    if show_valid:
        truth["valid_thru"] = valid_thru
    info = {"fonts": [name_spec.key, num_spec.key, small_spec.key]}
    # Drawn last, so that the draws before stay as they were.
    if style.random() < PICTURE_SHARE:
        _picture(img, random.Random(style.getrandbits(32)), right_of=W * style.uniform(0.35, 0.6))
        info["picture"] = True
    return Doc(canvas.round_corners(img, 32), truth, None, info)


PICTURE_SHARE = 0.25


def _picture(img: Image.Image, rng: random.Random, right_of: float) -> None:
    """A card's picture (a wall over hills, flowers) printed across the right part of the
    number: pale strokes and blobs as light as the metal of the digits, which real
    embossed numbers run over and the detector then boxes only up to."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    for _ in range(rng.randint(25, 45)):
        x = rng.uniform(right_of, W)
        y = rng.uniform(300, 470)
        shade = rng.choice((rng.randint(200, 250), rng.randint(60, 140)))
        colour = (shade, shade, max(0, shade - rng.randint(0, 30)), rng.randint(90, 170))
        if rng.random() < 0.5:
            d.line((x, y, x + rng.uniform(-80, 80), y + rng.uniform(-40, 40)), fill=colour,
                   width=rng.randint(3, 12))  # fmt: skip
        else:
            r = rng.uniform(8, 30)
            d.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    img.paste(layer.filter(ImageFilter.GaussianBlur(1.5)), (0, 0), layer)
