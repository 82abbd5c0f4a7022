"""Per-job cost of the offline engine under two RQ worker models, in one run.

- ``ocrbot worker`` (ours): RQ's SimpleWorker, the models loaded once before
  the first job (``worker.build_worker``); every job runs in that process.
- RQ's default forking ``Worker``: each job runs in a fresh work horse, which
  has to load the models again (what a plain ``rq worker`` would do).

Both run the same recognition jobs on the same image, against a throwaway
Redis. The table shows seconds per job, then the load time alone and the
peak memory of the ocrbot worker run (what a worker process needs).

    .venv/bin/python bench/worker.py [--jobs 6]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import redis as redis_lib
from rq import Queue, SimpleWorker, Worker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.devtools.redis_server import start_redis  # noqa: E402
from bot.ocr.base import DocType  # noqa: E402
from bot.runtime import Runtime  # noqa: E402

IMAGE = next((ROOT / "tests" / "data" / "synth").glob("*_idcard.jpg"))


def recognize_file(path: str) -> float:
    """The job: build the engine as a job in this process would, recognize, time it."""
    from bot.ocr.local import LocalEngine

    started = time.perf_counter()
    LocalEngine().recognize(Path(path).read_bytes(), DocType.IDCARD)
    return time.perf_counter() - started


def run(worker_class: type[Worker], url: str, jobs: int, preload: bool) -> list[float]:
    connection = redis_lib.Redis.from_url(url)
    queue = Queue("bench", connection=connection)
    queue.empty()
    enqueued = [
        queue.enqueue("bench.worker.recognize_file", str(IMAGE), result_ttl=600)
        for _ in range(jobs)
    ]
    if preload:  # what worker.build_worker does before the first job
        Runtime(Settings(ocr_engine="local", redis_url=url), connection).engine  # noqa: B018
    worker_class([queue], connection=connection).work(burst=True, with_scheduler=False)
    seconds = []
    for job in enqueued:
        job.refresh()
        assert job.get_status() == "finished", job.latest_result().exc_string
        seconds.append(job.return_value())
    return seconds


def cold_load_seconds() -> float:
    """Model loading alone, in a fresh interpreter."""
    import subprocess

    code = (
        "import time; t=time.perf_counter(); from bot.ocr.local.models import load_models; "
        "load_models(); print(time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("rq").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=6)
    args = parser.parse_args()
    server = start_redis()
    try:
        forking = run(Worker, server.url, args.jobs, preload=False)
        ours = run(SimpleWorker, server.url, args.jobs, preload=True)
    finally:
        server.stop()
    load = cold_load_seconds()
    ours_median, forking_median = statistics.median(ours), statistics.median(forking)
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {args.jobs} ID card jobs each; seconds inside the job\n"
    )
    print("| worker model                          | median s/job | max s/job | vs ours |")
    print("|---------------------------------------|--------------|-----------|---------|")
    print(
        f"| ocrbot worker (SimpleWorker, preload) | {ours_median:12.2f} | {max(ours):9.2f} | "
        f"{1:7.2f} |"
    )
    print(
        f"| rq Worker (fork per job, no preload)  | {forking_median:12.2f} | "
        f"{max(forking):9.2f} | {forking_median / ours_median:7.2f} |"
    )
    print(f"\nloading the models alone (fresh process): {load:.2f} s")
    # ru_maxrss is in KiB on Linux: this process's peak, i.e. the ocrbot worker run (the
    # forking run's parent never loads the models; its work horses are other processes).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) of the ocrbot worker run: {peak:.0f} MB")


if __name__ == "__main__":
    main()
