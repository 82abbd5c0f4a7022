"""机动车行驶证 (vehicle licence): main page and, when present, the 副页."""

from __future__ import annotations

import re

from bot.numbers import TO_DIGIT, plate_fix, single_fix, vin_check_digit
from bot.ocr.local.extract import Result
from bot.ocr.local.extract.dates import find_dates, iso
from bot.ocr.local.layout import (
    ENGLISH_SUBLABEL,
    Value,
    clean,
    image_chooser,
    labelled_values,
    read_beside,
)
from bot.ocr.local.page import Page
from bot.ocr.local.places import fix_division

LABELS = {
    "plate_num": ["号牌号码"],
    "vehicle_type": ["车辆类型"],
    "owner": ["所有人"],
    "addr": ["住址"],
    "use_character": ["使用性质"],
    "model": ["品牌型号"],
    "vin": ["车辆识别代号", "识别代号"],
    "engine_num": ["发动机号码", "发动机号"],
    "register_date": ["注册日期"],
    "issue_date": ["发证日期"],
    "record": ["档案编号"],
    "passengers_num": ["核定载人数"],
    "total_quality": ["总质量"],
    "prepare_quality": ["整备质量"],
    "load_quality": ["核定载质量"],
    "traction": ["准牵引总质量"],
    "overall_size": ["外廓尺寸"],
    "inspection": ["检验记录"],
}
_VIN_FIX = str.maketrans({"O": "0", "Q": "0", "I": "1"})
_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def _vin(text: str) -> str:
    """17 characters, no I/O/Q (they read as 1/0/0)."""
    return re.sub(r"[^0-9A-Z]", "", text.upper()).translate(_VIN_FIX)


def _vin_valid(vin: str) -> bool:
    return vin_check_digit(vin) == vin[8:9]


def _read_vin(page: Page, value: Value) -> str:
    """The VIN, re-read from the image, then with one confusable character changed,
    while its check digit (position 9, mandatory in China) fails. A VIN that still
    fails is returned as read: the answer's checks say so."""
    vin = _vin(value.text)
    if _vin_valid(vin):
        return vin
    for line in value.lines:
        for again, _ in page.reread_line(line):
            if _vin_valid(fixed := _vin(again)):
                return fixed
    return single_fix(vin, _vin_valid, _VIN_CHARS, strict=True) or vin


def extract(page: Page) -> Result:
    text = clean(page.text)
    if not (
        "行驶证" in text or sum(k in text for k in ("号牌号码", "车辆识别代号", "品牌型号")) >= 2
    ):
        return Result()
    lines = [ln for ln in page.lines if not ENGLISH_SUBLABEL.match(ln.text.strip())]
    values = labelled_values(lines, LABELS, multiline=["addr"], stop=r"使用性质|品牌型号")
    result = Result()

    def put(key: str, value: str) -> None:
        result.put(key, value.strip())

    if "plate_num" in values:
        plate = plate_fix(values["plate_num"].text) or values["plate_num"].text
        put("plate_num", plate)
    for key in ("vehicle_type", "owner", "addr", "use_character", "model"):
        if key in values:
            value = values[key]
            chooser = image_chooser(page, value.lines)
            put(key, fix_division(value.text, chooser) if key == "addr" else value.text)
    if "vin" in values:
        vin = _read_vin(page, values["vin"])
        if len(vin) != 17:
            result.warnings.append("车辆识别代号长度不对，请核对")
        put("vin", vin)
    if "engine_num" in values:
        # Engine numbers, like VINs, print 0 where a reading may say O.
        engine = re.sub(r"[^0-9A-Z]", "", values["engine_num"].text.upper()).replace("O", "0")
        put("engine_num", engine)
    for key, label in (("register_date", "注册日期"), ("issue_date", "发证日期")):
        dates = find_dates(values[key].text) if key in values else []
        if not dates:  # cut short (the seal sits on 发证日期): read the place itself
            for reading, _ in read_beside(page, label, (7.0, 6.0)):
                dates = find_dates(reading)
                if dates:
                    break
        if dates:
            put(key, iso(dates[0]))
    # 副页 (second page)
    plates_b = [plate_fix(ln.text) for ln in page.lines]
    plates_b = [p for p in plates_b if p]
    if "record" in values:
        put("record", re.sub(r"\D", "", values["record"].text.translate(TO_DIGIT)))
        if plates_b and "号牌号码" in text[text.find("档案编号") - 20 :]:
            put("plate_num_b", plates_b[-1])
    if "passengers_num" in values:
        m = re.search(r"(\d+)\s*人", values["passengers_num"].text)
        if m:
            put("passengers_num", f"{m.group(1)}人")
    for key in ("total_quality", "prepare_quality"):
        if key in values:
            m = re.search(r"(\d+)\s*kg", values[key].text, re.IGNORECASE)
            if m:
                put(key, f"{m.group(1)}kg")
    if "overall_size" in values:
        m = re.search(r"(\d+)[x×X*](\d+)[x×X*](\d+)", values["overall_size"].text)
        if m:
            put("overall_size", f"{m.group(1)}x{m.group(2)}x{m.group(3)}mm")
    result.put("img_size", {"w": page.orig_size[0], "h": page.orig_size[1]})
    if len(result.fields) <= 1:
        return Result()
    return result
