"""The bot as the Procfile runs it, for ``bench/chaos.py`` and ``bench/soak.py``.

Starts, each in its own process group: a redis-server (on a fixed port and
directory, so that it can be killed and started again), the WeChat API
emulator (``ocrbot emulator``), the Procfile's ``web`` command and N copies
of its ``worker`` command, all with one generated set of credentials. It
then plays WeChat (peers that sign and encrypt like WeChat) and reads what
the emulator recorded (pushes, API calls).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.devtools.dev import _no_control_socket  # noqa: E402
from bot.devtools.emulator import EmulatorConfig  # noqa: E402
from bot.devtools.peer import OfficialPeer, WeComPeer  # noqa: E402
from bot.devtools.redis_server import find_redis_server, free_port  # noqa: E402

ADMIN = "ops-admin"
VENV_BIN = str(Path(sys.executable).parent)


def procfile() -> dict[str, str]:
    """The Procfile's commands by process type."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() and not name.startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


def wait_until(check, timeout: float, what: str, step: float = 0.1) -> float:
    """Seconds until ``check()`` held; RuntimeError after ``timeout``."""
    started = time.monotonic()
    while True:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants (gunicorn's workers), in KiB."""
    total = 0
    for p in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def descendants(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None

    def start(self) -> Process:
        out = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group: a lost machine, an OOM kill."""
        self.signal(signal.SIGKILL)
        assert self.popen is not None
        self.popen.wait(10)

    def stop(self, grace: float = 10) -> None:
        if not self.alive():
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Stack:
    workers: int = 2
    engine: str = "wechat"
    retry_intervals: str = "[10, 30, 90]"
    extra_env: dict[str, str] = field(default_factory=dict)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ocrbot-stack-")))

    def __post_init__(self) -> None:
        self.redis_port, self.web_port, self.emulator_port = free_port(), free_port(), free_port()
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.emulator_url = f"http://127.0.0.1:{self.emulator_port}"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.config = EmulatorConfig.generate(webhook_base=self.web_url)
        metrics_dir = self.workdir / "metrics"
        self.env = {
            **os.environ,
            **self.config.bot_env(self.emulator_url),
            "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
            "PORT": str(self.web_port),
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "REDIS_URL": self.redis_url,
            "DATA_KEY": Fernet.generate_key().decode(),
            "ADMIN_USERS": ADMIN,
            "OCR_ENGINE": self.engine,
            "RETRY_INTERVALS": self.retry_intervals,
            "WECHAT_OCR_DAILY_QUOTA": "1000000",
            "RATE_LIMIT_PHOTOS": "1000",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "GUNICORN_CMD_ARGS": " ".join(_no_control_socket()),
            **self.extra_env,
        }
        commands = procfile()
        self.redis = Process("redis", [], self.env, self.workdir / "redis.log")
        self.emulator = Process(
            "emulator",
            [
                sys.executable,
                "-m",
                "bot.cli",
                "emulator",
                "--port",
                str(self.emulator_port),
                "--webhook",
                self.web_url,
            ],
            self.env,
            self.workdir / "emulator.log",
        )
        self.web = Process(
            "web", ["bash", "-c", commands["web"]], self.env, self.workdir / "web.log"
        )
        self.worker_procs = [
            Process(
                f"worker{i}",
                ["bash", "-c", commands["worker"]],
                self.env,
                self.workdir / f"worker{i}.log",
            )
            for i in range(1, self.workers + 1)
        ]
        self.client = redis.Redis.from_url(self.redis_url, socket_timeout=5)
        self.official = OfficialPeer(
            self.web_url + "/wechat",
            self.config.wechat_token,
            self.config.wechat_appid,
            self.config.wechat_aes_key,
            "safe",
            to_user=self.config.account_id,
            timeout=5.0,
        )
        self.wecom = WeComPeer(
            self.web_url + "/wecom",
            self.config.wecom_token,
            self.config.wecom_aes_key,
            self.config.wecom_corp_id,
            self.config.wecom_agent_id,
            timeout=5.0,
        )

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> Stack:
        self.start_redis()
        self.emulator.start()
        wait_until(
            lambda: requests.get(self.emulator_url + "/_emulator/settings", timeout=2).ok,
            30,
            "the emulator",
        )
        self.reset_emulator()
        self.web.start()
        wait_until(lambda: self.health() == 200, 60, "the web")
        for worker in self.worker_procs:
            worker.start()
        wait_until(
            lambda: len(self.client.smembers("rq:workers")) >= self.workers, 120, "the workers"
        )
        return self

    def start_redis(self, keep_data: bool = False) -> None:
        """Start redis-server: empty, or (``keep_data``) with an append-only file, whose
        data a later ``redis.start()`` after a kill loads again."""
        data = self.workdir / "redis-data"
        if not keep_data:
            shutil.rmtree(data, ignore_errors=True)
        data.mkdir(exist_ok=True)
        self.redis.argv = [
            *(find_redis_server(), "--port", str(self.redis_port), "--bind", "127.0.0.1"),
            *("--dir", str(data), "--save", ""),
            *("--appendonly", "yes" if keep_data else "no", "--appendfsync", "always"),
        ]
        self.redis.start()
        wait_until(self.client.ping, 10, "redis")

    def processes(self) -> list[Process]:
        return [self.web, *self.worker_procs]

    def stop(self, keep_logs: bool = False) -> None:
        for process in [*self.worker_procs, self.web, self.emulator, self.redis]:
            process.stop()
        if not keep_logs:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def reset_emulator(self) -> None:
        """Forget queued faults (and everything else the emulator holds); knobs for the run."""
        self.emulator_post("reset")
        self.emulator_post(
            "settings", local_engine=self.engine == "local", ocr_daily_quota=1_000_000
        )

    def health(self) -> int:
        try:
            return requests.get(self.web_url + "/healthz", timeout=5).status_code
        except requests.RequestException:
            return 0

    # -- the emulator ------------------------------------------------------------

    def emulator_post(self, endpoint: str, **body: Any) -> dict[str, Any]:
        res = requests.post(f"{self.emulator_url}/_emulator/{endpoint}", json=body, timeout=10)
        res.raise_for_status()
        return res.json()

    def fault(self, path: str, count: int = 1, **what: Any) -> None:
        self.emulator_post("faults", path=path, count=count, **what)

    def messages(self, user: str) -> list[dict[str, Any]]:
        res = requests.get(
            f"{self.emulator_url}/_emulator/messages", params={"touser": user}, timeout=10
        )
        return res.json()

    def texts(self, user: str) -> list[str]:
        return [m["body"]["text"]["content"] for m in self.messages(user) if "text" in m["body"]]

    def calls(self, path: str, after: int = 0) -> list[dict[str, Any]]:
        res = requests.get(
            f"{self.emulator_url}/_emulator/calls", params={"after": after}, timeout=10
        )
        return [c for c in res.json() if c["path"].startswith(path)]

    def last_call(self) -> int:
        calls = requests.get(f"{self.emulator_url}/_emulator/calls", timeout=10).json()
        return calls[-1]["seq"] if calls else 0

    def upload(self, image: bytes, answer: dict[str, Any] | None = None) -> tuple[str, str]:
        """Store a user's photo; ``answer``: what the OCR API says about it."""
        if answer is not None:
            self.emulator_post("ocr", sha256=hashlib.sha256(image).hexdigest(), response=answer)
        res = requests.post(
            f"{self.emulator_url}/_emulator/media",
            files={"media": ("photo.jpg", image, "image/jpeg")},
            timeout=10,
        )
        res.raise_for_status()
        body = res.json()
        return body["media_id"], body["pic_url"]

    def tail(self, process: Process, lines: int = 20) -> str:
        return "\n".join(process.log.read_text(errors="replace").splitlines()[-lines:])


ID_FRONT = {  # what the OCR API answers for an ID card front (a test number, check digit X)
    "errcode": 0,
    "errmsg": "ok",
    "type": "Front",
    "name": "张三",
    "id": "11010519491231002X",
    "addr": "北京市朝阳区建国路88号",
    "gender": "女",
    "nationality": "汉",
}
MASKED_ID = "110***********002X"


def photo(seed: int) -> bytes:
    """A small JPEG, different for every seed (its sha256 keys the canned OCR answer)."""
    from PIL import Image

    image = Image.new("RGB", (320, 200), (seed % 256, (seed // 256) % 256, 160))
    image.putpixel((0, 0), (seed % 251, seed % 241, seed % 239))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
