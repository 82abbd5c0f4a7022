"""驾驶证 (driving licence): the fields of the WeChat OCR ``drivinglicense`` API.

The licence number (``id_num``) is the holder's ID number, so it gets the ID
card's checks, compared with the printed sex and birth date. ``valid_to`` may
read 长期 on licences renewed for life.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.cards.common import (
    Check,
    Fields,
    Spec,
    date_checks,
    expiry_check,
    is_long_term,
    parse_date,
)
from bot.cards.idcard import id_number_checks
from bot.masking import mask_id

LABELS = {
    "name": "姓名",
    "sex": "性别",
    "nationality": "国籍",
    "birth_date": "出生日期",
    "address": "住址",
    "id_num": "证号",
    "car_class": "准驾车型",
    "issue_date": "初次领证",
    "valid_from": "有效起始",
    "valid_to": "有效截止",
    "official_seal": "发证机关",
}


def checks(fields: Fields, today: date) -> list[Check]:
    found: list[Check] = []
    if fields.get("id_num"):
        found += id_number_checks(
            str(fields["id_num"]),
            sex=fields.get("sex"),
            birth_date=fields.get("birth_date"),
            today=today,
        )
    found += date_checks(
        fields,
        LABELS,
        real=("birth_date", "issue_date", "valid_from", "valid_to"),
        past=("birth_date", "issue_date", "valid_from"),
        today=today,
    )
    valid_to = fields.get("valid_to")
    end, long_term = parse_date(valid_to), is_long_term(valid_to)
    if end or long_term:  # an unreadable date is already reported above
        found.append(expiry_check(end, today, what="驾驶证", long_term=long_term))
    return found


def mask(fields: Fields) -> dict[str, Any]:
    masked = dict(fields)
    if masked.get("id_num"):
        masked["id_num"] = mask_id(str(masked["id_num"]))
    return masked


SPEC = Spec(labels=LABELS, checks=checks, mask=mask)
