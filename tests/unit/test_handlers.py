"""Every transition of the conversation, on plain values (handlers are pure)."""

from __future__ import annotations

from dataclasses import replace

import pytest

import handlers
from bot.incoming import Channel, Incoming, Kind
from bot.ocr import readable_types
from bot.ocr.base import DocType
from handlers import confirm
from handlers.choice import EXPIRED, OLDER_MENU, STALE_MENU, parse_choice
from handlers.state import (
    IDLE,
    CardUpdate,
    Collected,
    Context,
    State,
    Step,
    StoredResult,
    Text,
    TypeMenu,
)

NOW = 1_700_000_000.0
LOCAL = Context(now=NOW, options=readable_types(["local"]))
CLOUD = Context(now=NOW, options=readable_types(["wechat"]))


def msg(kind: Kind, **kw) -> Incoming:
    return Incoming(channel=Channel.OFFICIAL, user="u1", kind=kind, msg_type=kind.value, **kw)


def text(content: str) -> Incoming:
    return msg(Kind.TEXT, text=content, msg_id=1)


def photo() -> Incoming:
    return msg(Kind.IMAGE, media_id="M1", pic_url="http://pic/1", msg_id=2)


def event(name: str, key: str = "", **kw) -> Incoming:
    return msg(Kind.EVENT, event=name, event_key=key, create_time=int(NOW), **kw)


def pending(since: float = NOW - 5, **kw) -> State:
    return State(step=Step.AWAITING_TYPE, since=since, media_id="M1", pic_url="http://pic/1", **kw)


def test_photo_without_type_keeps_the_image_and_asks() -> None:
    out = handlers.handle(photo(), IDLE, LOCAL)
    assert out.state.step is Step.AWAITING_TYPE
    assert (out.state.media_id, out.state.pic_url) == ("M1", "http://pic/1")
    assert out.recognize is None
    assert isinstance(out.answer, TypeMenu) and out.answer.menu.options == LOCAL.options
    lines = out.answer.menu.as_text().splitlines()
    assert "1. 身份证" in lines and "8. 自动识别" in lines


def test_menu_lists_only_what_the_engine_reads() -> None:
    out = handlers.handle(photo(), IDLE, CLOUD)
    assert DocType.AUTO not in out.answer.menu.options
    assert [t.label for t in out.answer.menu.options] == [
        "身份证",
        "银行卡",
        "驾驶证",
        "行驶证",
        "营业执照",
        "车牌",
        "通用文字",
    ]


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("1", DocType.IDCARD),
        ("２", DocType.BANKCARD),
        ("身份证", DocType.IDCARD),
        ("营业执照", DocType.BIZLICENSE),
        ("驾照", DocType.DRIVINGLICENSE),
        ("8", DocType.AUTO),
        ("platenum", DocType.PLATENUM),
        ("OCR_DRIVING", DocType.DRIVING),
        (" 7 ", DocType.COMM),
    ],
)
def test_choice_is_understood_however_it_arrives(reply: str, expected: DocType) -> None:
    out = handlers.handle(text(reply), pending(), LOCAL)
    assert out.recognize is not None
    assert out.recognize.doc_type is expected
    assert out.recognize.media_id == "M1" and out.recognize.pic_url == "http://pic/1"
    assert out.state == IDLE
    assert "正在识别" in out.text


@pytest.mark.parametrize("reply", ["0", "9", "护照", "自动"])
def test_choices_not_on_offer_are_refused(reply: str) -> None:
    assert parse_choice(reply, CLOUD.options) is None


def test_unclear_choice_repeats_the_menu_and_keeps_the_photo() -> None:
    out = handlers.handle(text("随便"), pending(), LOCAL)
    assert out.state.step is Step.AWAITING_TYPE
    assert out.recognize is None
    assert "1. 身份证" in out.text


def test_choice_after_ten_minutes_says_the_photo_expired() -> None:
    out = handlers.handle(text("1"), pending(since=NOW - 601), LOCAL)
    assert out.recognize is None
    assert out.state == IDLE
    assert "10分钟" in out.text and "重新发送" in out.text


