"""RQ jobs: recognize a photo and push the answer; send a type menu or the 确认 buttons.

A job's arguments are one small frozen dataclass passed by keyword
(:class:`RecognizeJob`, :class:`MenuJob`, :class:`ConfirmJob`); a failure
callback rebuilds it from ``job.kwargs``. A recognition's are channel, user,
type, and the photo's media id and PicUrl sealed with ``DATA_KEY`` (never in
clear in Redis). The job's kept result holds only a summary, and the failed
registry's exception text goes through ``mask_text`` (:class:`Worker`). The
recognized fields exist in memory while the job runs and leave it once, masked,
in the pushed answer.

Retries: transient failures (system busy, timeouts, 5xx) are retried by RQ
with backoff; a failure that retrying cannot fix (no document, unreadable
image, quota, a closed customer-service window) gives up at once. Either
way a final failure lands in RQ's failed registry with its reason, and the
user is told in plain words by :func:`report_failure`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any

from cryptography.fernet import InvalidToken
from redis import Redis
from redis.client import Pipeline
from rq import Callback, Retry, SimpleWorker, get_current_job
from rq.job import Job

from bot import cards, collect, metrics
from bot.cards.render import fit
from bot.config import MenuStyle, Settings
from bot.incoming import Channel
from bot.logs import new_id
from bot.masking import mask_text
from bot.ocr.base import DocType, Failure, OcrError
from bot.runtime import Runtime
from bot.store import key
from bot.wechat_api import (
    MSGMENU_NOT_ALLOWED,
    OUT_OF_COUNT,
    OUT_OF_WINDOW,
    ApiError,
    OfficialApi,
    WeComApi,
)
from handlers import confirm
from handlers.choice import menu_item_id
from handlers.results import MEDIA_GONE, failure_text
from handlers.state import ConfirmPrompt, Menu, Recognize, Step, Text

log = logging.getLogger(__name__)

PUSH_TRIES = (0.0, 1.0, 3.0)  # in-job waits before each try of the final push
RESULT_TTL = 3600  # the (field-free) job summary is kept an hour
FAILURE_TTL = 7 * 86400
PUSHED_TTL = 86400  # a job's "answer pushed" mark outlives every retry of the job
JOB_TIMEOUT = 180  # a recognition
PUSH_TIMEOUT = 60  # a menu or confirmation push
WECOM_MAX_BUTTONS = 6  # a button_interaction card holds at most six buttons

_runtime: Runtime | None = None


def install(runtime: Runtime) -> None:
    """Give this process's jobs their runtime (``worker.py`` and the tests do this)."""
    global _runtime
    _runtime = runtime


def runtime() -> Runtime:
    """This process's runtime; built from the environment for a plain ``rq worker``."""
    global _runtime
    if _runtime is None:
        job = get_current_job()
        _runtime = Runtime(Settings(), job.connection if job else None)
    return _runtime


