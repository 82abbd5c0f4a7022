"""Guard rails: the photo rate limit, blocks, the WeChat OCR quota and its fallback."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bot.limits import Blocks, Quota, RateLimit, Usage, beijing_day, last_days
from tests.integration.test_flow import FRONT, can, photo
from tests.integration.test_jobs import calls, queue_idcard, texts

SYNTH = Path(__file__).resolve().parents[1] / "data" / "synth"
OCR_PATH = "/cv/ocr/"


def at(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()


def test_beijing_days_turn_at_16_utc() -> None:
    assert str(beijing_day(at("2026-01-01T15:59:59"))) == "2026-01-01"
    assert str(beijing_day(at("2026-01-01T16:00:00"))) == "2026-01-02"
    assert [str(d) for d in last_days(3, at("2026-03-01T17:00:00"))] == [
        "2026-03-02",
        "2026-03-01",
        "2026-02-28",
    ]


def test_rate_limit_is_a_sliding_window_and_refusals_do_not_count(redis) -> None:
    limit = RateLimit(redis, limit=2, window=100)
    assert limit.take("official", "u", now=1000) == 0
    assert limit.take("official", "u", now=1010) == 0
    assert limit.take("official", "u", now=1020) == 1100  # when the first one leaves
    assert limit.take("official", "u", now=1099) == 1100  # refused tries add nothing
    assert limit.take("wecom", "u", now=1099) == 0  # per channel and user
    assert limit.take("official", "u", now=1101) == 0
    assert limit.take("official", "u", now=1102) == 1110
    assert RateLimit(redis, limit=0, window=100).take("official", "u", now=1102) == 0


def test_a_photo_over_the_limit_is_told_when_to_come_back(make_bot) -> None:
    bot = make_bot(rate_limit_photos=2)
    peer = bot.official()
    media_id, pic_url = bot.upload(photo(21))
    for _ in range(2):
        menu = peer.deliver(peer.image("gina", media_id, pic_url)).reply["Content"]
        assert "请选择证件类型" in menu
    over = peer.deliver(peer.image("gina", media_id, pic_url)).reply["Content"]
    assert re.search(r"请在 \d\d:\d\d（约 60 分钟后）再发送", over)
    assert peer.deliver(peer.text("gina", "1")).reply["Content"].startswith("收到")  # text is fine
    assert peer.deliver(peer.image("other", media_id, pic_url)).reply is not None


def test_blocks_and_one_refusal_a_day(redis) -> None:
    blocks = Blocks(redis)
    verdict = redis.register_script(
        Blocks.LUA + "local b, r = blocked(KEYS[1], KEYS[2], ARGV[1], "
        "ARGV[2]) return {b and 1 or 0, r and 1 or 0}"
    )

    def check(user: str) -> list[int]:  # (blocked, refusal due), as the webhook asks
        return verdict(keys=[Blocks.NAME, Blocks.refused(user)], args=[user, 3600])

    assert blocks.block("u1") and not blocks.block("u1")
    assert blocks.all() == ["u1"]
    assert check("u1") == [1, 1] and check("u1") == [1, 0] and check("u2") == [0, 0]
    assert 0 < redis.ttl("ocrbot:refused:u1") <= 3600
    assert blocks.unblock("u1") and not blocks.unblock("u1")
    assert blocks.all() == []
    blocks.block("u1")
    assert check("u1") == [1, 1]  # unblocking forgets today's refusal


def test_quota_per_endpoint_per_day(redis) -> None:
    quota = Quota(redis, daily=2)
    day1, day2 = at("2026-05-01T03:00:00"), at("2026-05-01T17:00:00")  # Beijing 1 and 2 May
    assert quota.take("idcard", day1) and quota.take("idcard", day1)
    assert not quota.take("idcard", day1)
    assert quota.take("bankcard", day1)
    assert quota.take("idcard", day2)
    assert quota.used(beijing_day(day1)) == {"idcard": 2, "bankcard": 1}
    assert quota.used(beijing_day(day2)) == {"idcard": 1}
    quota.exhaust("bankcard", day2)
    assert not quota.take("bankcard", day2)


def test_usage_report_adds_days_and_computes_percentiles(redis) -> None:
    usage = Usage(redis)
    for seconds in [1.0, 2.0, 3.0, 4.0, 100.0]:
        usage.job("idcard", "wechat", "ok", seconds)
    usage.job("bankcard", "local", "no_document", 5.0)
    usage.count("messages", 3)
    report = usage.report(last_days(7), Quota(redis, daily=100))
    assert report.get("messages") == 3
    assert report.jobs() == {
        ("idcard", "wechat", "ok"): 5,
        ("bankcard", "local", "no_document"): 1,
    }
    assert report.median == 3.5 and report.p95 == 100.0


def test_at_the_quota_wechat_is_not_called_and_the_chain_falls_back_to_local(make_bot) -> None:
    bot = make_bot(ocr_engine="wechat,local", wechat_ocr_daily_quota=1, admin_users="admin1")
    first = queue_idcard(bot, "hana")  # canned: the cloud engine answers
    bot.work()
    assert first.return_value(refresh=True)["engine"] == "wechat"

    image = (SYNTH / "0000_idcard.jpg").read_bytes()
    second = queue_idcard(bot, "ivan", image, canned=False)
    bot.work()
    assert second.return_value(refresh=True)["engine"] == "local"
    assert len(calls(bot, OCR_PATH)) == 1  # the second photo never went to WeChat
    assert "姓名" in texts(bot, "ivan")[0]

    peer = bot.official()
    stats = peer.deliver(peer.text("admin1", "/stats")).reply["Content"]
    assert "微信OCR今日调用：idcard 1/1" in stats
    assert "引擎回退：wechat quota 1" in stats
    assert "身份证 · local：成功 1" in stats


def test_wechat_out_of_quota_is_believed_for_the_rest_of_the_day(make_bot) -> None:
    bot = make_bot(ocr_engine="wechat")
    bot.emulator_post("settings", ocr_daily_quota=0)  # WeChat answers 101003
    queue_idcard(bot, "jack")
    bot.work()
    assert "次数已用完" in texts(bot, "jack")[0]
    assert bot.runtime.quota.used() == {"idcard": 100}
    queue_idcard(bot, "kate", photo(22))
    bot.work()
    assert len(calls(bot, OCR_PATH)) == 1  # the second job did not ask WeChat again
    assert "次数已用完" in texts(bot, "kate")[0]


def test_rate_limited_by_wechat_is_a_quota_failure(make_bot) -> None:
    bot = make_bot(ocr_engine="wechat")
    bot.emulator_post("faults", path="/cv/ocr/idcard", count=1, errcode=45009)
    image = photo(23)
    can(bot, image, FRONT)
    queue_idcard(bot, "liam", image)
    bot.work()
    assert "次数已用完" in texts(bot, "liam")[0]
    assert bot.runtime.quota.used() == {"idcard": 1}  # counted, not exhausted
