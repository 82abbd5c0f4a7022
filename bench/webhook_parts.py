"""Where a webhook request's time goes: the bot's /wechat, in one process, part by part.

Runs distinct safe-mode image messages (as ``bench/webhook.py`` makes them) through the
app with Flask's test client, no HTTP server, against a throwaway Redis, and times each
part of the request with a wrapper around the function that does it. Beside it, the
same client on a bare Flask endpoint: the floor that every request pays.

    .venv/bin/python bench/webhook_parts.py [--messages 3000]
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, MultiFernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bare_app import app as bare_app  # noqa: E402
from bench.webhook import AES_KEY, APPID, TOKEN, make_messages  # noqa: E402
from bot import create_app, webhook  # noqa: E402
from bot.arrival import Arrivals  # noqa: E402
from bot.channels.official import OfficialChannel  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.devtools.redis_server import start_redis  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.store import CheckedWrite  # noqa: E402

# (label, owner, attribute): each wrapped to add its time to its label.
PARTS = [
    ("verify, decrypt, parse (channel)", OfficialChannel, "parse"),
    ("handlers on the guess, record writes, Fernet", webhook, "converse_once"),
    ("the round trip: arrival script and writes", Arrivals, "arrive"),
    ("a second round trip (a wrong guess)", CheckedWrite, "__call__"),
    ("encrypt the reply (channel)", OfficialChannel, "seal"),
]


def timed(spent: dict[str, float], label: str, fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start

    return wrapper


def run(client: Any, messages: list[tuple[str, str]]) -> float:
    """Seconds per message."""
    start = time.perf_counter()
    for path, body in messages:
        answer = client.post(path, data=body)
        assert answer.status_code == 200 and answer.data, answer.status_code
    return (time.perf_counter() - start) / len(messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    redis = start_redis()
    try:
        settings = Settings(
            redis_url=redis.url,
            wechat_token=TOKEN,
            wechat_appid=APPID,
            wechat_aes_key=AES_KEY,
            wechat_secret="unused",
            data_key=Fernet.generate_key().decode(),
            log_level="WARNING",
        )
        bot = create_app(runtime=Runtime(settings)).test_client()
        bare = bare_app.test_client()
        spent: dict[str, float] = defaultdict(float)
        for label, owner, name in PARTS:
            setattr(owner, name, timed(spent, label, getattr(owner, name)))
        fernet = MultiFernet([Fernet(Fernet.generate_key())])
        warm = make_messages(1, 300, 1)[0]
        run(bot, warm)
        run(bare, warm)
        totals, bares, parts = [], [], defaultdict(list)
        for r in range(args.rounds):
            messages = make_messages(1, args.messages, 10 + r)[0]
            spent.clear()
            totals.append(run(bot, messages))
            for label, seconds in spent.items():
                parts[label].append(seconds / len(messages))
            bares.append(run(bare, messages))
        start = time.perf_counter()
        for _ in range(args.messages):
            fernet.encrypt(b'{"step": "photo", "media_id": "media-o1c000u0000001", "at": 1}')
        parts["(of which one Fernet encrypt)"] = [(time.perf_counter() - start) / args.messages]
    finally:
        redis.stop()

    def us(values: list[float]) -> float:
        return statistics.median(values) * 1e6 if values else 0.0  # a part that never ran

    total, floor = us(totals), us(bares)
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
          f"{args.messages} messages × {args.rounds} rounds, medians")  # fmt: skip
    print("\n| part of a request | µs | share |")
    print("|---|---|---|")
    for label, _owner, _name in PARTS:
        print(f"| {label} | {us(parts[label]):.0f} | {us(parts[label]) / total:.0%} |")
    print(f"| (of which one Fernet encrypt) | {us(parts['(of which one Fernet encrypt)']):.0f} | |")
    accounted = sum(us(parts[label]) for label, _o, _n in PARTS)
    print(f"| the rest: Flask, request ids, metrics | {total - accounted:.0f} | "
          f"{(total - accounted) / total:.0%} |")  # fmt: skip
    print(f"| **bot /wechat, whole request** | **{total:.0f}** | 100% |")
    print(f"| bare Flask endpoint, whole request | {floor:.0f} | {floor / total:.0%} |")


if __name__ == "__main__":
    main()
