"""Masking rules fixed by the owner.

- ID numbers: first 3 and last 4 kept, length kept: ``110***********1234``.
- Bank cards: first 4 and last 4 kept, grouped by 4: ``6222 **** **** 1234``.
- Passport numbers: first 2 and last 2 kept: ``E1*****78``.
- Passport machine-readable (MRZ) lines: never shown; the first 2 characters kept.
- Vehicle identification numbers (VIN): the maker's 3 and the last 4 kept.

``mask_text`` finds ID, card and passport numbers and MRZ lines in free text
(general-text OCR, warnings, every log line).
"""

from __future__ import annotations

import re

from bot.numbers import id_like, uscc_valid

STAR = "*"


def _keep(value: str, head: int, tail: int) -> str:
    """Stars between the first ``head`` and last ``tail`` characters, length kept.

    Short values (nothing left to hide) are fully starred, never shown.
    """
    if len(value) <= head + tail:
        return STAR * len(value)
    return value[:head] + STAR * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id(number: str) -> str:
    """``110101199003071234`` -> ``110***********1234``."""
    return _keep(_compact(number), 3, 4)


def mask_card(number: str) -> str:
    """``6222021234567891234`` -> ``6222 **** **** *** 1234``.

    The first and last four digits stand as their own groups; the stars between
    them come in groups of four, the last group shorter when the length needs it,
    so the masked number keeps the card's length.
    """
    digits = re.sub(r"\D", "", number)
    if len(digits) <= 8:
        return STAR * len(digits)
    middle = STAR * (len(digits) - 8)
    groups = [middle[i : i + 4] for i in range(0, len(middle), 4)]
    return " ".join([digits[:4], *groups, digits[-4:]])


def mask_passport(number: str) -> str:
    """``E12345678`` -> ``E1*****78``."""
    return _keep(_compact(number), 2, 2)


def mask_vin(vin: str) -> str:
    """``LFVV5NLH1JW141298`` -> ``LFV**********1298``."""
    return _keep(_compact(vin), 3, 4)


def mask_mrz(line: str) -> str:
    """A machine-readable line of a passport: it spells the number, the birth date and
    the name, so only its first two characters (the document kind) stay."""
    return _keep(_compact(line), 2, 0)


def _compact(value: str) -> str:
    return re.sub(r"\s", "", value)


# An 18-character ID number (17 digits and a digit or X) or a 15-digit old one.
_ID_RE = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")
# 13 to 19 digits, possibly in groups separated by single spaces, or 16 to 19 in
# groups of four separated by dashes.
_CARD_RE = re.compile(r"(?<!\d)(?:\d(?: ?\d){12,18}|\d{4}(?:-\d{4}){3}(?:-\d{1,3})?)(?![\d-])")


# A passport number: one or two capital letters and 7 or 8 digits (E12345678, EA1234567).
_PASSPORT_RE = re.compile(r"(?<![0-9A-Za-z])[A-Z]{1,2}\d{7,8}(?![0-9A-Za-z])")
# An MRZ line: 30 to 44 of A-Z, 0-9 and the filler <, with at least one filler.
_MRZ_RE = re.compile(r"(?<![0-9A-Z<])(?=[0-9A-Z<]*<)[0-9A-Z<]{30,44}(?![0-9A-Z<])")


def mask_text(text: str) -> str:
    """Scrub every MRZ line, passport number, ID-like (15/18) or card-like (13-19
    digits) number in ``text``.

    Each hides all but a few characters; only the pattern of stars differs.
    """
    text = _MRZ_RE.sub(lambda m: mask_mrz(m[0]), text)
    text = _PASSPORT_RE.sub(lambda m: mask_passport(m[0]), text)
    text = _ID_RE.sub(lambda m: mask_id(m[0]) if id_like(m[0]) else m[0], text)
    return _CARD_RE.sub(_mask_card_match, text)


def _mask_card_match(m: re.Match[str]) -> str:
    """A card-like run is masked, even glued to letters (OCR junk), unless it is the
    digits of a unified social credit code such as ``91110000600037341L``: public, and
    checked by its own check character."""
    token = re.search(r"[0-9A-Za-z]*$", m.string[: m.start()])[0] + m[0]
    token += re.match(r"[0-9A-Za-z]*", m.string[m.end() :])[0]
    if len(token) > len(m[0]) and uscc_valid(token):
        return m[0]
    return mask_card(m[0])
