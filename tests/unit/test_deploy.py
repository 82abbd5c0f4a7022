"""Deploy files, read: the buildpack lock (requirements.txt) against pyproject.toml, the
Dockerfile, .dockerignore and compose.yaml. No network, no process: hadolint and installing
the lock are in ``tests/integration/test_deploy.py``."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from scripts.rootfs_check import instructions  # the reader the rootfs check builds with

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCK = (ROOT / "requirements.txt").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
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
    assert pinned == "3.11"  # python3 in Debian bookworm, the image's base (Dockerfile)
    assert re.search(r"^FROM debian:bookworm-slim$", DOCKERFILE, re.M)


def test_license_is_an_spdx_string_the_build_backend_understands() -> None:
    # setuptools 77 reads `license` as an SPDX expression and warns that the old table form
    # (`{ text = "MIT" }`) stops building on 2027-02-18: every install builds the project.
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    assert PROJECT["license"] == "MIT"
    setuptools = next(Requirement(r) for r in build["requires"] if r.startswith("setuptools"))
    assert not setuptools.specifier.contains("76.9"), setuptools


# -- the container image -----------------------------------------------------------------


def test_dockerfile_layers_and_runtime() -> None:
    steps = instructions(DOCKERFILE)
    words = [w for w, _ in steps]
    runs = " ".join(arg for w, arg in steps if w == "RUN")
    copies = [arg for w, arg in steps if w == "COPY"]
    assert steps[0] == ("FROM", "debian:bookworm-slim")
    assert re.search(r"apt-get install .*--no-install-recommends.* python3 python3-venv", runs)
    for compiler in ("gcc", "g++", "build-essential", "python3-dev", "clang"):
        assert compiler not in runs.split(), f"{compiler} installed"
    assert "--only-binary=:all:" in runs  # wheels only: nothing to compile
    # dependencies before code: requirements.txt is copied (and installed) before any code
    assert copies[0] == "requirements.txt ./"
    first_code = next(i for i, (w, a) in enumerate(steps) if w == "COPY" and "bot" in a)
    requirements_run = next(i for i, (w, a) in enumerate(steps) if "-r /tmp/dependencies" in a)
    assert requirements_run < first_code
    user = dict(steps)["USER"]
    assert user.split(":")[0] not in ("0", "root") and words.index("USER") > requirements_run
    assert dict(steps)["HEALTHCHECK"].count("/healthz") == 1
    assert "os.environ.get('PORT'" in dict(steps)["HEALTHCHECK"]
    assert dict(steps)["CMD"] == '["scripts/web"]' and procfile()["web"] == "scripts/web"
    assert '"0.0.0.0:${PORT:-8000}"' in (ROOT / "scripts" / "web").read_text()


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_dockerignore_lets_in_everything_the_dockerfile_copies() -> None:
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for _, args in (s for s in instructions(DOCKERFILE) if s[0] == "COPY"):
        source = args.split()[0]
        assert source in allowed, f"{source} is copied but .dockerignore leaves it out"
        assert (ROOT / source).exists()


def test_compose_runs_web_worker_and_redis_from_one_image() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "redis"}
    web, worker = services["web"], services["worker"]
    assert web["image"] == worker["image"] and web["build"] == worker["build"] == "."
    assert "command" not in web  # the image's default: scripts/web
    assert worker["command"] == ["ocrbot", "worker"]
    assert worker["healthcheck"] == {"disable": True}
    for service in (web, worker):
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["environment"]["ENV"] == "production"
        assert "redis" in service["depends_on"]
        # all of .env reaches the bot, not only the settings listed in `environment`
        assert service["env_file"] == [{"path": ".env", "required": False}]
    assert web["ports"] == ["8000:8000"]
