"""Confirmation and the signed result webhook, end to end on both channels.

Real HTTP to the bot, the emulator and an operator's receiver; a real Redis;
RQ's SimpleWorker. The receiver verifies each signature on its own
(tests/fixtures/receiver.py), as docs/integration.md tells operators to.
"""

from __future__ import annotations

import contextlib
import json
import logging
import zlib

import requests
from cryptography.fernet import Fernet

from bot import callback, jobs
from bot.callback import FAILED
from bot.dossier import Dossier
from bot.incoming import Channel
from handlers import confirm
from handlers.state import ConfirmPrompt, Step
from tests.fixtures.receiver import SECRET, Receiver
from tests.integration.test_flow import CARD_NUMBER, FRONT, ID_NUMBER, can, luhn_complete, photo


def webhook_bot(make_bot, receiver: Receiver, **settings):
    return make_bot(
        result_webhook_url=receiver.url,
        result_webhook_secret=SECRET,
        result_webhook_retry_intervals=[0, 0, 0],
        **settings,
    )


def everything_in_redis(client) -> list[bytes]:
    """Every key and value in Redis, RQ's compressed job data decompressed too."""
    found: list[bytes] = []
    for key in client.scan_iter("*"):
        found.append(key)
        kind = client.type(key)
        if kind == b"string":
            values = [client.get(key)]
        elif kind == b"hash":
            values = list(client.hgetall(key).values())
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"set":
            values = list(client.smembers(key))
        elif kind == b"zset":
            values = client.zrange(key, 0, -1)
        else:
            values = []
        for value in values:
            found.append(value)
            with contextlib.suppress(zlib.error):
                found.append(zlib.decompress(value))
    return found


def send_idcard(bot, peer, user: str, seed: int) -> None:
    image = photo(seed)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.click(user, "OCR_IDCARD"))
    peer.deliver(peer.image(user, media_id, pic_url))
    assert bot.work() >= 1


def test_official_text_confirmation_reaches_the_receiver_signed_and_full(
    make_bot, receiver: Receiver
) -> None:
    bot = webhook_bot(make_bot, receiver)
    peer = bot.official("safe")
    send_idcard(bot, peer, "alice", 31)
    [answer] = bot.messages("alice")
    text = answer["body"]["text"]["content"]
    assert "110***********002X" in text and ID_NUMBER not in text
    assert "回复“确认”" in text and "有误" in text  # text channel: the prompt is in the answer
    assert receiver.attempts == []  # nothing leaves before the user confirms

    confirmed = peer.deliver(peer.text("alice", "确认"))
    assert "已确认" in confirmed.reply["Content"]
    assert confirmed.elapsed_ms < 5000
    assert bot.work() == 1

    [event] = receiver.accepted
    assert event["type"] == "document.confirmed" and event["document_type"] == "idcard"
    assert event["fields"]["id"] == ID_NUMBER and event["fields"]["name"] == "张三"
    assert event["channel"] == "official" and event["user"] == "alice"
    assert event["event_id"].startswith("evt_") and event["created_at"].endswith("Z")
    assert {"name": "id_checksum", "ok": True, "message": "身份证号校验位正确"} in event["checks"]
    assert event["warnings"] == []
    # After delivery the full number is nowhere in Redis, not even encrypted.
    client = bot.runtime.redis
    assert not list(client.scan_iter("ocrbot:dossier:*"))
    assert not client.exists(callback.Outbox.name(event["event_id"]))
    assert all(ID_NUMBER.encode() not in blob for blob in everything_in_redis(client))


