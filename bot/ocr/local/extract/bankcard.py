"""银行卡: the card number (Luhn-checked), the bank, the card type, the expiry."""

from __future__ import annotations

import re

from bot.numbers import TO_DIGIT, luhn_valid
from bot.ocr.local.extract import Result
from bot.ocr.local.layout import clean, rows
from bot.ocr.local.page import Line, Page

_BANK = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:银行|信用社|信用合作联社|农商银行))")
_VALID_THRU = re.compile(r"(?<!\d)(0[1-9]|1[0-2])\s*/\s*(\d{2})(?!\d)")
_TYPES = (
    ("准贷记卡", "准贷记卡"),
    ("贷记卡", "信用卡"),
    ("信用卡", "信用卡"),
    ("CREDIT", "信用卡"),
    ("借记卡", "借记卡"),
    ("储蓄卡", "借记卡"),
    ("DEBIT", "借记卡"),
)


def _digitish(text: str) -> bool:
    """Mostly digits (a card number group, maybe with an O or I misread)."""
    t = re.sub(r"\s", "", text)
    return len(t) >= 3 and sum(c.isdigit() for c in t) >= 0.75 * len(t) and "/" not in t


def _number_rows(page: Page) -> list[tuple[str, list[Line]]]:
    """Candidate numbers: the digit groups of each row joined, tallest print first."""
    found = []
    for row in rows(page.lines):
        group = [ln for ln in row.lines if _digitish(ln.text)]
        if not group:
            continue
        digits = re.sub(r"\D", "", "".join(ln.text for ln in group).translate(TO_DIGIT))
        if 13 <= len(digits) <= 19:
            found.append((digits, group))
    found.sort(key=lambda item: -max(ln.height for ln in item[1]))
    return found


def read_number(page: Page, result: Result) -> str | None:
    candidates = _number_rows(page)
    for digits, _ in candidates:
        if luhn_valid(digits):
            return digits
    for _digits, group in candidates:
        if len(group) != 1:
            continue
        for text, _score in page.reread_line(group[0]):
            again = re.sub(r"\D", "", text.translate(TO_DIGIT))
            if luhn_valid(again):
                return again
    if candidates:
        result.warnings.append("银行卡号校验未通过，请核对")
        return candidates[0][0]
    return None


def extract(page: Page) -> Result:
    result = Result()
    number = read_number(page, result)
    if number is None:
        return Result()
    result.put("number", number)
    for ln in page.lines:  # line by line: a neighbour's 信用卡 must not join the name
        bank = _BANK.search(re.sub(r"^.*?(借记卡|信用卡|储蓄卡|贷记卡)", "", clean(ln.text)))
        if bank:
            result.put("bank_name", bank.group(1))
            break
    text = clean(page.text)
    upper = text.upper()
    for needle, card_type in _TYPES:
        if needle in upper:
            result.put("card_type", card_type)
            break
    result.put("valid_thru", _valid_thru(page))
    return result


def _valid_thru(page: Page) -> str | None:
    """``MM/YY``. Printed beside a two-line "VALID / THRU" that the detector often boxes
    together with the date; then the box's right part is read on its own."""
    for ln in page.lines:
        m = _VALID_THRU.search(ln.text.translate(TO_DIGIT))
        if m:
            return f"{m.group(1)}/{m.group(2)}"
    for ln in page.lines + page.weak:
        if "/" not in ln.text and not re.search(r"[VY]A[LI]|THRU|RU", ln.text.upper()):
            continue
        for part in ((0.45, 1.0), (0.35, 1.0), (0.55, 1.0)):
            for text, _ in page.reread_line(ln, part):
                m = _VALID_THRU.search(text.translate(TO_DIGIT))
                if m:
                    return f"{m.group(1)}/{m.group(2)}"
    return None
