"""glibc's malloc told to give a job's large blocks back to the system.

A recognition allocates a few hundred MB of short-lived buffers (onnxruntime's
activations, image copies). glibc serves a block above its mmap threshold
(128 KiB at start) with its own mapping, unmapped when freed; but each time
such a block is freed it raises the threshold to that block's size (up to
32 MB), so after a few jobs the same buffers come from the heap, where freed
memory mostly stays resident and fragments. A worker then grows to its worst
jobs' sum. Setting the threshold once turns that adjustment off: measured over
50 mixed photos, the worker peaks at about 400 MB instead of 700 and returns
to its loaded size between jobs (``bench/worker.py``, ``docs/benchmarks.md``).
"""

from __future__ import annotations

import ctypes
import logging
import platform

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value


def return_large_blocks(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold for this process. False where the C library is not glibc
    (musl, macOS): nothing is changed there."""
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)  # the C library this process already runs on
    if libc.mallopt(M_MMAP_THRESHOLD, threshold) != 1:
        log.warning("mallopt(M_MMAP_THRESHOLD, %d) refused", threshold)
        return False
    return True
