"""第二代居民身份证, front (人像面) and back (国徽面), at 10 px per mm (856 x 540)."""

from __future__ import annotations

import random
from functools import partial

from PIL import Image, ImageDraw

from .. import canvas, fonts, people
from . import Doc

W, H = 856, 540
LABEL = (40, 110, 170)
INK = (20, 20, 20)
PALE = (238, 242, 240)  # the card's ground, where worn or glared labels fade to


def _background(style: random.Random) -> Image.Image:
    tint = (style.randint(236, 248), style.randint(238, 248), style.randint(228, 244))
    img = canvas.gradient((W, H), tint, (250, 246, 236), style.uniform(0, 3.1))
    canvas.guilloche(img, style, (150, 180, 210), lines=style.randint(28, 46))
    canvas.rosette(img, (W * style.uniform(0.3, 0.7), H * 0.5), H * 0.42, (210, 160, 170))
    return canvas.paper_noise(img, style, 3.0)


def faded(ink: tuple[int, int, int], fade: float) -> tuple[int, int, int]:
    """``ink`` washed ``fade`` of the way towards the card's pale ground."""
    r, g, b = (round(c + (p - c) * fade) for c, p in zip(ink, PALE, strict=True))
    return r, g, b


def front(data: random.Random, style: random.Random, fade: float = 0.0) -> Doc:
    """The front; ``fade`` washes the blue labels out (glare, wear), never the values."""
    p = people.person(data)
    img = _background(style)
    label_ink = faded(LABEL, fade)  # this card's label ink
    draw = ImageDraw.Draw(img)
    label_spec, value_spec, num_spec = (
        fonts.pick(style, "sans"),
        fonts.pick(style, style.choice(("sans", "serif", "sans_bold"))),
        fonts.pick(style, "mono"),
    )
    label = fonts.load(label_spec, 26)
    value = fonts.load(value_spec, 34)
    dx, dy = style.randint(-8, 8), style.randint(-6, 6)
    lx, vx = 70 + dx, 165 + dx

    def row(y: int, lab: str, val: str, x_val: int = vx) -> None:
        canvas.draw_text(draw, (lx, y), lab, label, label_ink, spacing=10 if len(lab) == 2 else 0)
        canvas.draw_text(draw, (x_val, y), val, value, INK)

    row(95 + dy, "姓名", p.name)
    canvas.draw_text(draw, (lx, 165 + dy), "性别", label, label_ink, spacing=10)
    canvas.draw_text(draw, (vx, 165 + dy), p.sex, value, INK)
    canvas.draw_text(draw, (vx + 110, 165 + dy), "民族", label, label_ink, spacing=10)
    canvas.draw_text(draw, (vx + 205, 165 + dy), p.ethnicity, value, INK)
    y = 235 + dy
    canvas.draw_text(draw, (lx, y), "出生", label, label_ink, spacing=10)
    x = canvas.draw_text(draw, (vx, y), str(p.birth.year), value, INK) + 12
    x = canvas.draw_text(draw, (x, y), "年", label, label_ink) + 14
    x = canvas.draw_text(draw, (x, y), str(p.birth.month), value, INK) + 12
    x = canvas.draw_text(draw, (x, y), "月", label, label_ink) + 14
    x = canvas.draw_text(draw, (x, y), str(p.birth.day), value, INK) + 12
    canvas.draw_text(draw, (x, y), "日", label, label_ink)
    y = 305 + dy
    canvas.draw_text(draw, (lx, y), "住址", label, label_ink, spacing=10)
    # Real cards wrap the address at about 11 characters; three lines at most, in
    # smaller characters for a long address (the truth is the whole address: all of
    # it must be drawn).
    lines = canvas.wrap(p.address, value, 385, spacing=1)
    for size in (30, 27, 24):
        if len(lines) <= 3:
            break
        value = fonts.load(value_spec, size)
        lines = canvas.wrap(p.address, value, 385, spacing=1)
    assert len(lines) <= 3, p.address
    for i, line in enumerate(lines):
        canvas.draw_text(draw, (vx, y + i * 44), line, value, INK, spacing=1)
    y = 470 + dy
    canvas.draw_text(draw, (lx, y), "公民身份号码", label, label_ink)
    num_font = canvas.fit_font(partial(fonts.load, num_spec), p.id_number, 38, 440)
    canvas.draw_text(draw, (lx + 200, y + 2), p.id_number, num_font, INK, spacing=3)
    box = (590 + dx, 85 + dy, 800 + dx, 345 + dy)
    canvas.portrait(img, box, style)
    truth = {
        "type": "Front",
        "name": p.name,
        "id": p.id_number,
        "addr": p.address,
        "gender": p.sex,
        "nationality": p.ethnicity,
    }
    info = {
        "fonts": [label_spec.key, value_spec.key, num_spec.key],
        "addr_lines": len(lines),
        "label_fade": round(fade, 2),
    }
    return Doc(canvas.round_corners(img, 32), truth, "Front", info)


def back(data: random.Random, style: random.Random) -> Doc:
    p = people.person(data)
    issue, expiry = people.id_validity(data, p.birth)
    authority = people.police_authority(p.region)
    img = _background(style)
    draw = ImageDraw.Draw(img)
    canvas.emblem(img, (150, 150), 92)
    title_spec = fonts.pick(style, "serif_bold")
    big = fonts.load(title_spec, 40)
    huge = fonts.load(title_spec, 70)
    canvas.draw_text(draw, (300, 120), "中华人民共和国", big, INK, spacing=14)
    canvas.draw_text(draw, (300, 225), "居民身份证", huge, INK, spacing=12)
    label_spec, value_spec = fonts.pick(style, "sans"), fonts.pick(style, "sans")
    label = fonts.load(label_spec, 26)
    value = fonts.load(value_spec, 30)
    valid_text = f"{issue:%Y.%m.%d}-" + (f"{expiry:%Y.%m.%d}" if expiry else "长期")
    x0 = 190 + style.randint(-10, 10)
    canvas.draw_text(draw, (x0, 400), "签发机关", label, LABEL, spacing=4)
    auth_font = canvas.fit_font(partial(fonts.load, value_spec), authority, 30, W - x0 - 190)
    canvas.draw_text(draw, (x0 + 150, 400), authority, auth_font, INK)
    canvas.draw_text(draw, (x0, 470), "有效期限", label, LABEL, spacing=4)
    canvas.draw_text(draw, (x0 + 150, 470), valid_text, value, INK)
    truth = {
        "type": "Back",
        "valid_date": f"{issue:%Y%m%d}-" + (f"{expiry:%Y%m%d}" if expiry else "长期"),
        "authority": authority,
    }
    info = {"fonts": [title_spec.key, label_spec.key, value_spec.key]}
    return Doc(canvas.round_corners(img, 32), truth, "Back", info)


def make(data: random.Random, style: random.Random, side: str | None, fade: float = 0.0) -> Doc:
    """A front (``fade``: how washed out its labels are) or a back."""
    side = side or data.choice(("Front", "Back"))
    if side.lower() == "front":
        return front(data, style, fade)
    if side.lower() == "back":
        return back(data, style)
    raise ValueError(f"an ID card side is Front or Back, not {side!r}")
