"""Webhook throughput and latency: encrypted image messages through gunicorn.

Runs, in one go and on the same gunicorn settings, the bot's ``/wechat``
(safe mode: verify, decrypt, parse, dedupe, state in Redis, encrypted menu
reply) and a bare Flask endpoint that only answers ``success``, so the
figures compare the bot's work with the floor of the stack on this machine.

    .venv/bin/python bench/webhook.py [--requests 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.devtools.peer import OfficialPeer  # noqa: E402
from bot.devtools.redis_server import free_port, start_redis  # noqa: E402

TOKEN, APPID = "benchtoken", "wxbench000000001"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
GUNICORN = [
    "--worker-class",
    "gthread",
    "--workers",
    "2",
    "--threads",
    "8",
    "--log-level",
    "warning",
]


def start_gunicorn(target: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{port}", target]
    process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start")


def build_requests(url: str, count: int) -> list[tuple[dict[str, str], bytes]]:
    """Signed, encrypted image messages, made before the clock starts."""
    peer = OfficialPeer(url, TOKEN, APPID, AES_KEY, "safe")
    made = []
    for i in range(count):
        message = peer.image(f"user{i % 200}", f"media-{i}", f"http://pic.invalid/{i}")
        stamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
        encrypt, msg_signature = peer.encrypt(message.to_xml(), stamp, nonce)
        query = {
            "signature": peer.signature(stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": msg_signature,
        }
        body = (
            "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        )
        made.append((query, body.encode()))
    return made


def run_load(url: str, prepared: list, concurrency: int) -> dict[str, float]:
    sessions = [requests.Session() for _ in range(concurrency)]

    def send(i: int) -> float:
        query, body = prepared[i]
        started = time.perf_counter()
        res = sessions[i % concurrency].post(url, params=query, data=body, timeout=10)
        elapsed = time.perf_counter() - started
        if res.status_code != 200:
            raise RuntimeError(f"HTTP {res.status_code}: {res.text[:200]}")
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(send, range(len(prepared))))
    wall = time.perf_counter() - started
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    redis = start_redis()
    env = {
        "REDIS_URL": redis.url,
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APPID": APPID,
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_SECRET": "unused",
        "DATA_KEY": Fernet.generate_key().decode(),
        "WECHAT_API_BASE": "http://127.0.0.1:9",
        "LOG_LEVEL": "WARNING",
    }
    servers = {
        "bot /wechat": ("bot:create_app()", free_port()),
        "bare Flask": ("bench.bare_app:app", free_port()),
    }
    processes = []
    results = {}
    try:
        for target, port in servers.values():
            processes.append(start_gunicorn(target, port, env))
        for name, (_, port) in servers.items():
            url = f"http://127.0.0.1:{port}/wechat"
            run_load(url, build_requests(url, 200), args.concurrency)  # warm-up
            results[name] = run_load(url, build_requests(url, args.requests), args.concurrency)
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        redis.stop()

    bare = results["bare Flask"]
    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; gunicorn {' '.join(GUNICORN[:6])}; "
        f"{args.requests} requests, {args.concurrency} concurrent clients (same machine)\n"
    )
    header = ("endpoint", "req/s", "p50 ms", "p99 ms", "req/s vs bare")
    print(
        f"| {header[0]:<12} | {header[1]:>8} | {header[2]:>8} | {header[3]:>8} | {header[4]:>13} |"
    )
    print(f"|{'-' * 14}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 15}|")
    for name, r in results.items():
        print(
            f"| {name:<12} | {r['rps']:>8.0f} | {r['p50']:>8.1f} | {r['p99']:>8.1f} | "
            f"{r['rps'] / bare['rps']:>13.2f} |"
        )


if __name__ == "__main__":
    main()
