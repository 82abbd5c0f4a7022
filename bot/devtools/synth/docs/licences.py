"""The two traffic-police cards: 机动车驾驶证 (driving licence) and 机动车行驶证
(vehicle licence), main pages, 88 x 60 mm at 10 px/mm.

Both are a bordered table of bilingual labels and values with the issuing
detachment's red seal, on a pale security-printed background.
"""

from __future__ import annotations

import random
from datetime import date
from functools import partial

from PIL import Image, ImageDraw

from bot.ocr.local import places

from .. import canvas, fonts, numbers, people
from . import Doc

W, H = 880, 600
LINE = (90, 90, 110)
LABEL = (30, 30, 40)
INK = (10, 10, 10)

CAR_CLASSES = ("C1", "C1", "C1", "C2", "C1E", "B1", "B2", "A1", "A2", "D")
VEHICLE_TYPES = ("小型轿车", "小型普通客车", "小型越野客车", "中型普通客车", "轻型普通货车")
USE_CHARACTERS = ("非营运", "非营运", "非营运", "营运", "出租客运", "预约出租客运", "货运")
# The detachment's seal on a driver's licence spans about a fifth of the card's width on
# real cards, its characters a twentieth of it tall and upright (docs/ocr.md, "The seal
# of a driver's licence, drawn to size"); a radius of 74 px drew them half that tall and,
# on a long name, a fifth as wide: smudge no person reads once the card is half the
# photo beside its 副页.
SEAL_RADIUS = 90
# Real cards stamp a square seal (the name in three rows) in a space the form leaves left
# of the birth, first-issue and class rows' labels (23% of the card's width), the seal
# about a fifth of it, its characters 4.5% of it tall (the dev set's two cards and ten
# more from other sources).
SEAL_SPACE = 200
SEAL_SIDE = 176
COMPANY_SUFFIXES = ("有限公司", "贸易有限公司", "科技有限公司", "物流有限公司", "机械厂")


def _background(style: random.Random, tint: tuple[int, int, int]) -> Image.Image:
    img = canvas.gradient((W, H), tint, (250, 250, 248), style.uniform(0, 3.1))
    canvas.guilloche(img, style, (170, 170, 200), lines=style.randint(20, 36))
    return canvas.paper_noise(img, style, 2.5)


class _Table:
    """Rows of label cells and value cells drawn on a card, left to right."""

    def __init__(self, img: Image.Image, style: random.Random, top: int, row_h: int) -> None:
        self.draw = ImageDraw.Draw(img)
        self.top, self.row_h = top, row_h
        self.label_cn = fonts.load(fonts.pick(style, "sans"), 22)
        self.label_en = fonts.load(fonts.pick(style, "sans"), 11)
        self.value_spec = fonts.pick(style, style.choice(("sans", "serif", "kai")))
        self.value = fonts.load(self.value_spec, 28)
        self.left, self.right = 30, W - 30
        self.shift = 0.0  # values printed this many rows below their cells (out of register)

    def y(self, row: float) -> float:
        return self.top + row * self.row_h

    def cell_label(self, x: int, row: int, cn: str, en: str, width: int) -> None:
        y = self.y(row)
        self.draw.text((x + width / 2, y + self.row_h * 0.42), cn, font=self.label_cn,
                       fill=LABEL, anchor="mm")  # fmt: skip
        self.draw.text((x + width / 2, y + self.row_h * 0.8), en, font=self.label_en,
                       fill=LABEL, anchor="mm")  # fmt: skip
        self.draw.line((x + width, y, x + width, y + self.row_h), fill=LINE, width=1)

    def cell_value(self, x: int, row: float, text: str, width: int, lines: int = 1) -> int:
        """Write ``text`` in the cell, wrapping onto ``lines`` rows; returns the rows used."""
        y = self.y(row + self.shift)
        font = canvas.fit_font(partial(fonts.load, self.value_spec), text, 28, width * lines - 20)
        parts = canvas.wrap(text, font, width - 20)
        line_h = self.row_h * lines / max(len(parts), 1)
        for i, part in enumerate(parts):
            baseline = y + line_h * (i + 0.5) + font.size * 0.35
            canvas.draw_text(self.draw, (x + 10, baseline), part, font, INK)
        return len(parts)

    def hline(self, row: int, x0: int | None = None, x1: int | None = None) -> None:
        y = self.y(row)
        self.draw.line((x0 or self.left, y, x1 or self.right, y), fill=LINE, width=1)


