"""护照 (passport): the machine-readable zone, check digits verified with ``mrz``."""

from __future__ import annotations

import datetime as dt
import re

from mrz.base.countries_ops import is_code
from mrz.base.errors import FieldError as MrzError
from mrz.checker.td3 import TD3CodeChecker

from bot.numbers import TO_DIGIT, TO_LETTER, single_fix
from bot.ocr.local.extract import Result
from bot.ocr.local.layout import rows
from bot.ocr.local.page import Page, region
from bot.ocr.local.places import one_edit, one_off

_FILLER = str.maketrans({"く": "<", "«": "<", "‹": "<", "〈": "<", "＜": "<", " ": "<"})
_DIGIT_POS = [*range(9, 10), *range(13, 20), *range(21, 28), 42, 43]


def _norm(text: str) -> str:
    return re.sub(r"[^A-Z0-9<]", "", text.upper().translate(_FILLER))


def _fit(line: str, *, second: bool) -> str:
    """Bring a line to 44 characters by growing or shrinking its filler runs."""
    if len(line) > 44:
        excess = len(line) - 44
        if second:
            run = "<" * (excess + 1)
            line = line.replace(run, "<", 1) if run in line else line[:44]
        else:
            line = line[:44]
    if len(line) < 44:
        if second:
            line = line[:-2] + "<" * (44 - len(line)) + line[-2:]
        else:
            line = line + "<" * (44 - len(line))
    return line[:44]


def _fix_second(line: str) -> str:
    chars = list(line)
    for i in _DIGIT_POS:
        if chars[i] != "<":
            chars[i] = chars[i].translate(TO_DIGIT)
    return "".join(chars)


def _letters_in_optional_data(line: str) -> str:
    """Optional data (characters 29-42) that is mostly letters keeps letters: an O read
    as 0 there is not caught by a check digit when the field's own check is a filler."""
    data = line[28:42]
    letters = sum(c.isalpha() for c in data)
    if letters >= 2 * sum(c.isdigit() for c in data):
        data = data.translate(TO_LETTER)
    return line[:28] + data + line[42:]


def _letters_in_nationality(line: str) -> str:
    """The nationality (characters 11-13 of line 2) is three letters, and no check digit
    covers it: a small photo's GBR read as 68R passes every check. Letters, always."""
    return line[:10] + line[10:13].translate(TO_LETTER) + line[13:]


def _fix_first(line: str) -> str:
    """Line 1 holds only letters and fillers after the document type's first letter."""
    return line[:1] + line[1:].translate(TO_LETTER)


def _is_state(code: str) -> bool:
    return is_code(code.rstrip("<"))  # Germany is D<<


def _issuer_in_place(first: str, second: str) -> str:
    """Line 1 with its issuing state (characters 3-5) put back in place when a character
    before it was read twice (POOCHN for POCHN, a turned photo) or lost (PCHN for P<CHN):
    what stands there is no state, and line 2's nationality stands one on or one back."""
    nationality = second[10:13]
    if _is_state(first[2:5]) or not _is_state(nationality):
        return first
    if first[3:6] == nationality:
        return first[:2] + first[3:] + "<"
    if first[1:4] == nationality:
        return (first[:1] + "<" + first[1:])[:44]
    return first


def _date(yymmdd: str, *, future: bool) -> str | None:
    try:
        yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    except ValueError:
        return None
    now = dt.date.today().year % 100
    century = 2000 if (future or yy <= now) else 1900
    try:
        return dt.date(century + yy, mm, dd).isoformat()
    except ValueError:
        return None


def find_mrz(page: Page) -> tuple[str, str] | None:
    """The two MRZ lines (44 characters each), joined across boxes on the same row.

    MRZ print is upper case only, and line 1 runs into ``<<`` fillers: an English
    sentence starting with P is not one. Line 2 may come back with lower case where the
    two cases look alike (``zs0000177``): its digits tell it from prose, not its case.
    """
    grid = rows(page.lines)
    raws = ["".join(ln.text for ln in row.lines) for row in grid]
    firsts = [_norm(raw) if not re.search(r"[a-z]", raw) else "" for raw in raws]
    texts = [_norm(raw) for raw in raws]
    for i, first in enumerate(firsts):
        if _is_first(first):
            for second in texts[i + 1 : i + 3]:
                if _is_second(second):
                    return _fit(first, second=False), _fit(second, second=True)
    # Line 1 may go undetected (a glare, a fold): it is one line above line 2, as wide.
    for row, second in zip(grid, texts, strict=True):
        if _is_second(second):
            h = row.height
            above = region(row.x0, row.y0 - 1.3 * h, max(ln.x1 for ln in row.lines), row.y0)
            for again, _ in page.reread_line(above):
                if _is_first(first := _norm(again)):
                    return _fit(first, second=False), _fit(second, second=True)
    return None


