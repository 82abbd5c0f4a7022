"""营业执照 (副本), the landscape 2016+ style: credit code top left, QR code top
right, two columns of spaced labels, the registration authority's seal; and the
portrait style of licences issued before the 2015 credit codes, with a 15-digit
注册号 beside a longer 证照编号 and dates unpadded (2008年3月5日).

Copies people send are often stamped across the text (仅供存档, 仅供办理…使用) and
scanned small (600 px wide): both come from the ``style`` stream."""

from __future__ import annotations

import random
from datetime import date
from functools import partial
from typing import Any

from PIL import Image, ImageDraw

from .. import canvas, fonts, numbers, people
from . import Doc

W, H = 1240, 880
INK = (20, 20, 20)
FRAME = (150, 110, 60)

# As printed: full-width brackets and commas, like every official document.
ORG_TYPES = (
    "有限责任公司（自然人投资或控股）",
    "有限责任公司（自然人独资）",
    "有限责任公司（法人独资）",
    "股份有限公司（非上市、自然人投资或控股）",
    "有限责任公司（港澳台法人独资）",
)
SCOPE_ITEMS = (
    "技术开发", "技术咨询", "技术服务", "技术转让", "软件开发", "计算机系统集成",
    "销售电子产品", "销售计算机软硬件及辅助设备", "货物进出口", "技术进出口",
    "企业管理咨询", "市场营销策划", "会议及展览服务", "设计、制作、代理、发布广告",
    "销售五金交电、建筑材料", "道路货物运输", "餐饮服务", "日用百货销售", "机械设备租赁",
    "物业管理", "家用电器销售", "食品经营",
)  # fmt: skip
SCOPE_TAIL = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def chinese_upper(n: int) -> str:
    """1..9999 in financial capitals: 2050 -> 贰仟零伍拾."""
    if not 0 < n < 10000:
        raise ValueError(n)
    out, zero = "", False
    for digit, unit in zip(f"{n:04d}", ("仟", "佰", "拾", ""), strict=True):
        if digit == "0":
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[int(digit)] + unit
    return out


def _cn_date(d: date, padded: bool = True) -> str:
    if not padded:  # licences before 2015
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


STAMPS = ("仅供存档", "仅供办理银行开户使用", "仅供投标使用", "复印无效", "仅供备案使用")


