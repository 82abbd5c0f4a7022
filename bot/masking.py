"""Masking rules fixed by the owner.

- ID numbers: first 3 and last 4 kept, length kept: ``110***********1234``.
- Bank cards: first 4 and last 4 kept, grouped by 4: ``6222 **** **** 1234``.
- Passport numbers: first 2 and last 2 kept: ``E1*****78``.

``mask_text`` finds such numbers in free text (general-text OCR, warnings).
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


def _compact(value: str) -> str:
    return re.sub(r"\s", "", value)


# An 18-character ID number (17 digits and a digit or X) or a 15-digit old one.
_ID_RE = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")
# 13 to 19 digits, possibly in groups separated by single spaces, or 16 to 19 in
# groups of four separated by dashes.
_CARD_RE = re.compile(r"(?<!\d)(?:\d(?: ?\d){12,18}|\d{4}(?:-\d{4}){3}(?:-\d{1,3})?)(?![\d-])")


def mask_text(text: str) -> str:
    """Scrub every ID-like (15/18) or card-like (13-19 digits) number in ``text``.

    Both hide all but a few digits; only the pattern of stars differs.
    """
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
