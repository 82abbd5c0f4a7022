"""Guided flows: ask for a flow's documents in turn, judge each photo, sum up.

The conversation side (pure, like every handler)::

    菜单 FLOW_* / 关键词 ──▶ IN_FLOW ── photo ──▶ job judges it (``judge``) ─┐
          ▲                    ▲  re-ask: wrong document, wrong side, a check fails
          │ 回来继续            └──────────────────────────────────────────┤
       取消 (资料保留)                        last document: ``summary`` ─▶ 确认 / 有误

Where the flow stands is the user's dossier (``bot/dossier.py``): the number
of documents accepted so far, handed in as ``ctx.collected``. The judging and
the summary (``handlers/flow_checks.py``) run in the recognition job, as pure
functions of the flow, what was collected and what was read.
"""

from __future__ import annotations

from bot.flows import Flow
from bot.ocr.base import DocType

from . import confirm
from .state import IDLE, Context, Outcome, Recognize, State, Step, Text, step_to

# --- the conversation ---------------------------------------------------------------


def flow_named(word: str, ctx: Context) -> Flow | None:
    """The flow a click key, a name or a keyword starts."""
    return next((f for f in ctx.flows if word in (f.key, f.name, *f.keywords) and word), None)


def start(flow: Flow, state: State, ctx: Context) -> Outcome:
    """Start ``flow``, or resume it where the user left it."""
    collected = ctx.collected
    into = step_to(Step.IN_FLOW, ctx.now, flow=flow.name)
    resumable = collected.flow == flow.name and not collected.confirming and not collected.done
    count = len(collected.doc_types)
    if resumable and 0 < count < len(flow.documents):
        text = (
            f"欢迎回来，继续“{flow.name}”：已收到 {count}/{len(flow.documents)} 份。\n"
            f"请发送{flow.documents[count].label}的照片。"
        )
        return Outcome(state=into, answer=Text(text))
    if collected.confirming and collected.flow == flow.name:
        return confirm.still_waiting(into)
    text = (
        f"开始“{flow.name}”，请依次发送：{flow.plan()}。\n"
        f"现在请发送{flow.documents[0].label}的照片。\n"
        "回复“取消”可随时离开，稍后回复“" + (flow.keywords or (flow.name,))[0] + "”可继续。"
    )
    # Anything held from before (another flow's documents, a finished flow) is dropped.
    held = bool(collected.doc_types or collected.done or collected.flow)
    return Outcome(state=into, answer=Text(text), discard=held)


def current(state: State, ctx: Context) -> Flow | None:
    """The flow the user is in, if still running (not finished, not left)."""
    if state.step is not Step.IN_FLOW:
        return None
    flow = next((f for f in ctx.flows if f.name == state.flow), None)
    if flow is None or (ctx.collected.flow == flow.name and ctx.collected.done):
        return None
    return flow


def on_photo(flow: Flow, media_id: str, pic_url: str, state: State, ctx: Context) -> Outcome:
    """A photo in a flow: recognized and judged against the next document by the job."""
    if ctx.collected.confirming and ctx.collected.flow == flow.name:
        return confirm.still_waiting(state)
    count = len(ctx.collected.doc_types) if ctx.collected.flow == flow.name else 0
    ask = flow.documents[min(count, len(flow.documents) - 1)]
    # An engine that detects the type tells a wrong document; the cloud API is told the type.
    doc_type = DocType.AUTO if DocType.AUTO in ctx.options else ask.doc_type
    return Outcome(
        state=state,
        answer=Text(f"收到，正在识别{ask.label}，请稍候…"),
        recognize=Recognize(doc_type, media_id, pic_url, flow=flow.name),
    )


def leave(flow: Flow, ctx: Context) -> Outcome:
    """取消 in a flow: leave it; what was collected waits for the user's return."""
    word = (flow.keywords or (flow.name,))[0]
    if ctx.collected.flow == flow.name and ctx.collected.doc_types:
        text = f"已离开“{flow.name}”。已收到的资料会保留一段时间，回复“{word}”可继续。"
    else:
        text = f"已离开“{flow.name}”。"
    return Outcome(state=IDLE, answer=Text(text))


def remind(flow: Flow, state: State, ctx: Context) -> Outcome:
    count = len(ctx.collected.doc_types) if ctx.collected.flow == flow.name else 0
    ask = flow.documents[min(count, len(flow.documents) - 1)]
    return Outcome(
        state=state,
        answer=Text(f"正在进行“{flow.name}”：请发送{ask.label}的照片，回复“取消”离开。"),
    )
