"""``ocrbot dev`` as a person runs it: a subprocess, nothing configured, Ctrl-C at the end.

The run must print the simulator's URL, carry a message through the real
processes (embedded Redis, emulator, gunicorn, RQ worker with the offline
engine), prefix every log line, and leave no process behind.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from bot.config import Settings
from bot.devtools import dev, simulator

ROOT = Path(__file__).resolve().parents[2]
PREFIXED = re.compile(r"^(redis|emulator|web|worker|dev) +\| ")


@dataclass
class DevRun:
    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    news: queue.Queue = field(default_factory=queue.Queue)

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match:
        """The first output line (old or new) matching ``pattern``."""
        regex = re.compile(pattern)
        for line in list(self.lines):
            if match := regex.search(line):
                return match
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.news.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "ocrbot dev died:\n" + "".join(self.lines)
                continue
            if match := regex.search(line):
                return match
        raise AssertionError(f"no line matching {pattern!r}:\n" + "".join(self.lines))

    def descendants(self) -> set[int]:
        """Every process below ``ocrbot dev`` (gunicorn's workers and RQ's scheduler too)."""
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        found, frontier = set(), {self.process.pid}
        while frontier:
            children = {pid for pid, ppid in parents.items() if ppid in frontier}
            found |= children
            frontier = children
        return found


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any bot setting: ``ocrbot dev`` with nothing configured."""
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    return {**env, **extra}


@pytest.fixture
def start_dev() -> Iterator:
    runs: list[DevRun] = []

    def start(env: dict[str, str]) -> DevRun:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "dev", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        run = DevRun(process)

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                run.lines.append(line)
                run.news.put(line)

        threading.Thread(target=pump, daemon=True).start()
        runs.append(run)
        return run

    yield start
    for run in runs:  # a failed test must not leave a bot running either
        if run.process.poll() is None:
            run.process.send_signal(signal.SIGINT)
            try:
                run.process.wait(30)
            except subprocess.TimeoutExpired:
                run.process.kill()


def gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (a zombie waiting for init to reap it counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def wait_gone(pids: set[int], timeout: float = 10) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(gone(pid) for pid in pids):
        time.sleep(0.1)
    return {pid for pid in pids if not gone(pid)}


def wait_messages(emulator: str, user: str, count: int, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = requests.get(
            f"{emulator}/_emulator/messages", params={"touser": user}, timeout=5
        ).json()
        if len(messages) >= count:
            return messages
        time.sleep(0.3)
    raise AssertionError(f"{user} got {len(messages)} messages, expected {count}")


def wait_results(emulator: str, count: int, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        results = requests.get(f"{emulator}/_emulator/results", timeout=5).json()
        if len(results) >= count:
            return results
        time.sleep(0.3)
    raise AssertionError(f"{len(results)} results arrived, expected {count}")


def test_dev_runs_everything_carries_a_message_and_stops_on_ctrl_c(start_dev) -> None:
    run = start_dev(clean_env())
    web = run.wait_for(r"chat simulator: (http://\S+)/simulator/").group(1)
    emulator = run.wait_for(r"WeChat API emulator: (http://\S+)").group(1)
    started = {m.group(1) for m in map(re.compile(r"dev +\| (\w+) started").search, run.lines) if m}
    assert started == {"redis", "emulator", "web", "worker"}  # Redis embedded: REDIS_URL unset
    pids = run.descendants()
    assert len(pids) >= 5  # the four children, gunicorn's worker, RQ's scheduler

    page = requests.get(f"{web}/simulator/", timeout=5)
    assert page.status_code == 200 and emulator in page.text

    image = (simulator.SAMPLES_DIR / "bankcard.jpg").read_bytes()
    media = requests.post(
        f"{emulator}/_emulator/media", files={"media": ("card.jpg", image)}, timeout=5
    ).json()

    def deliver(message: dict) -> dict:
        body = {"channel": "official", "mode": "safe", "message": {"from": "dev-test", **message}}
        return requests.post(f"{emulator}/_emulator/deliver", json=body, timeout=10).json()

    first = deliver({"type": "image", "media_id": media["media_id"]})
    assert first["status"] == 200 and "<Encrypt>" in first["request_body"]
    [menu] = wait_messages(emulator, "dev-test", 1)  # the worker pushes the msgmenu
    items = [item["content"] for item in menu["body"]["msgmenu"]["list"]]
    assert "银行卡" in items

    chosen = deliver({"type": "text", "content": "银行卡"})
    assert "正在识别银行卡" in chosen["reply"]["Content"]
    answer = wait_messages(emulator, "dev-test", 2)[1]["body"]["text"]["content"]
    assert re.search(r"卡号：\d{4} \*{4} \*{4} \*+ ?\d{4}", answer), answer
    assert "✅" in answer  # the offline engine read every digit: the Luhn check passes

    # Confirmed, the full card goes to the emulator's result receiver, signed and verified.
    confirmed = deliver({"type": "text", "content": "确认"})
    assert "已确认" in confirmed["reply"]["Content"]
    [result] = wait_results(emulator, 1)
    assert result["verified"] is True and result["type"] == "document.confirmed"
    event = result["event"]
    assert event["document_type"] == "bankcard" and event["fields"]["number"].isdigit()

    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(30) == 0
    assert wait_gone(pids) == set(), "children survived Ctrl-C"
    output = "".join(run.lines)
    assert "dev      | stopped" in output
    unprefixed = [line for line in run.lines if not PREFIXED.match(line)]
    assert unprefixed == []


def test_dev_stops_everything_when_a_child_dies(start_dev, redis_url: str) -> None:
    # REDIS_URL set: the embedded Redis is not started. The cloud engine: no models to load.
    run = start_dev(clean_env(REDIS_URL=redis_url, OCR_ENGINE="wechat"))
    run.wait_for(r"chat simulator: ")
    worker_pid = int(run.wait_for(r"worker started \(pid (\d+)\)").group(1))
    assert "redis started" not in "".join(run.lines)
    assert "using REDIS_URL from the environment" in "".join(run.lines)
    pids = run.descendants()

    os.kill(worker_pid, signal.SIGKILL)
    assert run.process.wait(30) == 1
    assert wait_gone(pids) == set()
    assert re.search(r"worker exited \(code -9\)", "".join(run.lines))


def test_children_stop_even_when_dev_itself_is_killed(start_dev, redis_url: str) -> None:
    run = start_dev(clean_env(REDIS_URL=redis_url, OCR_ENGINE="wechat"))
    run.wait_for(r"chat simulator: ")
    pids = run.descendants()
    assert len(pids) >= 4

    run.process.kill()  # SIGKILL: no cleanup in ocrbot dev; the kernel tells the children
    run.process.wait(10)
    assert wait_gone(pids, timeout=20) == set(), "orphans left behind"


DATA_KEY = "kZ4kqSOXDFp4SUJ9lO9L2tNrCz3PDpAkJSbmtTvIjU0="


def test_session_env_keeps_what_is_set_and_generates_the_rest() -> None:
    environ = {
        "WECHAT_TOKEN": "mytoken",
        "WECHAT_APPID": "wxmine",
        "WECOM_API_BASE": "https://qyapi.weixin.qq.com",
        "DATA_KEY": DATA_KEY,
    }
    env = dev.session_env(
        environ,
        web_url="http://127.0.0.1:8000",
        emulator_url="http://127.0.0.1:9000",
        redis_url="redis://127.0.0.1:1/0",
    )
    # The Official Account is configured: taken as a whole, no generated AES key mixed in.
    assert env["WECHAT_TOKEN"] == "mytoken" and env["WECHAT_APPID"] == "wxmine"
    assert "WECHAT_AES_KEY" not in env
    # WeCom is not: generated, and valid for the settings.
    assert len(env["WECOM_AES_KEY"]) == 43 and env["WECOM_CORP_ID"].startswith("ww")
    assert env["WECHAT_API_BASE"] == "http://127.0.0.1:9000"
    assert env["WECOM_API_BASE"] == "https://qyapi.weixin.qq.com"  # set: kept
    assert env["DATA_KEY"] == DATA_KEY
    assert env["REDIS_URL"] == "redis://127.0.0.1:1/0"
    assert env["EMULATOR_URL"] == "http://127.0.0.1:9000"
    settings = Settings(
        **{k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields}
    )
    assert settings.official_enabled and settings.wecom_enabled
    assert settings.admins == {f"official:{dev.DEV_ADMIN}", f"wecom:{dev.DEV_ADMIN}"}
    # The results go to the emulator's receiver, signed with a session secret.
    assert env["RESULT_WEBHOOK_URL"] == "http://127.0.0.1:9000/_emulator/results"
    assert env["RESULT_WEBHOOK_SECRET"].startswith("whsec_") and settings.confirm
    own = dev.session_env(
        {**environ, "RESULT_WEBHOOK_URL": "https://crm.example/hook"},
        web_url="http://127.0.0.1:8000",
        emulator_url="http://127.0.0.1:9000",
        redis_url="redis://127.0.0.1:1/0",
    )
    assert own["RESULT_WEBHOOK_URL"] == "https://crm.example/hook"
    assert "RESULT_WEBHOOK_SECRET" not in own  # the operator's own secret, not a generated one
