"""车牌 (licence plate): ``number``.

The plate formats and their kinds are in ``bot/numbers.py`` (GA 36-2018).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.cards.common import Check, Fields, Spec
from bot.numbers import plate_kind

LABELS = {"number": "车牌号", "color": "颜色"}

COLORS = {
    "blue": "蓝色",
    "yellow": "黄色",
    "green": "绿色",
    "white": "白色",
    "black": "黑色",
    "yellow_green": "黄绿色",
}


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