class PushRefused(Exception):
    """WeChat would not take the answer (e.g. 45015, 45047): recorded, never retried."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"push refused: {errcode} {errmsg}")
        self.errcode = errcode

    def __reduce__(self):
        return (PushRefused, (self.errcode, str(self)))


@dataclass(frozen=True)
class RecognizeJob:
    """A recognition's arguments, as RQ keeps them in Redis (keyword arguments).

    ``photo`` is the media id and PicUrl, Fernet-encrypted with ``DATA_KEY``
    like the conversation state: a job in Redis names no picture in clear.
    """

    channel: str
    user: str
    doc_type: str
    photo: str
    photo_at: float = 0.0  # when the photo reached the webhook: "photo to answer" in /stats
    flow: str = ""  # a guided flow's step: the photo is judged against the flow

    @classmethod
    def of(cls, rt: Runtime, channel: Channel, user: str, request: Recognize) -> RecognizeJob:
        sealed = rt.settings.fernet.encrypt(
            json.dumps([request.media_id, request.pic_url]).encode()
        )
        return cls(
            channel.value,
            user,
            request.doc_type.value,
            sealed.decode(),
            request.photo_at,
            request.flow,
        )

    def picture(self, rt: Runtime) -> tuple[str, str]:
        """(media id, PicUrl); an ``ApiError`` that ends the job when they cannot be read."""
        try:
            media_id, pic_url = json.loads(rt.settings.fernet.decrypt(self.photo.encode()))
        except (InvalidToken, ValueError, TypeError):
            log.warning("a job's photo reference does not decrypt: is DATA_KEY the web's?")
            raise ApiError(40007, "photo reference unreadable") from None
        return str(media_id), str(pic_url)


@dataclass(frozen=True)
class MenuJob:
    """A type menu's arguments, as RQ keeps them in Redis (keyword arguments)."""

    channel: str
    user: str
    head: str
    options: tuple[str, ...]  # DocType values, in the menu's order
    tail: str
    # WeCom's card id, or the token of an Official Account msgmenu's item ids: the webhook
    # knows the menu's taps by it ("" from the release before msgmenu tokens)
    task_id: str = ""
    media_id: str = ""  # the photo the menu asks about ("": queued by an older release)

    @classmethod
    def of(cls, channel: Channel, user: str, menu: Menu, task_id: str, media_id: str) -> MenuJob:
        options = tuple(t.value for t in menu.options)
        return cls(channel.value, user, menu.head, options, menu.tail, task_id, media_id)

    @classmethod
    def of_job(cls, job: Job) -> MenuJob:
        """The arguments ``job`` was queued with, rebuilt from ``job.kwargs``."""
        if job.args:  # queued positionally by the release before keyword-only job arguments;
            return cls(*job.args)  # remove a week (FAILURE_TTL, /retry) after this one deploys
        return cls(**job.kwargs)

    def menu(self) -> Menu:
        return Menu(head=self.head, options=tuple(DocType(o) for o in self.options), tail=self.tail)


@dataclass(frozen=True)
class ConfirmJob:
    """The 确认 / 有误 buttons' arguments, as RQ keeps them in Redis (keyword arguments)."""

    channel: str
    user: str


# --- enqueueing (the web process) -----------------------------------------------


def retried(rt: Runtime) -> dict[str, Any]:
    """What every job of ours is queued with: the retry schedule and how long RQ keeps
    the (field-free) outcome."""
    intervals = rt.settings.retry_intervals
    return {
        "retry": Retry(max=len(intervals), interval=intervals) if intervals else None,
        "result_ttl": RESULT_TTL,
        "failure_ttl": FAILURE_TTL,
    }


def enqueue_recognition(
    rt: Runtime, channel: Channel, user: str, request: Recognize, pipeline: Pipeline | None = None
) -> Job:
    """Queue a recognition; with ``pipeline``, written when the caller executes it."""
    return rt.queue.enqueue(
        recognize,
        kwargs=asdict(RecognizeJob.of(rt, channel, user, request)),
        on_failure=Callback(report_failure),
        job_timeout=JOB_TIMEOUT,
        description=f"recognize {request.doc_type.value} for {channel.value}",
        pipeline=pipeline,
        **retried(rt),
    )


def enqueue_menu(
    rt: Runtime,
    channel: Channel,
    user: str,
    menu: Menu,
    task_id: str,
    media_id: str,
    pipeline: Pipeline | None = None,
) -> Job:
    """Queue the menu push: retried like a recognition, the text menu after its last failure."""
    return rt.push_queue.enqueue(
        send_menu,
        kwargs=asdict(MenuJob.of(channel, user, menu, task_id, media_id)),
        on_failure=Callback(report_menu_failure),
        job_timeout=PUSH_TIMEOUT,
        description=f"menu for {channel.value}",
        pipeline=pipeline,
        **retried(rt),
    )


# --- the jobs (the worker process) ----------------------------------------------


