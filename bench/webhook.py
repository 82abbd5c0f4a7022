"""Webhook throughput and latency: encrypted image messages through gunicorn.

One run, one table: three endpoints, each on two gunicorn settings (the same for all three):

- settings: gunicorn's default sync workers (``--workers 2``, no worker class) and the
  production ones, read from ``scripts/web`` (the Procfile's ``web``: gthread, 2 × 8);
- endpoints: the bot's ``/wechat`` in safe mode (verify, decrypt, parse, dedupe, state in
  Redis, encrypted reply), a bare Flask endpoint that only answers ``success``
  (``bench/bare_app.py``: the floor of the stack on this machine), the least a safe-mode
  bot must do (``bench/floor_app.py``: signatures, decryption, one Redis round trip, an
  encrypted reply; the floor of any bot on this stack) and WeRoBot answering
  the same messages with an encrypted text reply (``bench/werobot_app.py``; installed
  from the ``bench`` extra of pyproject.toml when missing).

Every row gets a fresh Redis and a fresh gunicorn, one request first to check the answer
(decrypted where it is encrypted), a warm-up, then ``--seconds`` of load from
``--connections`` connections. Each connection sends its own messages, none twice: a
repeated message is WeChat retrying and is answered differently. Every message has its
own MsgId, user, nonce and signatures, all encrypted before the clock starts. Each answer
must be a non-empty 200; the others are counted as errors.

The load comes from wrk (``apt-get install wrk``; ``bench/webhook.lua``), one thread and
one keep-alive connection each (sync workers close every connection: wrk reconnects).
``--client python`` uses one ``requests.Session`` per connection instead: slower, and it
shares the 2 cores with the servers, so it is the ceiling that shows, not the server.

    .venv/bin/python bench/webhook.py [--seconds 10] [--connections 16]
        [--client wrk|python] [--settings sync gthread] [--endpoints bot bare floor werobot]
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import math
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from wechatpy.crypto import PrpCrypto
from wechatpy.utils import to_text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.worker import machine  # noqa: E402
from bot.devtools.peer import OfficialPeer  # noqa: E402
from bot.devtools.redis_server import free_port, start_redis  # noqa: E402

TOKEN, APPID = "benchtoken", "wxbench000000001"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
LUA = ROOT / "bench" / "webhook.lua"
ENDPOINTS = {  # name: gunicorn's app
    "bot": "bot:create_app()",
    "bare": "bench.bare_app:app",
    "floor": "bench.floor_app:app",
    "werobot": "bench.werobot_app:app",
}
LABELS = {"bot": "bot /wechat", "bare": "bare Flask", "floor": "floor", "werobot": "WeRoBot"}
Messages = list[list[tuple[str, str]]]  # per connection: (request target, body)


def production_gunicorn(script: str) -> list[str]:
    """The options of the ``exec gunicorn`` line of ``scripts/web``, without ``--bind`` and
    the app: ``${VAR:-default}`` is read as its default (the bench does not read them)."""
    joined = script.replace("\\\n", " ")
    line = next(ln for ln in joined.splitlines() if ln.strip().startswith("exec gunicorn"))
    line = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line)
    words = shlex.split(line)[2:-1]  # neither "exec gunicorn" nor the app
    options: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--bind", "-b"):
            skip = True
        elif not word.startswith("--bind="):
            options.append(word)
    return options


SETTINGS = {
    "sync": ["--workers", "2"],
    "gthread": production_gunicorn((ROOT / "scripts" / "web").read_text()),
}
SETTING_LABELS = {"sync": "sync (default)", "gthread": "gthread (Procfile)"}


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    ran_out: bool  # a connection sent all its messages before the end: req/s is low
    cpu_us: float = 0.0  # CPU time of the server's processes (gunicorn, Redis) per request

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def ensure_werobot() -> None:
    """Install the ``bench`` extra (WeRoBot) into this interpreter when it is missing."""
    if importlib.util.find_spec("werobot"):
        return
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = extra["optional-dependencies"]["bench"]
    print(f"installing {' '.join(specs)} (the bench extra)", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *specs], check=True)


def make_messages(connections: int, per_connection: int, tag: int) -> Messages:
    """Signed, encrypted image messages, each from its own user with its own MsgId and
    nonce; ``tag`` keeps the warm-up's apart from the measurement's. wechatpy encrypts, as
    ``OfficialPeer.encrypt`` does, without reading back the envelope (half the time)."""
    peer = OfficialPeer("http://unused", TOKEN, APPID, AES_KEY, "safe")
    prp = PrpCrypto(base64.b64decode(AES_KEY + "="))
    stamp = str(int(time.time()))
    made: Messages = []
    for conn in range(connections):
        mine = []
        for i in range(per_connection):
            user = f"o{tag}c{conn:03d}u{i:07d}"  # each query value below is URL-safe
            nonce = f"{tag}{conn:03d}{i:07d}"
            message = peer.image(user, f"media-{user}", f"http://pic.invalid/{user}.jpg")
            encrypt = to_text(prp.encrypt(message.to_xml(), APPID))
            query = (
                f"signature={peer.signature(stamp, nonce)}&timestamp={stamp}&nonce={nonce}"
                f"&openid={user}&encrypt_type=aes"
                f"&msg_signature={peer.signature(stamp, nonce, encrypt)}"
            )
            body = (
                f"<xml><ToUserName><![CDATA[{peer.to_user}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
            )
            mine.append((f"/wechat?{query}", body))
        made.append(mine)
    return made


def wrk_load(port: int, messages: Messages, seconds: float) -> Result:
    """wrk, one thread and connection per list of messages (``bench/webhook.lua``)."""
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as directory:
        for n, mine in enumerate(messages):
            lines = (line for target, body in mine for line in (target, body))
            Path(directory, f"{n}.txt").write_text("\n".join(lines) + "\n")
        n = str(len(messages))
        cmd = ["wrk", "-t", n, "-c", n, "-d", f"{seconds:g}s", "--timeout", "10s",
               "-s", str(LUA), f"http://127.0.0.1:{port}/", "--", directory]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    got = {k: int(v) for k, v in (word.split("=") for word in line.split()[1:])}
    return Result(
        requests=got["requests"],
        seconds=got["duration_us"] / 1e6,
        p50_ms=got["p50_us"] / 1000,
        p99_ms=got["p99_us"] / 1000,
        errors=got["bad_status"] + got["empty"] + got["socket_errors"],
        ran_out=got["ran_out"] > 0,
    )


def python_load(port: int, messages: Messages, seconds: float) -> Result:
    """The same load from Python threads, one ``requests.Session`` each."""
    latencies: list[float] = []
    errors = ran_out = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def connection(mine: list[tuple[str, str]]) -> None:
        nonlocal errors, ran_out
        session, took, failed = requests.Session(), [], 0
        for target, body in mine:
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            try:
                res = session.post(f"http://127.0.0.1:{port}{target}", data=body.encode(),
                                   headers={"Content-Type": "text/xml"}, timeout=10)  # fmt: skip
                failed += res.status_code != 200 or not res.content
            except requests.RequestException:
                failed += 1
            took.append(time.perf_counter() - started)
        else:
            with lock:
                ran_out += 1
        with lock:
            latencies.extend(took)
            errors += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=connection, args=(mine,)) for mine in messages]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(len(latencies), wall, cuts[49] * 1000, cuts[98] * 1000, errors, ran_out > 0)


def cpu_seconds(*roots: int) -> float:
    """User and system CPU time so far of these processes and their children (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    pids, found = list(roots), 0.0
    while pids:
        pid = pids.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue  # gone meanwhile
        found += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        pids += [int(child) for child in children]
    return found


def start_gunicorn(app: str, options: list[str], port: int, env: dict[str, str]):
    cmd = [sys.executable, "-m", "gunicorn", *options, "--log-level", "warning",
           "--bind", f"127.0.0.1:{port}", app]  # fmt: skip
    process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn {app} did not start")


def check_answer(port: int, endpoint: str) -> None:
    """One message first: the bot and WeRoBot answer with an encrypted text reply that
    decrypts with the account's key; the bare endpoint with ``success``."""
    peer = OfficialPeer(f"http://127.0.0.1:{port}/wechat", TOKEN, APPID, AES_KEY, "safe")
    attempt = peer.deliver(peer.image("o-check", "media-check", "http://pic.invalid/c.jpg"))
    attempt = attempt.attempts[0]
    if endpoint == "bare":
        ok = attempt.status == 200 and attempt.body == "success"
    else:
        ok = attempt.status == 200 and (attempt.reply or {}).get("MsgType") == "text"
    if not ok:
        raise RuntimeError(f"{endpoint} answered {attempt.status} {attempt.body[:300]!r}"
                           f" {attempt.error or ''}")  # fmt: skip


def measure(setting: str, endpoint: str, args: argparse.Namespace) -> Result:
    """One row: a fresh Redis and gunicorn, the answer checked, a warm-up, the load."""
    load = wrk_load if args.client == "wrk" else python_load
    redis = start_redis()
    workdir = tempfile.TemporaryDirectory(prefix="bench-webhook-")
    metrics_dir = Path(workdir.name, "metrics")
    metrics_dir.mkdir()
    env = {
        "REDIS_URL": redis.url,
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APPID": APPID,
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_SECRET": "unused",
        "DATA_KEY": Fernet.generate_key().decode(),
        "WECHAT_API_BASE": "http://127.0.0.1:9",
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),  # as scripts/web sets it
        "WEROBOT_SESSION": args.werobot_session,
        "WEROBOT_SESSION_DIR": workdir.name,
    }
    port, server = free_port(), None
    try:
        server = start_gunicorn(ENDPOINTS[endpoint], SETTINGS[setting], port, env)
        check_answer(port, endpoint)
        conns = args.connections
        warm = load(port, make_messages(conns, args.warmup_messages, 1), args.warmup)
        rate = warm.rps * (2 if warm.ran_out else 1)
        per_conn = math.ceil(rate * args.seconds * args.margin / conns) + 50
        print(f"  {setting} {endpoint}: warm-up {warm.rps:.0f} req/s; "
              f"{per_conn * conns} messages", file=sys.stderr)  # fmt: skip
        messages = make_messages(conns, per_conn, 2)
        cpu = cpu_seconds(server.pid, redis.process.pid)
        result = load(port, messages, args.seconds)
        cpu = cpu_seconds(server.pid, redis.process.pid) - cpu
        return replace(result, cpu_us=cpu / max(result.requests, 1) * 1e6)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        redis.stop()
        workdir.cleanup()


