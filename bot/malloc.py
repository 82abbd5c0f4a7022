"""Giving the memory a job freed back to the system, after each job (glibc).

A recognition allocates a few hundred MB of short-lived buffers (onnxruntime's
activations, image copies). glibc keeps most of what is freed inside the
process: past the first jobs it raises its mmap threshold to the largest block
freed, so those buffers come from the heap, where freed pages stay resident.
A worker then sat at 500 MB between jobs and peaked at 700 MB over 50 mixed
photos. ``malloc_trim`` after each job hands the free pages back: the worker
returns to its loaded size between jobs and peaks at about 570 MB, at no
measurable cost. Fixing the mmap threshold instead (``mallopt``) peaks lower,
near 400 MB, but every large buffer is then a fresh mapping to fault in: jobs
took 1.25 to 1.5 times as long (``bench/worker.py``, ``docs/benchmarks.md``).
"""

from __future__ import annotations

import ctypes
import platform
from functools import cache


@cache
def _glibc() -> ctypes.CDLL | None:
    if platform.libc_ver()[0] != "glibc":
        return None  # musl, macOS: their allocators are left alone
    return ctypes.CDLL(None)  # the C library this process already runs on


def release_freed() -> bool:
    """Return the free pages of every malloc arena to the system. False where the C
    library is not glibc, or when there was nothing to return."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
