"""The webhook: ``/wechat`` (Official Account), ``/wecom`` (WeCom app), ``/healthz``.

Per request, inside WeChat's 5-second window: verify and parse (the channel
adapter), drop retries (``Deliveries``), ask the handlers what to do, carry
out the outcome (save state, enqueue, render the passive reply).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace

from flask import Blueprint, Response, abort, current_app, request
from rq.job import Job, JobStatus

import handlers
from bot import admin, metrics
from bot.channels.base import NO_REPLY, Parsed, Rejected, Reply, render_plain
from bot.channels.official import OfficialChannel
from bot.channels.wecom import WeComChannel
from bot.config import MenuStyle
from bot.incoming import Channel, Incoming, Kind
from bot.jobs import enqueue_menu, enqueue_recognition
from bot.runtime import Runtime
from bot.store import Delivery
from handlers.state import Context, Outcome

log = logging.getLogger(__name__)

bp = Blueprint("webhook", __name__)

ANSWER_BUDGET = 0.9  # share of WeChat's window we may spend before answering
STILL_WORKING = "还在识别中，请稍后回复“结果”获取。"
NO_RESULT = "没有待取的识别结果。"


def rt() -> Runtime:
    return current_app.extensions["ocrbot"]


def adapter(channel: Channel) -> OfficialChannel | WeComChannel:
    adapters = current_app.extensions["ocrbot.channels"]
    if channel not in adapters:
        abort(404)
    return adapters[channel]


@bp.get("/healthz")
def healthz() -> tuple[dict, int]:
    try:
        rt().redis.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        return {"status": "error", "redis": type(exc).__name__}, 503
    return {"status": "ok", "redis": "ok"}, 200


@bp.get("/wechat")
def wechat_check() -> Response:
    return url_check(Channel.OFFICIAL)


@bp.get("/wecom")
def wecom_check() -> Response:
    return url_check(Channel.WECOM)


@bp.post("/wechat")
def wechat_message() -> Response:
    return receive(Channel.OFFICIAL)


@bp.post("/wecom")
def wecom_message() -> Response:
    return receive(Channel.WECOM)


def url_check(channel: Channel) -> Response:
    try:
        echo = adapter(channel).verify_url(request.args)
    except Rejected as rejected:
        log.warning("%s URL check rejected: %s", channel.value, rejected.reason)
        abort(rejected.status, rejected.reason)
    return Response(echo, mimetype="text/plain")


def receive(channel: Channel) -> Response:
    started = time.monotonic()
    body = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before we read it
    channel_adapter = adapter(channel)
    try:
        parsed = channel_adapter.parse(request.args, body)
    except Rejected as rejected:
        log.warning("%s request rejected (%s): %s", channel.value, rejected.status, rejected.reason)
        metrics.WEBHOOK_REQUESTS.labels(channel.value, "rejected").inc()
        abort(rejected.status, rejected.reason)
    delivery = rt().deliveries.arrive(parsed.incoming.dedupe_key)
    if delivery.first:
        xml = first_answer(parsed, delivery, started)
    else:
        xml = retry_answer(parsed, delivery, started)
    metrics.WEBHOOK_REQUESTS.labels(channel.value, "first" if delivery.first else "retry").inc()
    metrics.PASSIVE_REPLY_SECONDS.labels(channel.value).observe(time.monotonic() - started)
    return Response(channel_adapter.seal(parsed, xml), mimetype="application/xml")


def first_answer(parsed: Parsed, delivery: Delivery, started: float) -> str:
    """Process the message once; save the reply so that WeChat's retries get it too."""
    msg = parsed.incoming
    runtime = rt()
    state = runtime.states.load(msg.channel, msg.user)
    ctx = context_for(runtime, msg)
    outcome = handlers.handle(msg, state, ctx)
    if outcome.refused_command:
        log.warning(
            "admin command /%s refused: %s is not an admin", outcome.refused_command, msg.user
        )
        metrics.ADMIN_COMMANDS.labels(outcome.refused_command, "refused").inc()
    reply, job = carry_out(runtime, msg, outcome)
    if job is not None and runtime.passive_results(msg.channel):
        runtime.deliveries.remember(delivery, "job", job.id)
        answer = wait_for_result(runtime, msg, job.id, delivery.attempt, started)
        if answer is None:
            return ""  # too late for this try: WeChat will retry and that try answers
        reply = Reply("text", answer)
    xml = render_plain(msg, reply)
    runtime.deliveries.remember(delivery, "reply", xml)
    return xml


