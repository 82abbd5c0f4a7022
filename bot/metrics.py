"""Prometheus metrics, and ``GET /metrics`` to scrape them.

One process or many: under gunicorn (several web processes) and with several
RQ workers, set ``PROMETHEUS_MULTIPROC_DIR`` to a directory every process of
the host shares, empty at start (``docs/operations.md``). prometheus-client
then keeps each process's counters in files there, and a scrape of any web
process adds them all up. Without it the counters live in the process's
memory (development, tests).

The queue depth is not counted by anyone: it is read from RQ at scrape time.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.exceptions import RedisError
from rq import Worker

if TYPE_CHECKING:
    from bot.runtime import Runtime

WEBHOOK_REQUESTS = Counter(
    "ocrbot_webhook_requests",
    "Webhook POSTs by channel and outcome (answered, retry, rejected).",
    ["channel", "outcome"],
)
WEBHOOK_GUESSES = Counter(
    "ocrbot_webhook_guesses",
    "Messages processed by whether the state guessed was right (one Redis round trip) or "
    "wrong (two); error: deciding on the guess failed (decided after the checks).",
    ["result"],
)
PASSIVE_REPLY_SECONDS = Histogram(
    "ocrbot_passive_reply_seconds",
    "Seconds from a webhook POST to its passive reply (WeChat waits 5).",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 4.5, 5, 10),
)
JOBS = Counter(
    "ocrbot_jobs",
    "Recognition jobs ended, by document type, engine and outcome (ok or the failure).",
    ["doc_type", "engine", "outcome"],
)
RECOGNITION_SECONDS = Histogram(
    "ocrbot_recognition_seconds",
    "Seconds an engine took to recognize one image.",
    ["engine"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60),
)
PUSHES = Counter(
    "ocrbot_pushes",
    "Answers pushed to users, by channel and outcome (ok, or WeChat's errcode: 45015, ...).",
    ["channel", "outcome"],
)
ADMIN_COMMANDS = Counter(
    "ocrbot_admin_commands",
    "Admin commands by name and outcome (run, refused to a non-admin).",
    ["command", "outcome"],
)
CALLBACKS = Counter(
    "ocrbot_callbacks",
    "Result-webhook events by type and outcome (queued, delivered, retry, failed, resent).",
    ["type", "outcome"],
)


class QueueCollector(Collector):
    """``ocrbot_queue_depth`` and ``ocrbot_workers``, read from RQ when scraped."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("ocrbot_redis_up", "1 when Redis answered this scrape.")
        try:
            families = list(self._from_redis())
        except RedisError:
            up.add_metric([], 0)  # /metrics keeps answering: the outage is what to alert on
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_redis(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "ocrbot_queue_depth", "Jobs per RQ queue and state.", labels=["queue", "state"]
        )
        for queue in self.runtime.queues:
            registries = {
                "queued": queue,
                "started": queue.started_job_registry,
                "scheduled": queue.scheduled_job_registry,
                "failed": queue.failed_job_registry,
            }
            for state, registry in registries.items():
                depth.add_metric([queue.name, state], len(registry))
        yield depth
        from bot.callback import FAILED

        failed = GaugeMetricFamily(
            "ocrbot_callbacks_undelivered",
            "Result-webhook events that failed every try and wait for /resend.",
        )
        failed.add_metric([], self.runtime.redis.scard(FAILED))
        yield failed
        workers = GaugeMetricFamily("ocrbot_workers", "RQ workers alive (registered in Redis).")
        workers.add_metric([], Worker.count(connection=self.runtime.redis))
        yield workers


def scrape(runtime: Runtime) -> bytes:
    """Every metric of every process (multiprocess mode) or of this one, plus the queues."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    queues = CollectorRegistry()
    queues.register(QueueCollector(runtime))
    return generate_latest(counted) + generate_latest(queues)


bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    runtime = current_app.extensions["ocrbot"]
    token = runtime.settings.metrics_token
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            abort(401)
    return Response(scrape(runtime), content_type=CONTENT_TYPE_LATEST)
