"""Guard rails and usage counts, kept in Redis so every web and worker process agrees.

- :class:`Blocks`: users an admin blocked, and the one refusal a day they get.
- :class:`RateLimit`: photos per user per sliding window.
- :class:`Quota`: WeChat OCR calls per endpoint per day, and the cloud engine
  wrapper (:class:`QuotaGuard`) that stops calling WeChat at the quota.
- :class:`Usage`: the daily counters ``/stats`` reads.

The webhook's checks run in Redis, inside its one script per message
(``bot/arrival.py``): each class here holds its piece as ``LUA``.

Days are Beijing days (UTC+8): WeChat's quotas reset at Beijing midnight, and
the operators read their statistics in that calendar too. Keys hold user ids
and endpoint names, never anything a user sent.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import redis

from bot.clock import BEIJING, beijing_day
from bot.ocr.base import DocType, Engine, Failure, OcrError, Recognition
from bot.store import key

DAY_KEEP = 9 * 86400  # daily counters outlive a 7-day report


class Blocks:
    """Blocked users, by identity (``official:<openid>``, ``wecom:<userid>``): an openid
    and a WeCom userid may be the same string and are not the same person."""

    NAME = key("blocked")

    # Whether ``who`` is blocked, and if so whether today's one refusal is still due (it is
    # claimed by asking: the key lives until Beijing midnight, ``ttl`` seconds away).
    LUA = """
local function blocked(members, refused, who, ttl)
  if redis.call('SISMEMBER', members, who) == 0 then return false, false end
  return true, redis.call('SET', refused, '1', 'NX', 'EX', ttl) ~= false
end
"""

    @staticmethod
    def refused(user: str) -> str:
        return key("refused", user)

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def block(self, user: str) -> bool:
        """True when the user was not blocked before."""
        return bool(self.redis.sadd(self.NAME, user))

    def unblock(self, user: str) -> bool:
        self.redis.delete(self.refused(user))
        return bool(self.redis.srem(self.NAME, user))

    def all(self) -> list[str]:
        return sorted(m.decode() for m in self.redis.smembers(self.NAME))


class RateLimit:
    """At most ``limit`` photos per user in any ``window`` seconds (a sliding window).

    A refused photo is not counted, so a user who keeps trying is not locked out
    for longer.
    """

    # 0 when the photo is allowed (and counted), else when the user may try again.
    LUA = """
local function take_photo(name, now, limit, window)
  if limit <= 0 then return 0 end
  redis.call('ZREMRANGEBYSCORE', name, 0, now - window)
  local n = redis.call('ZCARD', name)
  if n >= limit then
    local oldest = redis.call('ZRANGE', name, n - limit, n - limit, 'WITHSCORES')
    return tonumber(oldest[2]) + window
  end
  redis.call('ZADD', name, now, string.format('%.6f', now))
  redis.call('EXPIRE', name, window)
  return 0
end
"""
    TAKE = (
        LUA
        + """
return string.format('%.6f', take_photo(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
  tonumber(ARGV[3])))
"""
    )

    def __init__(self, client: redis.Redis, limit: int, window: int) -> None:
        self.limit = limit
        self.window = window
        self.script = client.register_script(self.TAKE)

    @staticmethod
    def name(channel: str, user: str) -> str:
        return key("rate", channel, user)

    def take(self, channel: str, user: str, now: float | None = None) -> float:
        """Count one photo (the webhook does this in its own script: ``bot/arrival.py``)."""
        now = time.time() if now is None else now
        args = [f"{now:.6f}", self.limit, self.window]
        return float(self.script(keys=[self.name(channel, user)], args=args))


class Quota:
    """WeChat OCR calls per endpoint per Beijing day, shared by every worker."""

    def __init__(self, client: redis.Redis, daily: int) -> None:
        self.redis = client
        self.daily = daily

    @staticmethod
    def name(day: date) -> str:
        return key("quota", day.isoformat())

    def take(self, endpoint: str, now: float | None = None) -> bool:
        """Count one call; False (and not counted) when today's quota is used up."""
        name = self.name(beijing_day(now))
        pipe = self.redis.pipeline()
        pipe.hincrby(name, endpoint, 1)
        pipe.expire(name, DAY_KEEP)
        used, _ = pipe.execute()
        if used > self.daily:
            self.redis.hincrby(name, endpoint, -1)
            return False
        return True

    def exhaust(self, endpoint: str, now: float | None = None) -> None:
        """WeChat said 101003: nothing more today, whatever our count says."""
        self.redis.hset(self.name(beijing_day(now)), endpoint, max(self.daily, 0))

    def used(self, day: date | None = None) -> dict[str, int]:
        raw = self.redis.hgetall(self.name(day or beijing_day()))
        return {k.decode(): int(v) for k, v in raw.items()}


