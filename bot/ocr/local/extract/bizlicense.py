"""营业执照 (business licence), the 2019 layout and the older one alike."""

from __future__ import annotations

import re

from bot.ocr.local.checks import uscc_fix, uscc_valid
from bot.ocr.local.extract import Result
from bot.ocr.local.extract.dates import find_dates
from bot.ocr.local.layout import clean, labelled_values
from bot.ocr.local.page import Page

LABELS = {
    "reg_num": ["统一社会信用代码", "注册号"],
    "serial": ["编号"],
    "enterprise_name": ["名称"],
    "type_of_organization": ["类型"],
    "legal_representative": ["法定代表人", "负责人", "经营者", "执行事务合伙人", "投资人"],
    "business_scope": ["经营范围"],
    "registered_capital": ["注册资本", "出资额", "注册资金"],
    "paid_in_capital": ["实收资本"],
    "registered_date": ["成立日期", "注册日期"],
    "valid_period": ["营业期限", "经营期限", "合伙期限"],
    "address": ["住所", "营业场所", "经营场所", "主要经营场所"],
    "form": ["组成形式"],
}
_SCOPE_STOP = r"^(登记机关|请于|国家企业信用|市场主体应当|\d{4}年\d{1,2}月\d{1,2}日$)"


def _cn_date(text: str) -> str | None:
    dates = find_dates(text)
    return f"{dates[0].year}年{dates[0].month:02d}月{dates[0].day:02d}日" if dates else None


def extract(page: Page) -> Result:
    text = clean(page.text)
    if not ("营业执照" in text or "统一社会信用代码" in text):
        return Result()
    values = labelled_values(
        page, LABELS, multiline=["business_scope", "address"], stop=_SCOPE_STOP
    )
    result = Result()
    code = None
    if "reg_num" in values:
        code = uscc_fix(values["reg_num"].text)
    if code is None:
        for ln in page.lines:
            code = uscc_fix(ln.text)
            if code:
                break
    if code and not uscc_valid(code):
        for ln in values["reg_num"].lines if "reg_num" in values else ():
            for again, _ in page.reread_line(ln):
                fixed = uscc_fix(again)
                if fixed and uscc_valid(fixed):
                    code = fixed
        if not uscc_valid(code):
            result.warnings.append("统一社会信用代码校验未通过，请核对")
    result.put("reg_num", code)
    if "serial" in values:
        result.put("serial", re.sub(r"[^0-9A-Z]", "", values["serial"].text.upper()))
    for key in (
        "legal_representative",
        "enterprise_name",
        "type_of_organization",
        "address",
        "business_scope",
        "registered_capital",
        "paid_in_capital",
    ):
        if key in values:
            result.put(key, values[key].text.strip("()（）"))
    if "registered_date" in values:
        result.put("registered_date", _cn_date(values["registered_date"].text))
    if "valid_period" in values:
        period = values["valid_period"].text
        dates = find_dates(period)
        if len(dates) >= 2:
            a, b = dates[0], dates[1]
            result.put(
                "valid_period",
                f"{a.year}年{a.month:02d}月{a.day:02d}日至{b.year}年{b.month:02d}月{b.day:02d}日",
            )
        elif dates and "长期" in period:
            a = dates[0]
            result.put("valid_period", f"{a.year}年{a.month:02d}月{a.day:02d}日至长期")
        else:
            result.put("valid_period", period)
    result.put("img_size", {"w": page.orig_size[0], "h": page.orig_size[1]})
    return result