def _title(img: Image.Image, style: random.Random, cn: str, en: str) -> None:
    draw = ImageDraw.Draw(img)
    spec = fonts.pick(style, "serif_bold")
    draw.text((W / 2, 52), cn, font=fonts.load(spec, 38), fill=INK, anchor="mm")
    en_font = fonts.load(fonts.pick(style, "serif"), 16)
    draw.text((W / 2, 88), en, font=en_font, fill=LABEL, anchor="mm")


def _square_seal(img: Image.Image, t: _Table, seal: str, font_load, style: random.Random) -> None:
    """The square seal in the space the form leaves it, left of rows 4 to 6's labels."""
    x0 = t.left + (SEAL_SPACE - SEAL_SIDE) / 2 + style.randint(-8, 8)
    y0 = t.y(5.5) - SEAL_SIDE / 2
    canvas.square_seal(img, (x0, y0, x0 + SEAL_SIDE, y0 + SEAL_SIDE), seal, font_load, style)


def _seal_text(region: people.Region) -> str:
    """The traffic police detachment of the holder's city; a county-level city under its
    province directly (湖北省仙桃市) has its own. Municipalities: the municipality's."""
    city = region.city or ("" if region.code[:2] in places.MUNICIPALITIES else region.county)
    return f"{region.province}{city}公安局交通警察支队"