def stamp_across(img: Image.Image, style: random.Random) -> Image.Image:
    """A copy's own stamp or watermark across the text, as people mark what they send:
    large translucent words, turned a little, in red or grey."""
    text = style.choice(STAMPS)
    font = fonts.load(fonts.pick(style, "sans_bold"), style.randint(70, 110))
    layer = Image.new("RGBA", (int(font.getlength(text)) + 40, font.size + 40), (0, 0, 0, 0))
    color = style.choice(((200, 30, 30), (200, 30, 30), (110, 110, 110)))
    alpha = style.randint(70, 120)
    ImageDraw.Draw(layer).text((20, 20), text, font=font, fill=(*color, alpha))
    layer = layer.rotate(style.uniform(-25, 25), resample=Image.BICUBIC, expand=True)
    out = img.convert("RGBA")
    x = style.randint(0, max(0, out.width - layer.width))
    y = style.randint(out.height // 4, max(out.height // 4, out.height - layer.height - 60))
    out.alpha_composite(layer, (x, y))
    return out.convert("RGB")


def _qr(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, rng: random.Random) -> None:
    """A QR-code-looking block (random modules, three finder squares)."""
    n = 25
    cell = size / n
    for i in range(n):
        for j in range(n):
            if rng.random() < 0.5:
                draw.rectangle((x + i * cell, y + j * cell, x + (i + 1) * cell, y + (j + 1) * cell),
                               fill=INK)  # fmt: skip
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
        x0, y0 = x + fx * cell, y + fy * cell
        draw.rectangle((x0, y0, x0 + 7 * cell, y0 + 7 * cell), fill="white")
        draw.rectangle((x0, y0, x0 + 7 * cell, y0 + 7 * cell), outline=INK, width=int(cell))
        draw.rectangle((x0 + 2 * cell, y0 + 2 * cell, x0 + 5 * cell, y0 + 5 * cell), fill=INK)


def make(data: random.Random, style: random.Random, side: str | None = None) -> Doc:
    region = people.random_region(data)
    city = region.city or region.province
    name = people.company_name(data, region)
    org_type = data.choice(ORG_TYPES[3:4] if name.endswith("股份有限公司") else ORG_TYPES[:3])
    legal = people.chinese_name(data, data.choice(("男", "女")))
    code = numbers.uscc_number(data, region.code, kind="91")
    capital = (
        data.choice(("人民币", ""))
        + chinese_upper(data.choice((10, 50, 100, 200, 300, 500, 800, 1000, 2000, 5000, 1050, 250)))
        + "万元整"
    )
    founded = people.random_date(data, date(2000, 1, 1), date(2025, 6, 1))
    forever = data.random() < 0.6
    until = people.add_years(founded, data.choice((20, 30, 50)))
    valid_text = f"{_cn_date(founded)}至" + ("长期" if forever else _cn_date(until))
    scope = "、".join(data.sample(SCOPE_ITEMS, data.randint(4, 9))) + "。" + SCOPE_TAIL
    address = people.address(data, region)
    issued = people.random_date(data, founded, date(2025, 12, 1))
    authority = f"{city}市场监督管理局"
    # Drawn last, so the seeds of newer licences keep their truth.
    if founded < date(2015, 10, 1) and data.random() < 0.4:
        img, truth = _older(data, style, region, name, org_type, legal, capital, founded,
                            forever, until, scope, address)  # fmt: skip
        img, info = _as_sent(img, style, {"style": "older"})
        return Doc(img, truth, None, info)

    img = Image.new("RGB", (W, H), (252, 250, 244))
    img = canvas.paper_noise(img, style, 2.0)
    draw = ImageDraw.Draw(img)
    for inset, width in ((18, 6), (34, 2)):
        draw.rectangle((inset, inset, W - inset, H - inset), outline=FRAME, width=width)
    label_spec = fonts.pick(style, "sans_bold")
    value_spec = fonts.pick(style, style.choice(("serif", "sans", "kai")))
    small = fonts.load(label_spec, 22)
    canvas.draw_text(draw, (70, 100), "统一社会信用代码", small, INK)
    canvas.draw_text(draw, (70, 138), code, fonts.load(value_spec, 26), INK, spacing=1)
    _qr(draw, W - 210, 70, 130, style)
    title = fonts.load(fonts.pick(style, "serif_bold"), 84)
    title_w = canvas.text_width("营业执照", title, spacing=36)
    canvas.draw_text(draw, ((W - title_w) / 2, 215), "营业执照", title, (190, 20, 20), spacing=36)
    draw.text((W / 2, 250), "(副  本)", font=fonts.load(label_spec, 24), fill=INK, anchor="mm")
    label = fonts.load(label_spec, 24)
    value = fonts.load(value_spec, 26)

    def field(x: int, y: int, lab: str, text: str, x_end: int, max_lines: int = 1) -> int:
        """Draw a spaced label and its wrapped value; returns the next row's y."""
        spacing = max(0.0, (96 - label.getlength(lab)) / max(len(lab) - 1, 1))
        canvas.draw_text(draw, (x, y), lab, label, INK, spacing=spacing)
        width = x_end - x - 140
        font = value
        lines = canvas.wrap(text, font, width)
        if len(lines) > max_lines:
            font = canvas.fit_font(partial(fonts.load, value_spec), text, 26, width * max_lines)
            lines = canvas.wrap(text, font, width)
        for i, line in enumerate(lines):
            canvas.draw_text(draw, (x + 140, y + i * 38), line, font, INK)
        return y + max(len(lines), 1) * 38 + 24

    left, right = 80, W // 2 + 40
    y = 330
    y = field(left, y, "名称", name, right - 30, 2)
    y = field(left, y, "类型", org_type, right - 30, 2)
    y = field(left, y, "法定代表人", legal, right - 30)
    field(left, y, "经营范围", scope, right - 30, 8)
    y = 330
    y = field(right, y, "注册资本", capital, W - 70)
    y = field(right, y, "成立日期", _cn_date(founded), W - 70)
    y = field(right, y, "营业期限", valid_text, W - 70, 2)
    field(right, y, "住所", address, W - 70, 3)
    canvas.draw_text(draw, (right + 180, H - 150), "登记机关", label, INK, spacing=8)
    seal_font = partial(fonts.load, fonts.pick(style, "sans_bold"))
    canvas.seal(img, (right + 430, H - 170), 95, authority, seal_font, style)
    canvas.draw_text(draw, (right + 300, H - 80), _cn_date(issued), value, INK)
    truth = {
        "reg_num": code,
        "enterprise_name": name,
        "type_of_enterprise": org_type,
        "legal_representative": legal,
        "business_scope": scope,
        "registered_capital": capital,
        # As printed, like the engine and bot/cards (docs/wechat.md's YYYY-MM-DD rule is for cards).
        "registered_date": _cn_date(founded),
        "valid_period": valid_text,
        "address": address,
    }
    img, info = _as_sent(img, style, {"fonts": [label_spec.key, value_spec.key]})
    return Doc(img, truth, None, info)


def _as_sent(
    img: Image.Image, style: random.Random, info: dict[str, Any]
) -> tuple[Image.Image, dict[str, Any]]:
    """Stamped across (one copy in four), scanned small (one in five); ``info`` says so."""
    copy = []
    if style.random() < 0.25:
        img = stamp_across(img, style)
        copy.append("stamped")
    if style.random() < 0.2:
        img = img.resize((600, round(600 * img.height / img.width)), Image.LANCZOS)
        copy.append("600px")
    return img, {**info, "copy": copy}


def _older(
    data: random.Random,
    style: random.Random,
    region: people.Region,
    name: str,
    org_type: str,
    legal: str,
    capital: str,
    founded: date,
    forever: bool,
    until: date,
    scope: str,
    address: str,
) -> tuple[Image.Image, dict[str, str]]:
    """A licence of before 2015, portrait: 注册号 and 证照编号 above one column of fields."""
    number = numbers.registration_number(data, region.code)
    serial = region.code[:2] + "".join(data.choice("0123456789") for _ in range(18))
    w, h = 880, 1240
    img = canvas.paper_noise(Image.new("RGB", (w, h), (252, 250, 244)), style, 2.0)
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 20, w - 20, h - 20), outline=FRAME, width=8)
    title = fonts.load(fonts.pick(style, "serif_bold"), 80)
    draw.text((w / 2, 170), "营业执照", font=title, fill=(190, 20, 20), anchor="mm")
    label_spec = fonts.pick(style, "sans_bold")
    value_spec = fonts.pick(style, style.choice(("serif", "sans", "kai")))
    label, value = fonts.load(label_spec, 24), fonts.load(value_spec, 24)
    draw.text((w / 2, 235), "(副  本)", font=label, fill=INK, anchor="mm")
    small = fonts.load(value_spec, 20)
    canvas.draw_text(draw, (w - 420, 290), f"注册号{number}", small, INK)
    canvas.draw_text(draw, (w - 420, 322), f"证照编号{serial}", small, INK)
    valid = f"{_cn_date(founded, False)}至" + ("长期" if forever else _cn_date(until, False))
    rows = (("名称", name), ("类型", org_type), ("住所", address), ("法定代表人", legal),
            ("注册资本", capital), ("成立日期", _cn_date(founded, False)),
            ("营业期限", valid), ("经营范围", scope))  # fmt: skip
    y, x, right = 390, 90, w - 80
    for lab, text in rows:
        spacing = max(0.0, (120 - label.getlength(lab)) / max(len(lab) - 1, 1))
        canvas.draw_text(draw, (x, y), lab, label, INK, spacing=spacing)
        lines = canvas.wrap(text, value, right - x - 150)
        for i, part in enumerate(lines):
            canvas.draw_text(draw, (x + 150, y + i * 34), part, value, INK)
        y += max(len(lines), 1) * 34 + 22
    canvas.draw_text(draw, (w - 380, h - 190), "登记机关", label, INK, spacing=8)
    seal_font = partial(fonts.load, fonts.pick(style, "sans_bold"))
    authority = f"{region.city or region.province}工商行政管理局"
    canvas.seal(img, (w - 200, h - 200), 95, authority, seal_font, style)
    truth = {
        "reg_num": number,
        "enterprise_name": name,
        "type_of_enterprise": org_type,
        "legal_representative": legal,
        "business_scope": scope,
        "registered_capital": capital,
        "registered_date": _cn_date(founded, False),
        "valid_period": valid,
        "address": address,
    }
    return img, truth
