"""Every reliability scenario of docs/reliability.md against the Procfile's own processes.

Starts redis-server, the emulator, the Procfile's ``web`` (gunicorn) and two
of its ``worker``, then breaks things the way production does (a failed
first try, WeChat's retries, a SIGKILLed worker, pushes that time out, menus
that fail, a user's messages at once, Redis restarts, WeChat's errors) and
prints one table: scenario, expected, seen, held.

    .venv/bin/python bench/chaos.py [--backoff "[3, 6]"]

The retry backoff is shortened (production: [10, 30, 90]) so that the menu
scenario, which waits out every retry, ends in seconds; the SIGKILL bound
the tests hold (60 s) is for the production backoff.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rq import Worker
from rq.job import Job

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import ID_FRONT, MASKED_ID, Stack, photo, wait_until  # noqa: E402

OCR_PATH = "/cv/ocr/idcard"
SEND_PATH = "/cgi-bin/message/custom/send"
TOKEN_PATH = "/cgi-bin/stable_token"
KILL_BOUND = 60.0  # seconds from a worker's SIGKILL to the answer
REDIS_BOUND = 30.0  # seconds from Redis being back to the next answer
seeds = itertools.count(1)
users = itertools.count(1)


def user() -> str:
    return f"chaos-{next(users)}"


def idcard_photo(stack: Stack, who: str, *, preselect: bool = True):
    """The user taps 身份证 and sends a photo; returns the image message (not yet sent)."""
    peer = stack.official
    if preselect:
        peer.deliver(peer.click(who, "OCR_IDCARD"))
    media_id, pic_url = stack.upload(photo(next(seeds) + 5000), ID_FRONT)
    return peer.image(who, media_id, pic_url)


def answers(stack: Stack, who: str) -> list[str]:
    return [t for t in stack.texts(who) if MASKED_ID in t.replace(" ", "")]


def settle(stack: Stack, who: str, timeout: float = 60.0) -> float:
    """Seconds until ``who`` has an answer; then a moment more for any duplicate."""
    took = wait_until(lambda: answers(stack, who), timeout, f"{who}'s answer", 0.2)
    time.sleep(2)
    return took


# -- the scenarios: each returns (expected, seen, held) ------------------------------------


def first_try_failed(stack: Stack):
    who = user()
    message = idcard_photo(stack, who)
    stack.client.acl_setuser(
        "default",
        enabled=True,
        nopass=True,
        commands=["+@all", "-rpush"],
        keys=["*"],
        channels=["*"],
        reset=True,
    )
    try:
        first = stack.official.deliver(message).attempts[0].status
    finally:
        stack.client.acl_setuser(
            "default",
            enabled=True,
            nopass=True,
            commands=["+@all"],
            keys=["*"],
            channels=["*"],
            reset=True,
        )
    retry = stack.official.deliver(message).attempts[0].status
    settle(stack, who)
    n = len(answers(stack, who))
    seen = f"first try {first}, retry {retry}, {n} answer(s)"
    return "first try 500, the retry processes it: 1 answer", seen, first == 500 and n == 1


def retry_answered_at_once(stack: Stack):
    peer, who = stack.official, user()
    message = peer.text(who, "帮助")
    peer.deliver(message)
    times = [peer.deliver(message).attempts[0].elapsed_ms for _ in range(20)]
    median = sorted(times)[len(times) // 2]
    return (
        "retry answered from the saved reply, < 100 ms",
        f"median {median:.0f} ms of 20",
        (median < 100),
    )


def concurrent_tries(stack: Stack):
    who = user()
    message = idcard_photo(stack, who)
    delivery = stack.official.deliver(message, tries=3, concurrent=True)
    replies = {a.reply["Content"] for a in delivery.attempts if a.reply}
    settle(stack, who)
    n = len(answers(stack, who))
    seen = (
        f"statuses {[a.status for a in delivery.attempts]}, {len(replies)} reply text, {n} answer"
    )
    return "3 tries at once: one job, one answer", seen, len(replies) == 1 and n == 1


def running_job(stack: Stack) -> tuple[Job, int]:
    for worker in Worker.all(connection=stack.client):
        job_id = worker.get_current_job_id()
        if job_id:
            return Job.fetch(job_id, connection=stack.client), worker.pid
    raise LookupError("no job running")


def worker_killed(stack: Stack):
    who = user()
    stack.fault(OCR_PATH, delay=8)
    stack.official.deliver(idcard_photo(stack, who))
    wait_until(lambda: running_job(stack), 30, "the job to start")
    _, pid = running_job(stack)
    [victim] = [w for w in stack.worker_procs if w.pid == pid]
    victim.kill()
    took = wait_until(lambda: answers(stack, who), KILL_BOUND + 30, "the answer", 0.5)
    time.sleep(2)
    n = len(answers(stack, who))
    victim.start()  # the platform restarts the process
    seen = f"answered {took:.0f} s after the SIGKILL, {n} answer"
    return (
        f"one answer within {KILL_BOUND:.0f} s of the SIGKILL",
        seen,
        took < KILL_BOUND and n == 1,
    )


def push_stalls(stack: Stack):
    who = user()
    stack.fault(SEND_PATH, stall=12)  # longer than HTTP_TIMEOUT (10 s): our client gives up
    stack.official.deliver(idcard_photo(stack, who))
    settle(stack, who)
    time.sleep(12)
    n = len(answers(stack, who))
    return "push carried out but answered late: 1 answer, not 2", f"{n} answer", n == 1


def menu_fails(stack: Stack, backoff: list[int]):
    who, peer = user(), stack.official
    stack.fault(SEND_PATH, count=len(backoff) + 1, errcode=-1)
    media_id, pic_url = stack.upload(photo(next(seeds) + 5000), ID_FRONT)
    peer.deliver(peer.image(who, media_id, pic_url))
    wait_until(lambda: stack.messages(who), sum(backoff) + 60, "the menu", 0.5)
    kinds = [m["body"]["msgtype"] for m in stack.messages(who)]
    text_menu = (
        kinds == ["text"] and "1. 身份证" in stack.messages(who)[0]["body"]["text"]["content"]
    )
    seen = f"{len(backoff) + 1} msgmenu pushes refused, then {kinds}"
    return "msgmenu retried, then the text menu", seen, text_menu


def one_user_at_once(stack: Stack):
    peer = stack.official
    whos = [user() for _ in range(6)]
    media_id, _ = stack.upload(photo(next(seeds) + 5000), ID_FRONT)
    messages = [m for w in whos for m in (peer.text(w, "身份证"), peer.image(w, media_id))]
    stack.client.execute_command("CLIENT", "PAUSE", 500, "WRITE")
    with ThreadPoolExecutor(len(messages)) as pool:
        list(pool.map(peer.deliver, messages))
    wait_until(lambda: all(answers(stack, w) for w in whos), 60, "the answers", 0.5)
    time.sleep(2)
    counts = [len(answers(stack, w)) for w in whos]
    seen = f"answers per user {counts}"
    return "tap + photo at once, 6 users: 1 answer each", seen, counts == [1] * len(whos)


def redis_restart_data_lost(stack: Stack):
    pids = {p.name: p.pid for p in stack.processes()}
    stack.redis.kill()
    health_down = stack.health()
    peer = stack.official
    webhook_down = peer.deliver(peer.text(user(), "帮助")).attempts[0].status
    time.sleep(3)
    stack.start_redis()
    back = time.monotonic()
    wait_until(lambda: stack.health() == 200, 30, "healthz")
    who = user()
    stack.official.deliver(idcard_photo(stack, who))
    wait_until(lambda: answers(stack, who), REDIS_BOUND + 30, "the answer", 0.5)
    took = time.monotonic() - back
    same = all(p.alive() and p.pid == pids[p.name] for p in stack.processes())
    seen = f"healthz {health_down}, webhook {webhook_down}; next photo answered {took:.0f} s after"
    seen += ", same processes" if same else ", a process died"
    held = health_down == 503 and webhook_down == 503 and took < REDIS_BOUND and same
    return f"503 while down; next photo within {REDIS_BOUND:.0f} s, no restart", seen, held


def redis_restart_scheduled_retry(stack: Stack, backoff: list[int]):
    stack.redis.kill()
    stack.start_redis(keep_data=True)  # from here on an append-only file keeps the data
    wait_until(lambda: stack.client.exists("rq:scheduler-lock:ocr"), 60, "the scheduler")
    who = user()
    stack.fault(OCR_PATH, errcode=-1)
    stack.official.deliver(idcard_photo(stack, who))
    registry = "rq:scheduled:ocr"
    wait_until(lambda: stack.client.zcard(registry) == 1, 30, "the scheduled retry")
    failed = time.monotonic()
    stack.redis.kill()
    time.sleep(2)
    stack.redis.start()
    wait_until(stack.client.ping, 10, "redis")
    wait_until(lambda: answers(stack, who), backoff[0] + REDIS_BOUND + 30, "the answer", 0.5)
    took = time.monotonic() - failed
    bound = backoff[0] + REDIS_BOUND
    seen = f"retry due {backoff[0]} s after the failure, answered after {took:.0f} s"
    return f"the retry runs, within {bound:.0f} s (RQ: 10 min)", seen, took < bound


def wechat_fault(
    path: str, what: dict, count: int, expect: str, most: int
) -> Callable[[Stack], tuple[str, str, bool]]:
    def scenario(stack: Stack):
        who = user()
        if path == TOKEN_PATH:  # make the bot fetch a token: forget the one it holds
            for name in stack.client.scan_iter("ocrbot:token*"):
                stack.client.delete(name)
        before = stack.last_call()
        stack.fault(path, count=count, **what)
        stack.official.deliver(idcard_photo(stack, who))
        time.sleep(2)
        wait_until(lambda: not busy(stack), 120, "the queues to drain", 0.5)
        time.sleep(max(what.get("delay", 0), what.get("stall", 0)) + 1)
        n = len(stack.calls(path, after=before))
        got = stack.texts(who)
        if expect == "answer":
            ok = len(answers(stack, who)) == 1 and len(got) == 1
        elif expect == "nothing":
            ok = got == []
        else:
            ok = len(got) == 1 and expect in got[0]
        alive = all(w.alive() for w in stack.worker_procs)
        seen = f"{n} call(s), user got {summary(got)}" + ("" if alive else ", A WORKER DIED")
        stack.reset_emulator()  # no fault left for the next scenario
        return f"≤ {most} call(s); {expect}", seen, ok and n <= most and alive

    return scenario


def busy(stack: Stack) -> bool:
    queues = ("ocr", "ocr-push")
    pending = sum(stack.client.llen(f"rq:queue:{q}") for q in queues)
    pending += sum(stack.client.zcard(f"rq:scheduled:{q}") for q in queues)
    pending += sum(stack.client.zcard(f"rq:wip:{q}") for q in queues)
    return pending > 0


def summary(texts: list[str]) -> str:
    if not texts:
        return "nothing"
    return " / ".join("the answer" if MASKED_ID in t.replace(" ", "") else t[:16] for t in texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backoff", default="[3, 6]", help="RETRY_INTERVALS for the run")
    args = parser.parse_args()
    backoff = [int(x) for x in args.backoff.strip("[]").split(",")]
    tries = len(backoff) + 1
    stack = Stack(
        workers=2,
        retry_intervals=args.backoff,
        extra_env={"WECHAT_MENU_STYLE": "msgmenu"},
    )
    scenarios: list[tuple[str, Callable[[Stack], tuple[str, str, bool]]]] = [
        ("first try failed (Redis refused the enqueue)", first_try_failed),
        ("WeChat's retry of an answered message", retry_answered_at_once),
        ("three tries of one photo at once", concurrent_tries),
        ("worker SIGKILLed mid-job", worker_killed),
        ("push answered after our timeout", push_stalls),
        ("msgmenu push fails every try", lambda s: menu_fails(s, backoff)),
        ("one user's tap and photo at once", one_user_at_once),
        ("WeChat: OCR -1 always", wechat_fault(OCR_PATH, {"errcode": -1}, 99, "繁忙", tries)),
        ("WeChat: OCR 45009", wechat_fault(OCR_PATH, {"errcode": 45009}, 99, "次数已用完", 1)),
        ("WeChat: OCR HTTP 503 always", wechat_fault(OCR_PATH, {"status": 503}, 99, "繁忙", tries)),
        ("WeChat: OCR stalls past timeout", wechat_fault(OCR_PATH, {"delay": 12}, 1, "answer", 2)),
        (
            "WeChat: OCR says 42001 (token expired) once",
            wechat_fault(OCR_PATH, {"errcode": 42001}, 1, "answer", 2),
        ),
        (
            "WeChat: token endpoint -1 once",
            wechat_fault(TOKEN_PATH, {"errcode": -1}, 1, "answer", 3),
        ),
        ("WeChat: push 45015", wechat_fault(SEND_PATH, {"errcode": 45015}, 99, "nothing", 1)),
        ("WeChat: push 45047", wechat_fault(SEND_PATH, {"errcode": 45047}, 99, "nothing", 1)),
        (
            "WeChat: push HTTP 502 always",
            wechat_fault(SEND_PATH, {"status": 502}, 99, "nothing", 3 * (tries + 1)),
        ),
        (
            "Redis restart, data kept: scheduled retry",
            lambda s: redis_restart_scheduled_retry(s, backoff),
        ),
        ("Redis restart, data lost", redis_restart_data_lost),
    ]
    rows = []
    stack.start()
    try:
        for name, scenario in scenarios:
            started = time.monotonic()
            try:
                expected, seen, held = scenario(stack)
            except Exception as error:  # noqa: BLE001 - a scenario that breaks is a row too
                expected, seen, held = "-", f"{type(error).__name__}: {error}", False
            rows.append((name, expected, seen, held, time.monotonic() - started))
            print(f"{'held' if held else 'FAILED'}: {name}: {seen}", file=sys.stderr, flush=True)
        alive = all(p.alive() for p in stack.processes())
    finally:
        failed = not all(r[3] for r in rows)
        stack.stop(keep_logs=failed)
        if failed:
            print(f"logs kept in {stack.workdir}", file=sys.stderr)
    print(
        f"\nchaos: Procfile web + 2 workers, backoff {backoff}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
    )
    print("| scenario | expected | seen | held |\n|---|---|---|---|")
    for name, expected, seen, held, _ in rows:
        print(f"| {name} | {expected} | {seen} | {'yes' if held else '**no**'} |")
    print(
        f"\n{sum(r[3] for r in rows)} of {len(rows)} held; every process alive at the end: "
        f"{'yes' if alive else 'no'}"
    )
    sys.exit(0 if all(r[3] for r in rows) and alive else 1)


if __name__ == "__main__":
    main()
