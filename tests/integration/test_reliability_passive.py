"""Passive reply mode: each request is answered with its own photo's result.

Real HTTP to the bot and to the emulator, a real Redis, RQ's SimpleWorker
running the jobs in the order the test chooses.
"""

from __future__ import annotations

from rq import SimpleWorker

from bot import jobs
from tests.integration.test_flow import FRONT, can, photo

SECOND = {**FRONT, "name": "李四"}


def test_two_photos_finishing_in_reverse_order_each_answer_their_own_request(make_bot) -> None:
    bot = make_bot(wechat_reply_mode="passive", wechat_reply_window=1.0)
    peer = bot.official()
    peer.timeout = 1.0  # WeChat stops listening to a try after its window
    sent = []
    for seed, answer in ((31, FRONT), (32, SECOND)):
        image = photo(seed)
        can(bot, image, answer)
        media_id, pic_url = bot.upload(image)
        peer.deliver(peer.click("sam", "OCR_IDCARD"))
        message = peer.image("sam", media_id, pic_url)
        assert peer.deliver(message).status is None  # held: the job is not done
        sent.append(message)
    first_job, second_job = bot.runtime.queue.jobs

    jobs.install(bot.runtime)
    worker = SimpleWorker(bot.runtime.queues, connection=bot.runtime.redis)
    for job in (second_job, first_job):  # the second photo's job ends first
        bot.runtime.queue.remove(job)
        worker.execute_job(job, bot.runtime.queue)

    first, second = (peer.deliver(message) for message in sent)  # WeChat's retries
    assert "张三" in first.reply["Content"]
    assert "李四" in second.reply["Content"]
    fetched = peer.deliver(peer.text("sam", "结果"))
    assert fetched.reply["Content"] == "没有待取的识别结果。"  # both were answered


def test_results_word_fetches_the_waiting_results_oldest_first(make_bot) -> None:
    bot = make_bot(wechat_reply_mode="passive", wechat_reply_window=1.0)
    peer = bot.official()
    peer.timeout = 1.0
    for seed, answer in ((33, FRONT), (34, SECOND)):
        image = photo(seed)
        can(bot, image, answer)
        media_id, pic_url = bot.upload(image)
        peer.deliver(peer.click("tia", "OCR_IDCARD"))
        message = peer.image("tia", media_id, pic_url)
        for _ in range(3):  # every try of the message ends before the job
            peer.deliver(message)
    bot.work()
    replies = [peer.deliver(peer.text("tia", "结果")).reply["Content"] for _ in range(3)]
    assert "张三" in replies[0]
    assert "李四" in replies[1]
    assert replies[2] == "没有待取的识别结果。"
