"""WeChat's faults, injected with the emulator, on the token, the media download, the
OCR API and the push: retries are bounded (counted here), the user hears in plain words
when the answer cannot come, and the worker always ends the job (burst mode returns).

Retry backoff is [0, 0] here (three tries of a job); the bounds follow from it: a job
tries each step at most three times, a push three times per job try, a rejected token
is refreshed once per call.
"""

from __future__ import annotations

import time

import pytest
from rq.job import JobStatus

from tests.integration.test_jobs import OCR_PATH, SEND_PATH, calls, fault, queue_idcard, texts

TOKEN_PATH = "/cgi-bin/stable_token"
MEDIA_PATH = "/cgi-bin/media/get"
ALWAYS = 100  # a fault that outlasts every retry
BUSY = "识别服务繁忙，请稍后重新发送照片。"

SCENARIOS = [
    # path, fault, how many calls it hits, what the user gets, most calls to the path
    (TOKEN_PATH, {"errcode": -1}, 1, "answer", 3),
    (TOKEN_PATH, {"status": 500}, 1, "answer", 3),
    (TOKEN_PATH, {"delay": 1.0}, 1, "answer", 3),
    (TOKEN_PATH, {"stall": 1.0}, 1, "answer", 3),
    (TOKEN_PATH, {"errcode": -1}, ALWAYS, "nothing", 15),
    (MEDIA_PATH, {"errcode": -1}, ALWAYS, "answer", 1),  # the PicUrl serves the photo
    # a rejected token: refreshed once, then the PicUrl (it needs no token) serves the photo
    (MEDIA_PATH, {"errcode": 40001}, ALWAYS, "answer", 2),
    (MEDIA_PATH, {"status": 502}, ALWAYS, "answer", 1),
    (MEDIA_PATH, {"delay": 1.0}, ALWAYS, "answer", 1),
    (MEDIA_PATH, {"stall": 1.0}, ALWAYS, "answer", 1),
    (OCR_PATH, {"errcode": -1}, ALWAYS, BUSY, 3),
    (OCR_PATH, {"errcode": 42001}, 1, "answer", 2),
    (OCR_PATH, {"errcode": 40001}, ALWAYS, "服务暂时不可用", 6),
    (OCR_PATH, {"errcode": 45009}, ALWAYS, "次数已用完", 1),
    (OCR_PATH, {"status": 503}, ALWAYS, BUSY, 3),
    (OCR_PATH, {"delay": 1.0}, ALWAYS, BUSY, 3),
    (SEND_PATH, {"errcode": -1}, 1, "answer", 2),
    (SEND_PATH, {"errcode": 42001}, 1, "answer", 2),
    (SEND_PATH, {"errcode": 45015}, ALWAYS, "nothing", 1),
    (SEND_PATH, {"errcode": 45047}, ALWAYS, "nothing", 1),
    (SEND_PATH, {"status": 502}, ALWAYS, "nothing", 12),
    (SEND_PATH, {"delay": 1.0}, ALWAYS, "answer", 1),  # it went out, late: not sent again
    (SEND_PATH, {"stall": 1.0}, ALWAYS, "answer", 1),
]


@pytest.mark.parametrize(
    "path, what, count, expect, most",
    SCENARIOS,
    ids=[f"{p.rsplit('/', 1)[1]}-{next(iter(w.items()))}-{c}" for p, w, c, _, _ in SCENARIOS],
)
def test_a_fault_is_retried_a_bounded_number_of_times_and_the_user_hears(
    make_bot, path: str, what: dict, count: int, expect: str, most: int
) -> None:
    bot = make_bot(http_timeout=0.5)
    job = queue_idcard(bot, "yan")
    fault(bot, path, count=count, **what)
    bot.work()  # returns: the job ended, the worker did not loop
    time.sleep(what.get("delay", 0) + what.get("stall", 0))  # slow calls end and are logged
    assert job.get_status(refresh=True) in (JobStatus.FINISHED, JobStatus.FAILED)
    assert 1 <= len(calls(bot, path)) <= most
    got = texts(bot, "yan")
    if expect == "answer":
        assert len(got) == 1 and "110***********002X" in got[0]
        assert job.get_status() == JobStatus.FINISHED
    elif expect == "nothing":
        assert got == []  # WeChat refuses every push: the failed registry keeps the reason
        assert job.get_status() == JobStatus.FAILED
    else:
        assert len(got) == 1 and expect in got[0]
