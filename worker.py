"""RQ worker entry point: ``python worker.py`` or ``ocrbot worker``.

The OCR engine is built once, here, before the first job. The worker is
RQ's ``SimpleWorker`` (``bot.jobs.Worker``, which masks what it keeps of a
failure): it runs jobs in this process instead of forking a work horse per
job, so the loaded models (and onnxruntime's thread pools, which do not
survive a fork) serve every job. Job timeouts still apply.
Scale by running more worker processes, on more machines.
"""

from __future__ import annotations

import logging

from bot import jobs, logs
from bot.config import Settings
from bot.runtime import Runtime

log = logging.getLogger("ocrbot.worker")


def build_worker(runtime: Runtime, name: str | None = None) -> jobs.Worker:
    """A worker for this runtime's queues (quick pushes first), engine loaded."""
    runtime.settings.check_can_serve()
    jobs.install(runtime)
    engine = runtime.current_engine()  # load the models now, not in the first job
    log.info("engine %s ready", engine.name)
    return jobs.Worker(runtime.queues, connection=runtime.redis, name=name)


def main(burst: bool = False, with_scheduler: bool = True) -> None:
    settings = Settings()
    logs.setup(settings.log_level, settings.log_format)
    worker = build_worker(Runtime(settings))
    # The scheduler moves retries with a backoff interval back onto the queue.
    worker.work(burst=burst, with_scheduler=with_scheduler)


if __name__ == "__main__":
    main()
