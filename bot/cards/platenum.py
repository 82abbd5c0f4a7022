"""车牌 (licence plate): ``number``.

Plate formats of GA 36-2018, after removing the separator dot and spaces:

- ordinary (blue, yellow): province + authority letter + 5 letters/digits, 7 chars;
- new energy (green), 8 chars: small vehicles have D/F (and, since 2019, the
  other pure-electric letters A B C E and plug-in letters G H J K) first, a letter
  or digit, then 4 digits; large vehicles 5 digits then D/F;
- special: 警 (police), 学 (driving school), 挂 (trailer), 领 (consulate) after
  4 letters/digits; 港/澳 on 粤Z plates; 应急 (emergency rescue) after 4 digits;
  使 (embassy) with 6 digits.

Letters I and O are never used in the serial (they read as 1 and 0).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.cards.common import Check, Fields, Spec

LABELS = {"number": "车牌号", "color": "颜色"}

COLORS = {
    "blue": "蓝色",
    "yellow": "黄色",
    "green": "绿色",
    "white": "白色",
    "black": "黑色",
    "yellow_green": "黄绿色",
}

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_P = f"[{PROVINCES}]"
_AUTH = "[A-HJ-Z]"  # issuing authority letter (O is used for police in some provinces)
_S = "[A-HJ-NP-Z0-9]"  # serial character: no I, no O
_SMALL_NEW_ENERGY = "[DABCEFGHJK]"  # D/F and the 2019 additions

# (kind shown to the user, pattern of the whole compact plate)
PLATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("普通车牌", f"{_P}{_AUTH}{_S}{{5}}"),
        ("新能源小型车", f"{_P}{_AUTH}{_SMALL_NEW_ENERGY}{_S}\\d{{4}}"),
        ("新能源大型车", f"{_P}{_AUTH}\\d{{5}}[DF]"),
        ("警车", f"{_P}{_AUTH}{_S}{{4}}警"),
        ("教练车", f"{_P}{_AUTH}{_S}{{4}}学"),
        ("挂车", f"{_P}{_AUTH}{_S}{{4}}挂"),
        ("领馆车", f"{_P}{_AUTH}{_S}{{4}}领"),
        ("港澳入出境车", f"粤Z{_S}{{4}}[港澳]"),
        ("应急救援车", f"{_P}{_AUTH}\\d{{4}}应急"),
        ("使馆车", "使\\d{6}|\\d{6}使"),
    )
)


def compact(plate: str) -> str:
    """``粤B·12345`` -> ``粤B12345`` (dots, spaces and dashes dropped, upper case)."""
    return re.sub(r"[\s·•.\-－]", "", plate).upper()


def plate_kind(plate: str) -> str | None:
    """The kind of plate ``plate`` is, or ``None`` when it fits no format."""
    plate = compact(plate)
    for kind, pattern in PLATE_PATTERNS:
        if pattern.fullmatch(plate):
            return kind
    return None


def plate_check(plate: str) -> Check:
    kind = plate_kind(plate)
    if kind:
        return Check("plate", True, f"车牌格式正确（{kind}）")
    return Check("plate", False, "车牌格式不符，可能识别有误")


def checks(fields: Fields, today: date) -> list[Check]:
    return [plate_check(str(fields["number"]))] if fields.get("number") else []


def mask(fields: Fields) -> dict[str, Any]:
    return dict(fields)


SPEC = Spec(labels=LABELS, checks=checks, mask=mask, values={"color": COLORS})