def _is_first(text: str) -> bool:
    return text.startswith("P") and "<<" in text and len(text) >= 15


def _is_second(text: str) -> bool:
    return len(text) >= 30 and sum(c.isdigit() for c in text) >= 10


def _check(first: str, second: str) -> TD3CodeChecker | None:
    """The checker, falsy when a check digit fails; ``None`` when the text is unusable."""
    try:
        return TD3CodeChecker(f"{first}\n{second}")
    except MrzError:
        return None


def _repair(first: str, second: str) -> tuple[str, str]:
    """Confusions fixed where the format is certain (digits in date and check positions,
    letters in names), then one confusable character anywhere in line 2 if that alone
    makes every check digit agree."""
    first = _fix_first(first)  # line 1 carries no check digit: fix it unconditionally
    second = _letters_in_nationality(_letters_in_optional_data(second))
    first = _issuer_in_place(first, second)
    if _check(first, second):
        return first, second
    second = _fix_second(second)
    if _check(first, second):
        return first, second
    found = single_fix(second, lambda cand: bool(_check(first, cand)))
    return first, found or _issuer_as_nationality(first, second) or second


def _names_from_visual_zone(page: Page, first: str) -> str:
    """Line 1 with a digit left in its names (3 for J: no letter it is taken for) put
    right from the visual zone, which prints the names in Latin letters too (金涵
    JINHAN): the one word there as long as the name that agrees with it at every
    letter gives the digits' letters."""
    names = first[5:]
    viz = [ln for ln in page.lines if "<<" not in ln.text]  # the visual zone, not the MRZ
    words = {w for ln in viz for w in re.findall(r"[A-Z]{2,}", ln.text)}
    for part in set(re.findall(r"[A-Z0-9]*\d[A-Z0-9]*", names)):
        fits = {
            word
            for word in words
            if len(word) == len(part)
            and all(a == b or a.isdigit() for a, b in zip(part, word, strict=True))
        }
        if len(fits) == 1:
            names = _word_replaced(names, part, fits.pop())
    # A letter read as no letter and dropped (YU]IA, 1620308): the one word there that
    # is the name with one more letter, when the name itself is none of its words.
    for part in set(re.findall(r"[A-Z]{3,}", names)) - words:
        fits = {w for w in words if len(w) == len(part) + 1 and one_edit(part, w)}
        if len(fits) == 1:
            names = _word_replaced(names, part, fits.pop())
            names = names[:-1] if names.endswith("<") else names
    return first[:5] + names


def _word_replaced(names: str, part: str, word: str) -> str:
    """``names`` with ``part``, wherever it stands as a whole word, as ``word``."""
    return re.sub(rf"(?<![A-Z0-9]){part}(?![A-Z0-9])", word, names)


def _issuer_as_nationality(first: str, second: str) -> str | None:
    """Line 2 with the issuing state (line 1) as the nationality, when the nationality
    read is no country one letter away from it (GBR read GB8, hence GBB) and that alone
    makes every check pass: a passport's holder is nearly always of the state issuing
    it, and no check digit covers the nationality."""
    issuer, read = first[2:5], second[10:13]
    if not one_off(read, issuer):
        return None
    again = second[:10] + issuer + second[13:]
    return again if _check(first, again) else None


def extract(page: Page) -> Result:
    found = find_mrz(page)
    if found is None:
        return Result()
    first, second = _repair(*found)
    first = _names_from_visual_zone(page, first)
    checker = _check(first, second)
    if checker is None:
        return Result()
    fields = checker.fields()
    result = Result()
    result.put("number", fields.document_number.replace("<", ""))
    result.put("surname", fields.surname)
    result.put("given_names", fields.name)
    result.put("nationality", fields.nationality)
    result.put("birth_date", _date(fields.birth_date, future=False))
    result.put("sex", fields.sex if fields.sex in ("M", "F") else None)
    result.put("expiry_date", _date(fields.expiry_date, future=True))
    result.put("country", fields.country)
    result.put("mrz", [first, second])
    result.fields["mrz_valid"] = bool(checker)
    if not checker:
        result.warnings.append("护照机读码校验未通过，请核对")
    return result