def test_wecom_card_buttons_confirm_and_reject(make_bot, receiver: Receiver) -> None:
    bot = webhook_bot(make_bot, receiver)
    peer = bot.wecom()
    number = luhn_complete("622202020011223")
    image = photo(32)
    can(bot, image, {"errcode": 0, "errmsg": "ok", "number": number})
    media_id, _ = bot.upload(image)
    peer.deliver(peer.text("bob", "银行卡"))
    peer.deliver(peer.image("bob", media_id))
    assert bot.work() == 1
    answer, card = bot.messages("bob")
    assert number not in answer["body"]["text"]["content"].replace(" ", "")
    template = card["body"]["template_card"]
    assert [b["key"] for b in template["button_list"]] == ["confirm", "reject"]

    # 有误 first: the document is forgotten and the same kind of photo asked again.
    tap = peer.deliver(
        peer.event("bob", "template_card_event", "reject", TaskId=template["task_id"])
    )
    assert tap.reply["MsgType"] == "update_button"
    assert "重新拍摄" in tap.reply["Button"]["ReplaceName"]
    state = bot.runtime.states.load(Channel.WECOM, "bob")
    assert state.step is Step.AWAITING_PHOTO and state.doc_type == "bankcard"
    assert bot.runtime.dossiers.load(Channel.WECOM, "bob") is None

    # A new photo goes straight on (the type is known), and this time 确认.
    peer.deliver(peer.image("bob", media_id))
    assert bot.work() == 1
    card = bot.messages("bob")[-1]["body"]["template_card"]
    old = peer.deliver(
        peer.event("bob", "template_card_event", "confirm", TaskId=template["task_id"])
    )
    assert old.reply["Button"]["ReplaceName"] == "已失效"  # the first card no longer counts
    tap = peer.deliver(peer.event("bob", "template_card_event", "confirm", TaskId=card["task_id"]))
    assert tap.reply["Button"]["ReplaceName"] == "已确认"
    assert bot.work() == 1
    [event] = receiver.accepted
    assert event["document_type"] == "bankcard" and event["fields"]["number"] == number
    assert event["channel"] == "wecom"


def test_msgmenu_confirmation_is_a_tap(make_bot, receiver: Receiver) -> None:
    bot = webhook_bot(make_bot, receiver, wechat_menu_style="msgmenu")
    peer = bot.official("safe")
    send_idcard(bot, peer, "mia", 33)
    answer, menu = bot.messages("mia")
    items = menu["body"]["msgmenu"]["list"]
    assert [i["content"] for i in items] == ["确认", "有误，重拍"]
    tap = peer.deliver(peer.text("mia", items[0]["content"]))
    assert "已确认" in tap.reply["Content"]
    bot.work()
    assert [e["fields"]["id"] for e in receiver.accepted] == [ID_NUMBER]


def test_msgmenu_confirmation_of_an_earlier_result_confirms_nothing(
    make_bot, receiver: Receiver
) -> None:
    """An ID card's result and its 确认 / 有误 menu, then a bank card's before the first
    was confirmed: WeChat sends the tapped item's id back, and the first menu's 确认
    does not confirm the bank card the user has not looked at. The latest menu's does."""
    bot = webhook_bot(make_bot, receiver, wechat_menu_style="msgmenu")
    peer = bot.official("safe")
    send_idcard(bot, peer, "ivan", 36)
    number = luhn_complete("622202020011224")
    image = photo(37)
    can(bot, image, {"errcode": 0, "errmsg": "ok", "number": number})
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.text("ivan", "银行卡"))
    peer.deliver(peer.image("ivan", media_id, pic_url))
    assert bot.work() == 1
    first, second = (m["body"]["msgmenu"]["list"] for m in bot.messages("ivan")
                     if m["body"]["msgtype"] == "msgmenu")  # fmt: skip
    assert first[0]["content"] == second[0]["content"] == "确认"
    old = peer.deliver(peer.text("ivan", "确认", menu_id=first[0]["id"]))
    assert old.reply["Content"] == confirm.OLDER_RESULT
    assert bot.work() == 0 and receiver.accepted == []
    tap = peer.deliver(peer.text("ivan", "确认", menu_id=second[0]["id"]))
    assert "已确认" in tap.reply["Content"]
    bot.work()
    [event] = receiver.accepted
    assert event["document_type"] == "bankcard" and event["fields"]["number"] == number


def test_a_results_confirmation_menu_carries_its_own_token(make_bot, receiver: Receiver) -> None:
    """Two workers, two results close together: the first job tells its result after
    the second kept its own. The first result's 确认 / 有误 carry the first result's
    token (the prompt's), not the one the user's dossier holds by then."""
    bot = webhook_bot(make_bot, receiver, wechat_menu_style="msgmenu")
    rt = bot.runtime
    rt.dossiers.save(Channel.OFFICIAL, "jill", Dossier(confirming=True, task_id="654321"))
    jobs.tell(rt, Channel.OFFICIAL, "jill", ConfirmPrompt("身份证识别结果", "123456"))
    answer, menu = bot.messages("jill")
    assert answer["body"]["text"]["content"] == "身份证识别结果"
    ids = [item["id"] for item in menu["body"]["msgmenu"]["list"]]
    assert ids == ["1234561", "1234562"]


