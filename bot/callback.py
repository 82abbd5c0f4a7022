"""The signed callback: confirmed documents and completed flows, POSTed to the operator.

What happens to an event (docs/integration.md)::

    确认 ──▶ Outbox.put (encrypted, DATA_KEY) ──▶ RQ job send_event(event_id)
                                                   │ 2xx: payload deleted, id marked delivered
                                                   │ else: retried with backoff (hours)
                                                   ▼ all tries failed: kept for /resend

The full fields live only in the outbox's encrypted value, only until the
receiver accepted them; the job's argument is the event id (by keyword), its
result a status code, its failure a status code too. Signatures are Stripe's scheme:
``X-Ocrbot-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import requests
from cryptography.fernet import Fernet
from redis import Redis
from redis.client import Pipeline
from rq import Callback, Retry
from rq.job import Job

from bot import metrics
from bot.dossier import Dossier
from bot.incoming import Channel
from bot.store import Client, Vault, key
from bot.wechat_api import DeadlineSession

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Ocrbot-Signature"
EVENT_HEADER = "X-Ocrbot-Event-Id"
TOLERANCE = 300  # seconds a receiver should accept a signature's timestamp
DELIVERED_KEEP = 30 * 86400  # how long a delivered id is remembered (no second delivery)
FAILED = key("outbox", "failed")  # ids whose every try failed: /resend, /stats, /metrics


# --- signing ---------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Ocrbot-Signature`` value for ``body`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str, header: str, body: bytes, tolerance: int = TOLERANCE, now: float | None = None
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret``, within ``tolerance`` seconds."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    if tolerance and abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


# --- events ----------------------------------------------------------------------


def event_id_for(job_id: str = "") -> str:
    """A fresh id; within a job, the job's own (a retried job makes the same event)."""
    if job_id:
        return "evt_" + hashlib.sha256(job_id.encode()).hexdigest()[:32]
    return f"evt_{uuid.uuid4().hex}"


