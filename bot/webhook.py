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

import redis
from flask import Blueprint, Response, abort, current_app, request
from redis.client import Pipeline
from rq.job import Job, JobStatus

import handlers
from bot import admin, collect, metrics
from bot.channels.base import NO_REPLY, Parsed, Rejected, Reply, render_plain
from bot.channels.official import OfficialChannel
from bot.channels.wecom import WeComChannel
from bot.config import MenuStyle
from bot.incoming import Channel, Incoming, Kind
from bot.jobs import enqueue_confirm, enqueue_menu, enqueue_recognition, has_buttons
from bot.runtime import Runtime
from bot.store import Delivery
from handlers import confirm
from handlers.state import (
    AdminCommand,
    CardUpdate,
    Collected,
    ConfirmPrompt,
    Context,
    Outcome,
    StoredResult,
    Text,
    TypeMenu,
)

log = logging.getLogger(__name__)

bp = Blueprint("webhook", __name__)

ANSWER_BUDGET = 0.9  # share of WeChat's window we may spend before answering
CONVERSE_TRIES = 5  # a user's messages racing for their state: tries before giving up
RETRY_POLL = 0.05  # seconds between a waiting retry's looks at the saved reply
STILL_WORKING = "还在识别中，请稍后回复“结果”获取。"
NO_RESULT = "没有待取的识别结果。"


def rt() -> Runtime:
    return current_app.extensions["ocrbot"]


def adapter(channel: Channel) -> OfficialChannel | WeComChannel:
    adapters = current_app.extensions["ocrbot.channels"]
    if channel not in adapters:
        abort(404)
    return adapters[channel]


@bp.app_errorhandler(redis.ConnectionError)
@bp.app_errorhandler(redis.TimeoutError)
def redis_unavailable(error: redis.RedisError) -> tuple[str, int]:
    """Redis is away (restarting, failing over): 503, and WeChat tries the message again."""
    log.warning("Redis unavailable: %s", type(error).__name__)
    paths = {"/wechat": "official", "/wecom": "wecom", "/wxcloudrun": "cloudrun"}
    metrics.WEBHOOK_REQUESTS.labels(paths.get(request.path, "other"), "redis-down").inc()
    return "redis unavailable", 503


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
    if not rt().replays.admit(channel.value, parsed.timestamp, parsed.nonce, body):
        log.warning("%s request rejected (403): timestamp and nonce replayed", channel.value)
        metrics.WEBHOOK_REQUESTS.labels(channel.value, "rejected").inc()
        abort(403, "timestamp and nonce replayed with another body")
    xml = answer(parsed, channel.value, started)
    return Response(channel_adapter.seal(parsed, xml), mimetype="application/xml")


def answer(parsed: Parsed, label: str, started: float) -> str:
    """The passive reply's plain XML (``""``: none) to a verified message, first or retried.

    ``label`` names the way in for the metrics (``official``, ``wecom``, ``cloudrun``).
    """
    delivery = rt().deliveries.arrive(parsed.incoming.dedupe_key)
    if delivery.claimed:
        xml = process(parsed, delivery, started)
    else:
        xml = retry_answer(parsed, delivery, started)
    kind = "first" if delivery.first else "retry"
    metrics.WEBHOOK_REQUESTS.labels(label, kind).inc()
    metrics.PASSIVE_REPLY_SECONDS.labels(label).observe(time.monotonic() - started)
    return xml


def process(parsed: Parsed, delivery: Delivery, started: float) -> str:
    """Process the message (this try holds its claim); on failure a retry processes it."""
    try:
        return first_answer(parsed, delivery, started)
    except BaseException:
        rt().deliveries.release(delivery)
        raise


def first_answer(parsed: Parsed, delivery: Delivery, started: float) -> str:
    """Process the message once; save the reply so that WeChat's retries get it too."""
    msg = parsed.incoming
    runtime = rt()
    ctx = context_for(runtime, msg)
    outcome, reply, job = converse(runtime, msg, ctx)
    if outcome.refused_command:
        log.warning(
            "admin command /%s refused: %s is not an admin", outcome.refused_command, msg.user
        )
        metrics.ADMIN_COMMANDS.labels(outcome.refused_command, "refused").inc()
    reply = act_after(runtime, msg, outcome) or reply
    if job is not None and runtime.passive_results(msg.channel):
        runtime.deliveries.remember(delivery, "job", job.id)
        answer = wait_for_result(runtime, msg, job.id, delivery.attempt, started)
        if answer is None:
            return ""  # too late for this try: WeChat will retry and that try answers
        reply = Reply("text", answer)
    xml = render_plain(msg, reply)
    runtime.deliveries.remember(delivery, "reply", xml)
    return xml


def act_after(runtime: Runtime, msg: Incoming, outcome: Outcome) -> Reply | None:
    """What must happen once, after the state was saved: they read Redis or act on the world.

    Returns the reply when the answer is one of them (the stored result, an admin command).
    """
    match outcome.answer:
        case StoredResult():
            return Reply("text", runtime.results.pop(msg.channel, msg.user) or NO_RESULT)
        case AdminCommand() as command:
            return Reply("text", admin.run(runtime, msg, command))
    return None


def converse(runtime: Runtime, msg: Incoming, ctx: Context) -> tuple[Outcome, Reply, Job | None]:
    """Handle the message on the user's state; save the new state and enqueue, atomically.

    The state key is WATCHed from load to save: when another message of the
    same user (another web worker) changed it meanwhile, this one is handled
    again on the state that one left, so no state change is lost. The state
    and the jobs are written in one MULTI: all of them or none.
    """
    name = runtime.states.name(msg.channel, msg.user)
    with runtime.redis.pipeline() as pipe:
        for _ in range(CONVERSE_TRIES - 1):
            try:
                return converse_once(runtime, msg, ctx, pipe, name)
            except redis.WatchError:
                pipe.reset()
                log.info("two messages of one user at once: handling this one again")
        return converse_once(runtime, msg, ctx, pipe, name)


