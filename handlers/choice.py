"""The user says which document the photo is: a digit, a label, a msgmenu tap or a card button."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from bot.ocr.base import DocType

from .photo import queued_reply
from .state import IDLE, CardUpdate, Context, Outcome, Recognize, State, Step, Text, step_to

# Other words people type for the same documents.
ALIASES: dict[str, DocType] = {
    "身份证识别": DocType.IDCARD,
    "二代身份证": DocType.IDCARD,
    "银行卡号": DocType.BANKCARD,
    "信用卡": DocType.BANKCARD,
    "储蓄卡": DocType.BANKCARD,
    "驾照": DocType.DRIVINGLICENSE,
    "驾驶证识别": DocType.DRIVINGLICENSE,
    "车辆行驶证": DocType.DRIVING,
    "行驶本": DocType.DRIVING,
    "执照": DocType.BIZLICENSE,
    "车牌号": DocType.PLATENUM,
    "文字": DocType.COMM,
    "通用": DocType.COMM,
    "自动": DocType.AUTO,
}

EXPIRED = "照片已超过10分钟，请重新发送照片。"
OLDER_MENU = "这是之前那张照片的菜单，请在最新照片的菜单中选择。"
STALE_MENU = "这个菜单已失效，请重新发送照片。"


# An Official Account type menu's items carry ids made of the menu's token (six digits,
# kept in the state as its task_id) and the item's number (two), so that a tap on an
# older photo's menu is told from a tap on the pending one's: WeChat sends the id back
# as bizmsgmenuid, though not always (a tap without one is routed by its text).
def menu_item_id(token: str, number: int) -> str:
    return f"{token}{number:02d}"


def menu_of_item(menu_id: str) -> str | None:
    """The token of the type menu an item id belongs to; None for another id (the
    confirmation menu's seven digits, the release before's 101 or 201) or none."""
    digits = len(menu_id) == 8 and menu_id.isascii() and menu_id.isdigit()
    return menu_id[:-2] if digits else None


def stale_tap(menu_id: str, state: State, ctx: Context) -> Outcome | None:
    """The answer to a tap on a type menu that is not the pending photo's: an older
    photo's (another came since) or one already chosen from; None for any other text."""
    token = menu_of_item(menu_id)
    if token is None or (state.step is Step.AWAITING_TYPE and state.task_id == token):
        return None
    if state.step is not Step.AWAITING_TYPE:
        return Outcome(state=state, answer=Text(STALE_MENU))
    if state.expired(ctx.now, ctx.pending_ttl):  # the newer photo is past its time too
        return Outcome(state=IDLE, answer=Text(EXPIRED))
    return Outcome(state=state, answer=Text(OLDER_MENU))


def parse_choice(text: str, options: tuple[DocType, ...]) -> DocType | None:
    """The document type a reply names, if it names one on offer.

    Accepts the menu number (full-width digits too), the label (身份证), a few
    common aliases, the API name (idcard) and menu keys (OCR_IDCARD).
    """
    word = unicodedata.normalize("NFKC", text).strip().rstrip("。.！!").strip()
    if word.isdecimal() and len(word) <= 3:  # thousands of digits: not a menu number
        index = int(word) - 1
        return options[index] if 0 <= index < len(options) else None
    lowered = word.lower().removeprefix("ocr_")
    for doc_type in options:
        if word == doc_type.label or lowered == doc_type.value:
            return doc_type
    alias = ALIASES.get(word)
    return alias if alias in options else None


def on_choice(doc_type: DocType, state: State, ctx: Context) -> Outcome:
    """A type was chosen: queue the pending photo, or wait for one."""
    if state.step is Step.AWAITING_TYPE:
        if state.expired(ctx.now, ctx.pending_ttl):
            return Outcome(state=IDLE, answer=Text(EXPIRED))
        return Outcome(
            state=IDLE,
            answer=Text(queued_reply(doc_type)),
            recognize=Recognize(doc_type, state.media_id, state.pic_url),
        )
    waiting = step_to(Step.AWAITING_PHOTO, ctx.now, doc_type=doc_type.value)
    return Outcome(state=waiting, answer=Text(f"请发送{doc_type.label}的照片。"))


def on_card_button(key: str, task_id: str, state: State, ctx: Context) -> Outcome:
    """A WeCom card button was tapped. Only the card of the pending photo counts."""
    doc_type = parse_choice(key, ctx.options)
    if state.step is not Step.AWAITING_TYPE or task_id != state.task_id:
        return Outcome(state=state, answer=CardUpdate("已失效"))
    if doc_type is None:
        return Outcome(state=state, answer=Text("请选择卡片上的证件类型。"))
    chosen = on_choice(doc_type, state, ctx)
    if chosen.recognize is None:  # the photo expired: said in a text, as before
        return chosen
    return replace(chosen, answer=CardUpdate(f"已选择：{doc_type.label}"))