def test_choice_without_photo_asks_for_one_then_the_photo_goes_straight_on() -> None:
    out = handlers.handle(text("银行卡"), IDLE, LOCAL)
    assert out.recognize is None
    assert out.state.step is Step.AWAITING_PHOTO and out.state.doc_type == "bankcard"
    assert "银行卡" in out.text and "照片" in out.text
    out = handlers.handle(photo(), out.state, LOCAL)
    assert out.recognize is not None and out.recognize.doc_type is DocType.BANKCARD
    assert out.state == IDLE and not isinstance(out.answer, TypeMenu)


def test_menu_click_preselects_the_type() -> None:
    out = handlers.handle(event("click", "OCR_IDCARD"), IDLE, LOCAL)
    assert out.state.step is Step.AWAITING_PHOTO and out.state.doc_type == "idcard"
    out = handlers.handle(photo(), out.state, LOCAL)
    assert out.recognize == handlers.state.Recognize(DocType.IDCARD, "M1", "http://pic/1")


def test_preselection_expires_quietly() -> None:
    stale = State(step=Step.AWAITING_PHOTO, since=NOW - 601, doc_type="idcard")
    out = handlers.handle(photo(), stale, LOCAL)
    assert out.recognize is None and out.state.step is Step.AWAITING_TYPE


def test_menu_click_for_a_type_the_engine_cannot_read() -> None:
    out = handlers.handle(event("click", "OCR_AUTO"), IDLE, CLOUD)
    assert out.recognize is None and out.state == IDLE and out.text


@pytest.mark.parametrize("key, needle", [("HELP", "可识别"), ("PRIVACY", "打码")])
def test_help_and_privacy_buttons(key: str, needle: str) -> None:
    out = handlers.handle(event("click", key), IDLE, LOCAL)
    assert needle in out.text


def test_cancel_clears_and_says_so() -> None:
    out = handlers.handle(text("取消"), pending(), LOCAL)
    assert out.state == IDLE and out.text == "已取消。"
    out = handlers.handle(text("cancel"), IDLE, LOCAL)
    assert out.state == IDLE and "没有" in out.text


@pytest.mark.parametrize("word", ["帮助", "help", "？"])
def test_help_lists_what_the_bot_reads_and_the_data_policy(word: str) -> None:
    out = handlers.handle(text(word), pending(), LOCAL)
    assert "身份证" in out.text and "营业执照" in out.text and "打码" in out.text
    assert out.state == pending()  # help does not drop the pending photo


@pytest.mark.parametrize("name", ["subscribe", "enter_agent"])
def test_greeting_events(name: str) -> None:
    out = handlers.handle(event(name), IDLE, LOCAL)
    assert "你好" in out.text


@pytest.mark.parametrize("kind", ["voice", "video", "location", "link", "file", "shortvideo"])
def test_other_messages_get_a_polite_please_send_a_photo(kind: str) -> None:
    m = Incoming(channel=Channel.WECOM, user="u", kind=Kind.OTHER, msg_type=kind, msg_id=3)
    out = handlers.handle(m, pending(), LOCAL)
    assert "照片" in out.text
    assert out.state == pending()


def test_unsubscribe_forgets_the_user() -> None:
    out = handlers.handle(event("unsubscribe"), pending(), LOCAL)
    assert out.state == IDLE and out.text == ""


def test_card_button_for_the_pending_photo_queues_and_updates_the_card() -> None:
    state = pending(task_id="ocr-abc")
    out = handlers.handle(event("template_card_event", "idcard", task_id="ocr-abc"), state, LOCAL)
    assert out.recognize is not None and out.recognize.doc_type is DocType.IDCARD
    assert out.answer == CardUpdate("已选择：身份证")


def test_card_button_of_an_old_card_is_refused() -> None:
    state = pending(task_id="ocr-new")
    out = handlers.handle(event("template_card_event", "idcard", task_id="ocr-old"), state, LOCAL)
    assert out.recognize is None and out.state == state
    assert out.answer == CardUpdate("已失效")


