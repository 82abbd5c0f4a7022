"""Admin commands in chat, as admin and as anyone else, on both channels.

Everything goes through the webhook (real HTTP, real Redis, the emulator),
and the answers are the passive replies WeChat would show.
"""

from __future__ import annotations

import logging

import pytest
import requests
from rq.job import JobStatus

from bot import custom_menu
from bot.clock import seconds_to_beijing_midnight
from bot.incoming import Channel
from bot.limits import Blocks
from bot.runtime import ENGINE_KEY
from tests.integration.test_flow import FRONT, can, photo
from tests.integration.test_jobs import queue_idcard

ADMIN = "admin1"


@pytest.fixture(params=[Channel.OFFICIAL, Channel.WECOM], ids=["official", "wecom"])
def channel(request: pytest.FixtureRequest) -> Channel:
    return request.param


class Chat:
    """One bot, one channel: say something as a user and read the passive reply."""

    def __init__(self, bot, channel: Channel) -> None:
        self.bot = bot
        self.peer = bot.official("safe") if channel is Channel.OFFICIAL else bot.wecom()

    def say(self, user: str, text: str) -> str:
        delivery = self.peer.deliver(self.peer.text(user, text))
        assert delivery.status == 200
        assert delivery.elapsed_ms < 4000  # inside WeChat's passive-reply window
        return delivery.reply["Content"] if delivery.reply else ""


@pytest.fixture
def chat(make_bot, channel: Channel):
    def start(**settings) -> Chat:
        return Chat(make_bot(admin_users=f"official:{ADMIN},wecom:{ADMIN}", **settings), channel)

    return start


def assert_plain_help(answer: str) -> None:
    assert "用法" in answer and "/stats" not in answer


def test_help_lists_the_commands_for_admins_only(chat) -> None:
    c = chat()
    answer = c.say(ADMIN, "/help")
    for command in ("/stats", "/queue", "/retry", "/purge", "/engine", "/block", "/menu sync"):
        assert command in answer
    assert_plain_help(c.say("mallory", "/help"))
    assert "没有这个命令" in c.say(ADMIN, "/frobnicate")


def test_a_refused_attempt_is_logged_without_its_arguments(chat, caplog) -> None:
    c = chat()
    with caplog.at_level(logging.INFO):
        assert_plain_help(c.say("mallory", "/block victim-openid"))
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused == ["admin command /block refused: mallory is not an admin"]
    assert "victim-openid" not in caplog.text
    assert "victim-openid" not in c.bot.runtime.blocks.all()


def test_stats_counts_messages_jobs_timing_and_quota(chat) -> None:
    c = chat()
    image = photo(11)
    can(c.bot, image, FRONT)
    media_id, pic_url = c.bot.upload(image)
    c.peer.deliver(c.peer.click("alice", "OCR_IDCARD"))
    c.peer.deliver(c.peer.image("alice", media_id, pic_url))
    assert c.bot.work() == 1

    answer = c.say(ADMIN, "/stats")
    assert "今天" in answer
    assert "照片 1" in answer
    assert "识别任务 1：成功 1，失败 0，成功率 100%" in answer
    assert "身份证 · wechat：成功 1" in answer
    assert "照片到回复：中位" in answer
    assert "微信OCR今日调用：idcard 1/100" in answer
    assert "近7天" in c.say(ADMIN, "/stats 7d")
    assert "用法：/stats" in c.say(ADMIN, "/stats yesterday")
    assert_plain_help(c.say("alice", "/stats"))


def test_queue_retry_and_purge_failed_jobs(chat) -> None:
    c = chat()
    job = queue_idcard(c.bot, "bob", canned=False)  # the emulator finds no ID card: 101001
    c.bot.work()
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert "失败 1" in c.say(ADMIN, "/queue")
    assert "在线 worker：0" in c.say(ADMIN, "/queue")

    assert_plain_help(c.say("bob", "/retry"))
    assert len(c.bot.runtime.queue) == 0
    assert "已重新排队 1 个失败任务" in c.say(ADMIN, "/retry")
    assert len(c.bot.runtime.queue) == 1
    c.bot.work()  # fails again
    again = c.say(ADMIN, "/retry")
    assert "已重新排队 0 个" in again and "1 个已重试过一次" in again

    assert_plain_help(c.say("bob", "/purge"))
    assert len(c.bot.runtime.queue.failed_job_registry) == 1
    assert "已清除 1 个失败任务" in c.say(ADMIN, "/purge")
    assert len(c.bot.runtime.queue.failed_job_registry) == 0
    assert "失败 0" in c.say(ADMIN, "/queue")


