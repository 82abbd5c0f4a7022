"""The data page of a PRC ordinary e-passport (125 x 88 mm at 8 px/mm) with its
ICAO 9303 TD3 machine-readable zone, made by the ``mrz`` package."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

from mrz.generator.td3 import TD3CodeGenerator
from PIL import ImageDraw

from .. import canvas, fonts, numbers, people, pinyin
from . import Doc

W, H = 1000, 704
INK = (25, 25, 35)
LABEL = (70, 70, 110)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _viz_date(d: date) -> str:
    """Dates in the visual zone: ``21 12月/DEC 1990``."""
    return f"{d.day:02d} {d.month}月/{MONTHS[d.month - 1]} {d.year}"


def make(data: random.Random, style: random.Random, side: str | None = None) -> Doc:
    sex = data.choice(("男", "女"))
    sur_cn, given_cn, surname, given = pinyin.name(data, sex)
    birth = people.random_date(data, date(1950, 1, 1), date(2008, 1, 1))
    issue = people.random_date(data, max(date(2016, 1, 1), birth + timedelta(days=365)),
                               date(2025, 10, 1))  # fmt: skip
    adult = (issue - birth).days >= 16 * 365
    expiry = people.add_years(issue, 10 if adult else 5) - timedelta(days=1)
    birth_place = pinyin.province(people.random_region(data).province)
    issue_place = pinyin.province(people.random_region(data).province)
    number = numbers.passport_number(data)
    optional = "".join(data.choice(string.ascii_uppercase) for _ in range(8)) + "<<<<<<"
    mrz = str(
        TD3CodeGenerator("PO", "CHN", surname, given, number, "CHN", f"{birth:%y%m%d}",
                         "M" if sex == "男" else "F", f"{expiry:%y%m%d}", optional[:8])
    ).split("\n")  # fmt: skip

    img = canvas.gradient((W, H), (236, 232, 244), (246, 238, 236), style.uniform(0, 3.1))
    canvas.guilloche(img, style, (190, 160, 200), lines=style.randint(24, 40))
    canvas.rosette(img, (W * 0.65, H * 0.4), 220, (150, 170, 210))
    img = canvas.paper_noise(img, style, 2.5)
    draw = ImageDraw.Draw(img)
    head = fonts.load(fonts.pick(style, "serif_bold"), 30)
    draw.text((W * 0.42, 42), "中华人民共和国", font=head, fill=INK, anchor="mm")
    head_en = fonts.load(fonts.pick(style, "serif"), 18)
    draw.text((W * 0.42, 76), "PEOPLE'S REPUBLIC OF CHINA", font=head_en, fill=INK, anchor="mm")
    draw.text((W * 0.85, 42), "护照", font=head, fill=INK, anchor="mm")
    draw.text((W * 0.85, 76), "PASSPORT", font=head_en, fill=INK, anchor="mm")
    canvas.portrait(img, (40, 112, 280, 430), style)
    label = fonts.load(fonts.pick(style, "sans"), 15)
    value_spec = fonts.pick(style, "sans")
    value = fonts.load(value_spec, 26)
    latin = fonts.load(fonts.pick(style, "mono"), 26)

    def field(x: int, y: int, lab: str, val: str, font=value) -> None:
        canvas.draw_text(draw, (x, y), lab, label, LABEL)
        canvas.draw_text(draw, (x, y + 32), val, font, INK)

    x1, x2, x3 = 310, 540, 760
    field(x1, 112, "类型/Type", "P", latin)
    field(x2, 112, "国家码/Country Code", "CHN", latin)
    field(x3, 112, "护照号/Passport No.", number, latin)
    field(x1, 174, "姓/Surname", f"{sur_cn} {surname}")
    field(x1, 236, "名/Given names", f"{given_cn} {given}")
    field(x1, 298, "性别/Sex", f"{sex}/{'M' if sex == '男' else 'F'}")
    field(x2, 298, "出生地点/Place of birth", f"{birth_place[0]}/{birth_place[1]}")
    field(x1, 360, "出生日期/Date of birth", _viz_date(birth))
    field(x2, 360, "签发地点/Place of issue", f"{issue_place[0]}/{issue_place[1]}")
    field(x1, 422, "签发日期/Date of issue", _viz_date(issue))
    field(x2, 422, "有效期至/Date of expiry", _viz_date(expiry))
    field(x1, 484, "签发机关/Authority", "国家移民管理局/NIA")
    # The MRZ: OCR-B-like monospace on a clear band, 44 characters a line.
    draw.rectangle((0, H - 160, W, H), fill=(246, 244, 248))
    mono_spec = fonts.pick(style, "mono")
    mono = fonts.load(mono_spec, 40)
    pitch = (W - 60) / 44
    for row, line in enumerate(mrz):
        for i, ch in enumerate(line):
            draw.text((30 + pitch * (i + 0.5), H - 110 + row * 62), ch, font=mono, fill=INK,
                      anchor="ms")  # fmt: skip
    truth = {
        "number": number,
        "surname": surname,
        "given_names": given,
        "nationality": "CHN",
        "birth_date": f"{birth:%Y-%m-%d}",
        "sex": "M" if sex == "男" else "F",
        "expiry_date": f"{expiry:%Y-%m-%d}",
        "country": "CHN",
        "mrz": mrz,
    }
    return Doc(
        canvas.round_corners(img, 12), truth, None, {"fonts": [value_spec.key, mono_spec.key]}
    )
