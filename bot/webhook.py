"""The webhook: ``/wechat`` (Official Account), ``/wecom`` (WeCom app), ``/healthz``.

Per request, inside WeChat's 5-second window: verify and parse (the channel
adapter); ask the handlers what to do on a guess of the user's state (what this
process last saw of it); one round trip to Redis for replays, retries, counters,
guard rails and, when the guess was right, the writes the handlers took (the state,
the jobs, the reply: ``bot/arrival.py``); when it was wrong, the handlers decide
again on the state it found and a second round trip writes that
(``store.CheckedWrite``); render the passive reply.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

import redis
from flask import Blueprint, Response, abort, current_app, request
from redis.client import Pipeline
from rq.job import Job, JobStatus

import handlers
from bot import admin, collect, metrics
from bot.arrival import Arrival, Replay
from bot.channels.base import NO_REPLY, Parsed, Rejected, Reply, render_plain
from bot.channels.official import OfficialChannel
from bot.channels.wecom import WeComChannel
from bot.config import MenuStyle
from bot.dossier import Dossier
from bot.incoming import Channel, Incoming
from bot.jobs import enqueue_confirm, enqueue_menu, enqueue_recognition, has_buttons
from bot.replays import Replays
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
    pair = rt().replays.name(channel.value, parsed.timestamp, parsed.nonce)
    xml = answer(parsed, channel.value, started, Replay(pair, Replays.digest(body)))
    return Response(channel_adapter.seal(parsed, xml), mimetype="application/xml")


def answer(parsed: Parsed, label: str, started: float, replay: Replay | None = None) -> str:
    """The passive reply's plain XML (``""``: none) to a verified message, first or retried.

    ``label`` names the way in for the metrics (``official``, ``wecom``, ``cloudrun``);
    ``replay``: the request's (timestamp, nonce) check, refused (403) if another body used it.
    """
    runtime, msg = rt(), parsed.incoming
    guess = runtime.arrivals.guess(msg)
    try:  # decided, not acted on: the writes run only after the checks, in the script
        decided: Conversed | None = converse_once(runtime, msg, guess)
    except Exception as exc:  # noqa: BLE001 - decided again after the checks, where it counts
        log.warning("deciding on a guess failed (%s): decided after the checks", type(exc).__name__)
        metrics.WEBHOOK_GUESSES.labels("error").inc()
        decided = None
    guessed = (guess, decided[1]) if decided else None
    arrival = runtime.arrivals.arrive(msg, replay, guessed=guessed)
    delivery = arrival.delivery
    if delivery is None:
        log.warning("%s request rejected (403): timestamp and nonce replayed", label)
        metrics.WEBHOOK_REQUESTS.labels(label, "rejected").inc()
        abort(403, "timestamp and nonce replayed with another body")
    if delivery.claimed:
        metrics.WEBHOOK_GUESSES.labels("right" if arrival.written else "wrong").inc()
    if arrival.written:
        xml = process(parsed, arrival, started, done=decided)
    elif delivery.claimed:
        xml = process(parsed, arrival, started)
    else:
        xml = retry_answer(parsed, delivery, started)
    kind = "first" if delivery.first else "retry"
    metrics.WEBHOOK_REQUESTS.labels(label, kind).inc()
    metrics.PASSIVE_REPLY_SECONDS.labels(label).observe(time.monotonic() - started)
    return xml


def process(parsed: Parsed, arrival: Arrival, started: float, done: Conversed | None = None) -> str:
    """Process the message (this try holds its claim); on failure a retry processes it.
    ``done``: the handlers' turn whose writes the arrival made (the guess was right)."""
    try:
        return first_answer(parsed, arrival, started, done)
    except BaseException:
        rt().deliveries.release(arrival.delivery)
        raise


def first_answer(
    parsed: Parsed, arrival: Arrival, started: float, done: Conversed | None = None
) -> str:
    """Process the message once; save the reply so that WeChat's retries get it too.

    The state, the jobs and the reply are written together: by the arrival when the
    guess was right (``done``), else in a second round trip (``converse``).
    """
    msg, runtime, delivery = parsed.incoming, rt(), arrival.delivery
    if done is not None:
        turn, _writes, event = done
        count_callback(event)
    else:
        turn = converse(runtime, msg, arrival)
    if turn.outcome.refused_command:
        command = turn.outcome.refused_command
        log.warning("admin command /%s refused: %s is not an admin", command, msg.user)
        metrics.ADMIN_COMMANDS.labels(command, "refused").inc()
    if turn.xml is not None:
        return turn.xml  # saved with the state
    if turn.waits_for is not None:  # passive results: the job id was saved with the state
        answer = wait_for_result(runtime, msg, turn.waits_for, delivery.attempt, started)
        if answer is None:
            return ""  # too late for this try: WeChat will retry and that try answers
        reply = Reply("text", answer)
    else:
        reply = act_after(runtime, msg, turn.outcome)
    xml = render_plain(msg, reply)
    runtime.deliveries.remember(delivery, "reply", xml)
    return xml


def act_after(runtime: Runtime, msg: Incoming, outcome: Outcome) -> Reply:
    """The answers that must happen once, after the state was saved: they read Redis
    or act on the world (the stored result, an admin command)."""
    match outcome.answer:
        case StoredResult():
            return Reply("text", runtime.results.pop(msg.channel, msg.user) or NO_RESULT)
        case AdminCommand() as command:
            return Reply("text", admin.run(runtime, msg, command))
    raise ValueError(f"not an answer given after the state is saved: {outcome.answer!r}")


