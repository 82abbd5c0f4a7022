"""What every document module shares: the ``Check`` result, the ``Spec`` a module
exports, and the date checks (real date, not in the future, not expired).

Dates come as ``YYYY-MM-DD`` (the WeChat OCR format); a few tolerant parsers
accept the other spellings printed on cards (``2027.01.05``, ``20270105``,
``2027年01月05日``) because the local engine reads what is printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.clock import beijing_day

# A date within this many days from today counts as "expiring soon".
EXPIRY_WARNING_DAYS = 30

# 长期 / 永久 on a document means "no end date".
LONG_TERM_WORDS = ("长期", "永久", "长久")


@dataclass(frozen=True)
class Check:
    """One check shown to the user.

    ``ok`` is ``True`` (passed, ✅), ``False`` (problem, ⚠️) or ``None``
    (information only, ℹ️, e.g. the issuing bank). ``message`` is a short
    Chinese sentence and never holds a full ID or card number.
    """

    name: str
    ok: bool | None
    message: str

    @property
    def icon(self) -> str:
        return {True: "✅", False: "⚠️", None: "ℹ️"}[self.ok]


Fields = Mapping[str, Any]


@dataclass(frozen=True)
class Spec:
    """What a document module tells the rest of ``bot.cards``.

    ``title`` and ``lines`` are optional hooks: the ID card adds 正面/背面 to its
    title, general text prints its text lines instead of ``标签：值`` lines.
    """

    labels: dict[str, str]
    checks: Callable[[Fields, date], list[Check]]
    mask: Callable[[Fields], dict[str, Any]]
    title: Callable[[Fields], str] | None = None
    lines: Callable[[Fields], list[str]] | None = None
    # Field -> code -> what the user reads (plate colour ``white`` -> 白色); display only.
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def china_today() -> date:
    """Today in China (UTC+8): where the cards read the clock, for ``today=None``."""
    return beijing_day()


_DATE_RE = re.compile(
    r"(?<!\d)(?:(\d{4})(\d{2})(\d{2})"  # 20270105
    r"|(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?)(?!\d)"  # 2027-01-05, 2027年1月5日
)


def _to_date(m: re.Match[str]) -> date | None:
    y, mo, d = (int(g) for g in m.groups() if g is not None)
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def parse_date(value: Any) -> date | None:
    """A ``date`` from ``YYYY-MM-DD`` (or ``YYYYMMDD``, ``YYYY.MM.DD``, ``YYYY年M月D日``).

    ``None`` when the text is not exactly one real calendar date.
    """
    if not isinstance(value, str):
        return None
    m = _DATE_RE.fullmatch(value.strip())
    return _to_date(m) if m else None


def find_dates(text: str) -> list[date]:
    """Every real date written in ``text`` (for free-form fields such as 营业期限)."""
    return [d for d in map(_to_date, _DATE_RE.finditer(text)) if d is not None]


def is_long_term(value: Any) -> bool:
    return isinstance(value, str) and any(w in value for w in LONG_TERM_WORDS)


def date_checks(
    fields: Fields,
    labels: Mapping[str, str],
    *,
    real: tuple[str, ...],
    past: tuple[str, ...] = (),
    today: date,
) -> list[Check]:
    """Every field in ``real`` must be a real date, those in ``past`` not in the future.

    Reports each problem on its own line (``date_<field>``) and, when there is
    none, a single ✅ so a long licence does not get five "date ok" lines.
    """
    problems: list[Check] = []
    seen = 0
    for name in real:
        value = fields.get(name)
        if value in (None, ""):
            continue
        label = labels.get(name, name)
        if name not in past and is_long_term(value):
            seen += 1
            continue
        parsed = parse_date(value)
        if parsed is None:
            problems.append(Check(f"date_{name}", False, f"{label}不是有效日期，可能识别有误"))
        elif name in past and parsed > today:
            problems.append(Check(f"date_{name}", False, f"{label}晚于今天，不可能，请核对"))
        else:
            seen += 1
    if problems:
        return problems
    return [Check("dates", True, "日期均为有效日期")] if seen else []


def expiry_check(
    end: date | None,
    today: date,
    *,
    what: str = "证件",
    long_term: bool = False,
    warn_days: int = EXPIRY_WARNING_DAYS,
) -> Check:
    """Expired, expiring within ``warn_days`` (end day included), still valid, or 长期."""
    if long_term:
        return Check("expiry", True, f"{what}长期有效")
    if end is None:
        return Check("expiry", False, f"{what}有效期无法识别，请核对")
    left = (end - today).days
    if left < 0:
        return Check("expiry", False, f"{what}已于 {end.isoformat()} 过期")
    if left == 0:
        return Check("expiry", False, f"{what}今天（{end.isoformat()}）到期")
    if left <= warn_days:
        return Check("expiry", False, f"{what}将在 {left} 天后（{end.isoformat()}）到期")
    return Check("expiry", True, f"{what}有效期至 {end.isoformat()}")


def text_value(value: Any) -> str:
    """A field value as one line of text (lists joined, ``None`` empty)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(text_value(v) for v in value if v not in (None, ""))
    return str(value).strip()