def driving_licence(
    data: random.Random,
    style: random.Random,
    side: str | None = None,
    shift: float = 0.0,
    one_row: bool = False,
    square_seal: bool = False,
) -> Doc:
    """The main page, in one of the issues still in wallets (the look, drawn from
    ``style``, leaves the truth alone): the newer prints its period
    (``2015-06-18 至 2021-06-18``, ``2015-06-18 至 长期``), the older 有效起始日期 on a
    row of its own and 有效期限 as a duration (``6年``, ``10年``, ``长期``). One time in
    three the 副页 lies beside it; ``side="Back"``: the 副页 alone (its truth is what it
    repeats: 证号, 姓名, and the 换领 date, ``valid_to``; plus ``file_no``). ``shift``:
    the main page's values printed that many rows below their labels (out of register).
    ``one_row``: an older issue prints 有效起始日期 and 有效期限 side by side on its last
    row (``有效起始日期 2012-06-18 有效期限 6年``), as many real cards do. ``square_seal``:
    the detachment's seal is square, its name in rows, stamped in the space the form
    leaves for it left of the middle rows' labels, as on real cards; else round, over
    those labels."""
    p = people.person(data, min_age=19, max_age=70)  # licensed at 18, at least a year ago
    first = people.random_date(data, people.add_years(p.birth, 18), date(2025, 12, 1))
    # Renewals: 6 years, then 10 years, then long-term; print the current period.
    valid_from, years = first, 6
    while years and people.add_years(valid_from, years) < date(2024, 1, 1):
        valid_from, years = people.add_years(valid_from, years), (10 if years == 6 else 0)
    valid_to = people.add_years(valid_from, years) if years else None
    car_class = data.choice(CAR_CLASSES)
    seal = _seal_text(p.region)
    img = _background(style, (232, 238, 246))
    _title(
        img,
        style,
        "中华人民共和国机动车驾驶证",
        "Driving License of the People's Republic of China",
    )
    older = style.random() < 0.4
    t = _Table(img, style, 104, 52 if older else 56)
    t.shift = shift
    lw = 150  # label column
    t.hline(0)
    t.cell_label(t.left, 0, "证号", "License No.", lw)
    t.cell_value(t.left + lw, 0, p.id_number, 560)
    t.hline(1)
    t.cell_label(t.left, 1, "姓名", "Name", lw)
    t.cell_value(t.left + lw, 1, p.name, 190)
    t.draw.line((t.left + lw + 190, t.y(1), t.left + lw + 190, t.y(2)), fill=LINE)
    t.cell_label(t.left + lw + 190, 1, "性别", "Sex", 80)
    t.cell_value(t.left + lw + 270, 1, p.sex, 70)
    t.draw.line((t.left + lw + 340, t.y(1), t.left + lw + 340, t.y(2)), fill=LINE)
    t.cell_label(t.left + lw + 340, 1, "国籍", "Nationality", 100)
    t.cell_value(t.left + lw + 440, 1, "中国", 120)
    t.hline(2)
    t.cell_label(t.left, 2, "住址", "Address", lw)
    t.cell_value(t.left + lw, 2, p.address, 560, lines=2)
    photo_x = t.left + lw + 560
    t.hline(4, x1=photo_x)
    canvas.portrait(img, (photo_x + 15, t.y(4) + 10, t.right - 10, t.y(7) - 10), style)
    rows = [
        ("出生日期", "Date of Birth", f"{p.birth:%Y-%m-%d}"),
        ("初次领证日期", "Date of First Issue", f"{first:%Y-%m-%d}"),
        ("准驾车型", "Class", car_class),
    ]
    one_row = older and one_row
    if older and not one_row:
        rows.append(("有效起始日期", "Valid From", f"{valid_from:%Y-%m-%d}"))
    for i, (cn, en, val) in enumerate(rows):
        # The seal's space: the birth, first-issue and class rows, on the square seal's form.
        x = t.left + SEAL_SPACE if square_seal and i < 3 else t.left
        t.cell_label(x, 4 + i, cn, en, lw)
        t.cell_value(x + lw, 4 + i, val, min(400, photo_x - x - lw))
        t.hline(5 + i, x0=t.left + SEAL_SPACE if square_seal and i < 2 else None, x1=photo_x)
    last = 4 + len(rows)
    until = f"{valid_to:%Y-%m-%d}" if valid_to else "长期"
    period = (f"{years}年" if years else "长期") if older else f"{valid_from:%Y-%m-%d} 至 {until}"
    if one_row:  # 有效起始日期 | its date | 有效期限 | the duration
        t.cell_label(t.left, last, "有效起始日期", "Valid From", lw)
        t.cell_value(t.left + lw, last, f"{valid_from:%Y-%m-%d}", 200)
        mid = t.left + lw + 200
        t.draw.line((mid, t.y(last), mid, t.y(last + 1)), fill=LINE)
        t.cell_label(mid, last, "有效期限", "Valid For", 130)
        t.cell_value(mid + 130, last, period, 120)
    else:
        t.cell_label(t.left, last, "有效期限", "Valid Period", lw)
        t.cell_value(t.left + lw, last, period, 560 if not older else 400)
    t.hline(last + 1)
    t.draw.rectangle((t.left, t.y(0), t.right, t.y(last + 1)), outline=LINE, width=2)
    t.draw.line((photo_x, t.y(0), photo_x, t.y(last + 1)), fill=LINE)
    seal_font = partial(fonts.load, fonts.pick(style, "sans_bold"))
    if square_seal:
        _square_seal(img, t, seal, seal_font, style)
    else:
        centre = (95 + style.randint(-5, 5), t.y(6) + 20)  # over the labels, not the values
        canvas.seal(img, centre, SEAL_RADIUS, seal, seal_font, style)
    truth = {
        "id_num": p.id_number,
        "name": p.name,
        "sex": p.sex,
        "nationality": "中国",
        "address": p.address,
        "birth_date": f"{p.birth:%Y-%m-%d}",
        "issue_date": f"{first:%Y-%m-%d}",
        "car_class": car_class,
        "valid_from": f"{valid_from:%Y-%m-%d}",
        "valid_to": until,
        "official_seal": seal,
    }
    info = {"fonts": [t.value_spec.key], "issue": "older" if older else "newer"}
    if one_row:
        info["validity"] = "one row"
    if shift:
        info["shift"] = round(shift, 2)
    if square_seal:
        info["seal"] = "square"
    beside = style.random() < 1 / 3
    if beside or side == "Back":
        back, file_no = _driving_back(data, style, p, valid_to)
        if side == "Back":
            alone = {"id_num": p.id_number, "name": p.name, "file_no": file_no}
            if valid_to:
                alone["valid_to"] = until
            return Doc(canvas.round_corners(back, 20), alone, "Back", info)
        both, arrangement = beside_or_below(img, back, style)
        return Doc(both, truth, None, info | {"pages": arrangement})
    return Doc(canvas.round_corners(img, 20), truth, None, info)