def recognize(**arguments: Any) -> dict:
    """Download, recognize, check, mask, format and push. Returns a field-free summary.

    ``arguments`` are a :class:`RecognizeJob`'s fields.
    """
    rt = runtime()
    started = time.monotonic()
    job = RecognizeJob(**arguments)
    where, kind = Channel(job.channel), DocType(job.doc_type)
    if rt.redis.exists(key("pushed", current_job_id())):
        # a retry of a job whose answer already went out
        return {"doc_type": job.doc_type, "already_pushed": True}
    try:
        image = rt.download(where, *job.picture(rt))
    except ApiError as error:
        if not error.transient:
            give_up()
        raise
    engine = rt.current_engine()  # the chain /engine chose; each engine built once
    try:
        with metrics.RECOGNITION_SECONDS.labels(engine.name).time():
            result = engine.recognize(image, kind)
    except OcrError as error:
        if not error.retryable:
            give_up()
        raise
    answer = collect.after_recognition(
        rt, where, job.user, result, job.flow, job_id=current_job_id()
    )
    tell(rt, where, job.user, answer)
    record_answer(rt, result.doc_type.value, result.engine, "ok", job.photo_at)
    return {
        "doc_type": result.doc_type.value,
        "engine": result.engine,
        "fields": len(result.fields),
        "warnings": len(result.warnings),
        "checks_failed": sum(c.ok is False for c in cards.checks(result.doc_type, result.fields)),
        "seconds": round(time.monotonic() - started, 3),
    }


def send_menu(*legacy: Any, **arguments: Any) -> str:
    """Ask for the document type with the channel's tappable menu.

    ``arguments`` are a :class:`MenuJob`'s fields; ``legacy`` the same, positional, of a
    job queued before keyword-only arguments (goes with :meth:`MenuJob.of_job`'s fallback).
    """
    rt = runtime()
    job = MenuJob(*legacy, **arguments)
    if answered(rt, job):
        log.info("menu not sent: the photo's type was chosen before the menu went out")
        return "answered"
    menu, user = job.menu(), job.user
    api = rt.api(Channel(job.channel))
    if isinstance(api, WeComApi):
        shown = menu.options[:WECOM_MAX_BUTTONS]
        rest = menu.options[WECOM_MAX_BUTTONS:]
        desc = menu.tail if not rest else "也可回复：" + "、".join(t.label for t in rest)
        buttons = [(t.value, t.label) for t in shown]
        try:
            api.send_button_card(user, job.task_id, menu.head, desc, buttons)
        except ApiError as error:
            if error.final:
                give_up()  # trying the same card again cannot help; the text menu may
            raise
        return "card"
    assert isinstance(api, OfficialApi)
    try:
        items = [(_item_id(job.task_id, i), t.label) for i, t in enumerate(menu.options, 1)]
        api.send_msgmenu(user, menu.head, items, menu.tail)
        return "msgmenu"
    except ApiError as error:
        if error.errcode != MSGMENU_NOT_ALLOWED:
            if error.final:
                give_up()  # 45015, 45047: the text menu could not go either
            raise
    log.info("msgmenu not allowed for this account (40200): sending the text menu")
    api.send_text(user, menu.as_text())
    return "text"


def _item_id(token: str, number: int) -> str:
    """A msgmenu item's id: the menu's token and the item's number (a job queued by the
    release before tokens has none: 101, 102, ...)."""
    return menu_item_id(token, number) if token else str(100 + number)


def answered(rt: Runtime, job: MenuJob) -> bool:
    """The user no longer waits for this menu: they said what the photo is before it went
    out (a digit, a label, a tap without an id), sent another photo, or the photo
    expired; or the photo has another menu since (a retried message's). Sent then, it
    would ask again about a photo already on its way, or offer taps that count for
    nothing."""
    state = rt.states.load(Channel(job.channel), job.user)
    return (
        state.step is not Step.AWAITING_TYPE
        or (job.media_id != "" and state.media_id != job.media_id)
        or (job.task_id != "" and state.task_id != job.task_id)
    )


def tell(rt: Runtime, channel: Channel, user: str, answer: Text | ConfirmPrompt) -> None:
    """The answer to a photo; a confirmation prompt with the channel's buttons where it has them."""
    match answer:
        case Text(text=text):
            deliver(rt, channel, user, text)
        case ConfirmPrompt(text=text, task_id=task_id) if has_buttons(rt, channel):
            deliver(rt, channel, user, text)
            # The buttons of the result just told, not of one another worker kept since.
            task_id = task_id or rt.dossiers.view(channel, user).task_id
            try:
                send_confirm_buttons(rt, channel, user, task_id)
            except ApiError as error:  # a retry of this job would stop at the pushed answer
                log.warning("confirmation buttons and hint failed (%s): queued", error.errcode)
                enqueue_confirm(rt, channel, user)
        case ConfirmPrompt(text=text):  # one message: the answer, shortened if need be, and how
            deliver(rt, channel, user, fit([], text.split("\n"), ["", confirm.HINT], "……"))


