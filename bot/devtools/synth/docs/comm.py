"""General text (通用文字): a page of mixed Chinese, English and digits, one truth item per line."""

from __future__ import annotations

import random
from datetime import date

from PIL import Image, ImageDraw

from .. import canvas, fonts, people
from . import Doc

W, H = 1000, 720
ZH_SUBJECTS = (
    "本公司",
    "项目组",
    "会议",
    "客户服务中心",
    "物流部门",
    "学校",
    "图书馆",
    "社区居委会",
)
ZH_TEMPLATES = (
    "{s}将于{d}上午{h}点在{place}召开年度总结会议",
    "{s}联系电话{phone}，工作时间周一至周五",
    "订单号{order}已于{d}发货，预计{n}天内送达",
    "本月销售额同比增长{pct}%，完成年度目标的{pct2}%",
    "请于{d}前提交材料，逾期不予受理",
    "今日气温{t}℃，相对湿度{pct}%，空气质量良好",
    "{s}地址：{addr}",
    "第{n}条 合同双方应当遵守本协议的全部条款",
    "共计人民币{money}元，大写已核对无误",
    "本通知自{d}起施行，解释权归{s}所有",
)
EN_TEMPLATES = (
    "Please contact support@example.com for details.",
    "Meeting room {n}B is booked from {h}:00 to {h2}:30.",
    "Invoice No. INV-{order} total USD {money}",
    "Version {n}.{h}.{pct} released on {iso}",
    "Wi-Fi: Guest-{n}  Password: {pw}",
    "Tracking number SF{order}",
)


def _fill(template: str, data: random.Random) -> str:
    d = people.random_date(data, date(2020, 1, 1), date(2026, 12, 31))
    return template.format(
        s=data.choice(ZH_SUBJECTS),
        d=f"{d.year}年{d.month}月{d.day}日",
        iso=f"{d:%Y-%m-%d}",
        h=data.randint(8, 11),
        h2=data.randint(12, 17),
        place=data.choice(("三楼会议室", "报告厅", "行政楼201室", "综合楼多功能厅")),
        phone=f"0{data.randint(10, 99)}-{data.randint(20000000, 89999999)}",
        order=data.randint(10**11, 10**12 - 1),
        n=data.randint(2, 15),
        pct=data.randint(3, 95),
        pct2=data.randint(40, 99),
        t=data.randint(-5, 36),
        addr=people.address(data, people.random_region(data)),
        money=f"{data.randint(100, 99999)}.{data.randint(0, 99):02d}",
        pw="".join(data.choice("abcdefghkmnpqrstuvwxyz23456789") for _ in range(8)),
    )


def make(data: random.Random, style: random.Random, side: str | None = None) -> Doc:
    paragraphs = [
        _fill(data.choice(EN_TEMPLATES if data.random() < 0.3 else ZH_TEMPLATES), data)
        for _ in range(data.randint(4, 8))
    ]
    spec = fonts.pick(style, style.choice(("sans", "serif", "kai")))
    size = style.randint(26, 34)
    font = fonts.load(spec, size)
    if not fonts.draws(font, "℃"):  # written the other way, as people do without the sign
        paragraphs = [para.replace("℃", "°C") for para in paragraphs]
    img = canvas.paper_noise(Image.new("RGB", (W, H), (252, 252, 248)), style, 2.0)
    draw = ImageDraw.Draw(img)
    # Lines are broken here, at the page width, and each printed line is one truth item.
    lines: list[str] = []
    for para in paragraphs:
        lines += canvas.wrap(para, font, W - 120)
    line_h = int(size * 1.6)
    max_lines = (H - 100) // line_h
    lines = [line.strip() for line in lines[:max_lines] if line.strip()]
    y = 60 + size
    for line in lines:
        canvas.draw_text(draw, (60, y), line, font, (25, 25, 25))
        y += line_h
    truth = {"items": [{"text": line} for line in lines]}
    return Doc(img, truth, None, {"fonts": [spec.key]})
