"""The user confirms what was read (确认), or says it is wrong (有误 / 重拍).

A confirmation is what reaches the operator (``Outcome.submit``); a rejection
forgets the document and asks for a new photo of the same kind (in a flow:
the flow starts over). Both work by text, by the Official Account's msgmenu
(a tap sends the item's text and id) and by the WeCom card's buttons; a tap on an
earlier result's buttons confirms nothing.
"""

from __future__ import annotations

import unicodedata

from bot.ocr.base import DocType

from .state import (
    IDLE,
    CardUpdate,
    ConfirmPrompt,
    Context,
    Outcome,
    State,
    Step,
    Text,
    step_to,
)

CONFIRM_WORDS = {"确认", "确定", "无误", "正确", "confirm", "ok"}
REJECT_WORDS = {"有误", "重拍", "有误重拍", "错误", "不对", "reject"}
CONFIRM_KEY, REJECT_KEY = "confirm", "reject"  # WeCom card buttons
BUTTONS = ((CONFIRM_KEY, "确认"), (REJECT_KEY, "有误，重拍"))

HINT = "请核对以上信息：无误请回复“确认”，有误请回复“有误”重新拍摄。"
CARD_TITLE = "请核对识别结果"
CARD_DESC = "无误请点“确认”；有误请点“有误，重拍”"
CONFIRMED = "已确认，谢谢！资料已提交。"
NOTHING_TO_CONFIRM = "当前没有待确认的识别结果。"
STILL_WAITING = "还有一份识别结果等待您确认。"
OLDER_RESULT = "这是之前那份识别结果的菜单，请在最新结果下的菜单中确认。"


# An Official Account confirmation menu's items carry ids made of the dossier's token
# (six digits, its task_id) and the item's number (one), seven digits: a tap on an
# earlier result's menu is told from the latest one's (the type menus' ids have eight).
def item_id(token: str, number: int) -> str:
    """A confirmation item's id (a dossier kept by the release before tokens has none:
    201, 202)."""
    return f"{token}{number}" if token else str(200 + number)


def stale_tap(menu_id: str, state: State, ctx: Context) -> Outcome | None:
    """The answer to a tap on a confirmation menu that is not the latest result's (its
    token another, or the release before's 201/202 where the result has a token); None
    for any other text (a tap without an id is read by its text)."""
    token = ctx.collected.task_id
    legacy = menu_id in ("201", "202") and token.isdigit()  # the latest's carry its token
    ours = len(menu_id) == 7 and menu_id.isascii() and menu_id.isdigit()
    if not (legacy or ours) or (ours and ctx.collected.confirming and token == menu_id[:-1]):
        return None
    answer = OLDER_RESULT if ctx.collected.confirming else NOTHING_TO_CONFIRM
    return Outcome(state=state, answer=Text(answer))


def word_of(text: str) -> str:
    """``confirm``, ``reject`` or ``""`` for what the user typed (or tapped in a msgmenu)."""
    word = unicodedata.normalize("NFKC", text).strip().lower()
    word = "".join(ch for ch in word if ch not in "，,。.！!、 ")
    if word in CONFIRM_WORDS:
        return CONFIRM_KEY
    if word in REJECT_WORDS:
        return REJECT_KEY
    return ""


def on_word(word: str, state: State, ctx: Context, *, card: bool = False) -> Outcome:
    """确认 or 有误, typed or tapped (``card``: the answer updates the card's buttons)."""
    if not ctx.collected.confirming:
        answer = CardUpdate("已失效") if card else Text(NOTHING_TO_CONFIRM)
        return Outcome(state=state, answer=answer)
    if word == CONFIRM_KEY:
        answer = CardUpdate("已确认") if card else Text(CONFIRMED)
        after = IDLE if state.step is Step.IN_FLOW else state  # a confirmed flow has ended
        return Outcome(state=after, answer=answer, submit=True)
    return reject(state, ctx, card=card)


def reject(state: State, ctx: Context, *, card: bool = False) -> Outcome:
    """有误: the document is forgotten; the same kind of photo is asked for again."""
    collected = ctx.collected
    flow = next((f for f in ctx.flows if f.name == collected.flow), None)
    if flow is not None:
        restart = step_to(Step.IN_FLOW, ctx.now, flow=flow.name)
        first = flow.documents[0].label
        text = f"好的，已作废。请从头重新发送：{flow.plan()}。\n现在请发送{first}。"
        answer = CardUpdate(f"已作废，请从{first}重新发送") if card else Text(text)
        return Outcome(state=restart, answer=answer, discard=True)
    doc_type = DocType(collected.doc_types[0]) if collected.doc_types else DocType.AUTO
    again = step_to(Step.AWAITING_PHOTO, ctx.now, doc_type=doc_type.value)
    label = "证件" if doc_type is DocType.AUTO else doc_type.label
    text = f"好的，已作废。请重新拍摄{label}（光线充足、四角完整、避免反光）后发送。"
    answer = CardUpdate("已作废，请重新拍摄") if card else Text(text)
    return Outcome(state=again, answer=answer, discard=True)


def on_card(key: str, task_id: str, state: State, ctx: Context) -> Outcome:
    """A button of the confirmation card; only the latest card counts."""
    if not ctx.collected.confirming or task_id != ctx.collected.task_id:
        return Outcome(state=state, answer=CardUpdate("已失效"))
    return on_word(key, state, ctx, card=True)


def still_waiting(state: State) -> Outcome:
    """Anything else while a confirmation is awaited: ask again."""
    return Outcome(state=state, answer=ConfirmPrompt(STILL_WAITING))
