"""RQ worker entry point: ``python worker.py`` or ``ocrbot worker``.

The OCR engine is built once, here, before the first job. The worker is
RQ's ``SimpleWorker``: it runs jobs in this process instead of forking a
work horse per job, so the loaded models (and onnxruntime's thread pools,
which do not survive a fork) serve every job. Job timeouts still apply.
Before anything is loaded, glibc's malloc is told to give each job's large
buffers back (``bot.malloc``): a worker then peaks near 400 MB, not 700.
Scale by running more worker processes, on more machines, and give each its
share of the cores with ``OCR_THREADS``.
"""

from __future__ import annotations

import logging

from rq import SimpleWorker

from bot import jobs, logs, malloc
from bot.config import Settings
from bot.runtime import Runtime

log = logging.getLogger("ocrbot.worker")


def build_worker(runtime: Runtime, name: str | None = None) -> SimpleWorker:
    """A worker for this runtime's queues (quick pushes first), engine loaded."""
    malloc.return_large_blocks()
    jobs.install(runtime)
    engine = runtime.current_engine()  # load the models now, not in the first job
    log.info("engine %s ready", engine.name)
    return SimpleWorker(runtime.queues, connection=runtime.redis, name=name)


def main(burst: bool = False, with_scheduler: bool = True) -> None:
    settings = Settings()
    logs.setup(settings.log_level, settings.log_format)
    worker = build_worker(Runtime(settings))
    # The scheduler moves retries with a backoff interval back onto the queue.
    worker.work(burst=burst, with_scheduler=with_scheduler)


if __name__ == "__main__":
    main()