@dataclass(frozen=True)
class Turn:
    """A message handled and its writes made. ``xml``: the reply, saved with the state;
    else the job whose result answers (``waits_for``), or ``act_after`` answers."""

    outcome: Outcome
    xml: str | None
    waits_for: str | None


def converse(runtime: Runtime, msg: Incoming, arrival: Arrival) -> Turn:
    """Handle the message on the user's state; write the new state, the jobs and the reply
    at once (``CheckedWrite``), if the state and the dossier are still as read.

    When another message of the same user (another web process) changed them meanwhile,
    this one is handled again on what that one left, so no state change is lost.
    """
    read_keys = (
        runtime.states.name(msg.channel, msg.user),
        runtime.dossiers.name(msg.channel, msg.user),
    )
    for _ in range(CONVERSE_TRIES):
        turn, writes, event = converse_once(runtime, msg, arrival)
        read = dict(zip(read_keys, (arrival.state, arrival.dossier), strict=True))
        written = runtime.checked_write(read, writes)
        if written is not None:
            runtime.arrivals.learn(msg, written)
            count_callback(event)
            return turn
        log.info("two messages of one user at once: handling this one again")
        arrival = runtime.arrivals.reread(msg, arrival)
    raise RuntimeError("a user's state kept changing under this message")  # a retry processes it


def count_callback(event: dict | None) -> None:
    """A confirmation's event for the operator, now queued with the writes."""
    if event is not None:
        metrics.CALLBACKS.labels(event["type"], "queued").inc()


Conversed = tuple[Turn, Pipeline, dict | None]  # the turn, its writes, the callback event


def converse_once(runtime: Runtime, msg: Incoming, arrival: Arrival) -> Conversed:
    """The handlers' decision on the state as read (or guessed), and the writes it takes,
    recorded on a pipeline that is never executed: the arrival script sends them when the
    guess was right, else ``CheckedWrite``."""
    writes = runtime.checked_write.writes()
    state = runtime.states.decode(msg.channel, msg.user, arrival.state)
    dossier = runtime.dossiers.decode(msg.channel, msg.user, arrival.dossier)
    if arrival.dossier is not None and dossier is None:  # written under another DATA_KEY
        writes.delete(runtime.dossiers.name(msg.channel, msg.user))  # (the state: overwritten)
    outcome = handlers.handle(msg, state, context_for(runtime, msg, arrival, dossier))
    event = None
    if outcome.submit:  # the documents leave the dossier with the event, in these writes
        event = collect.submit(runtime, msg.channel, msg.user, dossier, writes)
    reply, job = carry_out(runtime, msg, outcome, writes, state.task_id)  # the state last
    delivery = arrival.delivery
    if job is not None and runtime.passive_results(msg.channel):
        runtime.deliveries.remember(delivery, "job", job.id, client=writes)
        return Turn(outcome, None, job.id), writes, event
    if isinstance(outcome.answer, StoredResult | AdminCommand):
        return Turn(outcome, None, None), writes, event
    xml = render_plain(msg, reply)
    runtime.deliveries.remember(delivery, "reply", xml, client=writes)
    return Turn(outcome, xml, None), writes, event


def context_for(
    runtime: Runtime, msg: Incoming, arrival: Arrival, dossier: Dossier | None
) -> Context:
    """What the handlers may know: the menu, the user's role, the guard rails' verdicts
    (as the arrival found them, or guessed) and the documents collected so far."""
    return Context(
        now=arrival.now,
        options=runtime.menu_types(arrival.engine),
        pending_ttl=runtime.settings.state_ttl,
        is_admin=msg.identity in runtime.settings.admins,  # channel-scoped identity
        passive_results=runtime.passive_results(msg.channel),
        blocked=arrival.blocked,
        refusal_due=arrival.refusal_due,
        photo_retry_at=arrival.photo_retry_at,
        collected=dossier.view() if dossier else Collected(),
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
    while delivery.reply is None and delivery.job is None:
        if time.monotonic() >= deadline:
            return ""
        time.sleep(RETRY_POLL)
        again = runtime.arrivals.arrive(parsed.incoming, again=delivery)
        if again.delivery.claimed:
            log.info("a message's first try went away unfinished: this retry processes it")
            return process(parsed, again, started)
        delivery = again.delivery
    if delivery.reply is not None:
        return delivery.reply
    answer = wait_for_result(runtime, parsed.incoming, delivery.job, delivery.attempt, started)
    return render_plain(parsed.incoming, Reply("text", answer)) if answer else ""


def carry_out(
    runtime: Runtime, msg: Incoming, outcome: Outcome, pipe: Pipeline, menu_before: str = ""
) -> tuple[Reply, Job | None]:
    """Queue (on ``pipe``) the jobs the handler asked for and the state; choose the reply.

    The jobs come first and the state after them: a write Redis refuses (an ACL, a key
    of another type) stops the script that runs them (the arrival's, or
    ``CheckedWrite``'s) where it is, and the user's state
    must then be the one the message found, for the retry that processes it again.
    ``menu_before``: the token of the menu the message found, which a new one never takes.
    """
    state = outcome.state
    if isinstance(outcome.answer, TypeMenu):  # the menu the tap must match: a card, a msgmenu
        state = replace(state, task_id=collect.new_task_id(msg.channel, "ocr", menu_before))
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
                enqueue_menu(
                    runtime, msg.channel, msg.user, menu, state.task_id, state.media_id, pipe
                )
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
    if outcome.discard:
        pipe.delete(runtime.dossiers.name(msg.channel, msg.user))
    runtime.states.save(msg.channel, msg.user, state, client=pipe)
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
        time.sleep(min(RETRY_POLL, hold_until - elapsed))  # answer at the deadline, not after
