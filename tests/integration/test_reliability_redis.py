"""Redis restarts: the webhook says 503, the processes recover by themselves.

A real redis-server on a fixed port, killed with SIGKILL and started again
(with its data lost, or kept in an append-only file), a real ``ocrbot
worker`` process, the bot's web app over real HTTP, the emulator as WeChat.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib
import requests

from bot.devtools.redis_server import find_redis_server, free_port
from tests.integration.test_jobs import OCR_PATH, fault, texts
from tests.integration.test_reliability_worker import send_idcard
from tests.integration.test_sentinel import wait_for

RECOVERED_WITHIN = 30  # seconds from Redis being back to the next photo's answer


class RestartableRedis:
    """redis-server on one port and one directory, to kill and start again."""

    def __init__(self, workdir: Path, *, keep_data: bool) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.keep_data = keep_data
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.keep_data else []
        self.process = subprocess.Popen(
            [
                find_redis_server(),
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)),
                *("--save", "", "--appendonly", "no"),
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis_lib.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), timeout=10)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(5)


def _pings(client: redis_lib.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis_lib.RedisError:
        return False


@pytest.fixture
def restartable_redis(tmp_path: Path) -> Iterator:
    servers: list[RestartableRedis] = []

    def make(keep_data: bool) -> RestartableRedis:
        server = RestartableRedis(tmp_path, keep_data=keep_data)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            server.kill()


def health(bot) -> int:
    return requests.get(f"{bot.url}/healthz", timeout=10).status_code


def test_the_webhook_answers_503_while_redis_is_away(make_bot) -> None:
    bot = make_bot(redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    peer = bot.official()
    [attempt] = peer.deliver(peer.text("ula", "帮助")).attempts
    assert attempt.status == 503
    assert health(bot) == 503


def test_after_a_redis_restart_that_lost_everything_the_next_photo_flows(
    restartable_redis, make_bot, start_worker
) -> None:
    server = restartable_redis(keep_data=False)
    bot = make_bot(redis_url=server.url)
    worker = start_worker(bot.settings)
    send_idcard(bot, "vic", 41)
    wait_for(lambda: texts(bot, "vic"), timeout=30)

    server.kill()
    assert health(bot) == 503
    peer = bot.official()
    [attempt] = peer.deliver(peer.text("vic", "帮助")).attempts
    assert attempt.status == 503
    time.sleep(3)  # the worker meets the outage
    server.start()  # empty: every key is gone
    back = time.monotonic()

    assert health(bot) == 200
    send_idcard(bot, "wes", 42)
    wait_for(lambda: texts(bot, "wes"), timeout=RECOVERED_WITHIN)
    assert time.monotonic() - back < RECOVERED_WITHIN
    assert worker.process.poll() is None  # the same process: no crash, no restart


def test_a_retry_scheduled_before_a_redis_restart_keeps_its_backoff(
    restartable_redis, make_bot, start_worker
) -> None:
    # A transient failure schedules the retry 5 s later; Redis restarts (its data kept)
    # meanwhile and takes the worker's scheduler down with it. The scheduler must be
    # back for the retry to run on time (RQ would restart it at its ten-minute check).
    server = restartable_redis(keep_data=True)
    bot = make_bot(redis_url=server.url, retry_intervals=[5])
    start_worker(bot.settings)
    wait_for(lambda: redis_lib.Redis.from_url(server.url).exists("rq:scheduler-lock:ocr"))
    fault(bot, OCR_PATH, errcode=-1)  # system busy, once
    send_idcard(bot, "xia", 43)
    scheduled = bot.runtime.queue.scheduled_job_registry
    wait_for(lambda: len(scheduled) == 1, timeout=30)
    failed_at = time.monotonic()

    server.kill()
    time.sleep(2)
    server.start()  # the append-only file brings the scheduled retry back

    wait_for(lambda: texts(bot, "xia"), timeout=40)
    assert time.monotonic() - failed_at < 5 + RECOVERED_WITHIN
    [answer] = texts(bot, "xia")
    assert "张三" in answer