def _driving_back(
    data: random.Random, style: random.Random, p: people.Person, renew_by: date | None
) -> tuple[Image.Image, str]:
    """The driver's licence 副页 and its 档案编号: 证号 and 姓名 again, and the 记录 box
    where the licence says when to renew it (empty on a long-term licence)."""
    img = _background(style, (232, 238, 246))
    draw = ImageDraw.Draw(img)
    title = fonts.load(fonts.pick(style, "serif_bold"), 34)
    draw.text((W / 2, 50), "中华人民共和国机动车驾驶证副页", font=title, fill=INK, anchor="mm")
    t = _Table(img, style, 100, 60)
    lw = 150
    t.hline(0)
    t.cell_label(t.left, 0, "证号", "License No.", lw)
    t.cell_value(t.left + lw, 0, p.id_number, t.right - t.left - lw)
    t.hline(1)
    t.cell_label(t.left, 1, "姓名", "Name", lw)
    t.cell_value(t.left + lw, 1, p.name, 200)
    mid = t.left + lw + 200
    t.draw.line((mid, t.y(1), mid, t.y(2)), fill=LINE)
    t.cell_label(mid, 1, "档案编号", "File No.", 150)
    file_no = p.id_number[:2] + "".join(data.choice("0123456789") for _ in range(10))
    t.cell_value(mid + 150, 1, file_no, t.right - mid - 150)
    t.hline(2)
    t.cell_label(t.left, 2, "记录", "Record", lw)
    if renew_by is not None:
        note = f"请于{renew_by:%Y年%m月%d日}前到公安机关交通管理部门申请换领新证。"
        t.cell_value(t.left + lw, 2, note, t.right - t.left - lw, lines=2)
    t.hline(6)
    t.draw.rectangle((t.left, t.y(0), t.right, t.y(6)), outline=LINE, width=2)
    t.draw.line((t.left + lw, t.y(0), t.left + lw, t.y(6)), fill=LINE)
    return img, file_no


def _owner(data: random.Random) -> tuple[str, people.Region, str]:
    """A person or (one time in five) a company, with its region and address."""
    if data.random() < 0.8:
        p = people.person(data, min_age=18)
        return p.name, p.region, p.address
    region = people.random_region(data)
    word = data.choice(people.ROAD_WORDS) + data.choice(people.ESTATE_WORDS)
    city = region.city or region.province
    return city + word + data.choice(COMPANY_SUFFIXES), region, people.address(data, region)


