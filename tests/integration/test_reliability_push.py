"""Pushed once: a job retried after its answer went out does not push it again.

Real HTTP to the emulator (which records every message it delivers), a real
Redis (an ACL user stands in for a Redis that refuses one command), RQ's
SimpleWorker in this process.
"""

from __future__ import annotations

import time

from rq.job import JobStatus

from tests.integration.test_jobs import SEND_PATH, fault, queue_idcard, texts


def test_a_push_whose_answer_times_out_is_not_sent_again(make_bot) -> None:
    # WeChat takes the push but answers after our client gave up: the user has it.
    bot = make_bot(http_timeout=1.0)
    job = queue_idcard(bot, "max")
    fault(bot, SEND_PATH, stall=2)
    bot.work()
    time.sleep(1.5)  # the stalled answer comes back to nobody
    assert len(texts(bot, "max")) == 1
    assert job.get_status(refresh=True) == JobStatus.FINISHED


def test_a_job_failing_after_its_push_does_not_push_again(make_bot, redis_user) -> None:
    # The bookkeeping after the push fails (this Redis user may not LTRIM, which only
    # the usage counter does): RQ retries the job twice, and the user hears once.
    bot = make_bot(redis_url=redis_user("bot", "+@all", "-ltrim", "~*"))
    job = queue_idcard(bot, "ned")
    bot.work()
    [answer] = texts(bot, "ned")
    assert "张三" in answer
    assert job.get_status(refresh=True) == JobStatus.FINISHED
