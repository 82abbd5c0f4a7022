"""RQ worker entry point: ``python worker.py`` or ``ocrbot worker``.

The OCR engine is built once, here, before the first job. The worker is
RQ's ``SimpleWorker`` (``bot.jobs.Worker``, which masks what it keeps of a
failure): it runs jobs in this process instead of forking a work horse per
job, so the loaded models (and onnxruntime's thread pools, which do not
survive a fork) serve every job. Job timeouts still apply.
After each job the memory it freed goes back to the system (``bot.malloc``):
a worker then peaks under 600 MB over mixed photos, not 700, and sits at its
loaded 250 MB between jobs. Scale by running more worker processes, on more
machines, and give each its share of the cores with ``OCR_THREADS``.

What this adds to RQ, so that a dead worker costs seconds, not ten minutes
(``docs/reliability.md``):

- a short *lease*: a running job's entry in RQ's started registry lives
  :data:`LEASE` seconds and a heartbeat thread renews it every :data:`BEAT`
  (RQ's SimpleWorker gives it job timeout + 60 s and never renews it);
- a *janitor* thread: every :data:`MAINTENANCE` seconds, RQ's registry
  clean-up (an expired lease is an abandoned job: RQ retries it, or fails it
  and our failure callback tells the user) and a check that this worker's
  scheduler process is alive, restarting it (after a Redis restart, or once a
  dead worker's scheduler lock has expired) instead of at RQ's ten-minute
  maintenance, and restarting a live one to take up a queue whose scheduler
  died with another worker (RQ's would try again after two minutes);
- Redis going away does not end the process: the worker waits and starts
  over when Redis is back.
"""

from __future__ import annotations

import logging
import signal
import threading

import redis
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    RateLimitRegistry,
    ReadyJobRegistry,
    StartedJobRegistry,
)
from rq.scheduler import RQScheduler
from rq.scripts import release_lock
from rq.timeouts import BaseDeathPenalty
from rq.utils import now
from rq.worker_registration import clean_worker_registry, register

from bot import jobs, logs, malloc
from bot.config import Settings
from bot.runtime import Runtime

log = logging.getLogger("ocrbot.worker")

LEASE = 15  # seconds a running job's registry entry outlives its last heartbeat
BEAT = 5  # seconds between a running job's heartbeats
MAINTENANCE = 10  # seconds between clean-ups of abandoned jobs and scheduler checks
SCHEDULER_SILENCE = 10  # seconds without a lock renewal after which a scheduler is dead
# One cleaner at a time: it tells the users of abandoned jobs (a push: up to three tries
# of HTTP_TIMEOUT each, and a token fetch), and a second cleaner meanwhile would tell them
# again. A cleaner that dies holding the lock delays the next clean-up this long at most.
CLEANING_LOCK = 120
RECONNECT_WAIT = 2.0  # seconds between attempts while Redis is away


