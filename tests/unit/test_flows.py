"""Guided flows as plain values: the file, the conversation, judging photos, cross checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

import handlers
from bot import flows
from bot.dossier import Document
from bot.flows import Ask, FlowError
from bot.incoming import Channel, Incoming, Kind
from bot.ocr import readable_types
from bot.ocr.base import DocType, Recognition
from handlers import flow_checks as rules
from handlers.state import IDLE, CardUpdate, Collected, Context, Step, step_to

NOW = 1_700_000_000.0
FLOWS = flows.load()
OPEN, RENT = FLOWS
ID = "11010519491231002X"
FRONT = {"type": "Front", "name": "张三", "id": ID, "gender": "女", "nationality": "汉"}
BACK = {"type": "Back", "valid_date": "20200101-20400101"}


def ctx(**changes) -> Context:
    return Context(now=NOW, options=readable_types(["wechat"]), flows=FLOWS, **changes)


def text(word: str) -> Incoming:
    return Incoming(Channel.OFFICIAL, "u", Kind.TEXT, "text", text=word)


def image() -> Incoming:
    return Incoming(Channel.OFFICIAL, "u", Kind.IMAGE, "image", media_id="m1")


def rec(doc_type: DocType, fields: dict) -> Recognition:
    return Recognition(doc_type, fields, "test")


# --- the file ------------------------------------------------------------------------


def test_the_bundled_file_has_the_two_examples() -> None:
    assert OPEN.name == "开户" and OPEN.plan() == "身份证正面 → 身份证背面 → 银行卡"
    assert RENT.documents == (Ask(DocType.IDCARD, "front"), Ask(DocType.DRIVINGLICENSE))


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "x", "documents": ["idcard:left"]},
        {"name": "x", "documents": ["bankcard:front"]},
        {"name": "x", "documents": ["visa"]},
        {"name": "x", "documents": ["comm"]},
        {"name": "x", "documents": []},
        {"name": "", "documents": ["idcard"]},
        {"name": "x", "key": "OPEN", "documents": ["idcard"]},
    ],
)
def test_a_bad_flow_file_is_refused(entry: dict) -> None:
    with pytest.raises(FlowError):
        flows.parse({"flow": [entry]})


def test_names_and_keywords_must_not_collide() -> None:
    with pytest.raises(FlowError):
        flows.parse(
            {
                "flow": [
                    {"name": "a", "keywords": ["办理"], "documents": ["idcard"]},
                    {"name": "b", "keywords": ["办理"], "documents": ["bankcard"]},
                ]
            }
        )


# --- the conversation -------------------------------------------------------------------


def test_a_keyword_starts_a_flow_and_a_photo_is_sent_with_the_flow() -> None:
    out = handlers.handle(text("开户"), IDLE, ctx())
    assert out.state.step is Step.IN_FLOW and out.state.flow == "开户"
    assert "身份证正面 → 身份证背面 → 银行卡" in out.text and "请发送身份证正面" in out.text
    photo = handlers.handle(image(), out.state, ctx())
    assert photo.recognize is not None and photo.recognize.flow == "开户"
    assert photo.recognize.doc_type is DocType.IDCARD  # the cloud engine is told the type
    assert "身份证正面" in photo.text


def test_an_engine_that_detects_types_gets_auto_in_a_flow() -> None:
    local = Context(now=NOW, options=readable_types(["local"]), flows=FLOWS)
    state = step_to(Step.IN_FLOW, NOW, flow="开户")
    out = handlers.handle(image(), state, local)
    assert out.recognize is not None and out.recognize.doc_type is DocType.AUTO


def test_the_next_document_follows_what_was_collected() -> None:
    state = step_to(Step.IN_FLOW, NOW, flow="开户")
    collected = Collected(flow="开户", doc_types=("idcard", "idcard"))
    out = handlers.handle(image(), state, ctx(collected=collected))
    assert out.recognize.doc_type is DocType.BANKCARD and "银行卡" in out.text
    other = handlers.handle(text("你好"), state, ctx(collected=collected))
    assert "请发送银行卡" in other.text and other.recognize is None


def test_cancel_leaves_and_the_keyword_resumes_where_the_user_was() -> None:
    state = step_to(Step.IN_FLOW, NOW, flow="开户")
    collected = Collected(flow="开户", doc_types=("idcard",))
    left = handlers.handle(text("取消"), state, ctx(collected=collected))
    assert left.state == IDLE and "回复“开户”可继续" in left.text and not left.discard
    back = handlers.handle(text("开户"), IDLE, ctx(collected=collected))
    assert back.state.step is Step.IN_FLOW and not back.discard
    assert "已收到 1/3" in back.text and "请发送身份证背面" in back.text


def test_starting_another_flow_drops_what_was_collected() -> None:
    collected = Collected(flow="开户", doc_types=("idcard",))
    out = handlers.handle(text("租车"), IDLE, ctx(collected=collected))
    assert out.state.flow == "租车" and out.discard


def test_a_menu_click_starts_a_flow() -> None:
    click = Incoming(
        Channel.OFFICIAL, "u", Kind.EVENT, "event", event="click", event_key="FLOW_RENT_CAR"
    )
    out = handlers.handle(click, IDLE, ctx())
    assert out.state.flow == "租车" and "驾驶证" in out.text


def test_a_complete_flow_waits_for_confirmation_then_ends() -> None:
    state = step_to(Step.IN_FLOW, NOW, flow="租车")
    collected = Collected(flow="租车", doc_types=("idcard", "drivinglicense"), confirming=True)
    photo = handlers.handle(image(), state, ctx(collected=collected))
    assert photo.recognize is None and "等待您确认" in photo.answer.text
    done = handlers.handle(text("确认"), state, ctx(collected=collected))
    assert done.submit and done.state == IDLE


def test_rejecting_a_flow_starts_it_over() -> None:
    state = step_to(Step.IN_FLOW, NOW, flow="租车")
    collected = Collected(flow="租车", doc_types=("idcard", "drivinglicense"), confirming=True)
    out = handlers.handle(text("有误"), state, ctx(collected=collected))
    assert out.discard and not out.submit
    assert out.state.step is Step.IN_FLOW and "请发送身份证正面" in out.text


def test_rejecting_a_flow_by_its_card_button_says_where_to_start() -> None:
    state = step_to(Step.IN_FLOW, NOW, flow="租车")
    collected = Collected(
        flow="租车", doc_types=("idcard", "drivinglicense"), confirming=True, task_id="ok-1"
    )
    tap = Incoming(
        Channel.WECOM,
        "u",
        Kind.EVENT,
        "event",
        event="template_card_event",
        event_key="reject",
        task_id="ok-1",
    )
    out = handlers.handle(tap, state, ctx(collected=collected))
    assert out.discard and out.answer == CardUpdate("已作废，请从身份证正面重新发送")
    stale = replace(tap, task_id="ok-0")
    assert handlers.handle(stale, state, ctx(collected=collected)).answer == CardUpdate("已失效")


def test_a_finished_flow_can_be_started_again() -> None:
    out = handlers.handle(text("租车"), IDLE, ctx(collected=Collected(flow="租车", done=True)))
    assert out.state.step is Step.IN_FLOW and out.discard  # the end marker goes
    assert "请依次发送" in out.text


def test_a_finished_flow_lets_photos_be_photos_again() -> None:
    state = step_to(Step.IN_FLOW, NOW, flow="租车")
    collected = Collected(flow="租车", done=True)
    out = handlers.handle(image(), state, ctx(collected=collected))
    assert out.recognize is None and out.state.step is Step.AWAITING_TYPE


# --- judging a photo --------------------------------------------------------------------


def test_a_photo_the_engine_cannot_place_is_asked_again() -> None:
    verdict = rules.judge(OPEN, [], rec(DocType.COMM, {"items": []}), [])
    assert not verdict.accepted and verdict.text.startswith("没有认出照片中的身份证正面")


def test_wrong_document_and_wrong_side_are_asked_again() -> None:
    wrong = rules.judge(OPEN, [], rec(DocType.BANKCARD, {"number": "6222"}), [])
    assert not wrong.accepted and wrong.text == "这张照片是银行卡，请发送身份证正面的照片。"
    side = rules.judge(OPEN, [], rec(DocType.IDCARD, BACK), [])
    assert not side.accepted and side.text == "这是身份证背面，请发送身份证正面的照片。"
    right = rules.judge(OPEN, [], rec(DocType.IDCARD, FRONT), [])
    assert right.accepted and "（1/3）" in right.text and "请发送身份证背面" in right.text


def test_a_failed_check_is_asked_again_with_what_to_do() -> None:
    from bot.cards import checks

    fields = {**BACK, "valid_date": "20000101-20200101"}  # expired
    found = checks(DocType.IDCARD, fields)
    verdict = rules.judge(OPEN, [("idcard", FRONT)], rec(DocType.IDCARD, fields), found)
    assert not verdict.accepted
    assert "身份证已于 2020-01-01 过期" in verdict.text and "重新拍摄" in verdict.text


def test_the_id_number_must_agree_across_documents_and_is_never_quoted() -> None:
    other = "110105194912310038"
    licence = {"name": "张三", "id_num": other}
    verdict = rules.judge(RENT, [("idcard", FRONT)], rec(DocType.DRIVINGLICENSE, licence), [])
    assert not verdict.accepted and "驾驶证证号与身份证号码不一致" in verdict.text
    assert other not in verdict.text and ID not in verdict.text
    same = rules.judge(
        RENT, [("idcard", FRONT)], rec(DocType.DRIVINGLICENSE, {"name": "张三", "id_num": ID}), []
    )
    assert same.accepted and same.text == ""
    assert [c.ok for c in same.cross_checks] == [True, True]


def test_names_agree_with_the_id_card_where_printed() -> None:
    across = rules.cross_checks(
        [("idcard", FRONT), ("driving", {"owner": "李四"}), ("bankcard", {"number": "1"})]
    )
    assert [(c.name, c.ok) for c in across] == [("same_name_driving", False)]
    assert "行驶证所有人与身份证姓名不一致" in across[0].message
    holder = rules.cross_checks([("idcard", FRONT), ("bankcard", {"name": "张三"})])
    assert [(c.name, c.ok) for c in holder] == [("same_name_bankcard", True)]


def test_the_summary_is_masked() -> None:
    docs = [
        Document("idcard", FRONT),
        Document("drivinglicense", {"name": "张三", "id_num": ID}),
    ]
    text = rules.summary(RENT, docs, rules.cross_checks([("idcard", FRONT)]))
    assert "【租车 资料已收齐】" in text and "110***********002X" in text
    assert ID not in text
