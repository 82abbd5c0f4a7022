"""Beijing time (UTC+8), the one clock of the bot.

WeChat's quotas reset at Beijing midnight, operators read their statistics in
Beijing days, and users read dates (a licence "expired today") in that calendar.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def beijing_day(now: float | None = None) -> date:
    """The Beijing date at ``now`` (a Unix time; the present by default)."""
    return datetime.fromtimestamp(time.time() if now is None else now, BEIJING).date()


def seconds_to_beijing_midnight(now: float | None = None) -> int:
    """Seconds from ``now`` to the next Beijing midnight (at least 1)."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, BEIJING)
    midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), BEIJING)
    return max(1, int((midnight - moment).total_seconds()))
