"""Menus are not lost: the menu push is retried, then the text menu is sent instead.

Real HTTP to the bot and to the emulator, whose fault queue plays WeChat's
errors; RQ's SimpleWorker in this process.
"""

from __future__ import annotations

from dataclasses import replace

from rq.job import JobStatus

from bot import jobs
from bot.incoming import Channel
from tests.integration.test_flow import FRONT, can, photo
from tests.integration.test_jobs import SEND_PATH, calls, fault

WECOM_SEND_PATH = "/wecom-api/cgi-bin/message/send"


def menu_job(bot):
    [job] = bot.runtime.push_queue.jobs
    return job


def test_a_failing_msgmenu_is_retried_then_the_text_menu_is_sent(make_bot) -> None:
    bot = make_bot(wechat_menu_style="msgmenu")
    peer = bot.official()
    media_id, pic_url = bot.upload(photo(21))
    peer.deliver(peer.image("olga", media_id, pic_url))
    job = menu_job(bot)
    fault(bot, SEND_PATH, count=3, errcode=-1)  # the try and both retries: system busy
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert len(calls(bot, SEND_PATH)) == 4  # three menus refused, then the text menu
    [menu] = bot.messages("olga")
    assert menu["body"]["msgtype"] == "text"
    assert "1. 身份证" in menu["body"]["text"]["content"]
    tap = peer.deliver(peer.text("olga", "1"))  # and the text menu works
    assert "正在识别身份证" in tap.reply["Content"]


def test_a_menu_push_that_fails_once_is_retried(make_bot) -> None:
    bot = make_bot(wechat_menu_style="msgmenu")
    peer = bot.official()
    media_id, pic_url = bot.upload(photo(22))
    peer.deliver(peer.image("pia", media_id, pic_url))
    fault(bot, SEND_PATH, count=1, status=502)
    bot.work()
    [menu] = bot.messages("pia")
    assert menu["body"]["msgtype"] == "msgmenu"


def test_a_failing_wecom_card_falls_back_to_the_text_menu(make_bot) -> None:
    bot = make_bot()
    peer = bot.wecom()
    media_id, pic_url = bot.upload(photo(23))
    peer.deliver(peer.image("quin", media_id, pic_url))
    fault(bot, WECOM_SEND_PATH, count=3, status=503)
    bot.work()
    [menu] = bot.messages("quin")
    assert menu["body"]["msgtype"] == "text"
    assert "1. 身份证" in menu["body"]["text"]["content"]


def test_a_menu_to_a_user_out_of_the_window_is_not_retried(make_bot) -> None:
    bot = make_bot(wechat_menu_style="msgmenu")
    peer = bot.official()
    media_id, pic_url = bot.upload(photo(24))
    peer.deliver(peer.image("rae", media_id, pic_url))
    fault(bot, SEND_PATH, count=5, errcode=45015)
    bot.work()
    assert len(calls(bot, SEND_PATH)) == 1  # refused for good: no retry, no text menu
    assert bot.messages("rae") == []


def test_a_menu_whose_photo_was_answered_before_it_went_out_is_not_sent(make_bot) -> None:
    """The menu is pushed by a job; a user who says what the photo is before it arrives
    (a digit, or a tap on an older photo's menu) gets the answer, and no menu asking
    again about a photo already on its way. A second photo's menu still goes out."""
    bot = make_bot(wechat_menu_style="msgmenu")
    peer = bot.official()
    image = photo(25)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.image("sol", media_id, pic_url))
    tap = peer.deliver(peer.text("sol", "1"))  # before the worker pushed the menu
    assert "正在识别身份证" in tap.reply["Content"]
    bot.work()
    [answer] = bot.messages("sol")  # the result alone: no menu
    assert answer["body"]["msgtype"] == "text"
    assert "身份证号" in answer["body"]["text"]["content"]

    media_id, pic_url = bot.upload(photo(26))
    peer.deliver(peer.image("sol", media_id, pic_url))
    bot.work()
    last = bot.messages("sol")[-1]["body"]
    assert last["msgtype"] == "msgmenu" and "请选择证件类型" in last["msgmenu"]["head_content"]


def test_a_menu_replaced_before_it_went_out_is_not_sent(make_bot) -> None:
    """A photo's menu whose token the user's state no longer holds (its message was
    processed again, a new menu queued) is not sent: its taps would count for nothing."""
    bot = make_bot(wechat_menu_style="msgmenu")
    peer = bot.official()
    media_id, pic_url = bot.upload(photo(27))
    peer.deliver(peer.image("tom", media_id, pic_url))
    state = bot.runtime.states.load(Channel.OFFICIAL, "tom")
    assert menu_job(bot).kwargs["task_id"] == state.task_id != ""
    bot.runtime.states.save(Channel.OFFICIAL, "tom", replace(state, task_id="999999"))
    assert menu_job(bot).perform() == "answered"
    assert bot.messages("tom") == []


def wecom_photo_to_confirm(make_bot, user: str, seed: int):
    """A WeCom user's ID card photo with a result webhook: the answer, then 确认 / 有误."""
    bot = make_bot(result_webhook_url="https://crm.example/hook", result_webhook_secret="s")
    peer = bot.wecom()
    image = photo(seed)
    can(bot, image, FRONT)
    media_id, _ = bot.upload(image)
    peer.deliver(peer.text(user, "身份证"))
    peer.deliver(peer.image(user, media_id))
    return bot, peer


def test_refused_confirmation_buttons_leave_the_hint_as_text(make_bot) -> None:
    """The answer is pushed (and marked so), the card is refused: the user still learns to
    type 确认 / 有误, and typing it works."""
    bot, peer = wecom_photo_to_confirm(make_bot, "rita", 24)
    fault(bot, WECOM_SEND_PATH, count=1, delay=0.01)  # the answer goes through
    fault(bot, WECOM_SEND_PATH, count=1, status=503)  # the card does not
    bot.work()
    answer, hint = bot.messages("rita")
    assert "确认" in hint["body"]["text"]["content"] and "有误" in hint["body"]["text"]["content"]
    assert bot.runtime.dossiers.load(Channel.WECOM, "rita").confirming
    tap = peer.deliver(peer.text("rita", "确认"))
    assert bot.runtime.dossiers.load(Channel.WECOM, "rita") is None, tap.reply


def test_a_confirmation_re_ask_is_retried_then_the_hint_is_sent(make_bot) -> None:
    bot, _ = wecom_photo_to_confirm(make_bot, "sam", 25)
    bot.work()
    job = jobs.enqueue_confirm(bot.runtime, Channel.WECOM, "sam")
    assert job.retries_left == len(bot.runtime.settings.retry_intervals)
    fault(bot, WECOM_SEND_PATH, count=6, status=503)  # every card and hint of every try
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FAILED
    hint = bot.messages("sam")[-1]["body"]
    assert hint["msgtype"] == "text" and "有误" in hint["text"]["content"]


def test_when_card_and_hint_both_fail_the_buttons_are_queued_again(make_bot) -> None:
    """A retry of the recognition would stop at the pushed answer: the buttons get a job."""
    bot, _ = wecom_photo_to_confirm(make_bot, "tom", 26)
    fault(bot, WECOM_SEND_PATH, count=1, delay=0.01)  # the answer goes through
    fault(bot, WECOM_SEND_PATH, count=2, status=503)  # the card and the hint do not
    bot.work()
    answer, card = bot.messages("tom")
    assert [b["key"] for b in card["body"]["template_card"]["button_list"]] == [
        "confirm",
        "reject",
    ]
