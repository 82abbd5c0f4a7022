"""What the worker sets up for its memory and its cores reaches the real libraries.

Each check runs in a fresh interpreter: the models are loaded once per process, and
glibc's malloc settings belong to the process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, **env: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_the_workers_onnxruntime_sessions_get_ocr_threads(redis_url: str) -> None:
    """OCR_THREADS, read by the worker as it starts, is what every onnxruntime session of
    the loaded engine computes with (the sessions' own options, not our arguments)."""
    code = (
        "import json, worker\n"
        "from bot.config import Settings\n"
        "from bot.runtime import Runtime\n"
        "runtime = Runtime(Settings())\n"
        "worker.build_worker(runtime)\n"
        "models = runtime.current_engine().models\n"
        "options = [s.session.session.get_session_options() "
        "for s in (models.det, models.cls, models.rec)]\n"
        "print(json.dumps([[o.intra_op_num_threads, o.enable_cpu_mem_arena] for o in options]))"
    )
    for threads in (1, 2):
        got = json.loads(
            _python(code, OCR_THREADS=str(threads), OCR_ENGINE="local", REDIS_URL=redis_url)
        )
        assert got == [[threads, False]] * 3


# A child that fills 64 MB with small blocks (from the heap, under the mmap threshold),
# frees all but the last one (which keeps the heap's top from being trimmed on free),
# optionally releases, and prints how much of the 64 MB it still holds resident.
_KEPT = """
import ctypes, sys
from pathlib import Path
from bot import malloc
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]

def rss():
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024

before = rss()
blocks = [libc.malloc(64 << 10) for _ in range(1024)]
for block in blocks:
    ctypes.memset(block, 1, 64 << 10)
for block in blocks[:-1]:
    libc.free(block)
if sys.argv[1] == "released":
    assert malloc.release_freed()
print(rss() - before)
"""


def test_release_freed_gives_the_freed_heap_back() -> None:
    """glibc keeps freed heap pages resident; released, they go back to the system."""
    kept = int(_python(_KEPT.replace("sys.argv[1]", "'kept'")))
    released = int(_python(_KEPT.replace("sys.argv[1]", "'released'")))
    assert kept >= 60  # what the worker suffered: a job's freed buffers stayed resident
    assert released <= 4


def test_the_worker_releases_after_each_job(redis_url: str) -> None:
    """A real worker, one job that leaves freed heap behind: the worker gives it back."""
    code = (
        "import worker\n"
        "from bot.config import Settings\n"
        "from bot.runtime import Runtime\n"
        "from rq import Queue\n"
        "runtime = Runtime(Settings(ocr_engine='wechat'))\n"
        "q = Queue(runtime.settings.queue_name, connection=runtime.redis)\n"
        "job = q.enqueue('tests.engine.test_worker_memory.leave_freed_heap')\n"
        "worker.build_worker(runtime).work(burst=True, with_scheduler=False)\n"
        "job.refresh()\n"
        "print(job.return_value(), rss())\n"
    )
    code = "from tests.engine.test_worker_memory import rss\n" + code
    held, after = map(int, _python(code, REDIS_URL=redis_url).split())
    assert held - after >= 60


def rss() -> int:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def leave_freed_heap() -> int:
    """The job: 64 MB of small blocks, all freed but the last; returns RSS while held."""
    import ctypes

    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(64 << 10) for _ in range(1024)]
    for block in blocks:
        ctypes.memset(block, 1, 64 << 10)
    held = rss()
    for block in blocks[:-1]:
        libc.free(block)
    return held
