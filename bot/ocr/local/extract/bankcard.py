"""银行卡: the card number (Luhn-checked), the bank, the card type, the expiry."""

from __future__ import annotations

import re

from bot.numbers import TO_DIGIT, luhn_valid
from bot.ocr.local.extract import Result
from bot.ocr.local.layout import clean, rows
from bot.ocr.local.page import Line, Page, region

_BANK = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:银行|信用社|信用合作联社|农商银行))")
# MM/YY; the slash, crossed by a card's pattern, may come back as an X (01X29).
_VALID_THRU = re.compile(r"(?<!\d)(0[1-9]|1[0-2])\s*[/xX×]\s*(\d{2})(?!\d)")
# The card's kind as printed: Chinese words first, then English. CREDIT alone: a rural
# credit union's debit card prints RURAL CREDIT UNION under its name.
_TYPES = (
    ("准贷记卡", "准贷记卡"),
    ("贷记卡", "信用卡"),
    ("信用卡", "信用卡"),
    ("借记卡", "借记卡"),
    ("储蓄卡", "借记卡"),
    (r"CREDIT(?!\s*(UNION|CO))", "信用卡"),
    ("DEBIT", "借记卡"),
)


NUMBER_LENGTHS = range(16, 20)  # UnionPay, Visa, Mastercard: 16-19 digits with Luhn
# Old cards (一卡通, passbook cards) print 12-15 digits with no check digit: read, warned.
MIN_DIGITS = 12
# A row one digit longer than any card: a digit read twice or a mark read as one.
TOO_LONG = NUMBER_LENGTHS.stop
MARGIN = 3.0  # nats by which the recognizer must prefer a Luhn fix over the next one
UNREAD = "?"  # a letter in a number that no look-alike digit explains


def _digitish(text: str) -> bool:
    """Mostly digits (a card number group, maybe with an O or I misread)."""
    t = re.sub(r"\s", "", text)
    return len(t) >= 3 and sum(c.isdigit() for c in t) >= 0.75 * len(t) and "/" not in t


def _slots(text: str) -> str:
    """A group's digits, look-alike letters as digits, other letters as ``UNREAD``."""
    t = text.translate(TO_DIGIT)
    return "".join(c if c.isdigit() else UNREAD for c in t if c.isdigit() or c.isalpha())


def _number_rows(page: Page) -> list[tuple[str, list[Line]]]:
    """Candidate numbers: the digit groups of each row joined, tallest print first."""
    found = []
    for row in rows(page.lines):
        group = [ln for ln in row.lines if _digitish(ln.text)]
        if not group:
            continue
        slots = "".join(_slots(ln.text) for ln in group)
        if MIN_DIGITS <= len(slots) <= TOO_LONG and slots.count(UNREAD) <= 1:
            found.append((slots, group))
    found.sort(key=lambda item: -max(ln.height for ln in item[1]))
    return found


def _read_on(page: Page) -> list[tuple[str, list[Line]]]:
    """The tallest short digit group read again to the right, as far as 19 digits and
    their gaps reach: embossed digits over a busy picture fall out of the detected box
    (the number goes on where the detector saw only background). Each reading comes as
    a one-line group: the region, with the text read there."""
    short = [
        ln for ln in page.lines
        if _digitish(ln.text) and 4 <= len(_slots(ln.text)) < NUMBER_LENGTHS.start
    ]  # fmt: skip
    out = []
    for line in sorted(short, key=lambda ln: -ln.height)[:2]:
        char = line.width / max(1, len(line.text))
        wider = region(line.x0 - char / 2, line.y0, min(page.width, line.x0 + 24 * char), line.y1)
        for text, _ in page.reread_line(wider):
            text = re.sub(r"[^0-9A-Za-z ]+", " ", text).strip()
            slots = _slots(text)
            if len(slots) > len(_slots(line.text)) and MIN_DIGITS <= len(slots) <= 19:
                out.append((slots, [wider.with_text(text)]))
    return out


def _luhn_fixes(slots: str) -> list[tuple[int, str]]:
    """Edits one digit away from ``slots`` that pass Luhn, as (index, what goes there):
    the unread slot filled, or (none unread) each digit in turn replaced; in a row
    :data:`TOO_LONG`, the unread slot dropped, or (none unread) each digit in turn
    (``""``)."""
    places = [slots.index(UNREAD)] if UNREAD in slots else range(len(slots))
    if len(slots) == TOO_LONG:
        edits = [(i, "") for i in places]
    elif len(slots) in NUMBER_LENGTHS:
        edits = [(i, d) for i in places for d in "0123456789" if d != slots[i]]
    else:
        return []
    return [(i, d) for i, d in edits if luhn_valid(slots[:i] + d + slots[i + 1 :])]