def has_buttons(rt: Runtime, channel: Channel) -> bool:
    """Buttons are pushed: WeCom cards, or Official Account msgmenus (push mode only)."""
    if channel is Channel.WECOM:
        return True
    return not rt.passive_results(channel) and rt.settings.wechat_menu_style is MenuStyle.MSGMENU


def send_confirm(**arguments: Any) -> str:
    """Job: ask 确认 / 有误 again with the channel's buttons (the webhook's re-ask).

    ``arguments`` are a :class:`ConfirmJob`'s fields.
    """
    rt = runtime()
    job = ConfirmJob(**arguments)
    where, user = Channel(job.channel), job.user
    dossier = rt.dossiers.load(where, user)
    if dossier is None or not dossier.confirming:
        return "nothing to confirm"
    if where is Channel.WECOM:  # WeCom wants a new task_id per card; the old card is void
        dossier.task_id = collect.new_task_id(where)
        rt.dossiers.save(where, user, dossier)
    return send_confirm_buttons(rt, where, user, dossier.task_id)


def send_confirm_buttons(rt: Runtime, channel: Channel, user: str, task_id: str) -> str:
    """The 确认 / 有误 buttons; when WeChat refuses them, the hint to type 确认 / 有误."""
    api = rt.api(channel)
    try:
        if isinstance(api, WeComApi):
            card = (confirm.CARD_TITLE, confirm.CARD_DESC, confirm.BUTTONS)
            api.send_button_card(user, task_id, *card)
            return "card"
        assert isinstance(api, OfficialApi)
        items = [
            (confirm.item_id(task_id, i), text) for i, (_, text) in enumerate(confirm.BUTTONS, 1)
        ]
        api.send_msgmenu(user, confirm.CARD_TITLE, items, "")
        return "msgmenu"
    except ApiError as error:
        if error.errcode != MSGMENU_NOT_ALLOWED:
            log.warning("confirmation buttons failed (%s): sending the hint", error.errcode)
    api.send_text(user, confirm.HINT)  # typed 确认 / 有误 work on every channel
    return "text"


def enqueue_confirm(
    rt: Runtime, channel: Channel, user: str, pipeline: Pipeline | None = None
) -> Job:
    """Queue the 确认 / 有误 buttons again; with ``pipeline``, written when it executes.

    Retried like a menu; after the last failure the hint is sent as text.
    """
    return rt.push_queue.enqueue(
        send_confirm,
        kwargs=asdict(ConfirmJob(channel.value, user)),
        on_failure=Callback(report_confirm_failure),
        job_timeout=PUSH_TIMEOUT,
        description=f"confirmation for {channel.value}",
        pipeline=pipeline,
        **retried(rt),
    )


def report_confirm_failure(
    job: Job,
    connection: Redis,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType,
) -> None:
    """RQ failure callback of :func:`send_confirm`: after its last try, the hint as text."""
    if job.should_retry:
        return
    args = ConfirmJob(**job.kwargs)
    try:
        runtime().api(Channel(args.channel)).send_text(args.user, confirm.HINT)
    except Exception as error:  # noqa: BLE001 - the job already failed; record, don't mask it
        log.warning("could not send the confirmation hint either: %s", error)


def report_menu_failure(
    job: Job,
    connection: Redis,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType,
) -> None:
    """RQ failure callback of :func:`send_menu`: after its last try, the plain text menu."""
    if job.should_retry:
        return  # RQ will try again
    args = MenuJob.of_job(job)
    if isinstance(exc, ApiError) and exc.errcode in (OUT_OF_WINDOW, OUT_OF_COUNT):
        log.warning("menu push refused (%s): the user cannot be reached", exc.errcode)
        return
    try:
        rt = runtime()
        if answered(rt, args):
            return
        rt.api(Channel(args.channel)).send_text(args.user, args.menu().as_text())
        log.info("menu push failed (%s): sent the text menu instead", type(exc).__name__)
    except Exception as error:  # noqa: BLE001 - the job already failed; record, don't mask it
        log.warning("could not send the text menu either: %s", error)