def converse_once(
    runtime: Runtime, msg: Incoming, ctx: Context, pipe: Pipeline, name: str
) -> tuple[Outcome, Reply, Job | None]:
    pipe.watch(name, runtime.dossiers.name(msg.channel, msg.user))
    state = runtime.states.load(msg.channel, msg.user, client=pipe)
    dossier = runtime.dossiers.load(msg.channel, msg.user, client=pipe)
    ctx = replace(ctx, collected=dossier.view() if dossier else Collected())
    outcome = handlers.handle(msg, state, ctx)
    pipe.multi()
    reply, job = carry_out(runtime, msg, outcome, pipe)
    event = None
    if outcome.submit:  # the documents leave the dossier with the event, in this MULTI
        event = collect.submit(runtime, msg.channel, msg.user, dossier, pipe)
    pipe.execute()
    if event is not None:
        metrics.CALLBACKS.labels(event["type"], "queued").inc()
    return outcome, reply, job


def context_for(runtime: Runtime, msg: Incoming) -> Context:
    """What the handlers may know: the menu, the user's role, and the guard rails' verdicts.

    Counts the message for ``/stats`` and, for a photo, takes one from the user's rate limit.
    """
    now = time.time()
    who = msg.identity  # channel-scoped: official:<openid>, wecom:<userid>
    is_admin = who in runtime.settings.admins
    blocked = not is_admin and runtime.blocks.is_blocked(who)
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
        refusal_due=blocked and runtime.blocks.claim_refusal(who),
        photo_retry_at=runtime.rate_limit.take(msg.channel.value, msg.user, now)
        if photo and not blocked
        else 0.0,
        # collected: read in converse_once, under the same WATCH as the state
        flows=runtime.flows,
    )


def retry_answer(parsed: Parsed, delivery: Delivery, started: float) -> str:
    """A retry (or a concurrent duplicate): answered with what the processing try saved.

    Answered at once when that reply exists. While another try holds the
    claim, wait for its reply; if that try failed or died (the claim is free
    and nothing was saved), this try processes the message.
    """
    runtime = rt()
    deadline = started + window(runtime) * ANSWER_BUDGET
    reply, job_id = delivery.reply, delivery.job
    while reply is None and job_id is None:
        if time.monotonic() >= deadline:
            return ""
        time.sleep(RETRY_POLL)
        reply, job_id = runtime.deliveries.saved(delivery)
        if reply is None and job_id is None and runtime.deliveries.reclaim(delivery):
            reply, job_id = runtime.deliveries.saved(delivery)  # saved as the lease ran out
            if reply is None and job_id is None:
                log.info("a message's first try went away unfinished: this retry processes it")
                return process(parsed, replace(delivery, claimed=True), started)
    if reply is not None:
        return reply
    answer = wait_for_result(runtime, parsed.incoming, job_id, delivery.attempt, started)
    return render_plain(parsed.incoming, Reply("text", answer)) if answer else ""


def carry_out(
    runtime: Runtime, msg: Incoming, outcome: Outcome, pipe: Pipeline
) -> tuple[Reply, Job | None]:
    """Queue (on ``pipe``) the state and the jobs the handler asked for; choose the reply."""
    state = outcome.state
    if isinstance(outcome.answer, TypeMenu) and msg.channel is Channel.WECOM:
        state = replace(state, task_id=f"ocr-{uuid.uuid4().hex}")  # the card the tap must match
    runtime.states.save(msg.channel, msg.user, state, client=pipe)  # with the jobs, atomically
    if outcome.discard:
        pipe.delete(runtime.dossiers.name(msg.channel, msg.user))
    job = None
    if outcome.recognize is not None:
        job = enqueue_recognition(runtime, msg.channel, msg.user, outcome.recognize, pipeline=pipe)
    match outcome.answer:
        case Text(text=""):
            reply = NO_REPLY
        case Text(text=text):
            reply = Reply("text", text)
        case TypeMenu(menu=menu):
            if pushes_menus(runtime, msg.channel):
                enqueue_menu(runtime, msg.channel, msg.user, menu, state.task_id, pipeline=pipe)
                reply = NO_REPLY
            else:
                reply = Reply("text", menu.as_text())
        case CardUpdate(text=text):
            reply = Reply("button", text)
        case ConfirmPrompt(text=text):
            if has_buttons(runtime, msg.channel):
                enqueue_confirm(runtime, msg.channel, msg.user, pipeline=pipe)
                reply = Reply("text", text)
            else:
                reply = Reply("text", f"{text}\n{confirm.HINT}")
        case StoredResult() | AdminCommand():
            reply = NO_REPLY  # they read and act outside the transaction: see act_after
    return reply, job


def pushes_menus(runtime: Runtime, channel: Channel) -> bool:
    """Menus go out as a WeCom card or an Official Account msgmenu, not in the passive reply."""
    return channel is Channel.WECOM or runtime.settings.wechat_menu_style is MenuStyle.MSGMENU


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
                return runtime.results.take(msg.channel, msg.user, job_id) or NO_RESULT
            return None  # WeChat has stopped listening to this try; the next one answers
        if elapsed >= hold_until:
            return STILL_WORKING if last_try else None
        time.sleep(0.05)
