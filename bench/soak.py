"""Ten minutes of mixed traffic on the Procfile's processes: memory flat, nothing lost.

A steady stream at the webhook (photos with a preselected type, photos then a
typed choice, WeChat's retries of a message, admin commands, help texts, bad
signatures and malformed bodies) while two workers recognize (the emulated
WeChat OCR API by default, ``--engine local`` for the offline models). At the
end every photo must have exactly one answer, no request may have had an
unexpected status, and each process's resident memory (gunicorn's workers and
the RQ worker's scheduler counted with their parent) is printed at launch,
after the warm-up and at the end.

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 3] [--engine wechat]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import ADMIN, ID_FRONT, MASKED_ID, Stack, photo, rss_kib, wait_until  # noqa: E402

WARM_UP = 30.0  # seconds of traffic before the "start" memory reading
ANSWER_WAIT = 120.0  # seconds after the traffic for the last answers


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    unexpected: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    photo_users: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, kind: str, status: int | None, expected: set[int | None]) -> None:
        with self.lock:
            self.kinds[kind] += 1
            self.statuses[status] += 1
            if status not in expected:
                self.unexpected[f"{kind}:{status}"] += 1


class Traffic:
    def __init__(self, stack: Stack, tally: Tally) -> None:
        self.stack = stack
        self.tally = tally
        self.seeds = itertools.count(1000)
        self.users = itertools.count(1)

    def user(self) -> str:
        return f"soak-{next(self.users)}"

    def photo(self, user: str) -> tuple[str, str]:
        return self.stack.upload(photo(next(self.seeds)), ID_FRONT)

    def preselected_photo(self) -> None:
        peer, user = self.stack.official, self.user()
        self.send("click", peer.click(user, "OCR_IDCARD"))
        media_id, pic_url = self.photo(user)
        with self.tally.lock:
            self.tally.photo_users.append(user)
        self.send("photo", peer.image(user, media_id, pic_url))

    def photo_then_choice(self) -> None:
        peer, user = self.stack.official, self.user()
        media_id, pic_url = self.photo(user)
        with self.tally.lock:
            self.tally.photo_users.append(user)
        self.send("photo", peer.image(user, media_id, pic_url))
        self.send("choice", peer.text(user, "1"))

    def retried_photo(self) -> None:
        """WeChat's three tries of one message, back to back."""
        peer, user = self.stack.official, self.user()
        self.send("click", peer.click(user, "OCR_IDCARD"))
        media_id, pic_url = self.photo(user)
        with self.tally.lock:
            self.tally.photo_users.append(user)
        self.send("retried", peer.image(user, media_id, pic_url), tries=3)

    def admin(self) -> None:
        self.send("admin", self.stack.official.text(ADMIN, random.choice(["/stats", "/queue"])))

    def help(self) -> None:
        self.send("help", self.stack.wecom.text(self.user(), "帮助"), peer=self.stack.wecom)

    def bad_signature(self) -> None:
        peer = self.stack.official
        delivery = peer.deliver(peer.text(self.user(), "hi"), bad_signature=True)
        self.tally.saw("bad-signature", delivery.attempts[0].status, {403})

    def malformed(self) -> None:
        attempt = self.stack.official.deliver_raw(b"<xml><ToUserName>")
        self.tally.saw("malformed", attempt.status, {400, 403})

    def send(self, kind: str, message, tries: int = 1, peer=None) -> None:
        peer = peer or self.stack.official
        delivery = peer.deliver(message, tries=tries)
        for attempt in delivery.attempts:
            self.tally.saw(kind, attempt.status, {200})

    MIX = (
        ("preselected_photo", 3),
        ("photo_then_choice", 2),
        ("retried_photo", 1),
        ("admin", 1),
        ("help", 2),
        ("bad_signature", 1),
        ("malformed", 1),
    )

    def one(self) -> None:
        names, weights = zip(*self.MIX, strict=True)
        getattr(self, random.choices(names, weights)[0])()


def memory(stack: Stack) -> dict[str, int]:
    return {p.name: rss_kib(p.pid) for p in stack.processes()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=3.0, help="messages a second")
    parser.add_argument("--engine", default="wechat", choices=["wechat", "local"])
    args = parser.parse_args()

    stack = Stack(workers=2, engine=args.engine).start()
    tally = Tally()
    traffic = Traffic(stack, tally)
    readings = {"launch": memory(stack)}
    failures: list[str] = []
    try:
        started = time.monotonic()
        end = started + args.minutes * 60
        with ThreadPoolExecutor(16) as pool:
            tick = 0
            while time.monotonic() < end:
                pool.submit(guard(traffic.one, failures))
                tick += 1
                if "warm" not in readings and time.monotonic() - started > WARM_UP:
                    readings["warm"] = memory(stack)
                time.sleep(max(0.0, started + tick / args.rate - time.monotonic()))
        traffic_seconds = time.monotonic() - started
        users = list(tally.photo_users)
        wait_until(lambda: all(stack.texts(u) for u in users), ANSWER_WAIT, "the last answers", 1)
    except RuntimeError as error:
        failures.append(str(error))
    finally:
        readings["end"] = memory(stack)
        users = list(tally.photo_users)
        answers = Counter(len(stack.texts(u)) for u in users)
        wrong = sum(1 for u in users for t in stack.texts(u) if MASKED_ID not in t.replace(" ", ""))
        alive = {p.name: p.alive() for p in stack.processes()}
        stack.stop()

    print(
        f"\nsoak: {traffic_seconds:.0f} s at {args.rate:g} msg/s, engine {args.engine}, "
        f"2 workers; {sum(tally.kinds.values())} requests"
    )
    print("\n| traffic | requests |\n|---|---|")
    for kind, n in sorted(tally.kinds.items()):
        print(f"| {kind} | {n} |")
    print("\n| process | RSS launch (MiB) | after warm-up | end | growth since warm-up | alive |")
    print("|---|---|---|---|---|---|")
    for name in readings["launch"]:
        launch, warm, last = (readings[k].get(name, 0) / 1024 for k in ("launch", "warm", "end"))
        print(
            f"| {name} | {launch:.1f} | {warm:.1f} | {last:.1f} | {last - warm:+.1f} "
            f"| {'yes' if alive[name] else 'NO'} |"
        )
    print("\n| check | result |\n|---|---|")
    print(f"| photos sent | {len(users)} |")
    print(f"| answered exactly once | {answers.get(1, 0)} |")
    print(f"| lost (no answer) | {answers.get(0, 0)} |")
    print(f"| answered twice or more | {sum(n for k, n in answers.items() if k > 1)} |")
    print(f"| answers without the masked number | {wrong} |")
    print(f"| unexpected HTTP statuses | {dict(tally.unexpected) or 'none'} |")
    shown = "; ".join(failures[:5]) + (f" (+{len(failures) - 5} more)" if len(failures) > 5 else "")
    print(f"| errors in the driver | {len(failures)} {shown} |")


def guard(action, failures: list[str]):
    def run() -> None:
        try:
            action()
        except Exception as error:  # noqa: BLE001 - counted and reported, the soak goes on
            failures.append(f"{type(error).__name__}: {error}")

    return run


if __name__ == "__main__":
    main()