def _decide(page: Page, slots: str, group: list[Line], result: Result) -> str | None:
    """The Luhn fix the recognizer itself prefers: each candidate's changed line scored
    against that line's image (CTC, all frames), as a gain over the line as read. None
    unless it wins by ``MARGIN``. A digit dropped from a row :data:`TOO_LONG` must also
    explain the image within ``2 * MARGIN`` of the row as read (a mark before the number
    read as a digit: 1.2 nats short on a real card, 4.3-4.5 drawn on synthetic ones, 7
    or more ahead of the next drop; a drop that leaves a misread in: 16 short), and a
    lone Luhn-valid drop, with no other to beat, must beat the row as read by
    ``MARGIN``: a stray digit and a misread together often leave one, and it is not the
    number. A drop comes with a warning in ``result``: which digit was extra is the
    image's word only."""
    starts, at = [], 0
    for ln in group:
        starts.append(at)
        at += len(_slots(ln.text))
    by_line: dict[int, dict[str, str]] = {}  # line -> its text with the edit -> number
    for i, digit in _luhn_fixes(slots):
        g = max(k for k, start in enumerate(starts) if start <= i)
        text = _edited(group[g].text.translate(TO_DIGIT), i - starts[g], digit)
        by_line.setdefault(g, {})[text] = slots[:i] + digit + slots[i + 1 :]
    gains: dict[str, float] = {}  # number -> log-likelier than its line as read
    for g, numbers in by_line.items():  # one recognizer run a line
        as_read = group[g].text.translate(TO_DIGIT)
        scores = page.score_texts(group[g], [*numbers, as_read])
        for text, number in numbers.items():
            if text in scores and as_read in scores:
                gains[number] = max(scores[text] - scores[as_read], gains.get(number, -1e9))
    ranked = sorted(gains.items(), key=lambda item: -item[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN):
        return None
    if len(slots) == TOO_LONG:
        if ranked[0][1] < (MARGIN if len(ranked) == 1 else -2 * MARGIN):
            return None
        result.warnings.append("银行卡号不清晰，请核对")  # which digit was extra: the image's word
    return ranked[0][0]


def _edited(text: str, offset: int, digit: str) -> str:
    """``text`` with its ``offset``-th letter or digit replaced by ``digit`` (dropped when
    ``""``), spaces and marks where the image has them."""
    out, seen = [], 0
    for c in text:
        if c.isalnum():
            out.append(digit if seen == offset else c)
            seen += 1
        else:
            out.append(c)
    return "".join(out)


def read_number(page: Page, result: Result) -> str | None:
    candidates = _number_rows(page)
    for slots, _ in candidates:
        if len(slots) in NUMBER_LENGTHS and luhn_valid(slots):
            return slots
    for _, group in candidates:
        if len(group) != 1:
            continue
        for text, _score in page.reread_line(group[0]):
            again = _slots(text)
            if len(again) in NUMBER_LENGTHS and luhn_valid(again):
                return again
    longer = [] if any(len(c) in NUMBER_LENGTHS for c, _ in candidates) else _read_on(page)
    readings = [slots for slots, _ in longer]
    for slots in readings:
        if len(slots) in NUMBER_LENGTHS and luhn_valid(slots):
            if readings.count(slots) < 2:  # one crop's reading: a digit may be missing
                result.warnings.append("银行卡号不清晰，请核对")
            return slots
    for slots, group in candidates + longer:
        if (number := _decide(page, slots, group, result)) is not None:
            return number
    shown = [slots for slots, _ in candidates + longer if len(slots) < TOO_LONG]
    if shown:
        result.warnings.append("银行卡号校验未通过，请核对")
        return shown[0].replace(UNREAD, "")
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
        if re.search(needle, upper):
            result.put("card_type", card_type)
            break
    result.put("valid_thru", _valid_thru(page))
    return result


def _valid_thru(page: Page) -> str | None:
    """``MM/YY``. Printed beside a two-line "VALID / THRU" that the detector often boxes
    together with the date; then the box's right part is read on its own. A box read
    without a digit (the label alone, ``MONTH/YEAR``) is not read again: on 25 real
    cards all 24 such re-reads were of labels alone. The price: a date boxed with its
    label and lost whole from the reading is not looked for there (none was seen)."""
    for ln in page.lines:
        if found := _mm_yy(ln.text):
            return found
    for ln in page.lines + page.weak:
        if "/" not in ln.text and not re.search(r"[VY]A[LI]|THRU|RU", ln.text.upper()):
            continue
        if not re.search(r"\d", ln.text):
            continue
        for part in ((0.45, 1.0), (0.35, 1.0), (0.55, 1.0)):
            for text, _ in page.reread_line(ln, part):
                if found := _mm_yy(text):
                    return found
    return _right_of_label(page)


def _mm_yy(text: str) -> str | None:
    """The ``MM/YY`` date in ``text``, if any."""
    m = _VALID_THRU.search(text.translate(TO_DIGIT))
    return f"{m.group(1)}/{m.group(2)}" if m else None


def _right_of_label(page: Page) -> str | None:
    """The date right of a VALID / THRU label boxed on its own: over a card's picture
    the detector may miss it, or box it with its / read as 1 (07132). The place beside
    the label's two lines, as wide as five of their heights, is read again."""
    labels = [ln for ln in page.lines if re.fullmatch(r"VALID|THRU", clean(ln.text).upper())]
    if not labels:
        return None
    x1 = max(ln.x1 for ln in labels)
    y0, y1 = min(ln.y0 for ln in labels), max(ln.y1 for ln in labels)
    x2 = min(page.width, x1 + 5 * (y1 - y0))
    if x2 - x1 < y1 - y0:  # the label at the card's edge: nothing beside it
        return None
    beside = region(x1, y0, x2, y1)
    return next((found for text, _ in page.reread_line(beside) if (found := _mm_yy(text))), None)