def test_engine_switch_reaches_the_worker_and_survives_a_restart(chat, make_bot) -> None:
    c = chat(ocr_engine="local")
    assert "当前引擎：local" in c.say(ADMIN, "/engine")
    assert_plain_help(c.say("carol", "/engine wechat"))
    assert c.bot.runtime.engine_chain() == ("local",)
    assert "用法：/engine" in c.say(ADMIN, "/engine tesseract")

    assert "已切换引擎为 wechat" in c.say(ADMIN, "/engine wechat")
    assert (
        c.bot.runtime.menu_types(c.bot.runtime.redis.get(ENGINE_KEY))[-1].value == "comm"
    )  # the web's menu follows: no 自动识别
    image = photo(12)
    can(c.bot, image, FRONT)
    media_id, pic_url = c.bot.upload(image)
    c.peer.deliver(c.peer.click("carol", "OCR_IDCARD"))
    c.peer.deliver(c.peer.image("carol", media_id, pic_url))
    [job] = c.bot.runtime.queue.jobs
    c.bot.work()
    assert job.return_value(refresh=True)["engine"] == "wechat"
    assert set(c.bot.runtime._engines) == {"wechat"}  # the local models were never loaded

    restarted = make_bot(ocr_engine="local")  # same Redis: the switch holds
    assert restarted.runtime.engine_chain() == ("wechat",)
    restarted.runtime.redis.flushall()  # an empty Redis: back to OCR_ENGINE
    assert restarted.runtime.engine_chain() == ("local",)
    assert restarted.runtime.redis.get(ENGINE_KEY) is None


def test_block_refuses_politely_once_a_day_and_queues_nothing(chat) -> None:
    c = chat()
    assert_plain_help(c.say("dave", "/block erin"))
    assert "已拉黑 erin" in c.say(ADMIN, "/block erin")
    assert "已在黑名单中" in c.say(ADMIN, "/block erin")
    assert "不能拉黑管理员" in c.say(ADMIN, f"/block {ADMIN}")

    media_id, pic_url = c.bot.upload(photo(13))
    to_midnight = seconds_to_beijing_midnight()  # read before the refusal sets its TTL
    first = c.peer.deliver(c.peer.image("erin", media_id, pic_url))
    assert "暂时无法使用" in first.reply["Content"]
    second = c.peer.deliver(c.peer.click("erin", "OCR_IDCARD"))
    assert second.status == 200 and second.reply is None  # one refusal a day, then quiet
    third = c.peer.deliver(c.peer.image("erin", media_id, pic_url))
    assert third.reply is None
    assert len(c.bot.runtime.queue) == 0 and len(c.bot.runtime.push_queue) == 0
    [erin] = c.bot.runtime.redis.smembers(Blocks.NAME)  # official:erin or wecom:erin
    refusal_ttl = c.bot.runtime.redis.ttl(Blocks.refused(erin.decode()))
    assert 0 < refusal_ttl <= to_midnight  # the day's refusal: until midnight
    assert c.bot.messages("erin") == []

    assert "已解除 erin" in c.say(ADMIN, "/unblock erin")
    assert "请发送身份证的照片" in c.say("erin", "身份证")


def test_menu_sync_pushes_the_menu_file(chat) -> None:
    c = chat()
    official = c.bot.runtime.official
    assert_plain_help(c.say("frank", "/menu sync"))
    with pytest.raises(Exception, match="46003"):  # no menu yet
        official.call(lambda: official.client.get("menu/get"))

    answer = c.say(ADMIN, "/menu sync")
    assert answer == "菜单已同步：3 个按钮，12 个点击项。"
    received = official.call(lambda: official.client.get("menu/get"))["menu"]
    assert received == custom_menu.load()
    assert "用法：/menu sync" in c.say(ADMIN, "/menu")


def test_menu_sync_reports_what_wechat_said(chat) -> None:
    c = chat()
    c.bot.emulator_post("faults", path="/cgi-bin/menu/create", count=1, errcode=40018)
    assert "菜单同步失败：40018" in c.say(ADMIN, "/menu sync")
    c.bot.emulator_post("faults", path="/cgi-bin/menu/create", count=1, delay=6)
    answer = c.say(ADMIN, "/menu sync")  # WeChat too slow: we answer in time anyway
    assert "菜单同步失败" in answer


def test_calls_log_holds_the_menu(chat) -> None:
    c = chat()
    c.say(ADMIN, "/menu sync")
    res = requests.get(f"{c.bot.emulator.url}/_emulator/calls", timeout=5)
    [call] = [x for x in res.json() if x["path"] == "/cgi-bin/menu/create"]
    assert call["errcode"] == 0