def test_a_receiver_that_fails_for_a_while_gets_each_event_once(
    make_bot, receiver: Receiver
) -> None:
    bot = webhook_bot(make_bot, receiver)
    peer = bot.official("safe")
    receiver.fail_next = 2
    for user, seed in (("carl", 34), ("dora", 35)):
        send_idcard(bot, peer, user, seed)
        peer.deliver(peer.text(user, "确认"))
    bot.work()  # retries run at once (intervals [0, 0, 0])
    assert len(receiver.accepted) == 2
    statuses = [a["status"] for a in receiver.attempts]
    assert statuses.count(503) == 2
    ok_per_event: dict[str, int] = {}
    for attempt in receiver.attempts:
        if attempt["status"] == 200:
            ok_per_event[attempt["event_id"]] = ok_per_event.get(attempt["event_id"], 0) + 1
    assert sorted(ok_per_event.values()) == [1, 1]  # exactly one accepted delivery each
    # A resend of a delivered event sends nothing.
    for event_id in ok_per_event:
        assert callback.resend(bot.runtime, event_id) == []
    bot.work()
    assert len(receiver.attempts) == 4


def test_failures_show_in_stats_and_metrics_and_resend_delivers(
    make_bot, receiver: Receiver
) -> None:
    bot = webhook_bot(make_bot, receiver, admin_users="root")
    peer = bot.official("safe")
    receiver.fail_next = 100
    send_idcard(bot, peer, "erin", 36)
    peer.deliver(peer.text("erin", "确认"))
    bot.work()
    assert [a["status"] for a in receiver.attempts] == [503] * 4  # one try and three retries
    [event_id] = [i.decode() for i in bot.runtime.redis.smembers(FAILED)]
    stats = peer.deliver(peer.text("root", "/stats")).reply["Content"]
    assert "重试用尽 1" in stats and "等待 /resend 的结果回调：1" in stats
    scraped = requests.get(f"{bot.url}/metrics", timeout=10).text
    assert "ocrbot_callbacks_undelivered 1.0" in scraped
    # The job and its failure hold the id only, never the fields.
    failed = bot.runtime.callback_queue.failed_job_registry.get_job_ids()
    assert len(failed) == 1
    assert all(ID_NUMBER.encode() not in blob for blob in everything_in_redis(bot.runtime.redis))

    receiver.fail_next = 0
    resent = peer.deliver(peer.text("root", "/resend")).reply["Content"]
    assert "已重新排队 1 个" in resent
    bot.work()
    assert receiver.accepted_ids() == [event_id]
    assert not bot.runtime.redis.exists(callback.Outbox.name(event_id))
    assert "ocrbot_callbacks_undelivered 0.0" in requests.get(f"{bot.url}/metrics", timeout=10).text


def test_deliveries_are_retried_for_hours_by_default(make_bot) -> None:
    bot = make_bot(result_webhook_url="https://crm.example/hook", result_webhook_secret=SECRET)
    job = callback.enqueue(bot.runtime, "evt_" + "0" * 32)
    assert job.args == () and job.kwargs == {"event_id": "evt_" + "0" * 32}  # the id only
    assert job.retries_left == 11 and job.retry_intervals[-1] == 3600
    assert 4.5 * 3600 < sum(job.retry_intervals) < 5.5 * 3600
    assert job.origin == bot.runtime.callback_queue.name != bot.runtime.queue.name


def test_without_confirmation_the_answer_goes_out_at_once(make_bot, receiver: Receiver) -> None:
    bot = webhook_bot(make_bot, receiver, confirm_results=False)
    peer = bot.official("safe")
    send_idcard(bot, peer, "finn", 37)
    [answer] = bot.messages("finn")
    assert "确认" not in answer["body"]["text"]["content"]
    bot.work()
    assert [e["fields"]["id"] for e in receiver.accepted] == [ID_NUMBER]


