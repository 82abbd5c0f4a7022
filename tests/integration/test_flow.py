"""Full paths, as WeChat drives them: message in, menu, choice, worker, masked answer pushed.

Real HTTP to the bot and to the emulator, a real Redis, RQ's SimpleWorker.
The cloud engine answers from canned OCR responses registered in the emulator
by the image's sha256, exactly as the WeChat OCR API would.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image

from bot.incoming import Channel
from bot.ocr.base import DocType
from handlers.choice import OLDER_MENU, STALE_MENU
from handlers.state import Step

ID_NUMBER = "11010519491231002X"  # a valid test number (check digit X)
FRONT = {
    "errcode": 0,
    "errmsg": "ok",
    "type": "Front",
    "name": "张三",
    "id": ID_NUMBER,
    "addr": "北京市朝阳区建国路88号",
    "gender": "女",
    "nationality": "汉",
}
CARD_NUMBER = "6222020200112233441"


def photo(seed: int = 0, size: tuple[int, int] = (640, 400)) -> bytes:
    image = Image.new("RGB", size, (200 + seed % 50, 180, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def can(bot, image: bytes, response: dict) -> None:
    bot.emulator_post("ocr", sha256=hashlib.sha256(image).hexdigest(), response=response)


def luhn_complete(prefix: str) -> str:
    digits = [int(d) for d in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return prefix + str((10 - total % 10) % 10)


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
def test_official_account_idcard_end_to_end(make_bot, mode: str) -> None:
    bot = make_bot(**({"wechat_aes_key": ""} if mode == "plain" else {}))
    peer = bot.official(mode)
    image = photo(1)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)

    first = peer.deliver(peer.image("alice", media_id, pic_url))
    assert first.status == 200
    assert first.reply is not None and first.reply["MsgType"] == "text"
    assert "1. 身份证" in first.reply["Content"]
    assert first.elapsed_ms < 5000
    if mode != "plain":
        assert "<Encrypt>" in first.body  # the reply is encrypted when the request was

    chosen = peer.deliver(peer.text("alice", "1"))
    assert "正在识别身份证" in chosen.reply["Content"]
    assert bot.work() == 1

    sent = bot.messages("alice")
    assert len(sent) == 1
    body = sent[0]["body"]
    assert body["msgtype"] == "text"
    answer = body["text"]["content"]
    assert "张三" in answer and "110***********002X" in answer
    assert ID_NUMBER not in answer
    assert "✅" in answer  # the check digit is right


def test_wecom_bankcard_end_to_end_with_card_buttons(make_bot) -> None:
    bot = make_bot()
    peer = bot.wecom()
    number = luhn_complete("622202020011223")
    image = photo(2)
    can(bot, image, {"errcode": 0, "errmsg": "ok", "number": number})
    media_id, _ = bot.upload(image)

    first = peer.deliver(peer.image("bob", media_id))
    assert first.status == 200
    assert first.body == "success"  # the menu comes as a card, pushed by a job
    assert bot.work() == 1
    [card] = bot.messages("bob")
    template = card["body"]["template_card"]
    assert template["card_type"] == "button_interaction"
    keys = [b["key"] for b in template["button_list"]]
    assert keys[:2] == ["idcard", "bankcard"] and len(keys) <= 6
    state = bot.runtime.states.load(Channel.WECOM, "bob")
    assert state.step is Step.AWAITING_TYPE and state.task_id == template["task_id"]

    tap = peer.deliver(
        peer.event(
            "bob",
            "template_card_event",
            "bankcard",
            TaskId=template["task_id"],
            CardType="button_interaction",
            ResponseCode="rc-1",
        )
    )
    assert tap.reply is not None and tap.reply["MsgType"] == "update_button"
    assert "银行卡" in tap.reply["Button"]["ReplaceName"]
    assert bot.work() == 1
    answer = bot.messages("bob")[-1]["body"]["text"]["content"]
    assert f"{number[:4]} **** **** {number[-4:]}" in answer.replace("\u00a0", " ")
    assert number not in answer.replace(" ", "")


def test_three_deliveries_give_one_job_and_one_answer(make_bot) -> None:
    bot = make_bot()
    peer = bot.official("safe")
    image = photo(3)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.click("carol", "OCR_IDCARD"))

    delivery = peer.deliver(peer.image("carol", media_id, pic_url), tries=3, concurrent=True)
    assert [a.status for a in delivery.attempts] == [200, 200, 200]
    replies = {a.reply["Content"] for a in delivery.attempts if a.reply}
    assert len(replies) == 1 and "正在识别身份证" in replies.pop()
    assert len(bot.runtime.queue) == 1
    assert bot.work() == 1
    assert len(bot.messages("carol")) == 1


def test_events_retried_are_deduplicated_too(make_bot) -> None:
    bot = make_bot()
    peer = bot.official()
    delivery = peer.deliver(peer.subscribe("dave"), tries=3)
    replies = [a.reply["Content"] for a in delivery.attempts]
    assert len(set(replies)) == 1 and "你好" in replies[0]


def test_photo_without_type_stores_nothing_readable_in_redis(make_bot) -> None:
    bot = make_bot()
    peer = bot.official()
    media_id, pic_url = bot.upload(photo(4))
    peer.deliver(peer.image("erin", media_id, pic_url))
    keys = [k.decode() for k in bot.runtime.redis.keys("ocrbot:state:*")]
    assert keys == ["ocrbot:state:official:erin"]
    raw = bot.runtime.redis.get(keys[0])
    assert media_id.encode() not in raw  # Fernet-encrypted
    ttl = bot.runtime.redis.ttl(keys[0])
    assert 0 < ttl <= 3600
    assert bot.runtime.states.load(Channel.OFFICIAL, "erin").media_id == media_id


def test_msgmenu_style_sends_a_tappable_menu_and_a_tap_is_a_choice(make_bot) -> None:
    bot = make_bot(wechat_menu_style="msgmenu")
    peer = bot.official("safe")
    image = photo(5)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    first = peer.deliver(peer.image("frank", media_id, pic_url))
    assert first.body == "success"
    assert bot.work() == 1
    [menu] = bot.messages("frank")
    assert menu["body"]["msgtype"] == "msgmenu"
    items = menu["body"]["msgmenu"]["list"]
    assert items[0]["content"] == "身份证"
    # A tap comes back as a text message with the item's content.
    tap = peer.deliver(peer.text("frank", items[0]["content"]))
    assert "正在识别身份证" in tap.reply["Content"]
    bot.work()
    assert "110***********002X" in bot.messages("frank")[-1]["body"]["text"]["content"]


def test_a_tap_on_an_older_photos_msgmenu_is_not_taken_for_the_newer(make_bot) -> None:
    """Two photos, two menus, and the first menu tapped after the second photo came:
    WeChat sends the item's id back (bizmsgmenuid), and each menu's ids are its own. The
    older menu's tap chooses nothing for the newer photo; the newer menu's tap does; the
    same tap again, once that photo is on its way, is void too."""
    bot = make_bot(wechat_menu_style="msgmenu")
    peer = bot.official("safe")
    second = photo(9)
    can(bot, second, FRONT)
    for image in (photo(8), second):
        media_id, pic_url = bot.upload(image)
        peer.deliver(peer.image("hana", media_id, pic_url))
        assert bot.work() == 1
    older, newer = (m["body"]["msgmenu"]["list"] for m in bot.messages("hana"))
    assert [i["content"] for i in older] == [i["content"] for i in newer]
    assert not {i["id"] for i in older} & {i["id"] for i in newer}
    bank = older[1]
    assert bank["content"] == "银行卡"
    stale = peer.deliver(peer.text("hana", bank["content"], menu_id=bank["id"]))
    assert stale.reply["Content"] == OLDER_MENU
    assert bot.work() == 0  # nothing queued
    state = bot.runtime.states.load(Channel.OFFICIAL, "hana")
    assert state.step is Step.AWAITING_TYPE and state.media_id == media_id
    tap = peer.deliver(peer.text("hana", newer[0]["content"], menu_id=newer[0]["id"]))
    assert "正在识别身份证" in tap.reply["Content"]
    assert bot.work() == 1
    assert "110***********002X" in bot.messages("hana")[-1]["body"]["text"]["content"]
    again = peer.deliver(peer.text("hana", newer[0]["content"], menu_id=newer[0]["id"]))
    assert again.reply["Content"] == STALE_MENU
    assert bot.work() == 0


def test_msgmenu_refused_with_40200_falls_back_to_the_text_menu(make_bot) -> None:
    bot = make_bot(wechat_menu_style="msgmenu")
    bot.emulator_post("settings", msgmenu_allowed=False)
    peer = bot.official()
    media_id, pic_url = bot.upload(photo(6))
    peer.deliver(peer.image("gina", media_id, pic_url))
    bot.work()
    [menu] = bot.messages("gina")
    assert menu["body"]["msgtype"] == "text"
    assert "1. 身份证" in menu["body"]["text"]["content"]


def test_job_arguments_and_results_hold_no_identity_numbers(make_bot) -> None:
    bot = make_bot()
    peer = bot.official()
    image = photo(7)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.click("hank", "OCR_IDCARD"))
    peer.deliver(peer.image("hank", media_id, pic_url))
    [job] = bot.runtime.queue.jobs
    assert ID_NUMBER not in json.dumps([job.args, job.kwargs])
    bot.work()
    job.refresh()
    summary = job.return_value()
    assert summary["doc_type"] == "idcard" and summary["engine"] == "wechat"
    assert ID_NUMBER not in json.dumps(summary)
    # Nothing anywhere in Redis holds the number, in keys or values.
    for key in bot.runtime.redis.keys("*"):
        assert ID_NUMBER.encode() not in key
        if bot.runtime.redis.type(key) == b"string":
            assert ID_NUMBER.encode() not in bot.runtime.redis.get(key)
        elif bot.runtime.redis.type(key) == b"hash":
            for value in bot.runtime.redis.hgetall(key).values():
                assert ID_NUMBER.encode() not in value


def test_doc_type_labels_cover_the_menu() -> None:
    assert DocType.IDCARD.label == "身份证" and DocType.AUTO.label == "自动识别"
