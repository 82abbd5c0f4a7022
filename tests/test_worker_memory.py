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

ROOT = Path(__file__).resolve().parents[1]


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


# A child that frees a 30 MB block (mmapped: glibc then raises its mmap threshold to 30 MB),
# then allocates, touches and frees a 16 MB block, and prints how much it kept resident.
_KEPT = """
import ctypes, sys
from pathlib import Path
from bot import malloc
if sys.argv[1] == "tuned":
    assert malloc.return_large_blocks()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]

def rss():
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024

def touched(mb):
    block = libc.malloc(mb << 20)
    ctypes.memset(block, 1, mb << 20)
    return block

libc.free(touched(30))
before = rss()
block = touched(16)
guard = libc.malloc(64)  # keeps the block from being the heap's top, trimmed on free
libc.free(block)
print(rss() - before)
"""


def test_return_large_blocks_gives_a_freed_block_back() -> None:
    """Without the fixed threshold glibc keeps the freed 16 MB; with it, gives it back."""
    untuned = int(_python(_KEPT.replace("sys.argv[1]", "'untuned'")))
    tuned = int(_python(_KEPT.replace("sys.argv[1]", "'tuned'")))
    assert untuned >= 14  # what the worker suffered: the job's buffers stay resident
    assert tuned <= 2
