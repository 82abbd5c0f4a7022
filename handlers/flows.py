"""Guided flows: ask for a flow's documents in turn, judge each photo, sum up.

The conversation side (pure, like every handler)::

    菜单 FLOW_* / 关键词 ──▶ IN_FLOW ── photo ──▶ job judges it (``judge``) ─┐
          ▲                    ▲  re-ask: wrong document, wrong side, a check fails
          │ 回来继续            └──────────────────────────────────────────┤
       取消 (资料保留)                        last document: ``summary`` ─▶ 确认 / 有误

Where the flow stands is the user's dossier (``bot/dossier.py``): the number
of documents accepted so far, handed in as ``ctx.collected``. The judging and
the summary run in the recognition job, as pure functions of the flow, what
was collected and what was read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.cards import Check
from bot.cards.idcard import is_back
from bot.cards.render import display, field_lines, fit
from bot.cards.specs import labels
from bot.flows import SIDES, Ask, Flow  # noqa: F401 - Ask re-exported
from bot.ocr.base import DocType, Recognition

from . import confirm
from .state import IDLE, Context, Outcome, Recognize, State, Step, Text, step_to

RETAKE = "请重新拍摄（光线充足、四角完整、避免反光）后发送。"


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
    return Outcome(state=into, answer=Text(text), discard=bool(collected.doc_types))


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


# --- judging a photo (run by the job) --------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    text: str  # what the user is told now
    cross_checks: list[Check] = field(default_factory=list)


def side_of(fields: Mapping[str, Any]) -> str:
    return "back" if is_back(fields) else "front"


def judge(
    flow: Flow,
    collected: Sequence[tuple[str, Mapping[str, Any]]],
    rec: Recognition,
    checks: Sequence[Check],
) -> Verdict:
    """Is ``rec`` the flow's next document, readable, and in line with the ones before?

    ``collected`` holds (API type, fields) of the documents accepted so far.
    """
    count = len(collected)
    ask = flow.documents[count]
    if rec.doc_type in (DocType.AUTO, DocType.COMM):  # the engine could not tell what it is
        return Verdict(False, f"没有认出照片中的{ask.label}。{RETAKE}")
    if rec.doc_type is not ask.doc_type:
        return Verdict(False, f"这张照片是{rec.doc_type.label}，请发送{ask.label}的照片。")
    if ask.side and side_of(rec.fields) != ask.side:
        wrong = SIDES[side_of(rec.fields)]
        return Verdict(False, f"这是身份证{wrong}，请发送{ask.label}的照片。")
    failed = [c for c in checks if c.ok is False]
    if failed:
        lines = "\n".join(f"⚠️ {c.message}" for c in failed)
        return Verdict(False, f"{ask.label}没有通过核验：\n{lines}\n{RETAKE}")
    across = cross_checks([*collected, (rec.doc_type.value, rec.fields)])
    mismatched = [c for c in across if c.ok is False]
    if mismatched:
        lines = "\n".join(f"⚠️ {c.message}" for c in mismatched)
        return Verdict(
            False, f"{ask.label}与之前的资料不一致：\n{lines}\n请发送本人的{ask.label}。"
        )
    done = count + 1
    if done < len(flow.documents):
        following = flow.documents[done]
        progress = f"{done}/{len(flow.documents)}"
        text = f"✅ 已收到{ask.label}（{progress}）。\n请发送{following.label}的照片。"
        return Verdict(True, text, across)
    return Verdict(True, "", across)


# Where each document prints its holder's ID number and name (API field names).
ID_NUMBER_FIELDS = {"idcard": "id", "drivinglicense": "id_num"}
NAME_FIELDS = {"idcard": "name", "drivinglicense": "name", "driving": "owner", "bankcard": "name"}


def cross_checks(docs: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Check]:
    """Where documents overlap: the same ID number, the same name. Never quotes a number."""
    found: list[Check] = []
    numbers = [
        (t, _compact(f[ID_NUMBER_FIELDS[t]]))
        for t, f in docs
        if t in ID_NUMBER_FIELDS and f.get(ID_NUMBER_FIELDS[t])
    ]
    if len({t for t, _ in numbers}) > 1:
        if len({n for _, n in numbers}) == 1:
            found.append(Check("same_id_number", True, "各证件上的身份证号码一致"))
        else:
            found.append(Check("same_id_number", False, "驾驶证证号与身份证号码不一致"))
    names = [
        (t, _compact(f[NAME_FIELDS[t]]))
        for t, f in docs
        if t in NAME_FIELDS and f.get(NAME_FIELDS[t])
    ]
    reference = next((n for t, n in names if t == "idcard"), None)
    if reference is not None:
        for doc_type, name in names:
            if doc_type == "idcard":
                continue
            what = {"driving": "行驶证所有人", "bankcard": "银行卡持卡人"}.get(
                doc_type, DocType(doc_type).label + "姓名"
            )
            if name == reference:
                found.append(Check(f"same_name_{doc_type}", True, f"{what}与身份证姓名一致"))
            else:
                found.append(Check(f"same_name_{doc_type}", False, f"{what}与身份证姓名不一致"))
    return found


def _compact(value: Any) -> str:
    return "".join(str(value).split()).upper()


def summary(flow: Flow, docs: Sequence[Any], across: Sequence[Check]) -> str:
    """The one message that ends a flow: every document, masked, and the checks across them."""
    body = []
    for ask, doc in zip(flow.documents, docs, strict=False):
        kind = DocType(doc.doc_type)
        body.append(f"▪ {ask.label}")
        body += [f"  {line}" for line in field_lines(labels(kind), display(kind, doc.fields))]
    tail = ["", *(f"{c.icon} {c.message}" for c in across)] if across else []
    return fit([f"【{flow.name} 资料已收齐】"], body, tail, "……还有 {n} 行未显示")


__all__ = ["Ask", "Verdict", "cross_checks", "judge", "start", "summary"]
