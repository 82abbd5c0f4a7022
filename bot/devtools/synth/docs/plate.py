"""Licence plates (GA 36): blue (a few lettered O: police) and yellow 7-character, green
new-energy 8-character, white police (红 警), yellow coach (学) and trailer (挂) plates,
at 2 px per mm (440 x 140 mm, new-energy 480 x 140 mm); half the yellow ones are
the two-row rear plates of lorries and buses (440 x 220 mm)."""

from __future__ import annotations

import random
import zlib

from PIL import Image, ImageDraw

from .. import canvas, fonts, numbers
from . import Doc

COLORS = {  # plate colour -> (background, text)
    "蓝": ((10, 70, 190), (250, 250, 250)),
    "黄": ((250, 200, 20), (15, 15, 15)),
    "白": ((245, 245, 245), (15, 15, 15)),
    "绿": ((120, 220, 140), (15, 15, 15)),
    "黄绿": ((250, 200, 20), (15, 15, 15)),
}
RED = (200, 20, 20)
# The ``color`` field, as the local engine names it (large new-energy plates count as green).
API_COLORS = {"蓝": "blue", "黄": "yellow", "白": "white", "绿": "green", "黄绿": "green"}


def _glyph(ch: str, font, box: tuple[int, int], color) -> Image.Image:
    """One character stretched into its box, like the narrow plate typeface."""
    probe = Image.new("L", (font.size * 2, font.size * 2), 0)
    ImageDraw.Draw(probe).text((font.size, font.size), ch, font=font, fill=255, anchor="mm")
    bbox = probe.getbbox() or (0, 0, 1, 1)
    crop = probe.crop(bbox)
    # Full height; width scaled alike (narrow glyphs such as 1 stay narrow) up to the box.
    width = min(box[0], max(8, round(crop.width * box[1] / crop.height * 0.8)))
    mask = Image.new("L", box, 0)
    mask.paste(crop.resize((width, box[1]), Image.LANCZOS), ((box[0] - width) // 2, 0))
    out = Image.new("RGBA", box, (*color, 0))
    out.putalpha(mask)
    return out


def make(data: random.Random, style: random.Random, side: str | None = None) -> Doc:
    plate = numbers.plate(data)
    number = plate.number
    if plate.color == "蓝" and zlib.crc32(number.encode()) % 20 == 0:
        # Police and public-security cars of some provinces carry blue plates lettered O
        # after the province, the one letter no other plate uses: one blue plate in
        # twenty, picked by its own characters so that every other draw stays as it was.
        number = number[0] + "O" + number[2:]
    new_energy = len(number) == 8
    w, h = (960 if new_energy else 880), 280
    bg, ink = COLORS[plate.color]
    if plate.color == "绿":
        img = canvas.gradient((w, h), (245, 250, 245), bg, 1.57)
    elif plate.color == "黄绿":
        img = Image.new("RGB", (w, h), bg)
        ImageDraw.Draw(img).rectangle((int(w * 0.27), 0, w, h), fill=(120, 220, 140))
    else:
        img = Image.new("RGB", (w, h), bg)
    img = canvas.paper_noise(img, style, 2.0)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((8, 8, w - 9, h - 9), radius=18, outline=ink, width=5)
    for rx in (w * 0.2, w * 0.8):  # rivets
        draw.ellipse((rx - 9, 22, rx + 9, 40), fill=tuple(max(0, c - 40) for c in bg))
    font = fonts.load(fonts.pick(style, "sans_bold"), 160)
    n = len(number)
    char_w = 86 if not new_energy else 82
    gap = 24 if not new_energy else 18
    dot = 40
    x = (w - (n * char_w + (n - 1) * gap + dot)) / 2
    img_rgba = img.convert("RGBA")
    for i, ch in enumerate(number):
        color = RED if ch == "警" else ink
        glyph = _glyph(ch, font, (char_w, 180), color)
        img_rgba.alpha_composite(glyph, (int(x), 50))
        x += char_w + gap
        if i == 1:  # the separator dot after the province and city letter
            ImageDraw.Draw(img_rgba).ellipse(
                (x - gap + dot / 2 - 8, h / 2 - 8, x - gap + dot / 2 + 8, h / 2 + 8), fill=ink
            )
            x += dot
    truth = {"number": number, "color": API_COLORS[plate.color]}
    # Drawn last, so every other draw stays as it was: lorries, buses and trailers carry
    # a two-row yellow plate at the back (440 x 220 mm), half the yellow plates here.
    if plate.color == "黄" and style.random() < 0.5:
        return Doc(two_rows(number, style), truth, None, {"rows": 2})
    return Doc(canvas.round_corners(img_rgba.convert("RGB"), 24), truth, None, {})


def two_rows(number: str, style: random.Random) -> Image.Image:
    """A yellow rear plate of two rows (GA 36, 440 x 220 mm at 2 px/mm): the province
    and the authority letter small above, the rest large below."""
    w, h = 880, 440
    bg, ink = COLORS["黄"]
    img = canvas.paper_noise(Image.new("RGB", (w, h), bg), style, 2.0).convert("RGBA")
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((8, 8, w - 9, h - 9), radius=18, outline=ink, width=5)
    font = fonts.load(fonts.pick(style, "sans_bold"), 160)
    top, rest = number[:2], number[2:]
    for i, ch in enumerate(top):  # 80 x 110 mm characters, centred, a wide gap
        img.alpha_composite(_glyph(ch, font, (160, 120), ink), (round(w / 2 - 230 + i * 300), 40))
    char_w, gap = 130, 32  # 65 x 110 mm below... scaled to fit the width
    x = (w - (len(rest) * char_w + (len(rest) - 1) * gap)) / 2
    for ch in rest:
        img.alpha_composite(_glyph(ch, font, (char_w, 220), ink), (round(x), 190))
        x += char_w + gap
    for rx in (w * 0.2, w * 0.8):  # rivets
        draw.ellipse((rx - 9, 170, rx + 9, 188), fill=tuple(max(0, c - 40) for c in bg))
    return canvas.round_corners(img.convert("RGB"), 24)
