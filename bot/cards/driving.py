"""行驶证 (vehicle licence): the fields of the WeChat OCR ``driving`` API.

Checks: the plate's format (and that the front and back pages agree), the VIN
check digit, and the dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.cards.common import Check, Fields, Spec, date_checks
from bot.cards.platenum import plate_check
from bot.masking import mask_vin
from bot.numbers import plate_compact, vin_check_digit

LABELS = {
    "plate_num": "号牌号码",
    "vehicle_type": "车辆类型",
    "owner": "所有人",
    "addr": "住址",
    "use_character": "使用性质",
    "model": "品牌型号",
    "vin": "识别代号",
    "engine_num": "发动机号",
    "register_date": "注册日期",
    "issue_date": "发证日期",
    "plate_num_b": "副页号牌",
    "file_no": "档案编号",
    "passengers_num": "核定载人数",
    "total_quality": "总质量",
    "prepare_quality": "整备质量",
    "load_quality": "核定载质量",
    "traction": "准牵引总质量",
    "overall_size": "外廓尺寸",
    "record": "检验记录",
}


def vin_check(vin: str) -> Check:
    """The check digit is mandatory in China (GB 16735); Chinese VINs start with L.

    A foreign VIN (imported car) need not use it, so a mismatch there is only
    information.
    """
    vin = vin.strip().upper()
    expected = vin_check_digit(vin)
    if expected is None:
        return Check("vin", False, "车辆识别代号应为17位（不含I、O、Q），可能识别有误")
    if vin[8] == expected:
        return Check("vin", True, "车辆识别代号校验位正确")
    if vin.startswith("L"):
        return Check("vin", False, "车辆识别代号校验位不符，可能识别有误")
    return Check("vin", None, "进口车识别代号，校验位不强制")


def checks(fields: Fields, today: date) -> list[Check]:
    found: list[Check] = []
    plate = fields.get("plate_num")
    if plate:
        found.append(plate_check(str(plate)))
        back = fields.get("plate_num_b")
        if back and plate_compact(str(back)) != plate_compact(str(plate)):
            found.append(Check("plate_pages", False, "正页与副页号牌不一致，请核对"))
    if fields.get("vin"):
        found.append(vin_check(str(fields["vin"])))
    found += date_checks(
        fields,
        LABELS,
        real=("register_date", "issue_date"),
        past=("register_date", "issue_date"),
        today=today,
    )
    return found


def mask(fields: Fields) -> dict[str, Any]:
    masked = dict(fields)
    if masked.get("vin"):
        masked["vin"] = mask_vin(str(masked["vin"]))
    return masked


SPEC = Spec(labels=LABELS, checks=checks, mask=mask)