def deliver(
    rt: Runtime, channel: Channel, user: str, text: str, job_id: str = "", *, answer: bool = True
) -> None:
    """The answer to the user: pushed, or kept for the passive reply.

    Pushed once per job: the push is recorded under the job's id the moment
    WeChat takes it, before anything else can fail, so a retry of the job
    (a failure after the push, a worker killed after it) does not push again.
    A push whose answer never came (read timeout) may have been delivered:
    recorded too, not sent again. A failure notice (``answer=False``) is not
    sent over a pushed answer, and leaves no mark: an admin's /retry of the
    failed job may still answer.
    """
    job_id = job_id or current_job_id()
    if rt.passive_results(channel):
        rt.results.put(channel, user, text, job_id)
        return
    marker = key("pushed", job_id) if job_id else ""
    record = marker if answer else ""
    if marker and rt.redis.exists(marker):
        log.info("answer of job %s already pushed: not pushing again", job_id)
        return
    api = rt.api(channel)
    for wait in PUSH_TRIES:
        time.sleep(wait)
        try:
            api.send_text(user, text)
        except ApiError as error:
            metrics.PUSHES.labels(channel.value, str(error.errcode)).inc()
            if error.unanswered:
                log.warning("push unanswered (%s): counted as delivered, not sent again", error)
                mark_pushed(rt, record)
                return
            if error.final:
                log.warning("push to user refused: %s %s", error.errcode, error.errmsg)
                give_up()
                raise PushRefused(error.errcode, error.errmsg) from None
            last = error
            continue
        mark_pushed(rt, record)
        metrics.PUSHES.labels(channel.value, "ok").inc()
        return
    raise last


def mark_pushed(rt: Runtime, marker: str) -> None:
    if marker:
        rt.redis.set(marker, 1, ex=PUSHED_TTL)


def current_job_id() -> str:
    job = get_current_job()
    return job.id if job is not None else ""


def record_answer(rt: Runtime, doc_type: str, engine: str, outcome: str, photo_at: float) -> None:
    """Count an ended job for /stats and /metrics, with its photo-to-answer time."""
    seconds = time.time() - photo_at if photo_at else None
    rt.usage.job(doc_type, engine, outcome, seconds)
    metrics.JOBS.labels(doc_type, engine, outcome).inc()


def give_up() -> None:
    """No more retries for the running job: the failure is not one time can fix."""
    job = get_current_job()
    if job is not None:
        job.retries_left = 0


def report_failure(
    job: Job,
    connection: Redis,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType,
) -> None:
    """RQ failure callback: on the final failure, tell the user in plain words."""
    if job.should_retry:
        return  # RQ will try again
    args = RecognizeJob(**job.kwargs)
    channel, user, doc_type = Channel(args.channel), args.user, DocType(args.doc_type)
    photo_at = args.photo_at
    reason = exc.failure.value if isinstance(exc, OcrError) else type(exc).__name__
    record_answer(runtime(), doc_type.value, "-", reason, photo_at)
    if isinstance(exc, PushRefused):
        return  # the user cannot be reached; the failed registry has the reason
    if isinstance(exc, OcrError):
        text = failure_text(exc.failure, doc_type)
    elif isinstance(exc, ApiError) and not exc.transient:
        text = MEDIA_GONE
    else:
        text = failure_text(Failure.BUSY, doc_type)
    try:
        deliver(runtime(), channel, user, text, job.id, answer=False)
    except Exception as error:  # noqa: BLE001 - the job already failed; record, don't mask it
        log.warning("could not tell the user about a failed job: %s", error)


class Worker(SimpleWorker):
    """RQ's SimpleWorker, but what the failed registry keeps of an exception is masked.

    The traceback text RQ stores with a failed job could quote a number from an
    error message; it goes through ``mask_text`` as every log line does. The worker's
    name is ours too: RQ's (32 hex digits) is in most of its log lines, and one in 45
    holds a run of digits the masking takes for a card number.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["name"] = kwargs.get("name") or f"ocrbot-{new_id()}"
        super().__init__(*args, **kwargs)

    def handle_job_failure(
        self,
        job: Job,
        queue: Any,
        started_job_registry: Any = None,
        exc_string: str = "",
        execution: Any = None,
    ) -> None:
        masked = mask_text(exc_string or "")
        super().handle_job_failure(job, queue, started_job_registry, masked, execution)