def median_of(results: list[Result]) -> Result:
    """A row over rounds: the median req/s, p50 and p99; requests and errors added up."""
    rps = statistics.median(r.rps for r in results)
    return Result(
        requests=sum(r.requests for r in results),
        seconds=sum(r.requests for r in results) / rps,
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        errors=sum(r.errors for r in results),
        ran_out=any(r.ran_out for r in results),
        cpu_us=statistics.median(r.cpu_us for r in results),
    )


def ratio_lines(results: dict[tuple[str, str], Result]) -> list[str]:
    out = []
    for setting in SETTINGS:
        bot = results.get((setting, "bot"))
        if bot is None:
            continue
        targets = {"bare": "0.5" if setting == "sync" else "", "floor": "", "werobot": "5"}
        for other, target in targets.items():
            if (setting, other) in results:
                r = bot.rps / results[(setting, other)].rps
                goal = f" (target ≥ {target})" if target else ""
                out.append(f"- bot / {LABELS[other]}, {SETTING_LABELS[setting]}: {r:.2f}×{goal}")
                cpu = results[(setting, other)].cpu_us / bot.cpu_us
                out.append(f"  (server CPU a request, {LABELS[other]} / bot: {cpu:.2f}×)")
        out.append(f"- bot p99, {SETTING_LABELS[setting]}: {bot.p99_ms:.1f} ms (target < 25 ms)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="of load per row")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per row")
    parser.add_argument("--warmup-messages", type=int, default=1500, help="per connection")
    parser.add_argument(
        "--margin",
        type=float,
        default=3.0,
        help="messages made per connection: warm-up rate × seconds × this",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every row this many times; print the medians"
    )
    parser.add_argument(
        "--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    parser.add_argument(
        "--werobot-session",
        choices=("redis", "sqlite", "off"),
        default="redis",
        help="where WeRoBot keeps its sessions (bench/werobot_app.py)",
    )
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--endpoints", nargs="+", choices=list(ENDPOINTS),
                        default=list(ENDPOINTS))  # fmt: skip
    args = parser.parse_args(argv)
    if "werobot" in args.endpoints:
        ensure_werobot()
    if args.client == "python":
        print("the Python client caps the fast rows (bare Flask) well below what the server "
              "does: apt-get install wrk", file=sys.stderr)  # fmt: skip

    load_before = os.getloadavg()[0]
    rounds: dict[tuple[str, str], list[Result]] = {}
    for _ in range(args.rounds):  # a round has every row: a busy minute hits them all
        for setting in args.settings:
            for endpoint in args.endpoints:
                rounds.setdefault((setting, endpoint), []).append(measure(setting, endpoint, args))
    results = {row: median_of(got) for row, got in rounds.items()}

    print(f"\nmachine: {machine()} (at the start {load_before:.1f})")
    for setting in args.settings:
        print(f"{SETTING_LABELS[setting]}: gunicorn {' '.join(SETTINGS[setting])}")
    if "werobot" in args.endpoints:
        print(f"WeRoBot: its own WSGI app (Bottle), sessions: {args.werobot_session}")
    print(
        f"load: {args.client}, {args.connections} connections, {args.seconds:g} s per row "
        f"after {args.warmup:g} s of warm-up, distinct encrypted image messages"
        + (f"; median of {args.rounds} rounds" if args.rounds > 1 else "")
        + "\n"
    )
    print("| gunicorn           | endpoint    |  req/s | p50 ms | p99 ms | CPU µs | requests "
          "| errors |")  # fmt: skip
    print("|--------------------|-------------|--------|--------|--------|--------|----------"
          "|--------|")  # fmt: skip
    for (setting, endpoint), r in results.items():
        flag = "*" if r.ran_out else " "
        print(f"| {SETTING_LABELS[setting]:<18} | {LABELS[endpoint]:<11} | {r.rps:6.0f}{flag}"
              f"| {r.p50_ms:6.1f} | {r.p99_ms:6.1f} | {r.cpu_us:6.0f} | {r.requests:8} "
              f"| {r.errors:6} |")  # fmt: skip
    print("\nCPU µs: user and system CPU of gunicorn's processes and Redis per request, read "
          "from /proc\nbefore and after the load: what a request costs the server, whatever "
          "else the machine runs.")  # fmt: skip
    if any(r.ran_out for r in results.values()):
        print("\n* a connection ran out of messages before the end: raise --margin")
    print("", *ratio_lines(results), sep="\n")
    return 1 if any(r.errors for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
