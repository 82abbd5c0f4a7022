"""RQ jobs: recognize a photo and push the answer; send a type menu.

Job arguments hold only ids (channel, user, media id, picture URL, type); the
job's kept result holds only a summary. The recognized fields exist in memory
while the job runs and leave it once, masked, in the pushed answer.

Retries: transient failures (system busy, timeouts, 5xx) are retried by RQ
with backoff; a failure that retrying cannot fix (no document, unreadable
image, quota, a closed customer-service window) gives up at once. Either
way a final failure lands in RQ's failed registry with its reason, and the
user is told in plain words by :func:`report_failure`.
"""

from __future__ import annotations

import logging
import time
from types import TracebackType

from redis import Redis
from rq import Callback, Retry, get_current_job
from rq.job import Job

from bot import cards, collect, metrics
from bot.cards.render import fit
from bot.config import MenuStyle, Settings
from bot.incoming import Channel
from bot.ocr.base import DocType, Failure, OcrError
from bot.runtime import Runtime
from bot.wechat_api import MSGMENU_NOT_ALLOWED, ApiError, OfficialApi, WeComApi
from handlers import confirm
from handlers.results import MEDIA_GONE, failure_text
from handlers.state import ConfirmPrompt, Menu, Recognize, Text

log = logging.getLogger(__name__)

PUSH_TRIES = (0.0, 1.0, 3.0)  # in-job waits before each try of the final push
RESULT_TTL = 3600  # the (field-free) job summary is kept an hour
FAILURE_TTL = 7 * 86400
JOB_TIMEOUT = 180
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


# --- enqueueing (the web process) -----------------------------------------------


def enqueue_recognition(rt: Runtime, channel: Channel, user: str, request: Recognize) -> Job:
    intervals = rt.settings.retry_intervals
    return rt.queue.enqueue(
        recognize,
        channel.value,
        user,
        request.doc_type.value,
        request.media_id,
        request.pic_url,
        request.photo_at,
        request.flow,
        retry=Retry(max=len(intervals), interval=intervals),
        on_failure=Callback(report_failure),
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        job_timeout=JOB_TIMEOUT,
        description=f"recognize {request.doc_type.value} for {channel.value}",
    )


def enqueue_menu(rt: Runtime, channel: Channel, user: str, menu: Menu, task_id: str) -> Job:
    return rt.push_queue.enqueue(
        send_menu,
        channel.value,
        user,
        menu.head,
        [t.value for t in menu.options],
        menu.tail,
        task_id,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        job_timeout=60,
        description=f"menu for {channel.value}",
    )


# --- the jobs (the worker process) ----------------------------------------------


def recognize(
    channel: str,
    user: str,
    doc_type: str,
    media_id: str,
    pic_url: str = "",
    photo_at: float = 0.0,
    flow: str = "",
) -> dict:
    """Download, recognize, check, mask, format and push. Returns a field-free summary.

    ``photo_at`` is when the photo reached the webhook: "photo to answer" in /stats.
    """
    rt = runtime()
    started = time.monotonic()
    where, kind = Channel(channel), DocType(doc_type)
    try:
        image = rt.download(where, media_id, pic_url)
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
    tell(rt, where, user, collect.after_recognition(rt, where, user, result, flow))
    record_answer(rt, result.doc_type.value, result.engine, "ok", photo_at)
    return {
        "doc_type": result.doc_type.value,
        "engine": result.engine,
        "fields": len(result.fields),
        "warnings": len(result.warnings),
        "checks_failed": sum(c.ok is False for c in cards.checks(result.doc_type, result.fields)),
        "seconds": round(time.monotonic() - started, 3),
    }


def send_menu(
    channel: str, user: str, head: str, options: list[str], tail: str, task_id: str = ""
) -> str:
    """Ask for the document type with the channel's tappable menu."""
    rt = runtime()
    menu = Menu(head=head, options=tuple(DocType(o) for o in options), tail=tail)
    api = rt.api(Channel(channel))
    if isinstance(api, WeComApi):
        shown = menu.options[:WECOM_MAX_BUTTONS]
        rest = menu.options[WECOM_MAX_BUTTONS:]
        desc = tail if not rest else "也可回复：" + "、".join(t.label for t in rest)
        buttons = [(t.value, t.label) for t in shown]
        api.send_button_card(user, task_id, head, desc, buttons)
        return "card"
    assert isinstance(api, OfficialApi)
    try:
        items = [(str(100 + i), t.label) for i, t in enumerate(menu.options, 1)]
        api.send_msgmenu(user, head, items, tail)
        return "msgmenu"
    except ApiError as error:
        if error.errcode != MSGMENU_NOT_ALLOWED:
            raise
    log.info("msgmenu not allowed for this account (40200): sending the text menu")
    api.send_text(user, menu.as_text())
    return "text"


