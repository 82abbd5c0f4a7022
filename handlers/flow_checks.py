"""Judging a guided flow's photo, checks across its documents, and its summary.

Pure functions, run by the recognition job (``bot/collect.py``): is this photo
the flow's next document, readable, and in line with the documents before it?
Kept apart from ``handlers/flows.py`` so that the conversation (loaded by the
web process) does not load the reply layer (``bot.cards``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.cards import Check
from bot.cards.idcard import is_back
from bot.cards.render import display, field_lines, fit
from bot.cards.specs import labels
from bot.flows import SIDES, Flow
from bot.ocr.base import DocType, Recognition

RETAKE = "请重新拍摄（光线充足、四角完整、避免反光）后发送。"


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