def vehicle_licence(
    data: random.Random, style: random.Random, side: str | None = None, square_seal: bool = False
) -> Doc:
    """The main page (``side="Front"``); with ``"Both"`` the 副页 below it or beside it
    (as photographed in its sleeve, or out of it on a desk); ``"Back"``: the 副页 alone,
    whose 号牌号码 is then the ``plate_num``. Random when ``None``. ``square_seal``: the
    detachment's seal square, its name in rows, in the space the form leaves left of the
    VIN, engine and register rows' labels, as on real cards; else round, at the right."""
    owner, region, addr = _owner(data)
    plate = numbers.plate(
        data, data.choice(("blue", "blue", "green", "yellow")), province=region.code[:2]
    )
    wmi, brand, code = data.choice(numbers.MAKERS)
    register = people.random_date(data, date(2010, 1, 1), date(2025, 10, 1))
    issue = (
        register if data.random() < 0.7 else people.random_date(data, register, date(2025, 12, 1))
    )
    vin = numbers.vin(data, wmi, register.year)
    model = (
        brand + code + "".join(data.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(4))
    )
    vehicle_type = "轻型普通货车" if plate.color == "黄" else data.choice(VEHICLE_TYPES[:3])
    use = "货运" if plate.color == "黄" else data.choice(USE_CHARACTERS[:6])
    engine = numbers.engine_number(data)
    seal = _seal_text(region)
    img = _background(style, (240, 236, 232))
    _title(
        img,
        style,
        "中华人民共和国机动车行驶证",
        "Vehicle License of the People's Republic of China",
    )
    t = _Table(img, style, 115, 58)
    lw = 170
    mid = t.left + lw + 250
    t.hline(0)
    t.cell_label(t.left, 0, "号牌号码", "Plate No.", lw)
    t.cell_value(t.left + lw, 0, plate.number, 250)
    t.draw.line((mid, t.y(0), mid, t.y(1)), fill=LINE)
    t.cell_label(mid, 0, "车辆类型", "Vehicle Type", 140)
    t.cell_value(mid + 140, 0, vehicle_type, t.right - mid - 140)
    t.hline(1)
    t.cell_label(t.left, 1, "所有人", "Owner", lw)
    t.cell_value(t.left + lw, 1, owner, t.right - t.left - lw)
    t.hline(2)
    t.cell_label(t.left, 2, "住址", "Address", lw)
    t.cell_value(t.left + lw, 2, addr, t.right - t.left - lw)
    t.hline(3)
    t.cell_label(t.left, 3, "使用性质", "Use Character", lw)
    t.cell_value(t.left + lw, 3, use, 250)
    t.draw.line((mid, t.y(3), mid, t.y(4)), fill=LINE)
    t.cell_label(mid, 3, "品牌型号", "Model", 140)
    t.cell_value(mid + 140, 3, model, t.right - mid - 140)
    # The real form's seal space: the last three rows start right of it, narrower.
    x = t.left + SEAL_SPACE if square_seal else t.left
    vw, dw, mid6 = (150, 170, x + 280) if square_seal else (lw, 250, mid)
    t.hline(4)
    t.cell_label(x, 4, "车辆识别代号", "VIN", vw)
    t.cell_value(x + vw, 4, vin, t.right - x - vw)
    t.hline(5, x0=x)
    t.cell_label(x, 5, "发动机号码", "Engine No.", vw)
    t.cell_value(x + vw, 5, engine, t.right - x - vw)
    t.hline(6, x0=x)
    t.cell_label(x, 6, "注册日期", "Register Date", mid6 - x - dw)
    t.cell_value(mid6 - dw, 6, f"{register:%Y-%m-%d}", dw)
    t.draw.line((mid6, t.y(6), mid6, t.y(7)), fill=LINE)
    t.cell_label(mid6, 6, "发证日期", "Issue Date", 140)
    t.cell_value(mid6 + 140, 6, f"{issue:%Y-%m-%d}", t.right - mid6 - 140)
    t.hline(7)
    t.draw.rectangle((t.left, t.y(0), t.right, t.y(7)), outline=LINE, width=2)
    seal_font = partial(fonts.load, fonts.pick(style, "sans_bold"))
    if square_seal:
        _square_seal(img, t, seal, seal_font, style)
    else:
        centre = (W - 150 + style.randint(-10, 10), t.y(6) + 10)
        canvas.seal(img, centre, 80, seal, seal_font, style)
    truth = {
        "plate_num": plate.number,
        "vehicle_type": vehicle_type,
        "owner": owner,
        "addr": addr,
        "use_character": use,
        "model": model,
        "vin": vin,
        "engine_num": engine,
        "register_date": f"{register:%Y-%m-%d}",
        "issue_date": f"{issue:%Y-%m-%d}",
    }
    if side is None:
        draw = data.random()
        side = "Both" if draw < 0.5 else "Back" if draw < 0.6 else "Front"
    pages = side.lower()
    info = {"fonts": [t.value_spec.key]} | ({"seal": "square"} if square_seal else {})
    if pages == "front":
        return Doc(canvas.round_corners(img, 20), truth, "Front", info)
    if pages not in ("both", "back"):
        raise ValueError(f"a vehicle licence is photographed as Front, Both or Back, not {side!r}")
    back, extra = _vehicle_back(data, style, plate, region)
    if pages == "back":
        truth = {"plate_num": extra.pop("plate_num_b"), **extra}
        return Doc(canvas.round_corners(back, 20), truth, "Back", info)
    truth.update(extra)
    both, arrangement = beside_or_below(img, back, style)
    return Doc(both, truth, "Both", info | {"pages": arrangement})


def beside_or_below(
    main: Image.Image, back: Image.Image, style: random.Random
) -> tuple[Image.Image, str]:
    """A licence's main page and its 副页 in one picture: the 副页 below the main page,
    as the unfolded card sits in its sleeve, or (one time in two) beside it, the two
    taken out and laid on a desk, a little apart and not quite level. Says which."""
    gap = 24
    if style.random() < 0.5:
        both = Image.new("RGBA", (main.width, main.height + back.height + gap), (0, 0, 0, 0))
        both.alpha_composite(canvas.round_corners(main, 20), (0, 0))
        both.alpha_composite(canvas.round_corners(back, 20), (0, main.height + gap))
        return both, "below"
    gap, drop = style.randint(30, 90), style.randint(0, 40)
    size = (main.width + back.width + gap, max(main.height, back.height) + drop)
    both = Image.new("RGBA", size, (0, 0, 0, 0))
    both.alpha_composite(canvas.round_corners(main, 20), (0, 0))
    both.alpha_composite(canvas.round_corners(back, 20), (main.width + gap, drop))
    return both, "beside"


