"""名片: 90 x 54 mm at 10 px/mm; name, title, company, phones, e-mails, address."""

from __future__ import annotations

import random
from functools import partial

from PIL import ImageDraw

from .. import canvas, fonts, people, pinyin
from . import Doc

W, H = 900, 540
TITLES = ("总经理", "销售经理", "技术总监", "项目经理", "市场部主管", "高级工程师", "财务经理",
          "行政专员", "董事长", "产品经理", "客户经理", "区域销售总监")  # fmt: skip
MAIL_DOMAINS = ("163.com", "126.com", "qq.com", "sina.com", "foxmail.com", "aliyun.com")
AREA_CODES = ("010", "021", "022", "023", "020", "0755", "0571", "025", "027", "028", "029")
MOBILE_PREFIXES = ("130", "131", "135", "136", "138", "139", "150", "151", "158", "159", "177",
                   "180", "186", "187", "188", "189", "199")  # fmt: skip
THEMES = (  # (background, accent, ink)
    ((255, 255, 255), (200, 30, 40), (30, 30, 30)),
    ((250, 248, 240), (20, 80, 160), (20, 20, 40)),
    ((245, 245, 245), (0, 120, 110), (40, 40, 40)),
    ((255, 253, 248), (180, 140, 60), (50, 40, 30)),
)


def make(data: random.Random, style: random.Random, side: str | None = None) -> Doc:
    sex = data.choice(("男", "女"))
    sur_cn, given_cn, surname, given = pinyin.name(data, sex)
    region = people.random_region(data)
    company = people.company_name(data, region)
    title = data.choice(TITLES)
    mobile = data.choice(MOBILE_PREFIXES) + "".join(data.choice("0123456789") for _ in range(8))
    phones = [mobile]
    if data.random() < 0.6:
        phones.append(f"{data.choice(AREA_CODES)}-{data.randint(20000000, 89999999)}")
    handle = data.choice((f"{given}.{surname}", f"{surname}{given}", f"{given[0]}{surname}"))
    emails = [f"{handle.lower()}@{data.choice(MAIL_DOMAINS)}"]
    address = people.address(data, region)

    bg, accent, ink = style.choice(THEMES)
    img = canvas.paper_noise(canvas.gradient((W, H), bg, bg), style, 1.5)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 24, H), fill=accent)
    logo = fonts.load(fonts.pick(style, "sans_bold"), 30)
    draw.ellipse((70, 50, 140, 120), fill=accent)
    draw.text((105, 85), company[len(region.city or region.province)], font=logo, fill=bg,
              anchor="mm")  # fmt: skip
    company_spec = fonts.pick(style, "sans_bold")
    company_font = canvas.fit_font(partial(fonts.load, company_spec), company, 28, W - 240)
    canvas.draw_text(draw, (160, 96), company, company_font, ink)
    name_spec = fonts.pick(style, style.choice(("sans_bold", "serif_bold", "kai")))
    canvas.draw_text(draw, (80, 225), sur_cn + given_cn, fonts.load(name_spec, 60), ink, spacing=12)
    small_spec = fonts.pick(style, "sans")
    small = fonts.load(small_spec, 26)
    canvas.draw_text(draw, (80, 275), title, small, accent)
    draw.line((80, 300, W - 80, 300), fill=accent, width=2)
    mobile_text = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}" if style.random() < 0.5 else mobile
    lines = [f"手机：{mobile_text}"]
    if len(phones) > 1:
        lines.append(f"电话：{phones[1]}")
    lines.append(f"邮箱：{emails[0]}")
    y = 345
    for line in lines:
        canvas.draw_text(draw, (80, y), line, small, ink)
        y += 42
    addr_text = "地址：" + address
    addr_font = canvas.fit_font(partial(fonts.load, small_spec), addr_text, 26, 2 * (W - 170))
    for line in canvas.wrap(addr_text, addr_font, W - 160):  # two lines at most, all of it
        canvas.draw_text(draw, (80, y), line, addr_font, ink)
        y += 40
    truth = {
        "name": sur_cn + given_cn,
        "title": title,
        "company": company,
        "phones": phones,
        "emails": emails,
        "address": address,
    }
    return Doc(img, truth, None, {"fonts": [name_spec.key, small_spec.key]})
