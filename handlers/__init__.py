"""The conversation, as data: which handler answers which message in which state.

Every handler is a pure function ``(Incoming, State, Context) -> Outcome``:
no Flask, no Redis, no clock but ``ctx.now``. The whole flow:

    photo ───────────────▶ AWAITING_TYPE ──(digit / label / tap)──▶ queued, IDLE
      ▲                         │ 10 min                                 ▲
      │                         ▼                                        │
      │                   "照片已过期"                                    │
    CLICK OCR_* / choice ─▶ AWAITING_PHOTO ──────── photo ───────────────┘

    answer ──▶ 确认 (sent to the operator) / 有误 (photo asked again)  handlers/confirm.py
    CLICK FLOW_* / keyword ─▶ IN_FLOW: each document in turn         handlers/flows.py

取消 clears, 帮助 explains, anything we cannot read gets "please send a photo".
Before all that, the guard rails: a blocked user is refused (once a day), a
photo over the rate limit is answered with when to try again. Text starting
with "/" is an admin command (handlers/admin.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.incoming import Incoming, Kind

from . import confirm, flows, photo
from .admin import is_command, on_command, refuse_blocked, too_many_photos
from .choice import on_choice, parse_choice, stale_tap
from .events import on_event
from .help import help_text, please_send_photo
from .photo import type_menu
from .state import IDLE, Context, Outcome, State, Step, StoredResult, Text

CANCEL_WORDS = {"取消", "cancel", "退出", "算了"}
HELP_WORDS = {"帮助", "help", "?", "？", "菜单", "menu", "说明"}
RESULT_WORDS = {"结果", "result"}


def handle(msg: Incoming, state: State, ctx: Context) -> Outcome:
    """The one entry point: guard rails first, then route the message by its kind."""
    if ctx.blocked:
        return refuse_blocked(state, ctx)
    if msg.kind is Kind.IMAGE and ctx.photo_retry_at:
        return too_many_photos(state, ctx)
    if state.expired(ctx.now, ctx.pending_ttl) and state.step is Step.AWAITING_PHOTO:
        state = IDLE  # a preselected type that was never used is simply forgotten
    route: Callable[[Incoming, State, Context], Outcome] = ROUTES[msg.kind]
    outcome = route(msg, state, ctx)
    if outcome.recognize is not None:  # "photo to answer" starts when the photo came
        photo_at = state.since if state.step is Step.AWAITING_TYPE else ctx.now
        outcome = replace(outcome, recognize=replace(outcome.recognize, photo_at=photo_at))
    return outcome


def on_photo(msg: Incoming, state: State, ctx: Context) -> Outcome:
    running = flows.current(state, ctx)
    if running is not None:
        return flows.on_photo(running, msg.media_id, msg.pic_url, state, ctx)
    return photo.on_photo(msg, state, ctx)


def on_text(msg: Incoming, state: State, ctx: Context) -> Outcome:
    word = msg.text.strip()
    lowered = word.lower()
    if is_command(word):
        return on_command(msg, state, ctx)
    running = flows.current(state, ctx)
    if lowered in CANCEL_WORDS and running is not None:
        return flows.leave(running, ctx)
    if lowered in CANCEL_WORDS:
        pending = state.step is not Step.IDLE
        return Outcome(state=IDLE, answer=Text("已取消。" if pending else "当前没有待识别的照片。"))
    if lowered in HELP_WORDS:
        return Outcome(state=state, answer=Text(help_text(ctx)))
    if lowered in RESULT_WORDS and ctx.passive_results:
        return Outcome(state=state, answer=StoredResult())
    stale = confirm.stale_tap(msg.menu_id, state, ctx)
    if stale is not None:
        return stale
    verdict = confirm.word_of(word)
    if verdict:
        return confirm.on_word(verdict, state, ctx)
    named = flows.flow_named(word, ctx)
    if named is not None:
        return flows.start(named, state, ctx)
    if running is not None:
        return flows.remind(running, state, ctx)
    stale = stale_tap(msg.menu_id, state, ctx)
    if stale is not None:
        return stale
    doc_type = parse_choice(word, ctx.options)
    if doc_type is not None:
        return on_choice(doc_type, state, ctx)
    if state.step is Step.AWAITING_TYPE and not state.expired(ctx.now, ctx.pending_ttl):
        return Outcome(state=state, answer=Text("没看懂这个选择。\n" + type_menu(ctx).as_text()))
    if ctx.collected.confirming:
        return confirm.still_waiting(state)
    return Outcome(state=state, answer=Text("请发送证件照片，回复“帮助”查看用法。"))


ROUTES: dict[Kind, Callable[[Incoming, State, Context], Outcome]] = {
    Kind.IMAGE: on_photo,
    Kind.TEXT: on_text,
    Kind.EVENT: on_event,
    Kind.OTHER: lambda msg, state, ctx: please_send_photo(state),
}

__all__ = ["Context", "Outcome", "State", "handle"]