def _vehicle_back(
    data: random.Random, style: random.Random, plate: numbers.Plate, region: people.Region
) -> tuple[Image.Image, dict[str, str]]:
    """The 副页: file number, passengers, masses, dimensions, inspection record."""
    truck = plate.color == "黄"
    record = region.code + "".join(data.choice("0123456789") for _ in range(6))
    if truck:
        passengers = data.choice((2, 3))
        total = data.choice((4495, 4495, 7360, 18000))
        prepare = int(total * data.uniform(0.45, 0.6))
        load = total - prepare - 65 * passengers
        size = (data.randint(5200, 8600), data.choice((2000, 2100, 2300, 2500)),
                data.randint(2300, 3400))  # fmt: skip
    else:
        passengers = data.choice((5, 5, 5, 7))
        prepare = data.randint(1100, 2300)
        total = prepare + 75 * passengers + data.randint(80, 200)
        load = 0
        size = (data.randint(4100, 5100), data.randint(1700, 1960), data.randint(1400, 1800))
    inspection = people.add_years(date(2026, 1, 1), data.randint(0, 2)).replace(
        month=data.randint(1, 12)
    )
    img = _background(style, (236, 240, 232))
    t = _Table(img, style, 50, 76)
    lw, mid = 190, t.left + 190 + 230
    rows = (
        ("号牌号码", "Plate No.", plate.number, "档案编号", "File No.", record),
        ("核定载人数", "Approved Passengers", f"{passengers}人", "总质量", "Gross Mass",
         f"{total}kg"),
        ("整备质量", "Unladen Mass", f"{prepare}kg", "核定载质量", "Approved Load",
         f"{load}kg" if load else "--"),
        ("外廓尺寸", "Overall Dimension", "{}×{}×{}mm".format(*size), "准牵引总质量",
         "Traction Mass", "--"),
    )  # fmt: skip
    for i, (cn1, en1, v1, cn2, en2, v2) in enumerate(rows):
        t.hline(i)
        t.cell_label(t.left, i, cn1, en1, lw)
        if i == 3:  # dimensions need the width
            t.cell_value(t.left + lw, i, v1, t.right - t.left - lw)
            continue
        t.cell_value(t.left + lw, i, v1, 230)
        t.draw.line((mid, t.y(i), mid, t.y(i + 1)), fill=LINE)
        t.cell_label(mid, i, cn2, en2, 170)
        t.cell_value(mid + 170, i, v2, t.right - mid - 170)
    t.hline(4)
    t.cell_label(t.left, 4, "备注", "Notes", lw)
    t.hline(5)
    t.cell_label(t.left, 5, "检验记录", "Inspection Record", lw)
    abbr = numbers.PLATE_PROVINCES.get(region.code[:2], plate.number[0])
    stamp = f"检验有效期至{inspection:%Y年%m月}{abbr}({plate.number[1]})"
    # The stamp is inked in a box wherever it lands, often higher than its label.
    row = 5 - style.choice((0.0, 0.0, 0.3, 0.5))
    used = t.cell_value(t.left + lw, row, stamp, t.right - t.left - lw)
    box = (t.left + lw + 2, t.y(row) + 8, t.left + lw + 18 + t.value.getlength(stamp),
           t.y(row) + t.row_h * used - 8)  # fmt: skip
    t.draw.rectangle(box, outline=INK, width=2)
    t.hline(6)
    t.draw.rectangle((t.left, t.y(0), t.right, t.y(6)), outline=LINE, width=2)
    extra = {
        "plate_num_b": plate.number,
        "file_no": record,
        "passengers_num": f"{passengers}人",
        "total_quality": f"{total}kg",
        "prepare_quality": f"{prepare}kg",
        "overall_size": "{}×{}×{}mm".format(*size),  # as printed
        "record": stamp,  # WeChat's record: the inspection stamp in 检验记录
    }
    return img, extra


def make_drivinglicense(
    data: random.Random,
    style: random.Random,
    side: str | None,
    shift: float = 0.0,
    one_row: bool = False,
    square_seal: bool = False,
) -> Doc:
    if side not in (None, "Front", "Back"):
        raise ValueError(f"a driver's licence is photographed as Front or Back, not {side!r}")
    return driving_licence(data, style, side, shift, one_row, square_seal)


def make_driving(
    data: random.Random, style: random.Random, side: str | None, square_seal: bool = False
) -> Doc:
    return vehicle_licence(data, style, side, square_seal)