class QuotaGuard:
    """The cloud engine, counted against :class:`Quota`.

    At the quota it answers ``Failure.QUOTA`` without calling WeChat, so a
    chain such as ``wechat,local`` falls through to the local engine.
    """

    def __init__(self, engine: Engine, quota: Quota) -> None:
        self.engine = engine
        self.quota = quota
        self.name = engine.name

    @property
    def doc_types(self) -> tuple[DocType, ...]:
        return self.engine.doc_types

    def recognize(self, image: bytes, doc_type: DocType, *, mode: str = "photo") -> Recognition:
        if doc_type in self.doc_types and not self.quota.take(doc_type.value):
            raise OcrError(Failure.QUOTA, f"daily quota of {self.quota.daily} calls used")
        try:
            return self.engine.recognize(image, doc_type, mode=mode)
        except OcrError as error:
            if error.errcode == 101003:
                self.quota.exhaust(doc_type.value)
            raise


@dataclass
class Report:
    """What ``/stats`` shows for a span of days (plain values for the handler)."""

    days: list[date]
    counts: dict[str, int] = field(default_factory=dict)
    durations: list[float] = field(default_factory=list)
    quota_used: dict[str, int] = field(default_factory=dict)  # today only
    quota_daily: int = 0

    def get(self, name: str) -> int:
        return self.counts.get(name, 0)

    def jobs(self) -> dict[tuple[str, str, str], int]:
        """(doc_type, engine, outcome) -> count."""
        out: dict[tuple[str, str, str], int] = {}
        for name, n in self.counts.items():
            if name.startswith("job:"):
                doc_type, engine, outcome = name.split(":")[1:4]
                out[(doc_type, engine, outcome)] = n
        return out

    def fallbacks(self) -> dict[str, int]:
        return {
            k[len("fallback:") :]: n for k, n in self.counts.items() if k.startswith("fallback:")
        }

    @property
    def median(self) -> float | None:
        return statistics.median(self.durations) if self.durations else None

    @property
    def p95(self) -> float | None:
        if not self.durations:
            return None
        ordered = sorted(self.durations)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


class Usage:
    """Daily counters for ``/stats``: one hash and one duration list per Beijing day."""

    MAX_DURATIONS = 20000  # per day; enough for a median and a p95

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @staticmethod
    def names(day: date) -> tuple[str, str]:
        """The day's counters (a hash) and its job durations (a list)."""
        return key("usage", day.isoformat()), key("usage", day.isoformat(), "seconds")

    def count(self, name: str, n: int = 1, now: float | None = None) -> None:
        counts, _ = self.names(beijing_day(now))
        pipe = self.redis.pipeline()
        pipe.hincrby(counts, name, n)
        pipe.expire(counts, DAY_KEEP)
        pipe.execute()

    def job(self, doc_type: str, engine: str, outcome: str, seconds: float | None = None) -> None:
        """One answered job; ``seconds`` from the photo's arrival to the answer."""
        counts, durations = self.names(beijing_day())
        pipe = self.redis.pipeline()
        pipe.hincrby(counts, f"job:{doc_type}:{engine or '-'}:{outcome}", 1)
        pipe.expire(counts, DAY_KEEP)
        if seconds is not None and seconds >= 0:
            pipe.lpush(durations, f"{seconds:.3f}")
            pipe.ltrim(durations, 0, self.MAX_DURATIONS - 1)
            pipe.expire(durations, DAY_KEEP)
        pipe.execute()

    def report(self, days: Iterable[date], quota: Quota) -> Report:
        report = Report(days=list(days), quota_used=quota.used(), quota_daily=quota.daily)
        for day in report.days:
            counts, durations = self.names(day)
            for name, n in self.redis.hgetall(counts).items():
                report.counts[name.decode()] = report.get(name.decode()) + int(n)
            report.durations += [float(s) for s in self.redis.lrange(durations, 0, -1)]
        return report


def last_days(n: int, now: float | None = None) -> list[date]:
    today = beijing_day(now)
    return [today - timedelta(days=i) for i in range(n)]


__all__ = [
    "BEIJING",
    "Blocks",
    "Quota",
    "QuotaGuard",
    "RateLimit",
    "Report",
    "Usage",
    "beijing_day",
    "last_days",
]
