"""身份证 (resident identity card), front and back.

Front: ``name``, ``id``, ``addr``, ``gender``, ``nationality`` (民族); engines may
add ``birth_date``. Back: ``valid_date`` as ``YYYYMMDD-YYYYMMDD`` or
``YYYYMMDD-长期``, and optionally ``authority``. ``type`` says which side
(``Front``/``Back``); when it is missing the fields tell.

The ID-number checks live here and are reused by the driving licence, whose
number is the holder's ID number.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from stdnum.cn import ric

from bot.cards.common import (
    Check,
    Fields,
    Spec,
    expiry_check,
    is_long_term,
    parse_date,
)
from bot.masking import mask_id
from bot.numbers import id_region, id_sex

LABELS = {
    "name": "姓名",
    "gender": "性别",
    "nationality": "民族",
    "birth_date": "出生",
    "addr": "住址",
    "id": "身份证号",
    "authority": "签发机关",
    "valid_date": "有效期限",
}

# Validity periods of a resident ID card, by age at issue: 5, 10, 20 years or 长期.
VALID_YEARS = (5, 10, 20)

MALE, FEMALE = "男", "女"


def is_back(fields: Fields) -> bool:
    side = str(fields.get("type", "")).lower()
    if side:
        return side == "back"
    return "valid_date" in fields and "id" not in fields


def title(fields: Fields) -> str:
    return "身份证 背面" if is_back(fields) else "身份证 正面"


def checks(fields: Fields, today: date) -> list[Check]:
    found: list[Check] = []
    if fields.get("id"):
        found += id_number_checks(
            str(fields["id"]),
            sex=fields.get("gender"),
            birth_date=fields.get("birth_date"),
            today=today,
        )
    if fields.get("valid_date"):
        found += valid_date_checks(str(fields["valid_date"]), today)
    return found


def mask(fields: Fields) -> dict[str, Any]:
    masked = dict(fields)
    if masked.get("id"):
        masked["id"] = mask_id(str(masked["id"]))
    return masked


# --- the ID number -----------------------------------------------------------


def id_number_checks(
    number: str, *, sex: Any = None, birth_date: Any = None, today: date
) -> list[Check]:
    """Check digit, birth date and sex against the number, and the region it names.

    ``sex`` (男/女) and ``birth_date`` (``YYYY-MM-DD``) are what the document
    prints elsewhere; each is compared only when given.
    """
    number = ric.compact(number)
    if len(number) == 15 and number.isdigit():
        return [Check("id_checksum", None, "15位旧身份证号，没有校验位")]
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return [Check("id_checksum", False, "身份证号应为18位，可能识别有误")]
    found: list[Check] = []
    if number[17] == ric.calc_check_digit(number):
        found.append(Check("id_checksum", True, "身份证号校验位正确"))
    else:
        found.append(Check("id_checksum", False, "身份证号校验位不符，可能识别有误"))

    born = parse_date(number[6:14])
    if born is None or born > today or born.year < 1900:
        found.append(Check("id_birth", False, "号码中的出生日期无效"))
    elif birth_date:
        printed = parse_date(str(birth_date))
        if printed == born:
            found.append(Check("id_birth", True, "出生日期与号码一致"))
        else:
            found.append(Check("id_birth", False, "出生日期与号码不符"))

    if sex in (MALE, FEMALE):
        by_number = id_sex(number)
        if sex == by_number:
            found.append(Check("id_sex", True, "性别与号码一致"))
        else:
            found.append(Check("id_sex", False, f"性别与号码不符（号码为{by_number}）"))

    found.append(region_check(number))
    return found


def region_check(number: str) -> Check:
    place = id_region(number)
    if place:
        return Check("region", None, f"号码归属地：{place}")
    return Check("region", None, "号码归属地未知")


# --- the back: validity ------------------------------------------------------


def parse_valid_date(value: str) -> tuple[date | None, date | None, bool] | None:
    """``(start, end, long_term)`` from ``YYYYMMDD-YYYYMMDD`` / ``YYYYMMDD-长期``.

    Dots, spaces and other dashes are tolerated (``2007.01.05-2027.01.05``).
    ``None`` when the text is not two dates (or a date and 长期) around a dash.
    """
    parts = re.split(r"\s*[-－—~至]+\s*", value.strip())
    if len(parts) != 2:
        return None
    start = parse_date(parts[0])
    if is_long_term(parts[1]):
        return start, None, True
    return start, parse_date(parts[1]), False


def valid_date_checks(value: str, today: date) -> list[Check]:
    parsed = parse_valid_date(value)
    if parsed is None:
        return [Check("valid_date", False, "有效期限格式无法识别，请核对")]
    start, end, long_term = parsed
    found: list[Check] = []
    if start is None:
        found.append(Check("valid_date", False, "有效期起始日不是有效日期"))
    elif start > today:
        found.append(Check("valid_date", False, "有效期起始日晚于今天，请核对"))
    if not long_term and end is None:
        found.append(Check("valid_date", False, "有效期截止日不是有效日期"))
        return found
    found.append(expiry_check(end, today, what="身份证", long_term=long_term))
    if start and end and not _regular_span(start, end):
        found.append(Check("valid_span", False, "有效期不是5/10/20年，可能识别有误"))
    return found


def _regular_span(start: date, end: date) -> bool:
    """Whether ``end`` is 5, 10 or 20 years after ``start`` (29 Feb may end on 28 Feb/1 Mar)."""
    for years in VALID_YEARS:
        if end.year - start.year != years:
            continue
        if (end.month, end.day) == (start.month, start.day):
            return True
        if (start.month, start.day) == (2, 29) and (end.month, end.day) in ((2, 28), (3, 1)):
            return True
    return False


SPEC = Spec(labels=LABELS, checks=checks, mask=mask, title=title)
