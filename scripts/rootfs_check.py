"""The container image, checked without Docker (run by ``scripts/rootfs-check``, as root).

1. ``debootstrap`` builds a Debian bookworm root filesystem (the minbase variant, which is
   what the ``debian:bookworm-slim`` image is made from) from Debian's mirror.
2. The Dockerfile's steps are carried out in it, in order: ``ENV``, ``WORKDIR``, ``COPY``
   from this checkout, ``RUN`` in a chroot, ``USER``; ``CMD`` and ``HEALTHCHECK`` are kept.
3. A Redis and the WeChat API emulator start on this machine; the image's default command
   (the web process) and ``ocrbot worker`` start in the chroot as the image's user, with
   the environment a platform would give them.
4. The HEALTHCHECK command runs there; one photo goes through the emulator to the web, the
   user picks 身份证, and the worker's masked answer arrives at the emulator.

Everything runs on this machine's loopback; the network is only needed for Debian's mirror
and the package index (the ``RUN`` steps). The output is a log of the steps and a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.devtools.emulator import EmulatorConfig, run_in_thread  # noqa: E402
from bot.devtools.redis_server import free_port, start_redis  # noqa: E402

SUITE = "bookworm"
DOCKER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PHOTO = ROOT / "bot" / "devtools" / "simulator" / "samples" / "idcard-front.jpg"
MASKED_ID = re.compile(r"\d{3}\*{11}[\dX]{4}")
FULL_ID = re.compile(r"\d{17}[\dX]")
COMPILERS = ("cc", "gcc", "c++", "g++", "clang")
HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
BUILD_CA_BUNDLE = "/rootfs-check-build/ca-certificates.crt"

started_at = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - started_at:7.1f}s] {message}", flush=True)


def debian_mirror() -> str:
    """The Debian mirror this machine's apt uses (deb822 or one-line sources)."""
    sources = sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))
    for path in sources + [Path("/etc/apt/sources.list")]:
        if not path.exists():
            continue
        text = path.read_text()
        for uri in re.findall(r"^URIs:\s*(\S+)", text, re.M) + re.findall(
            r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+" + SUITE + r"\s", text, re.M
        ):
            if uri.rstrip("/").endswith("/debian"):
                return uri
    return "http://deb.debian.org/debian"


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=True, **kwargs)


