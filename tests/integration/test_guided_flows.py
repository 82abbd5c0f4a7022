"""A guided flow end to end on both channels, to the operator's receiver.

开户 = ID card front, ID card back, bank card. On the way: the back sent
first (wrong side), a bank card whose number fails its check, leaving and
coming back; at the end one summary, confirmed by text (Official Account)
or by the card's button (WeCom), and one signed ``flow.completed`` event.
"""

from __future__ import annotations

import threading

from bot import collect
from bot.devtools.peer import WeComPeer
from bot.incoming import Channel
from bot.ocr.base import DocType, Recognition
from handlers.state import Step
from tests.fixtures.receiver import Receiver
from tests.integration.test_callback import everything_in_redis, webhook_bot
from tests.integration.test_flow import FRONT, ID_NUMBER, can, luhn_complete, photo

BACK = {"errcode": 0, "errmsg": "ok", "type": "Back", "valid_date": "20200101-20400101"}
CARD = luhn_complete("622202020011223")
BAD_CARD = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)  # the Luhn digit off by one


def canned(bot, seed: int, response: dict) -> tuple[str, str]:
    image = photo(seed)
    can(bot, image, response)
    return bot.upload(image)


def last_text(bot, user: str) -> str:
    texts = [m["body"] for m in bot.messages(user) if m["body"]["msgtype"] == "text"]
    return texts[-1]["text"]["content"]


def run_flow(bot, peer, user: str, seed: int, *, start, leave_and_return: bool) -> None:
    """From the start to the summary, with a wrong side and a failed check on the way."""
    started = start()
    assert started == "" or "请发送身份证正面" in started
    state = bot.runtime.states.load(peer_channel(peer), user)
    assert state.step is Step.IN_FLOW and state.flow == "开户"

    def send(offset: int, response: dict) -> str:
        media_id, pic_url = canned(bot, seed + offset, response)
        peer.deliver(peer.image(user, media_id, pic_url))
        assert bot.work() >= 1
        return last_text(bot, user)

    assert send(0, BACK) == "这是身份证背面，请发送身份证正面的照片。"
    assert "已收到身份证正面（1/3）" in send(1, FRONT)
    if leave_and_return:
        left = peer.deliver(peer.text(user, "取消"))
        assert left.reply is None or "回复“开户”可继续" in left.reply["Content"]
        back = peer.deliver(peer.text(user, "开户"))
        assert back.reply is None or "已收到 1/3" in back.reply["Content"]
    assert "已收到身份证背面（2/3）" in send(2, BACK)
    failed = send(3, {"errcode": 0, "errmsg": "ok", "number": BAD_CARD})
    assert "银行卡没有通过核验" in failed and "卡号校验未通过" in failed and BAD_CARD not in failed
    send(4, {"errcode": 0, "errmsg": "ok", "number": CARD})


def peer_channel(peer) -> Channel:
    return Channel.WECOM if isinstance(peer, WeComPeer) else Channel.OFFICIAL


def check_event(receiver: Receiver, channel: str) -> None:
    [event] = receiver.accepted
    assert event["type"] == "flow.completed" and event["flow"] == "开户"
    assert event["channel"] == channel
    docs = event["documents"]
    assert [d["document_type"] for d in docs] == ["idcard", "idcard", "bankcard"]
    assert docs[0]["fields"]["id"] == ID_NUMBER and docs[1]["fields"]["type"] == "Back"
    assert docs[2]["fields"]["number"] == CARD
    assert all(c["ok"] is not False for d in docs for c in d["checks"])


def test_official_account_flow_confirmed_by_text(make_bot, receiver: Receiver) -> None:
    bot = webhook_bot(make_bot, receiver)
    peer = bot.official("safe")

    def start() -> str:
        return peer.deliver(peer.text("olga", "开户")).reply["Content"]

    run_flow(bot, peer, "olga", 50, start=start, leave_and_return=True)
    summary = last_text(bot, "olga")
    assert "【开户 资料已收齐】" in summary and "110***********002X" in summary
    assert "回复“确认”" in summary and ID_NUMBER not in summary and CARD not in summary
    assert receiver.attempts == []

    done = peer.deliver(peer.text("olga", "确认"))
    assert "已确认" in done.reply["Content"]
    assert bot.runtime.states.load(Channel.OFFICIAL, "olga").step is Step.IDLE
    bot.work()
    check_event(receiver, "official")
    client = bot.runtime.redis
    blobs = everything_in_redis(client)
    assert all(ID_NUMBER.encode() not in b and CARD.encode() not in b for b in blobs)

    # The flow has ended; it can be started again from the beginning.
    again = peer.deliver(peer.text("olga", "开户"))
    assert "请依次发送" in again.reply["Content"]
    media_id, pic_url = canned(bot, 59, FRONT)
    peer.deliver(peer.image("olga", media_id, pic_url))
    bot.work()
    assert "已收到身份证正面（1/3）" in last_text(bot, "olga")