class Worker(jobs.Worker):
    """Our SimpleWorker (failures masked) with a short, renewed job lease and a janitor thread."""

    max_connection_wait_time = 4.0  # RQ's reconnect backoff tops out at 60 s: Redis back, work on
    shutdown_requested = False  # SIGTERM/SIGINT: the process ends (other loop ends restart)

    def request_stop(self, signum, frame) -> None:
        self.shutdown_requested = True
        super().request_stop(signum, frame)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return LEASE

    def execute_job(self, job: Job, queue: Queue) -> None:
        try:
            super().execute_job(job, queue)
        finally:
            malloc.release_freed()  # the job's freed memory back to the system

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        done = threading.Event()
        beat = threading.Thread(
            target=self._beat, args=(job, execution, done), name="job-heartbeat", daemon=True
        )
        beat.start()
        try:
            return super().perform_job(job, queue, execution)
        finally:
            done.set()
            beat.join()

    def _beat(self, job: Job, execution: Execution, done: threading.Event) -> None:
        while not done.wait(BEAT):
            try:
                self.maintain_heartbeats(job, execution)
            except redis.RedisError as error:
                log.warning("job heartbeat failed: %s", error)

    def work(self, *args, **kwargs) -> bool:
        stop = threading.Event()
        janitor = threading.Thread(target=self._janitor, args=(stop,), name="janitor", daemon=True)
        janitor.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            stop.set()
            janitor.join(5)

    def _janitor(self, stop: threading.Event) -> None:
        while not stop.wait(MAINTENANCE):
            try:
                self.tidy()
            except redis.RedisError as error:
                log.warning("janitor: Redis unavailable (%s)", type(error).__name__)
            except Exception:  # noqa: BLE001 - the janitor must outlive any one bad round
                log.exception("janitor round failed")

    def tidy(self) -> None:
        """Re-register after a Redis restart, restart a dead scheduler, and retry or fail
        abandoned jobs (RQ's clean-up)."""
        if not self.connection.sismember(self.redis_workers_keys, self.key):
            log.warning("this worker's registration is gone (Redis restarted?): registering again")
            with self.connection.pipeline() as pipe:
                pipe.hset(self.key, mapping=self.serialize())
                register(self, pipe)
                pipe.expire(self.key, self.worker_ttl + 60)
                pipe.execute()
        scheduler = self.scheduler
        if scheduler is not None:
            self.free_dead_scheduler_locks(scheduler)
        process = scheduler._process if scheduler is not None else None
        dead = scheduler is not None and (process is None or not process.is_alive())
        if dead and scheduler.acquire_locks(auto_start=True):
            log.info("scheduler (re)started")
        elif scheduler is not None and not dead and self.unscheduled(scheduler):
            # A queue whose scheduler died has none until a live one's next try, which RQ
            # makes every two minutes: ours starts again now and takes every free lock.
            self.stop_scheduler()  # it releases its own locks as it stops
            if scheduler.acquire_locks(auto_start=True):
                log.info("scheduler restarted for %s", ", ".join(sorted(scheduler.acquired_locks)))
        self.clean_registries()

    def unscheduled(self, scheduler: RQScheduler) -> list[str]:
        """This worker's queues whose scheduler lock nobody holds (its holder died and its
        lock was freed, or it stopped): their retries wait for a scheduler."""
        return [
            name
            for name in scheduler._queue_names
            if not self.connection.exists(RQScheduler.get_locking_key(name))
        ]

    def free_dead_scheduler_locks(self, scheduler: RQScheduler) -> None:
        """Release a queue's scheduler lock whose holder stopped refreshing it.

        A live scheduler renews its lock to ``interval + 60`` seconds every
        ``interval``; a lock with :data:`SCHEDULER_SILENCE` seconds less left
        belongs to a scheduler that died (SIGKILL, a lost machine). RQ would
        wait the full minute for it to expire.
        """
        full = scheduler.interval + 60
        for name in scheduler._queue_names:
            lock = RQScheduler.get_locking_key(name)
            owner, left = self.connection.get(lock), self.connection.ttl(lock)
            if owner is None or owner.decode() == scheduler.name or left > full - SCHEDULER_SILENCE:
                continue
            if release_lock(self.connection, lock, owner.decode()):
                log.warning("scheduler lock of %s: its holder went silent, released", name)

    def clean_registries(self) -> None:
        """RQ's registry clean-up under a short lock (RQ's own lasts 15 minutes)."""
        for queue in self.queues:
            if not self.connection.set(queue.registry_cleaning_key, 1, nx=True, ex=CLEANING_LOCK):
                continue
            try:
                clean_queue_registries(queue, self._exc_handlers)
                clean_worker_registry(queue)
                queue.intermediate_queue.cleanup(self, queue)
            finally:
                self.connection.delete(queue.registry_cleaning_key)
        self.last_cleaned_at = now()


class Untimed(BaseDeathPenalty):
    """No timer on an abandoned job's failure callback, which the janitor thread runs.

    RQ times it with SIGALRM, which only the main thread may set: from the janitor the
    callback raised at once and never ran (the user of a job that died on its last try
    was never told). RQ's thread timer raises into the thread at an arbitrary point and
    rewrites the timeout exception's message for the whole process. Our callbacks'
    calls are bounded by ``HTTP_TIMEOUT`` each, which is timer enough.
    """

    def setup_death_penalty(self) -> None:
        pass

    def cancel_death_penalty(self) -> None:
        pass


def clean_queue_registries(queue: Queue, exception_handlers: list) -> None:
    """RQ's ``clean_registries``, abandoned jobs' failure callbacks run :class:`Untimed`."""
    where = {"queue": queue, "job_class": queue.job_class}
    started = StartedJobRegistry(**where, death_penalty_class=Untimed)
    started.cleanup(exception_handlers=exception_handlers)
    for registry in (FinishedJobRegistry, FailedJobRegistry, DeferredJobRegistry, ReadyJobRegistry):
        registry(**where).cleanup()
    for limits in RateLimitRegistry.all(queue.connection):
        limits.cleanup()


def build_worker(runtime: Runtime, name: str | None = None) -> Worker:
    """A worker for this runtime's queues (quick pushes first), engine loaded."""
    runtime.settings.check_can_serve()
    jobs.install(runtime)
    engine = runtime.current_engine()  # load the models now, not in the first job
    log.info("engine %s ready", engine.name)
    return Worker(
        runtime.queues, connection=runtime.redis, name=name, maintenance_interval=MAINTENANCE
    )


def main(burst: bool = False, with_scheduler: bool = True) -> None:
    settings = Settings()
    logs.setup(settings.log_level, settings.log_format)
    runtime = Runtime(settings)
    stopping = threading.Event()
    while True:
        try:
            worker = build_worker(runtime)
            # The scheduler moves retries with a backoff interval back onto the queue.
            worker.work(burst=burst, with_scheduler=with_scheduler)
        except redis.RedisError as error:
            log.warning("Redis unavailable (%s): waiting for it", type(error).__name__)
        else:
            if burst or worker.shutdown_requested:
                return
            log.warning("worker loop ended (Redis went away?): starting over")
        if stopping.is_set():
            return
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        wait_for_redis(runtime, stopping)
        if stopping.is_set():
            return


def wait_for_redis(runtime: Runtime, stopping: threading.Event) -> None:
    while not stopping.is_set():
        try:
            runtime.redis.ping()
            return
        except redis.RedisError:
            stopping.wait(RECONNECT_WAIT)


if __name__ == "__main__":
    main()