def context_for(runtime: Runtime, msg: Incoming) -> Context:
    """What the handlers may know: the menu, the user's role, and the guard rails' verdicts.

    Counts the message for ``/stats`` and, for a photo, takes one from the user's rate limit.
    """
    now = time.time()
    is_admin = msg.user in runtime.settings.admins
    blocked = not is_admin and runtime.blocks.is_blocked(msg.user)
    photo = msg.kind is Kind.IMAGE
    runtime.usage.count("messages")
    if photo:
        runtime.usage.count("photos")
    return Context(
        now=now,
        options=runtime.menu_types,
        pending_ttl=runtime.settings.state_ttl,
        is_admin=is_admin,
        passive_results=runtime.passive_results(msg.channel),
        blocked=blocked,
        refusal_due=blocked and runtime.blocks.claim_refusal(msg.user),
        photo_retry_at=runtime.rate_limit.take(msg.channel.value, msg.user, now)
        if photo and not blocked
        else 0.0,
    )


def retry_answer(parsed: Parsed, delivery: Delivery, started: float) -> str:
    """A retry (or a concurrent duplicate): never processed again, answered the same."""
    runtime = rt()
    budget = window(runtime) * ANSWER_BUDGET
    job_id = runtime.deliveries.recall(delivery, "job", wait=0.2)
    if job_id is not None:  # passive results: this try may be the one that answers
        answer = wait_for_result(runtime, parsed.incoming, job_id, delivery.attempt, started)
        return render_plain(parsed.incoming, Reply("text", answer)) if answer else ""
    remaining = max(0.0, budget - (time.monotonic() - started))
    return runtime.deliveries.recall(delivery, "reply", wait=remaining) or ""


def carry_out(runtime: Runtime, msg: Incoming, outcome: Outcome) -> tuple[Reply, Job | None]:
    """Save the state, enqueue what the handler asked for, and choose the passive reply."""
    state = outcome.state
    reply = Reply("text", outcome.reply) if outcome.reply else NO_REPLY
    menu = outcome.menu
    push_menu = menu is not None and (
        msg.channel is Channel.WECOM or runtime.settings.wechat_menu_style is MenuStyle.MSGMENU
    )
    if menu is not None and msg.channel is Channel.WECOM:
        state = replace(state, task_id=f"ocr-{uuid.uuid4().hex}")  # the card the tap must match
    elif menu is not None and not push_menu:
        reply = Reply("text", menu.as_text())
    runtime.states.save(msg.channel, msg.user, state)  # before any job can act on it
    if push_menu:
        enqueue_menu(runtime, msg.channel, msg.user, menu, state.task_id)
    job = None
    if outcome.recognize is not None:
        job = enqueue_recognition(runtime, msg.channel, msg.user, outcome.recognize)
    if outcome.card_choice and msg.event == "template_card_event":
        reply = Reply("button", outcome.card_choice)
    if outcome.fetch_result:
        reply = Reply("text", runtime.results.pop(msg.channel, msg.user) or NO_RESULT)
    if outcome.admin is not None:
        reply = Reply("text", admin.run(runtime, msg, outcome.admin))
    return reply, job


def window(runtime: Runtime) -> float:
    return runtime.settings.wechat_reply_window


def wait_for_result(
    runtime: Runtime, msg: Incoming, job_id: str, attempt: int, started: float
) -> str | None:
    """Passive reply mode: the answer if the job ends while WeChat still listens.

    WeChat waits ``window`` seconds per try and tries three times. Tries one
    and two hold past the window when the job is not done (so WeChat retries
    instead of taking an answer); the third answers in time, with the result
    or with a hint to send 结果 later.
    """
    last_try = attempt >= 3
    answer_by = window(runtime) * ANSWER_BUDGET
    hold_until = answer_by if last_try else window(runtime) * 1.1
    while True:
        elapsed = time.monotonic() - started
        status = Job.fetch(job_id, connection=runtime.redis).get_status(refresh=True)
        if status in (JobStatus.FINISHED, JobStatus.FAILED):
            if elapsed < answer_by:
                return runtime.results.pop(msg.channel, msg.user) or NO_RESULT
            return None  # WeChat has stopped listening to this try; the next one answers
        if elapsed >= hold_until:
            return STILL_WORKING if last_try else None
        time.sleep(0.05)
