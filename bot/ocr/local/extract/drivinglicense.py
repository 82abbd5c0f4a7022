"""机动车驾驶证 (driver's licence), main page."""

from __future__ import annotations

import re

from bot.ocr.local.checks import id_number, id_valid
from bot.ocr.local.extract import Result
from bot.ocr.local.extract.dates import find_dates, iso
from bot.ocr.local.layout import clean, labelled_values
from bot.ocr.local.page import Page

LABELS = {
    "id_num": ["证号"],
    "name": ["姓名"],
    "sex": ["性别"],
    "nationality": ["国籍"],
    "address": ["住址"],
    "birth_date": ["出生日期"],
    "issue_date": ["初次领证日期", "初次领证"],
    "car_class": ["准驾车型"],
    "valid_from": ["有效起始日期", "有效起始"],
    "valid": ["有效期限", "有效期至"],
}
_CJK = re.compile(r"[\u4e00-\u9fff·]+")
_CLASS = re.compile(r"(A[123]|B[12]|C[1-6]|D|E|F|M|N|P)")
_SEAL = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:公安局|公安厅)[\u4e00-\u9fff]*(?:支队|大队|管理局|管理所|总队|局)"
)
_EN = re.compile(r"^[A-Za-z .']+$")


def extract(page: Page) -> Result:
    text = clean(page.text)
    if not ("驾驶证" in text or ("准驾车型" in text and "证号" in text)):
        return Result()
    lines = [ln for ln in page.lines if not _EN.match(ln.text.strip())]  # English sub-labels
    values = labelled_values(lines, LABELS, multiline=["address"], stop=r"出生|日期|\d{4}-")
    result = Result()
    if "id_num" in values:
        number = id_number(values["id_num"].text) or re.sub(r"\W", "", values["id_num"].text)
        if len(number) == 18 and not id_valid(number):
            for ln in values["id_num"].lines:
                for again, _ in page.reread_line(ln):
                    fixed = id_number(again)
                    if fixed and id_valid(fixed):
                        number = fixed
            if not id_valid(number):
                result.warnings.append("证号校验未通过，请核对")
        result.put("id_num", number)
    if "name" in values:
        result.put("name", "".join(_CJK.findall(values["name"].text)))
    sex = values["sex"].text if "sex" in values else ""
    result.put("sex", "男" if "男" in sex else "女" if "女" in sex else "")
    if "nationality" in values:
        result.put("nationality", "".join(_CJK.findall(values["nationality"].text)))
    if "address" in values:
        result.put("address", values["address"].text)
    for key in ("birth_date", "issue_date"):
        dates = find_dates(values[key].text) if key in values else []
        if dates:
            result.put(key, iso(dates[0]))
    if "car_class" in values:
        m = _CLASS.findall(values["car_class"].text.upper())
        result.put("car_class", "".join(m))
    starts = find_dates(values["valid_from"].text) if "valid_from" in values else []
    period = values["valid"].text if "valid" in values else ""
    ends = find_dates(period)
    if starts:
        result.put("valid_from", iso(starts[0]))
    elif len(ends) >= 2:
        result.put("valid_from", iso(ends.pop(0)))
    if ends:
        result.put("valid_to", iso(ends[-1]))
    elif "长期" in period:
        result.put("valid_to", "长期")
    seal = None
    for ln in page.lines:
        m = _SEAL.search(clean(ln.text))
        if m and not (values.get("address") and ln in values["address"].lines):
            seal = m.group(0)
            break
    result.put("official_seal", seal)
    order = list(LABELS) + ["valid_to", "official_seal"]
    result.fields = {k: result.fields[k] for k in order if k in result.fields}
    return result