def event_for(dossier: Dossier, channel: Channel, user: str, event_id: str = "") -> dict:
    """The event the operator receives for a confirmed dossier (full, unmasked fields)."""
    base = {
        "event_id": event_id or event_id_for(),
        "channel": channel.value,
        "user": user,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    if dossier.flow:
        return {
            **base,
            "type": "flow.completed",
            "flow": dossier.flow,
            "documents": [
                {
                    "document_type": d.doc_type,
                    "fields": d.fields,
                    "checks": d.checks,
                    "warnings": d.warnings,
                }
                for d in dossier.docs
            ],
            "checks": dossier.checks,
            "warnings": [w for d in dossier.docs for w in d.warnings],
        }
    doc = dossier.docs[0]
    return {
        **base,
        "type": "document.confirmed",
        "document_type": doc.doc_type,
        "fields": doc.fields,
        "checks": doc.checks,
        "warnings": doc.warnings,
    }


def body_for(event: dict, operator_key: str = "") -> bytes:
    """The bytes POSTed: the event, or with ``operator_key`` its envelope.

    The envelope keeps what routing needs (id, type, time) in clear and the
    whole event in ``ciphertext``, a Fernet token under the operator's key.
    """
    if operator_key:
        token = Fernet(operator_key.encode()).encrypt(
            json.dumps(event, ensure_ascii=False).encode()
        )
        event = {
            "event_id": event["event_id"],
            "type": event["type"],
            "created_at": event["created_at"],
            "ciphertext": token.decode(),
        }
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


# --- the outbox ------------------------------------------------------------------


class Outbox:
    """Events waiting for delivery: encrypted, expiring, deleted once delivered."""

    def __init__(self, vault: Vault, keep: int) -> None:
        self.vault = vault
        self.keep = keep

    @staticmethod
    def name(event_id: str) -> str:
        return key("outbox", event_id)

    @staticmethod
    def done_name(event_id: str) -> str:
        return key("outbox", "delivered", event_id)

    def put(self, event: dict, client: Client | None = None) -> bool:
        """Keep ``event``; ``False`` when an event with its id waits already (a retried job's)."""
        return self.vault.put(self.name(event["event_id"]), event, self.keep, client, nx=True)

    def get(self, event_id: str) -> dict | None:
        event = self.vault.get(self.name(event_id))
        return event if isinstance(event, dict) else None

    def delivered(self, event_id: str) -> bool:
        return bool(self.vault.redis.exists(self.done_name(event_id)))

    def mark_delivered(self, event_id: str) -> None:
        pipe = self.vault.redis.pipeline()
        pipe.set(self.done_name(event_id), int(time.time()), ex=DELIVERED_KEEP)
        pipe.delete(self.name(event_id))
        pipe.srem(FAILED, event_id)
        pipe.execute()

    def mark_failed(self, event_id: str) -> None:
        self.vault.redis.sadd(FAILED, event_id)

    def failed(self) -> list[str]:
        """Ids that failed every try and can still be re-sent (their payload is kept)."""
        ids = sorted(i.decode() for i in self.vault.redis.smembers(FAILED))
        gone = [i for i in ids if not self.vault.redis.exists(self.name(i))]
        if gone:
            self.vault.redis.srem(FAILED, *gone)
        return [i for i in ids if i not in gone]


class DeliveryFailed(Exception):
    """The receiver did not accept an event (``status``: HTTP status, or -1 for the network).

    Carries no payload: its text lands in RQ's failed registry.
    """

    def __init__(self, status: int, reason: str = "") -> None:
        super().__init__(f"receiver answered {status} {reason}".strip())
        self.status = status

    def __reduce__(self):
        return (DeliveryFailed, (self.status,))


# --- enqueueing and the job --------------------------------------------------------


def submit(
    rt: Any, event: dict, pipeline: Pipeline | None = None, fresh: bool = False
) -> Job | None:
    """Keep ``event`` (encrypted) and queue its delivery; ``None`` when no receiver is set.

    With ``pipeline`` (in MULTI; a fresh event id) both are written when it executes,
    and the caller counts the event once it has. ``fresh``: the id was just made (a
    确认 in the webhook), so no earlier try can have delivered it: not asked.
    """
    if not rt.settings.result_webhook_url:
        return None  # no receiver
    if not fresh and rt.outbox.delivered(event["event_id"]):
        return None  # a retried job's event that already arrived
    if pipeline is not None:
        rt.outbox.put(event, client=pipeline)
        return enqueue(rt, event["event_id"], pipeline)
    if not rt.outbox.put(event):
        return None  # a retried job's event, kept and queued by its first try
    metrics.CALLBACKS.labels(event["type"], "queued").inc()
    return enqueue(rt, event["event_id"])


def enqueue(rt: Any, event_id: str, pipeline: Pipeline | None = None) -> Job:
    intervals = rt.settings.result_webhook_retry_intervals
    return rt.callback_queue.enqueue(
        send_event,
        kwargs={"event_id": event_id},
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        on_failure=Callback(delivery_failed),
        result_ttl=3600,
        failure_ttl=rt.settings.result_webhook_keep,
        job_timeout=int(rt.settings.http_timeout * 3) + 10,
        description="callback event",
        pipeline=pipeline,
    )


def send_event(event_id: str) -> dict:
    """POST one event to ``RESULT_WEBHOOK_URL``, signed. Returns ``{"status": ...}`` only."""
    from bot.jobs import runtime  # the worker's runtime

    rt = runtime()
    outbox: Outbox = rt.outbox
    if outbox.delivered(event_id):
        outbox.mark_delivered(event_id)  # and drop a payload a retried job may have put back
        return {"status": "already delivered"}
    event = outbox.get(event_id)
    if event is None:
        log.warning("callback event %s expired before delivery", event_id)
        return {"status": "expired"}
    settings = rt.settings
    body = body_for(event, settings.result_webhook_key)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(settings.result_webhook_secret, body, int(time.time())),
        EVENT_HEADER: event_id,
        "User-Agent": "ocrbot-callback/1",
    }
    try:  # the whole call within HTTP_TIMEOUT: a receiver trickling bytes holds no worker
        with DeadlineSession(settings.http_timeout) as http:
            res = http.post(
                settings.result_webhook_url,
                data=body,
                headers=headers,
                timeout=settings.http_timeout,
                allow_redirects=False,
            )
    except requests.RequestException as exc:
        metrics.CALLBACKS.labels(event["type"], "retry").inc()
        raise DeliveryFailed(-1, type(exc).__name__) from None
    if not 200 <= res.status_code < 300:
        metrics.CALLBACKS.labels(event["type"], "retry").inc()
        raise DeliveryFailed(res.status_code)
    outbox.mark_delivered(event_id)
    rt.usage.count("callback:delivered")
    metrics.CALLBACKS.labels(event["type"], "delivered").inc()
    log.info("callback event %s delivered (%s)", event_id, res.status_code)
    return {"status": res.status_code}


def delivery_failed(
    job: Job,
    connection: Redis,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType,
) -> None:
    """RQ failure callback: after the last try, keep the id for ``/resend`` and count it."""
    if job.should_retry:
        return
    from bot.jobs import runtime

    rt = runtime()
    # job.args: queued positionally by the release before keyword-only job arguments;
    # remove once RESULT_WEBHOOK_KEEP (the failed job's lifetime) has passed since this deploys.
    event_id = job.args[0] if job.args else job.kwargs["event_id"]
    rt.outbox.mark_failed(event_id)
    rt.usage.count("callback:failed")
    metrics.CALLBACKS.labels("-", "failed").inc()
    log.warning("callback event %s failed every try: %s", event_id, exc)


def resend(rt: Any, event_id: str = "") -> list[str]:
    """Queue the failed events again (or the one named); returns the ids queued."""
    outbox: Outbox = rt.outbox
    ids = [event_id] if event_id else outbox.failed()
    queued = []
    for one in ids:
        if outbox.delivered(one) or outbox.get(one) is None:
            continue
        rt.redis.srem(FAILED, one)
        enqueue(rt, one)
        metrics.CALLBACKS.labels("-", "resent").inc()
        queued.append(one)
    return queued