def tell(rt: Runtime, channel: Channel, user: str, answer: Text | ConfirmPrompt) -> None:
    """The answer to a photo; a confirmation prompt with the channel's buttons where it has them."""
    match answer:
        case Text(text=text):
            deliver(rt, channel, user, text)
        case ConfirmPrompt(text=text) if has_buttons(rt, channel):
            deliver(rt, channel, user, text)
            task_id = rt.dossiers.view(channel, user).task_id
            send_confirm_buttons(rt, channel, user, task_id)
        case ConfirmPrompt(text=text):  # one message: the answer, shortened if need be, and how
            deliver(rt, channel, user, fit([], text.split("\n"), ["", confirm.HINT], "……"))


def has_buttons(rt: Runtime, channel: Channel) -> bool:
    """Buttons are pushed: WeCom cards, or Official Account msgmenus (push mode only)."""
    if channel is Channel.WECOM:
        return True
    return not rt.passive_results(channel) and rt.settings.wechat_menu_style is MenuStyle.MSGMENU


def send_confirm(channel: str, user: str) -> str:
    """Job: ask 确认 / 有误 again with the channel's buttons (the webhook's re-ask)."""
    rt = runtime()
    where = Channel(channel)
    dossier = rt.dossiers.load(where, user)
    if dossier is None or not dossier.confirming:
        return "nothing to confirm"
    if where is Channel.WECOM:  # WeCom wants a new task_id per card; the old card is void
        dossier.task_id = collect.new_task_id(where)
        rt.dossiers.save(where, user, dossier)
    return send_confirm_buttons(rt, where, user, dossier.task_id)


def send_confirm_buttons(rt: Runtime, channel: Channel, user: str, task_id: str) -> str:
    api = rt.api(channel)
    if isinstance(api, WeComApi):
        api.send_button_card(user, task_id, confirm.CARD_TITLE, confirm.CARD_DESC, confirm.BUTTONS)
        return "card"
    assert isinstance(api, OfficialApi)
    items = [(str(200 + i), text) for i, (_, text) in enumerate(confirm.BUTTONS, 1)]
    try:
        api.send_msgmenu(user, confirm.CARD_TITLE, items, "")
        return "msgmenu"
    except ApiError as error:
        if error.errcode != MSGMENU_NOT_ALLOWED:
            raise
    api.send_text(user, confirm.HINT)
    return "text"


def enqueue_confirm(rt: Runtime, channel: Channel, user: str) -> Job:
    return rt.push_queue.enqueue(
        send_confirm,
        channel.value,
        user,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        job_timeout=60,
        description=f"confirmation for {channel.value}",
    )


def deliver(rt: Runtime, channel: Channel, user: str, text: str) -> None:
    """The answer to the user: pushed, or kept for the passive reply."""
    if rt.passive_results(channel):
        rt.results.put(channel, user, text)
        return
    api = rt.api(channel)
    for wait in PUSH_TRIES:
        time.sleep(wait)
        try:
            api.send_text(user, text)
            metrics.PUSHES.labels(channel.value, "ok").inc()
            return
        except ApiError as error:
            metrics.PUSHES.labels(channel.value, str(error.errcode)).inc()
            if error.final:
                log.warning("push to user refused: %s %s", error.errcode, error.errmsg)
                give_up()
                raise PushRefused(error.errcode, error.errmsg) from None
            last = error
    raise last


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
    channel, user, doc_type = Channel(job.args[0]), job.args[1], DocType(job.args[2])
    photo_at = job.args[5] if len(job.args) > 5 else 0.0
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
        deliver(runtime(), channel, user, text)
    except Exception as error:  # noqa: BLE001 - the job already failed; record, don't mask it
        log.warning("could not tell the user about a failed job: %s", error)
