"""Jobs and delivery against the emulator's errors: retries, tokens, refusals, passive mode."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from rq.job import JobStatus

from tests.integration.test_flow import FRONT, can, photo

OCR_PATH = "/cv/ocr/idcard"
SEND_PATH = "/cgi-bin/message/custom/send"


def queue_idcard(bot, user: str, image: bytes | None = None, *, canned: dict | None = None):
    """A user preselects 身份证 and sends a photo: one recognition job is queued."""
    image = image or photo(hash(user) % 50)
    if canned is not False:
        can(bot, image, canned or FRONT)
    media_id, pic_url = bot.upload(image)
    peer = bot.official()
    peer.deliver(peer.click(user, "OCR_IDCARD"))
    peer.deliver(peer.image(user, media_id, pic_url))
    [job] = bot.runtime.queue.jobs
    return job


def fault(bot, path: str, count: int = 1, **what) -> None:
    bot.emulator_post("faults", path=path, count=count, **what)


def calls(bot, path: str) -> list[dict]:
    res = requests.get(f"{bot.emulator.url}/_emulator/calls", timeout=5)
    return [c for c in res.json() if c["path"].startswith(path)]


def texts(bot, user: str) -> list[str]:
    return [m["body"]["text"]["content"] for m in bot.messages(user) if "text" in m["body"]]


def test_system_busy_is_retried_then_succeeds(make_bot) -> None:
    bot = make_bot()
    job = queue_idcard(bot, "u1")
    fault(bot, OCR_PATH, count=2, errcode=-1)
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert len(calls(bot, OCR_PATH)) == 3
    [answer] = texts(bot, "u1")
    assert "张三" in answer


def test_server_errors_exhaust_retries_and_the_user_is_told(make_bot) -> None:
    bot = make_bot()
    job = queue_idcard(bot, "u2")
    fault(bot, OCR_PATH, count=10, status=502)
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert len(calls(bot, OCR_PATH)) == 3  # one try and two retries
    assert job in bot.runtime.queue.failed_job_registry
    assert "502" in job.latest_result().exc_string  # the reason is kept
    assert texts(bot, "u2") == ["识别服务繁忙，请稍后重新发送照片。"]


def test_with_no_retries_configured_one_failure_is_told(make_bot) -> None:
    # RETRY_INTERVALS=[] means no retry (RQ refuses a Retry of none: the photo was lost).
    bot = make_bot(retry_intervals=[])
    job = queue_idcard(bot, "u3")
    fault(bot, OCR_PATH, count=10, status=502)
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert len(calls(bot, OCR_PATH)) == 1
    assert texts(bot, "u3") == ["识别服务繁忙，请稍后重新发送照片。"]


@pytest.mark.parametrize(
    "errcode, told",
    [
        (101001, "没有在照片中找到身份证"),
        (101002, "无法读取"),
        (101003, "次数已用完"),
        (45009, "次数已用完"),
    ],
)
def test_final_ocr_errors_are_not_retried(make_bot, errcode: int, told: str) -> None:
    bot = make_bot()
    job = queue_idcard(bot, f"user-{errcode}")
    fault(bot, OCR_PATH, count=5, errcode=errcode)
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert len(calls(bot, OCR_PATH)) == 1  # never hammered
    assert str(errcode) in job.latest_result().exc_string or told
    [message] = texts(bot, f"user-{errcode}")
    assert told in message


def test_expired_token_is_refreshed_once_and_the_call_retried(make_bot) -> None:
    bot = make_bot()
    queue_idcard(bot, "u3")
    bot.work()  # the first job fetches a token and keeps it in Redis
    bot.emulator_post("tokens/expire")
    job = queue_idcard(bot, "u3b", photo(31))
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    answered = [c["errcode"] for c in calls(bot, "/cgi-bin/media/get")]
    assert answered == [0, 42001, 0]
    assert len(calls(bot, "/cgi-bin/stable_token")) == 2


def test_persistently_bad_token_does_not_loop(make_bot) -> None:
    bot = make_bot()
    job = queue_idcard(bot, "u4")
    fault(bot, OCR_PATH, count=50, errcode=40001)
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    # each of the 3 tries refreshes once and retries once: 6 OCR calls, not an endless loop
    assert len(calls(bot, OCR_PATH)) == 6


def test_tokens_are_shared_through_redis(make_bot) -> None:
    bot = make_bot()
    queue_idcard(bot, "u5")
    queue_idcard_again = queue_idcard  # a second user, second job
    bot.work()
    queue_idcard_again(bot, "u6", photo(33))
    bot.work()
    assert len(calls(bot, "/cgi-bin/stable_token")) == 1
    assert any(k.startswith(b"ocrbot:token") for k in bot.runtime.redis.keys("*"))


@pytest.mark.parametrize("errcode", [45015, 45047])
def test_closed_customer_service_window_is_recorded_not_retried(make_bot, errcode: int) -> None:
    bot = make_bot()
    job = queue_idcard(bot, f"w{errcode}")
    fault(bot, SEND_PATH, count=5, errcode=errcode)
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert f"push refused: {errcode}" in job.latest_result().exc_string
    assert len(calls(bot, SEND_PATH)) == 1
    assert len(calls(bot, OCR_PATH)) == 1


def test_transient_push_failure_is_retried_inside_the_job(make_bot) -> None:
    bot = make_bot()
    job = queue_idcard(bot, "u7")
    fault(bot, SEND_PATH, count=1, errcode=-1)
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert len(calls(bot, OCR_PATH)) == 1  # the recognition is not redone
    assert len(texts(bot, "u7")) == 1


def test_picurl_is_the_fallback_when_media_get_fails(make_bot) -> None:
    bot = make_bot()
    job = queue_idcard(bot, "u8")
    fault(bot, "/cgi-bin/media/get", count=1, errcode=40007)
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert "张三" in texts(bot, "u8")[0]


def test_expired_media_tells_the_user(make_bot) -> None:
    bot = make_bot()
    image = photo(44)
    can(bot, image, FRONT)
    peer = bot.official()
    peer.deliver(peer.click("u9", "OCR_IDCARD"))
    peer.deliver(peer.image("u9", "no-such-media", ""))
    bot.work()
    assert texts(bot, "u9") == ["照片已过期或无法下载，请重新发送。"]


def test_too_large_download_is_refused(make_bot) -> None:
    bot = make_bot(max_image_bytes=10_000)
    job = queue_idcard(bot, "u10", photo(1, size=(1600, 1200)))
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert len(calls(bot, OCR_PATH)) == 0


# --- passive reply mode --------------------------------------------------------------


def deliver_in_background(peer, message) -> tuple[threading.Thread, list]:
    """WeChat's request, left waiting while the test runs the worker (RQ wants the main thread)."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(peer.deliver(message)))
    thread.start()
    return thread, out