class Rootfs:
    """A root filesystem and the state of a Dockerfile build in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env: dict[str, str] = {"PATH": DOCKER_PATH, "HOME": "/root"}
        self.workdir = "/"
        self.user = "0:0"
        self.cmd: list[str] = []
        self.healthcheck: list[str] = []
        self.mounted: list[Path] = []

    # -- the base --------------------------------------------------------------------
    def bootstrap(self, mirror: str, cache: Path) -> None:
        self.remove()
        cache.mkdir(parents=True, exist_ok=True)
        run(
            ["debootstrap", "--variant=minbase", f"--cache-dir={cache}", SUITE, str(self.path)]
            + [mirror],
            stdout=subprocess.DEVNULL,
        )
        security = mirror.rstrip("/").removesuffix("/debian") + "/debian-security"
        (self.path / "etc/apt/sources.list").unlink(missing_ok=True)
        (self.path / "etc/apt/sources.list.d/debian.sources").write_text(
            f"Types: deb\nURIs: {mirror}\nSuites: {SUITE} {SUITE}-updates\nComponents: main\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
            f"Types: deb\nURIs: {security}\nSuites: {SUITE}-security\nComponents: main\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        )
        shutil.copy("/etc/resolv.conf", self.path / "etc/resolv.conf")
        for name, kind in (("proc", "proc"), ("sys", "sysfs"), ("dev", None)):
            target = self.path / name
            if kind:
                run(["mount", "-t", kind, name, str(target)])
            else:
                run(["mount", "--bind", "/dev", str(target)])
            self.mounted.append(target)

    def unmount(self) -> None:
        for target in reversed(self.mounted):
            subprocess.run(["umount", "-l", str(target)], check=False)
        self.mounted.clear()

    def remove(self) -> None:
        """Delete the tree, never through a mount (/dev is the host's own)."""
        inside = [m for m in mount_points() if m == self.path or self.path in m.parents]
        if inside:
            raise SystemExit(f"still mounted, not deleting {self.path}: {inside}")
        if self.path.exists():
            shutil.rmtree(self.path)

    # -- the Dockerfile --------------------------------------------------------------
    def build(self, dockerfile: Path) -> None:
        for word, args in instructions(dockerfile.read_text()):
            say(f"{word} {args[:110]}")
            step = getattr(self, f"do_{word.lower()}", None)
            if step is None:
                raise SystemExit(f"rootfs-check does not know the instruction {word}")
            step(args)
        shutil.rmtree(self.path / Path(BUILD_CA_BUNDLE).parent.relative_to("/"), True)

    def do_from(self, args: str) -> None:
        if args != f"debian:{SUITE}-slim":
            raise SystemExit(f"the image is built FROM {args}; this check makes {SUITE}-slim")

    def do_env(self, args: str) -> None:
        for pair in shlex.split(args):
            name, _, value = pair.partition("=")
            self.env[name] = re.sub(r"\$\{?(\w+)\}?", lambda m: self.env.get(m.group(1), ""), value)

    def do_workdir(self, args: str) -> None:
        self.workdir = os.path.join(self.workdir, args)
        (self.path / self.workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)

    def do_copy(self, args: str) -> None:
        *sources, dest = shlex.split(args)
        target = self.path / os.path.join(self.workdir, dest).lstrip("/")
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(
                    origin, target, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True
                )
            else:
                into = target / origin.name if dest.endswith("/") else target
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, into)

    def do_run(self, args: str) -> None:
        self.chroot(["/bin/sh", "-c", args], user="0:0", env=self.build_trust(), check=True)

    def build_trust(self) -> dict[str, str]:
        """This machine's CA bundle for the build steps' downloads, when it has one.

        Its egress may go through a proxy with its own CA that the image's own bundle does
        not know; a builder on such a network is configured the same way. The image is
        left as it is: the bundle sits outside its files and goes when the build is done.
        """
        host = Path(os.environ.get("SSL_CERT_FILE") or HOST_CA_BUNDLE)
        if not host.is_file():
            return {}
        inside = self.path / BUILD_CA_BUNDLE.lstrip("/")
        inside.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(host, inside)
        return {"PIP_CERT": BUILD_CA_BUNDLE, "SSL_CERT_FILE": BUILD_CA_BUNDLE}

    def do_user(self, args: str) -> None:
        self.user = args if ":" in args else f"{args}:{args}"
        uid = self.user.split(":")[0]
        for entry in (self.path / "etc/passwd").read_text().splitlines():
            fields = entry.split(":")
            if uid in (fields[0], fields[2]):
                self.env["HOME"] = fields[5]  # as Docker sets it for the USER

    def do_expose(self, args: str) -> None:
        pass

    def do_healthcheck(self, args: str) -> None:
        self.healthcheck = json.loads(args.split(" CMD ", 1)[1])

    def do_cmd(self, args: str) -> None:
        self.cmd = json.loads(args)

    # -- running in it ---------------------------------------------------------------
    def argv(self, command: list[str], user: str, env: dict[str, str]) -> list[str]:
        variables = [f"{k}={v}" for k, v in {**self.env, **env}.items()]
        script = f"cd {shlex.quote(self.workdir)} && exec " + shlex.join(command)
        return ["chroot", f"--userspec={user}", str(self.path), "/usr/bin/env", "-i"] + [
            *variables,
            "/bin/sh",
            "-c",
            script,
        ]

    def chroot(
        self, command: list[str], user: str | None = None, env: dict | None = None, **kw
    ) -> subprocess.CompletedProcess:
        return subprocess.run(self.argv(command, user or self.user, env or {}), **kw)

    def start(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        # chroot, env and sh all exec: the Popen's pid is the command's own process.
        with log.open("w") as out:
            return subprocess.Popen(
                self.argv(command, self.user, env), stdout=out, stderr=subprocess.STDOUT
            )

    def which(self, name: str) -> str:
        done = self.chroot(["sh", "-c", f"command -v {name} || true"], capture_output=True)
        return done.stdout.decode().strip()

    def size_mb(self, inside: str = "") -> float:
        done = run(["du", "-sxm", str(self.path / inside)], capture_output=True, text=True)
        return float(done.stdout.split()[0])


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    pairs = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def mount_points() -> list[Path]:
    lines = Path("/proc/self/mounts").read_text().splitlines()
    return [Path(line.split()[1].replace("\\040", " ")) for line in lines]


def wait_http(url: str, process: subprocess.Popen, seconds: float) -> requests.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=10)
        except (requests.ConnectionError, requests.Timeout):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{url} never answered (exit {process.poll()})") from None
            time.sleep(0.5)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), and its children's added up."""
    status = Path(f"/proc/{pid}/status").read_text()
    own = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return own + sum(peak_rss_mb(int(kid)) for kid in kids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="/var/tmp/ocrbot-rootfs", help="the root filesystem")
    parser.add_argument("--cache", default="/var/cache/ocrbot-debootstrap", help=".deb cache")
    parser.add_argument("--keep", action="store_true", help="leave the root filesystem")
    options = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("rootfs-check runs as root (debootstrap, mount, chroot)")
    for tool in ("debootstrap", "chroot", "mount"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install debootstrap")

    rootfs = Rootfs(Path(options.dir))
    logs = Path(options.dir + "-logs")
    logs.mkdir(exist_ok=True)
    processes: list[subprocess.Popen] = []
    redis_server = emulator = None
    summary: list[tuple[str, str]] = []
    try:
        mirror = debian_mirror()
        say(f"debootstrap --variant=minbase {SUITE} from {mirror}")
        rootfs.bootstrap(mirror, Path(options.cache))
        base_mb = rootfs.size_mb()
        rootfs.build(ROOT / "Dockerfile")
        python = rootfs.chroot(
            ["python3", "-c", "import sys; print(sys.version.split()[0], sys.base_prefix)"],
            capture_output=True,
            text=True,
        ).stdout.split()
        summary.append(("python", f"{python[0]} from {python[1]} (Debian's), in /opt/venv"))
        compilers = [c for c in COMPILERS if rootfs.which(c)]
        summary.append(("compilers in the image", ", ".join(compilers) or "none"))
        summary.append(
            (
                "size",
                f"{base_mb:.0f} MB debootstrapped, {rootfs.size_mb():.0f} MB built, of which "
                f"/opt/venv {rootfs.size_mb('opt/venv'):.0f} MB",
            )
        )
        whoami = rootfs.chroot(["id", "-un"], capture_output=True, text=True).stdout.strip()
        summary.append(("user", f"{rootfs.user} ({whoami})"))

        redis_server = start_redis()
        port = free_port()
        web_url = f"http://127.0.0.1:{port}"
        config = EmulatorConfig.generate(webhook_base=web_url, local_engine=False)
        emulator = run_in_thread(config)
        env = {
            **config.bot_env(emulator.url),
            "ENV": "production",
            "DATA_KEY": Fernet.generate_key().decode(),
            "REDIS_URL": redis_server.url,
            "OCR_ENGINE": "local",
            "PORT": str(port),
        }
        say(f"web: {shlex.join(rootfs.cmd)} on PORT={port}; worker: ocrbot worker")
        web = rootfs.start(rootfs.cmd, env, logs / "web.log")
        worker = rootfs.start(["ocrbot", "worker"], env, logs / "worker.log")
        processes += [web, worker]
        health = wait_http(f"{web_url}/healthz", web, 60)
        say(f"GET /healthz: {health.status_code} {health.text.strip()}")
        check = rootfs.chroot(rootfs.healthcheck, env=env, capture_output=True, text=True)
        summary.append(("HEALTHCHECK", f"exit {check.returncode} {check.stderr.strip()[-200:]}"))

        media = requests.post(
            f"{emulator.url}/_emulator/media",
            files={"media": (PHOTO.name, PHOTO.read_bytes(), "image/jpeg")},
            timeout=10,
        ).json()
        peer = emulator.official_peer("safe")
        user = "o_rootfs_check"
        menu = peer.deliver(peer.image(user, media["media_id"], media["pic_url"]))
        say(f"photo {PHOTO.name} delivered (safe mode): {menu.status} {first_line(menu.reply)}")
        chosen = peer.deliver(peer.text(user, "1"))
        say(f"'1' delivered: {chosen.status} {first_line(chosen.reply)}")
        answer = wait_for_answer(emulator, user, worker, seconds=300)
        say("the worker's answer, pushed through the customer-service API:")
        print(answer, flush=True)
        masked = bool(MASKED_ID.search(answer)) and not FULL_ID.search(answer)
        summary.append(("answer", "masked ID number" if masked else "NOT MASKED"))
        summary.append(("worker peak RSS", f"{peak_rss_mb(worker.pid):.0f} MB"))
        summary.append(("web peak RSS", f"{peak_rss_mb(web.pid):.0f} MB (gunicorn, 2 workers)"))
        errors = [
            f"{log.name}: {line}"
            for log in (logs / "web.log", logs / "worker.log")
            for line in log.read_text(errors="replace").splitlines()
            if re.search(r"\b(ERROR|CRITICAL|Traceback)\b", line)
        ]
        summary.append(("errors in the logs", "; ".join(errors)[:400] or "none"))
        ok = (
            not errors
            and not compilers
            and whoami != "root"
            and check.returncode == 0
            and health.status_code == 200
            and masked
        )
        summary.append(("result", "PASS" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        if emulator is not None:
            emulator.stop()
        if redis_server is not None:
            redis_server.stop()
        rootfs.unmount()
        if not options.keep:
            rootfs.remove()
        width = max((len(k) for k, _ in summary), default=0)
        print("\n".join(f"{k.ljust(width)}  {v}" for k, v in summary), flush=True)
        print(f"logs of the web and worker processes: {logs}", flush=True)


def first_line(reply: dict | None) -> str:
    return (reply or {}).get("Content", "").splitlines()[0] if reply else "(no reply)"


def wait_for_answer(emulator, user: str, worker: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = emulator.state.messages_for(user)
        if sent:
            return sent[-1]["body"]["text"]["content"]
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited ({worker.returncode})")
        time.sleep(0.5)
    raise SystemExit("no answer from the worker")


if __name__ == "__main__":
    sys.exit(main())
