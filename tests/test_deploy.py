"""Deploy files: the buildpack lock (requirements.txt), the Dockerfile, compose.yaml.

The lock checks read files only (no network); ``test_lock_installs_and_starts`` installs the
lock into an empty venv from the package index, as a buildpack does (slow the first time on a
machine, then pip's cache serves it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from bot.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCK = (ROOT / "requirements.txt").read_text(encoding="utf-8")
COMPILE = "uv pip compile requirements.in --universal -o requirements.txt"


def pins(lock: str) -> dict[str, list[tuple[Version, str]]]:
    """``name -> [(version, marker)]``: a universal lock may pin a name once per marker."""
    found: dict[str, list[tuple[Version, str]]] = {}
    for line in lock.splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.+))?$", line)
        if match:
            name, version, marker = match.groups()
            found.setdefault(canonicalize_name(name), []).append((Version(version), marker or ""))
    return found


def wanted_by_project(lock: str) -> set[str]:
    """The names the lock says this project asked for (uv's ``# via wechat-ocr-bot``)."""
    wanted, current = set(), ""
    for line in lock.splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==", line)
        if match:
            current = canonicalize_name(match.group(1))
        elif re.match(r"^\s+#\s+(via\s+)?wechat-ocr-bot\b", line):
            wanted.add(current)
    return wanted


def stale(lock: str) -> list[str]:
    """Why ``lock`` does not match pyproject.toml (empty: it does)."""
    requirements = [Requirement(r) for r in PROJECT["dependencies"]]
    declared = {canonicalize_name(r.name): r for r in requirements}
    pinned = pins(lock)
    problems = []
    if f"#    {COMPILE}" not in lock:
        problems.append(f"the header does not record `{COMPILE}`")
    if not re.search(r"^\.$", lock, re.M):
        problems.append("the project itself (`.`) is not in the lock: `ocrbot` would be missing")
    wanted = wanted_by_project(lock)
    for name in sorted(set(declared) - wanted):
        problems.append(f"{name} is declared but the lock was not made for it")
    for name in sorted(wanted - set(declared)):
        problems.append(f"{name} is pinned for the project but no longer declared")
    for name, requirement in sorted(declared.items()):
        for version, marker in pinned.get(name, []):
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{name}=={version} ({marker or 'all'}) breaks `{requirement}`")
    return problems


def test_lock_matches_pyproject() -> None:
    assert stale(LOCK) == [], f"requirements.txt is stale: run `{COMPILE}`"


@pytest.mark.parametrize(
    "change",
    [
        ("add", "tqdm>=4"),
        ("add", "left-pad>=1"),
        ("tighten", "flask>=99"),
        ("drop", "mrz"),
    ],
)
def test_lock_check_notices_a_changed_pyproject(change: tuple[str, str], monkeypatch) -> None:
    how, requirement = change
    deps = list(PROJECT["dependencies"])
    if how == "add":
        deps.append(requirement)
    elif how == "tighten":
        name = Requirement(requirement).name
        deps = [requirement if Requirement(d).name == name else d for d in deps]
    else:
        deps = [d for d in deps if Requirement(d).name != requirement]
    monkeypatch.setitem(PROJECT, "dependencies", deps)
    assert stale(LOCK) != []


def test_lock_check_notices_a_lock_without_the_project() -> None:
    assert stale(re.sub(r"^\.$", "", LOCK, flags=re.M)) != []


def test_python_version_is_debian_bookworms_and_allowed_by_pyproject() -> None:
    pinned = (ROOT / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.\d+", pinned)
    assert SpecifierSet(PROJECT["requires-python"]).contains(f"{pinned}.2")
    assert pinned == "3.11"  # python3 in Debian bookworm


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
    server = subprocess.Popen(
        ["bash", "-c", web], cwd=tmp_path, env=run_env, stderr=subprocess.PIPE, text=True
    )
    try:
        answer = wait_for(f"http://127.0.0.1:{port}/healthz", server)
        assert answer.status_code == 200 and answer.json() == {"status": "ok", "redis": "ok"}
    finally:
        server.terminate()
        server.communicate(timeout=30)
    # Run from elsewhere than the checkout: the venv's own copy of the bot served it.
    assert (
        str(ROOT)
        not in subprocess.run(
            [venv / "bin" / "python", "-c", "import bot; print(bot.__file__)"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> requests.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            if process.poll() is not None:
                output = process.stderr.read() if process.stderr else ""
                raise AssertionError(f"exited {process.returncode}: {output}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
