"""Menus are not lost: the menu push is retried, then the text menu is sent instead.

Real HTTP to the bot and to the emulator, whose fault queue plays WeChat's
errors; RQ's SimpleWorker in this process.
"""

from __future__ import annotations

from rq.job import JobStatus

from tests.integration.test_flow import photo
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
