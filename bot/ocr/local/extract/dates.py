"""Dates as printed on documents, normalised to what the WeChat API returns."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from bot.numbers import TO_DIGIT
from bot.ocr.local.layout import agreed

# 2018-07-06, 2018.07.06, 2018年7月6日 (separators required), or eight digits with at most
# one separator the recognizer kept (20180706, 201807-06, 2018-0706): a date cut short
# (2018 12) must not pass for 2018-01-02.
DATE = re.compile(
    r"((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})(?!\d)\s*日?"
    r"|(?<!\d)((?:19|20)\d{2})[-./]?(\d{2})[-./]?(\d{2})(?!\d)"
)


# Two dates read as one line (2013-06-172013-06-18): the first ends before the year.
_GLUED = re.compile(r"((?:19|20)\d{2}[-./]\d{1,2}[-./]\d{2})(?=(?:19|20)\d{2}[-./])")


def _valid(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def find_dates(text: str) -> list[dt.date]:
    """Every plausible date in ``text``, in order (O/0, I/1 confusions fixed)."""
    t = re.sub(r"[OoDQIl|]", lambda m: m.group(0).translate(TO_DIGIT), text)
    t = _GLUED.sub(r"\1 ", t)
    out = []
    for m in DATE.finditer(t):
        y, mo, d = m.groups()[:3] if m.group(1) else m.groups()[3:]
        date = _valid(y, mo, d)
        if date is not None:
            out.append(date)
    return out


def agreed_date(readings: Iterable[str], at_least: int = 2) -> dt.date | None:
    """The date most of ``readings`` of one place spell, when ``at_least`` of them do
    (the first read wins a tie). A date under a seal, read from a few crops, is spelled
    by some and garbled by others (2025-3014), and the first that parses may be a
    garbled one (2035-10-14). A reading whose separators were misread (2012 11-07)
    spells its eight digits."""
    return agreed((day for text in readings if (day := _spelled(text))), at_least)


def _spelled(text: str) -> dt.date | None:
    """The first date ``text`` spells, or its eight digits spell."""
    found = find_dates(text)
    if not found:
        digits = re.sub(r"\D", "", text.translate(TO_DIGIT))
        found = find_dates(digits) if len(digits) == 8 else []
    return found[0] if found else None


def iso(date: dt.date) -> str:
    return date.isoformat()


def compact(date: dt.date) -> str:
    return date.strftime("%Y%m%d")