def tap(content: str, menu_id: str) -> Incoming:
    return msg(Kind.TEXT, text=content, menu_id=menu_id, msg_id=3)


def test_msgmenu_tap_on_the_pending_photos_menu_is_a_choice() -> None:
    out = handlers.handle(tap("身份证", "12345601"), pending(task_id="123456"), LOCAL)
    assert out.recognize is not None and out.recognize.doc_type is DocType.IDCARD


def test_msgmenu_tap_on_an_older_photos_menu_chooses_nothing() -> None:
    state = pending(task_id="654321")  # a newer photo's menu
    out = handlers.handle(tap("银行卡", "12345602"), state, LOCAL)
    assert out.recognize is None and out.state == state
    assert out.answer == Text(OLDER_MENU)


@pytest.mark.parametrize("state", [IDLE, State(step=Step.AWAITING_PHOTO, since=NOW - 5)])
def test_msgmenu_tap_on_a_menu_already_chosen_from_is_void(state: State) -> None:
    """Not a preselection for the next photo: the menu was about a photo now on its way."""
    out = handlers.handle(tap("银行卡", "12345602"), state, LOCAL)
    assert out.recognize is None and out.state == state
    assert out.answer == Text(STALE_MENU)


def test_msgmenu_tap_on_an_older_menu_when_the_newer_photo_expired() -> None:
    state = pending(since=NOW - 601, task_id="654321")
    out = handlers.handle(tap("银行卡", "12345602"), state, LOCAL)
    assert out.recognize is None and out.state == IDLE
    assert out.answer == Text(EXPIRED)


def confirming(task_id: str) -> Context:
    return replace(LOCAL, collected=Collected(doc_types=("idcard",), confirming=True,
                                              task_id=task_id))  # fmt: skip


def test_confirmation_tap_on_the_latest_results_menu_confirms() -> None:
    out = handlers.handle(tap("确认", "6543211"), IDLE, confirming("654321"))
    assert out.submit and out.answer == Text(confirm.CONFIRMED)


@pytest.mark.parametrize("menu_id", ["1234561", "1234562", "201", "202"])
def test_confirmation_tap_on_an_earlier_results_menu_confirms_nothing(menu_id: str) -> None:
    """Another token's, or the release before's (201, 202) while the result has one."""
    for word in ("确认", "有误，重拍"):
        out = handlers.handle(tap(word, menu_id), IDLE, confirming("654321"))
        assert not out.submit and not out.discard and out.state == IDLE
        assert out.answer == Text(confirm.OLDER_RESULT)


def test_the_release_befores_confirmation_tap_counts_for_its_own_result() -> None:
    """A result kept by the release before has no token: its menu's 201 confirms it."""
    out = handlers.handle(tap("确认", "201"), IDLE, confirming(""))
    assert out.submit and out.answer == Text(confirm.CONFIRMED)


@pytest.mark.parametrize("menu_id", ["", "102", "201"])
def test_a_tap_without_a_type_menus_id_is_read_by_its_text(menu_id: str) -> None:
    """WeChat does not always send the id, and a menu queued by the release before
    tokens numbers its items 101, 102, ...: the text decides, as typed."""
    out = handlers.handle(tap("银行卡", menu_id), pending(task_id="654321"), LOCAL)
    assert out.recognize is not None and out.recognize.doc_type is DocType.BANKCARD


def test_result_word_fetches_only_in_passive_mode() -> None:
    passive = Context(now=NOW, options=LOCAL.options, passive_results=True)
    assert handlers.handle(text("结果"), IDLE, passive).answer == StoredResult()
    assert handlers.handle(text("结果"), IDLE, LOCAL).answer != StoredResult()


def test_state_round_trips_through_a_dict() -> None:
    state = pending(task_id="t")
    assert State.from_dict(state.to_dict()) == state
    assert State.from_dict({"step": "idle", "unknown": 1}) == IDLE
