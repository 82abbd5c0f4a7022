"""RQ worker entry point: ``python worker.py`` or ``ocrbot worker``.

The OCR engine is built once, here, before the first job. The worker is
RQ's ``SimpleWorker``: it runs jobs in this process instead of forking a
work horse per job, so the loaded models (and onnxruntime's thread pools,
which do not survive a fork) serve every job. Job timeouts still apply.
After each job the memory it freed goes back to the system (``bot.malloc``):
a worker then peaks near 570 MB over mixed photos, not 700, and sits at its
loaded 250 MB between jobs.
Scale by running more worker processes, on more machines, and give each its
share of the cores with ``OCR_THREADS``.
"""

from __future__ import annotations

import logging

from rq import Queue, SimpleWorker
from rq.job import Job

from bot import jobs, logs, malloc
from bot.config import Settings
from bot.runtime import Runtime

log = logging.getLogger("ocrbot.worker")


class Worker(SimpleWorker):
    """RQ's SimpleWorker, returning each job's freed memory to the system."""

    def execute_job(self, job: Job, queue: Queue) -> None:
        try:
            super().execute_job(job, queue)
        finally:
            malloc.release_freed()


def build_worker(runtime: Runtime, name: str | None = None) -> SimpleWorker:
    """A worker for this runtime's queues (quick pushes first), engine loaded."""
    jobs.install(runtime)
    engine = runtime.current_engine()  # load the models now, not in the first job
    log.info("engine %s ready", engine.name)
    return Worker(runtime.queues, connection=runtime.redis, name=name)


def main(burst: bool = False, with_scheduler: bool = True) -> None:
    settings = Settings()
    logs.setup(settings.log_level, settings.log_format)
    worker = build_worker(Runtime(settings))
    # The scheduler moves retries with a backoff interval back onto the queue.
    worker.work(burst=burst, with_scheduler=with_scheduler)


if __name__ == "__main__":
    main()
