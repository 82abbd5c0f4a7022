"""银行卡 (bank card): ``number``; engines may add ``bank_name``, ``card_type``,
``valid_thru`` (``MM/YY``).

Checks: the number's length, the Luhn digit, and the issuer from the BIN table.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from bot.cards.bins import lookup
from bot.cards.common import Check, Fields, Spec, expiry_check
from bot.masking import mask_card
from bot.numbers import luhn_valid

LABELS = {
    "number": "卡号",
    "bank_name": "银行",
    "card_type": "卡类型",
    "valid_thru": "有效期",
}

# UnionPay cards are 16 to 19 digits; 13-15 covers the international schemes.
MIN_DIGITS, MAX_DIGITS = 13, 19


def checks(fields: Fields, today: date) -> list[Check]:
    found: list[Check] = []
    number = fields.get("number")
    if number:
        found += number_checks(str(number))
    if fields.get("valid_thru"):
        found.append(valid_thru_check(str(fields["valid_thru"]), today))
    return found


def number_checks(number: str) -> list[Check]:
    digits = re.sub(r"[\s-]", "", number)
    if not digits.isdigit() or not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return [Check("card_format", False, "卡号应为13-19位数字，可能识别有误")]
    found = []
    if luhn_valid(digits):
        found.append(Check("luhn", True, "卡号校验通过"))
    else:
        found.append(Check("luhn", False, "卡号校验未通过，可能识别有误"))
    info = lookup(digits)
    if info:
        found.append(Check("bank", None, f"发卡行：{info.bank}（{info.kind.label}）"))
    else:
        found.append(Check("bank", None, "发卡行：未知"))
    return found


def valid_thru_check(value: str, today: date) -> Check:
    """``MM/YY`` (or ``MM/YYYY``): a card is valid to the end of that month."""
    m = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", value)
    if not m or not 1 <= int(m[1]) <= 12:
        return Check("expiry", False, "卡片有效期格式无法识别")
    month, year = int(m[1]), int(m[2])
    year += 2000 if year < 100 else 0
    end = date(year, month, calendar.monthrange(year, month)[1])
    return expiry_check(end, today, what="卡片")


def mask(fields: Fields) -> dict[str, Any]:
    masked = dict(fields)
    if masked.get("number"):
        masked["number"] = mask_card(str(masked["number"]))
    return masked


SPEC = Spec(labels=LABELS, checks=checks, mask=mask)