def test_the_payload_can_travel_encrypted_to_the_operator(make_bot, receiver: Receiver) -> None:
    key = Fernet.generate_key().decode()
    bot = webhook_bot(make_bot, receiver, confirm_results=False, result_webhook_key=key)
    peer = bot.official("safe")
    send_idcard(bot, peer, "gus", 38)
    bot.work()
    [envelope] = receiver.accepted
    assert set(envelope) == {"event_id", "type", "created_at", "ciphertext"}
    assert ID_NUMBER not in json.dumps(envelope)
    # the operator's side, as docs/integration.md shows it
    event = json.loads(Fernet(key).decrypt(envelope["ciphertext"].encode()))
    assert event["fields"]["id"] == ID_NUMBER and event["event_id"] == envelope["event_id"]


def test_a_long_answer_and_its_prompt_stay_one_message_under_wechats_limit(
    make_bot, receiver: Receiver
) -> None:
    bot = webhook_bot(make_bot, receiver)
    peer = bot.official("safe")
    image = photo(41)
    names = ("enterprise_name", "type_of_enterprise", "legal_representative", "address")
    long = {name: "很长的文字" * 40 for name in (*names, "business_scope", "valid_period")}
    can(bot, image, {"errcode": 0, "errmsg": "ok", **long})
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.click("lee", "OCR_BIZLICENSE"))
    peer.deliver(peer.image("lee", media_id, pic_url))
    bot.work()
    [answer] = bot.messages("lee")
    text = answer["body"]["text"]["content"]
    assert len(text.encode()) <= 2000 and text.endswith("重新拍摄。")


def test_no_confirmation_prompt_without_a_webhook(make_bot) -> None:
    bot = make_bot()
    peer = bot.official("safe")
    send_idcard(bot, peer, "hal", 39)
    [answer] = bot.messages("hal")
    assert "确认" not in answer["body"]["text"]["content"]
    assert not list(bot.runtime.redis.scan_iter("ocrbot:dossier:*"))
    assert CARD_NUMBER  # the shared fixtures stay importable


def test_no_log_line_of_any_library_holds_the_full_fields(
    make_bot, receiver: Receiver, caplog
) -> None:
    bot = webhook_bot(make_bot, receiver)
    peer = bot.official("safe")
    receiver.fail_next = 1
    with caplog.at_level(logging.DEBUG):  # every library, before our masking filter
        send_idcard(bot, peer, "kim", 42)
        peer.deliver(peer.text("kim", "确认"))
        bot.work()
    assert [a["status"] for a in receiver.attempts] == [503, 200]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    logged += "\n".join(str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    assert "evt_" in logged and ID_NUMBER not in logged and "张三" not in logged


def test_an_event_submitted_twice_before_delivery_is_queued_once(
    make_bot, receiver: Receiver
) -> None:
    """A recognition job retried before its event went out submits the same event again:
    the first payload stays (Outbox.put is SET NX) and no second delivery job is queued."""
    bot = webhook_bot(make_bot, receiver)
    rt = bot.runtime
    event = {"event_id": callback.event_id_for("job-9"), "type": "document.confirmed", "n": 1}
    assert callback.submit(rt, event) is not None
    assert callback.submit(rt, {**event, "n": 2}) is None
    assert rt.callback_queue.count == 1
    assert rt.outbox.get(event["event_id"])["n"] == 1


def test_a_confirmation_whose_event_cannot_be_kept_loses_no_document(
    make_bot, receiver: Receiver, redis_user
) -> None:
    """确认 takes the documents out of the dossier only in the transaction that keeps the
    event and queues it. Here Redis refuses the outbox write (an ACL user that may not write an
    event under ``ocrbot:outbox:``): the dossier and the 确认 step stay, and the next 确认, once
    the outbox can be written, delivers the documents."""
    allowed = ["~rq:*", "~ocrbot:[^o]*", "~ocrbot:o[^u]*", "~ocrbot:outbox:delivered:*"]
    bot = webhook_bot(make_bot, receiver, redis_url=redis_user("web", "+@all", *allowed))
    peer = bot.official("safe")
    send_idcard(bot, peer, "hana", 39)
    refused = peer.deliver(peer.text("hana", "确认"))
    assert refused.status == 500  # WeChat tries again
    assert bot.runtime.dossiers.load(Channel.OFFICIAL, "hana").confirming  # still there
    redis_user("web", "+@all", "~*")
    confirmed = peer.deliver(peer.text("hana", "确认"))
    assert "已确认" in confirmed.reply["Content"]
    bot.work()
    assert [e["fields"]["id"] for e in receiver.accepted] == [ID_NUMBER]
