"""The janitor's clean-up of abandoned jobs, run in a thread as the worker runs it.

A real Redis; the state a worker killed mid-job leaves (its job started, its lease in
the started registry expired) written as RQ writes it.
"""

from __future__ import annotations

import threading
import time

from redis import Redis
from rq import Callback, Queue
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

import worker


def told(job: Job, connection: Redis, exc_type: type, exc: BaseException, tb: object) -> None:
    """A failure callback: what it was told, in Redis."""
    connection.rpush("told", f"{job.id} {exc_type.__name__}")


def abandoned(queue: Queue) -> Job:
    job = queue.enqueue(print, on_failure=Callback(told))
    queue.remove(job)  # taken by a worker ...
    job.set_status(JobStatus.STARTED)
    registry = StartedJobRegistry(queue=queue)
    queue.connection.zadd(registry.key, {f"{job.id}:gone": time.time() - 1})  # ... that died
    return job


def in_a_thread(target: object, *args: object) -> None:
    thread = threading.Thread(target=target, args=args)  # type: ignore[arg-type]
    thread.start()
    thread.join(30)


def test_an_abandoned_jobs_failure_callback_runs_in_the_janitor_thread(redis: Redis) -> None:
    # RQ's own clean-up times the callback with SIGALRM, which a thread may not set: the
    # callback raised before it ran, and the user of a job dead on its last try was
    # never told.
    queue = Queue("ocr", connection=redis)
    job = abandoned(queue)
    in_a_thread(worker.clean_queue_registries, queue, [])
    assert redis.lrange("told", 0, -1) == [f"{job.id} AbandonedJobError".encode()]
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert job.id in queue.failed_job_registry


def test_the_clean_up_leaves_the_job_timeout_message_alone(redis: Redis) -> None:
    # RQ's thread timer rewrites JobTimeoutException's message for the whole process:
    # every job timeout after the first callback would say "(60 seconds)".
    from rq.timeouts import JobTimeoutException

    before = JobTimeoutException.__init__
    queue = Queue("ocr", connection=redis)
    abandoned(queue)
    in_a_thread(worker.clean_queue_registries, queue, [])
    assert JobTimeoutException.__init__ is before