def test_wecom_flow_started_by_keyword_confirmed_by_button(make_bot, receiver: Receiver) -> None:
    bot = webhook_bot(make_bot, receiver)
    peer = bot.wecom()

    def start() -> str:
        return peer.deliver(peer.text("wang", "开户")).reply["Content"]

    run_flow(bot, peer, "wang", 60, start=start, leave_and_return=False)
    summary, card = bot.messages("wang")[-2:]
    assert "【开户 资料已收齐】" in summary["body"]["text"]["content"]
    template = card["body"]["template_card"]
    assert [b["key"] for b in template["button_list"]] == ["confirm", "reject"]

    tap = peer.deliver(
        peer.event("wang", "template_card_event", "confirm", TaskId=template["task_id"])
    )
    assert tap.reply["Button"]["ReplaceName"] == "已确认"
    bot.work()
    check_event(receiver, "wecom")
    blobs = everything_in_redis(bot.runtime.redis)
    assert all(ID_NUMBER.encode() not in b and CARD.encode() not in b for b in blobs)


def test_official_account_flow_from_the_custom_menu(make_bot, receiver: Receiver) -> None:
    bot = webhook_bot(make_bot, receiver)
    peer = bot.official("safe")
    start = peer.deliver(peer.click("pat", "FLOW_RENT_CAR"))
    assert "身份证正面 → 驾驶证" in start.reply["Content"]
    media_id, pic_url = canned(bot, 70, FRONT)
    peer.deliver(peer.image("pat", media_id, pic_url))
    bot.work()
    licence = {"errcode": 0, "errmsg": "ok", "name": "张三", "id_num": "110105194912310038"}
    media_id, pic_url = canned(bot, 71, licence)
    peer.deliver(peer.image("pat", media_id, pic_url))
    bot.work()
    mismatch = last_text(bot, "pat")
    assert "驾驶证证号与身份证号码不一致" in mismatch and "110105194912310038" not in mismatch
    assert receiver.attempts == []


def test_a_retried_recognition_job_counts_and_sends_nothing_twice(
    make_bot, receiver: Receiver
) -> None:
    """A job whose push failed after it kept the document runs again: same answer, one
    document in the flow, one event for the operator."""
    bot = webhook_bot(make_bot, receiver, confirm_results=False)
    rt, who = bot.runtime, Channel.OFFICIAL
    front = Recognition(DocType.IDCARD, {k: v for k, v in FRONT.items() if "err" not in k}, "t")
    first = collect.after_recognition(rt, who, "rex", front, "租车", job_id="job-1")
    again = collect.after_recognition(rt, who, "rex", front, "租车", job_id="job-1")
    assert first == again and "（1/2）" in first.text
    assert rt.dossiers.view(who, "rex").doc_types == ("idcard",)
    licence = Recognition(DocType.DRIVINGLICENSE, {"name": "张三", "id_num": ID_NUMBER}, "t")
    done = collect.after_recognition(rt, who, "rex", licence, "租车", job_id="job-2")
    assert collect.after_recognition(rt, who, "rex", licence, "租车", job_id="job-2") == done
    single = collect.after_recognition(rt, who, "sue", front, "", job_id="job-3")
    collect.after_recognition(rt, who, "sue", front, "", job_id="job-3")
    bot.work()
    assert "租车 资料已收齐" in done.text and "张三" in single.text
    assert [e["type"] for e in receiver.accepted] == ["flow.completed", "document.confirmed"]
    assert len(receiver.attempts) == 2  # one delivery each, though each job ran twice
    assert not list(rt.redis.scan_iter("ocrbot:outbox:evt_*"))  # no payload put back


def test_two_photos_of_one_flow_at_once_are_judged_one_after_the_other(
    make_bot, receiver: Receiver, redis
) -> None:
    """Two workers, two photos of the same step: both read the dossier before either writes
    (Redis holds every write back for a moment, CLIENT PAUSE WRITE). Only one may be taken;
    the other is judged again on what the first left, and asked for the next document."""
    bot = webhook_bot(make_bot, receiver)
    rt, who = bot.runtime, Channel.OFFICIAL
    fields = {k: v for k, v in FRONT.items() if "err" not in k}
    front = Recognition(DocType.IDCARD, fields, "t")
    back = Recognition(DocType.IDCARD, {k: v for k, v in BACK.items() if "err" not in k}, "t")
    collect.after_recognition(rt, who, "val", front, "开户", job_id="job-1")
    answers: list[str] = []

    def photo_of_the_back(job_id: str) -> None:
        answers.append(collect.after_recognition(rt, who, "val", back, "开户", job_id=job_id).text)

    redis.execute_command("CLIENT", "PAUSE", 1500, "WRITE")
    workers = [threading.Thread(target=photo_of_the_back, args=(j,)) for j in ("job-a", "job-b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(20)
    assert len(answers) == 2
    assert sum("（2/3）" in a for a in answers) == 1, answers  # one taken, one re-asked
    assert rt.dossiers.view(who, "val").doc_types == ("idcard", "idcard")