def test_passive_mode_answers_inside_the_first_try_when_quick(make_bot) -> None:
    bot = make_bot(wechat_reply_mode="passive", wechat_reply_window=4.0)
    image = photo(50)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer = bot.official("safe")
    peer.deliver(peer.click("p1", "OCR_IDCARD"))
    thread, out = deliver_in_background(peer, peer.image("p1", media_id, pic_url))
    deadline = time.monotonic() + 3
    while not len(bot.runtime.queue) and time.monotonic() < deadline:
        time.sleep(0.02)
    bot.work()
    thread.join()
    [delivery] = out
    assert delivery.elapsed_ms < 4000
    assert "110***********002X" in delivery.reply["Content"]
    assert bot.messages("p1") == []  # nothing pushed: passive only


def test_passive_mode_uses_wechats_retries_then_offers_result_word(make_bot) -> None:
    bot = make_bot(wechat_reply_mode="passive", wechat_reply_window=1.0)
    image = photo(51)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer = bot.official()
    peer.timeout = 1.0  # WeChat stops listening to a try after its window
    peer.deliver(peer.click("p2", "OCR_IDCARD"))
    message = peer.image("p2", media_id, pic_url)
    first = peer.deliver(message)
    assert first.status is None  # held past the window: WeChat will retry
    second = peer.deliver(message)
    assert second.status is None
    third = peer.deliver(message)
    assert third.reply["Content"] == "还在识别中，请稍后回复“结果”获取。"
    assert len(bot.runtime.queue) == 1  # three tries, one job
    bot.work()
    fetched = peer.deliver(peer.text("p2", "结果"))
    assert "110***********002X" in fetched.reply["Content"]
    again = peer.deliver(peer.text("p2", "结果"))
    assert again.reply["Content"] == "没有待取的识别结果。"


def test_passive_mode_answers_a_retry_when_the_job_ends_between_tries(make_bot) -> None:
    bot = make_bot(wechat_reply_mode="passive", wechat_reply_window=1.0)
    image = photo(52)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer = bot.official()
    peer.timeout = 1.0
    peer.deliver(peer.click("p3", "OCR_IDCARD"))
    message = peer.image("p3", media_id, pic_url)
    assert peer.deliver(message).status is None
    bot.work()
    second = peer.deliver(message)
    assert "张三" in second.reply["Content"]


def test_timeouts_are_retried(make_bot) -> None:
    bot = make_bot(http_timeout=0.5)
    job = queue_idcard(bot, "u11")
    fault(bot, OCR_PATH, count=1, delay=1.5)
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    deadline = time.monotonic() + 3  # the emulator logs the stalled call when its delay ends
    while len(calls(bot, OCR_PATH)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(calls(bot, OCR_PATH)) == 2
    assert "张三" in texts(bot, "u11")[0]
