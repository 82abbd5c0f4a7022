"""``ocrbot dev``: the whole bot on one machine, as the same processes as in production.

With nothing configured it starts, each as a child process:

- ``redis``: an embedded redis-server on a free port, data in a temp dir
  (skipped when ``REDIS_URL`` is set);
- ``emulator``: the WeChat API emulator, which also plays WeChat towards the
  webhook for the chat simulator page, and receives the result webhook
  (``RESULT_WEBHOOK_URL``, signatures checked; shown in the debug drawer);
- ``web``: the Flask app under gunicorn, as the Procfile runs it;
- ``worker``: one RQ worker with the offline engine.

Credentials (tokens, AES keys, ``DATA_KEY``) are generated for the session
unless the environment sets them: a channel whose credentials are set keeps
them (the emulator then signs and encrypts with the integrator's own keys),
and ``WECHAT_API_BASE`` / ``WECOM_API_BASE`` point at the emulator unless set.

Every line a child prints is prefixed with its name. Each child leads its own
process group, so that Ctrl-C reaches only this supervisor, which then stops
every group (gunicorn's workers included) in order. When any child dies, the
others are stopped too: a half-running bot only misleads.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO

import requests
from cryptography.fernet import Fernet

from bot.devtools.emulator.config import EmulatorConfig
from bot.devtools.redis_server import free_port, redis_argv

OFFICIAL_VARS = ("WECHAT_APPID", "WECHAT_SECRET", "WECHAT_TOKEN", "WECHAT_AES_KEY")
WECOM_VARS = ("WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY")
API_BASE_VARS = ("WECHAT_API_BASE", "WECOM_API_BASE")
DEV_ADMIN = "sim-admin"  # the simulator's admin toggle sends as this user, on both channels
STOP_GRACE = 10.0  # seconds a child gets to stop (the worker finishes its job) before SIGKILL
READY_TIMEOUT = 60.0

# Run a child through this first, on Linux: the kernel sends it SIGTERM if ``ocrbot dev`` dies
# without cleaning up (SIGKILL, a crash), so that not even then are children orphaned.
# prctl(PR_SET_PDEATHSIG) survives the exec; the ppid check closes the race with our death.
ORPHAN_GUARD = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit('ocrbot dev is gone')\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)

COLOURS = {"redis": 31, "emulator": 35, "web": 36, "worker": 33, "dev": 32}


def session_env(
    environ: Mapping[str, str], *, web_url: str, emulator_url: str, redis_url: str
) -> dict[str, str]:
    """The environment every child gets: ``environ`` wins, the rest is generated.

    A channel is taken from ``environ`` as a whole when any of its credential
    variables is set there, so generated and real values never mix.
    """
    generated = EmulatorConfig.generate(webhook_base=web_url).bot_env(emulator_url)
    env = dict(environ)
    for names in (OFFICIAL_VARS, WECOM_VARS):
        if not any(environ.get(name) for name in names):
            env.update({name: generated[name] for name in names})
    if not any(environ.get(name) for name in OFFICIAL_VARS):
        # Generated keys guard nothing real: let the simulator show plaintext mode too.
        env.setdefault("WECHAT_ALLOW_PLAINTEXT", "true")
    for name in API_BASE_VARS:
        env.setdefault(name, generated[name])
    if not environ.get("RESULT_WEBHOOK_URL"):  # the emulator receives the results
        env["RESULT_WEBHOOK_URL"] = generated["RESULT_WEBHOOK_URL"]
        env["RESULT_WEBHOOK_SECRET"] = generated["RESULT_WEBHOOK_SECRET"]
    env.setdefault("REDIS_URL", redis_url)
    env.setdefault("DATA_KEY", Fernet.generate_key().decode())
    env.setdefault("ADMIN_USERS", f"official:{DEV_ADMIN},wecom:{DEV_ADMIN}")
    env.setdefault("WECHAT_MENU_STYLE", "msgmenu")  # tappable menus in the simulator
    env.setdefault("ENV", "development")
    env["EMULATOR_URL"] = emulator_url
    env["PYTHONUNBUFFERED"] = "1"  # children's logs line by line, not in 4 KB lumps
    return env


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    reader: threading.Thread | None = None
    stop_last: bool = False  # infrastructure (Redis): the others need it while they stop


@dataclass
class Supervisor:
    """Starts children in their own process groups, prefixes their output, stops them all."""

    out: IO[str] = field(default_factory=lambda: sys.stdout)
    children: list[Child] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, name: str, line: str) -> None:
        prefix = f"{name:<8} |"
        if self.out.isatty():
            prefix = f"\033[{COLOURS.get(name, 37)}m{prefix}\033[0m"
        with self._lock:
            self.out.write(f"{prefix} {line.rstrip()}\n")
            self.out.flush()

    def start(
        self, name: str, argv: list[str], env: Mapping[str, str], *, stop_last: bool = False
    ) -> Child:
        if sys.platform == "linux":
            argv = [sys.executable, "-c", ORPHAN_GUARD, str(os.getpid()), *argv]
        process = subprocess.Popen(
            argv,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
            process_group=0,  # its own group: Ctrl-C is ours to handle, killpg gets its children
        )
        child = Child(name, process, stop_last=stop_last)
        child.reader = threading.Thread(target=self._pump, args=(child,), daemon=True)
        child.reader.start()
        self.children.append(child)
        self.say("dev", f"{name} started (pid {process.pid})")
        return child

    def _pump(self, child: Child) -> None:
        assert child.process.stdout is not None
        for line in child.process.stdout:
            self.say(child.name, line)

    def dead(self) -> Child | None:
        """The first child that has exited, if any."""
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop_all(self) -> None:
        """Stop the apps, then the infrastructure: SIGTERM each group, SIGKILL what remains."""
        self._stop([c for c in self.children if not c.stop_last])
        self._stop([c for c in self.children if c.stop_last])

    def _stop(self, children: list[Child]) -> None:
        for child in children:
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in children:
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("dev", f"{child.name} did not stop in time: killing it")
            _signal_group(child.process, signal.SIGKILL)  # stragglers in the group, if any
            child.process.wait()
            if child.reader is not None:
                child.reader.join(2)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(process.pid, sig)


def wait_until(check: Callable[[], bool], supervisor: Supervisor, what: str) -> None:
    """Poll ``check`` until true; fail when a child dies, Ctrl-C comes, or time runs out."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not check():
        if supervisor.stopping.is_set():
            raise KeyboardInterrupt
        dead = supervisor.dead()
        if dead is not None:
            raise RuntimeError(f"{dead.name} exited (code {dead.process.returncode})")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {READY_TIMEOUT:.0f} s")
        time.sleep(0.1)


def answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False

    return check


def web_argv(host: str, port: int) -> list[str]:
    """gunicorn as in the Procfile (one worker is plenty here); access log without queries."""
    argv = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1"]
    argv += ["--threads", "8", "--timeout", "30", "--bind", f"{host}:{port}"]
    # %(U)s is the path alone: signatures, nonces and openids stay out of the log.
    argv += ["--access-logfile", "-", "--access-logformat", "%(m)s %(U)s %(s)s %(M)sms"]
    return argv + _no_control_socket() + ["bot:create_app()"]


def _no_control_socket() -> list[str]:
    """gunicorn >= 25 opens ~/.gunicorn/gunicorn.ctl: two dev sessions would fight over it."""
    from gunicorn.config import KNOWN_SETTINGS

    known = any("--no-control-socket" in (s.cli or []) for s in KNOWN_SETTINGS)
    return ["--no-control-socket"] if known else []


def run(host: str = "127.0.0.1", port: int = 8000, emulator_port: int = 0) -> int:
    """Start everything, print the simulator's URL, and supervise until Ctrl-C or a death."""
    supervisor = Supervisor()

    def on_signal(signum: int, _frame: object) -> None:
        supervisor.stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: terminal closed
        signal.signal(signum, on_signal)

    port = port or free_port()
    emulator_port = emulator_port or free_port()
    web_url = f"http://{host}:{port}"
    emulator_url = f"http://{host}:{emulator_port}"
    workdir = tempfile.TemporaryDirectory(prefix="ocrbot-dev-")
    code = 0
    try:
        redis_url = os.environ.get("REDIS_URL", "")
        if not redis_url:
            redis_port = free_port()
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            supervisor.start(
                "redis", redis_argv(redis_port, workdir.name), os.environ, stop_last=True
            )
        else:
            supervisor.say("dev", "using REDIS_URL from the environment")
        env = session_env(
            os.environ, web_url=web_url, emulator_url=emulator_url, redis_url=redis_url
        )
        # /metrics adds up the web and worker processes (docs/operations.md).
        metrics_dir = os.path.join(workdir.name, "metrics")
        os.makedirs(metrics_dir)
        env.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        for label, names in (("Official Account", OFFICIAL_VARS), ("WeCom", WECOM_VARS)):
            given = any(os.environ.get(name) for name in names)
            source = "from the environment" if given else "generated for this session"
            supervisor.say("dev", f"{label} credentials {source}")
        for name in API_BASE_VARS:
            if os.environ.get(name):
                supervisor.say("dev", f"{name} from the environment: {os.environ[name]}")
        emulator = [sys.executable, "-m", "bot.cli", "emulator", "--host", host]
        emulator += ["--port", str(emulator_port), "--webhook", web_url]
        supervisor.start("emulator", emulator, env)
        supervisor.start("web", web_argv(host, port), env)
        supervisor.start("worker", [sys.executable, "-m", "bot.cli", "worker"], env)
        wait_until(answers(f"{emulator_url}/_emulator/settings"), supervisor, "the emulator")
        wait_until(answers(f"{web_url}/healthz"), supervisor, "the web app")
        supervisor.say("dev", "")
        supervisor.say("dev", f"chat simulator: {web_url}/simulator/")
        supervisor.say("dev", f"webhooks: {web_url}/wechat  {web_url}/wecom")
        supervisor.say("dev", f"WeChat API emulator: {emulator_url}")
        supervisor.say("dev", "Ctrl-C stops everything")
        supervisor.say("dev", "")
        while not supervisor.stopping.is_set():
            dead = supervisor.dead()
            if dead is not None:
                supervisor.say("dev", f"{dead.name} exited (code {dead.process.returncode})")
                code = 1
                break
            supervisor.stopping.wait(0.2)
    except (RuntimeError, FileNotFoundError) as error:
        supervisor.say("dev", f"cannot start: {error}")
        code = 1
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.say("dev", "stopping")
        supervisor.stop_all()
        workdir.cleanup()
        supervisor.say("dev", "stopped")
    return code
