"""A photo arrives: ask what it is, or send it straight on when the type is already known."""

from __future__ import annotations

from bot.incoming import Incoming
from bot.ocr.base import DocType

from .state import IDLE, Context, Menu, Outcome, Recognize, State, Step, Text, TypeMenu, step_to


def type_menu(ctx: Context) -> Menu:
    return Menu(head="收到照片，请选择证件类型：", options=ctx.options)


def queued_reply(doc_type: DocType) -> str:
    if doc_type is DocType.AUTO:
        return "收到，正在识别，请稍候…"
    return f"收到，正在识别{doc_type.label}，请稍候…"


def on_photo(msg: Incoming, state: State, ctx: Context) -> Outcome:
    if state.step is Step.AWAITING_PHOTO and not state.expired(ctx.now, ctx.pending_ttl):
        doc_type = DocType(state.doc_type)
        return Outcome(
            state=IDLE,
            answer=Text(queued_reply(doc_type)),
            recognize=Recognize(doc_type, msg.media_id, msg.pic_url),
        )
    pending = step_to(Step.AWAITING_TYPE, ctx.now, media_id=msg.media_id, pic_url=msg.pic_url)
    return Outcome(state=pending, answer=TypeMenu(type_menu(ctx)))
