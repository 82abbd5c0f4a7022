"""Jobs the previous release left in Redis still run, and their failures are still handled.

That release queued a menu and a result-webhook delivery with positional arguments;
this one queues every job by keyword. Each test queues a job exactly as the previous
release did (its ``enqueue`` call, copied here) into the real Redis, and RQ's
SimpleWorker runs it with the failure callbacks of today's code.

Delete this file with the fallbacks it covers (``MenuJob.of_job``, ``send_menu``'s
``*legacy``, ``callback.delivery_failed``'s ``job.args``).
"""

from __future__ import annotations

from rq import Callback, Retry
from rq.job import Job, JobStatus

from bot import callback, jobs
from bot.callback import FAILED
from tests.fixtures.receiver import SECRET, Receiver
from tests.integration.test_flow import photo
from tests.integration.test_jobs import SEND_PATH, calls, fault
from tests.integration.test_reliability_menu import WECOM_SEND_PATH, menu_job


def queued_as_before(bot, job: Job) -> Job:
    """Replace the menu job the webhook queued by the job the previous release queued."""
    menu = jobs.MenuJob(**job.kwargs)
    job.delete()
    intervals = bot.settings.retry_intervals
    return bot.runtime.push_queue.enqueue(  # bot/jobs.py:enqueue_menu, previous release
        jobs.send_menu,
        menu.channel,
        menu.user,
        menu.head,
        list(menu.options),
        menu.tail,
        menu.task_id,
        retry=Retry(max=len(intervals), interval=intervals),
        on_failure=Callback(jobs.report_menu_failure),
        result_ttl=jobs.RESULT_TTL,
        failure_ttl=jobs.FAILURE_TTL,
        job_timeout=60,
        description=f"menu for {menu.channel}",
    )


def old_menu_job(bot, user: str, seed: int, peer) -> Job:
    media_id, pic_url = bot.upload(photo(seed))
    peer.deliver(peer.image(user, media_id, pic_url))
    job = queued_as_before(bot, menu_job(bot))
    [stored] = bot.runtime.push_queue.jobs
    assert stored.id == job.id and stored.kwargs == {} and stored.args[1] == user  # positional
    return job


def test_an_old_menu_job_sends_the_msgmenu(make_bot) -> None:
    bot = make_bot(wechat_menu_style="msgmenu")
    job = old_menu_job(bot, "olav", 71, bot.official())
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    [menu] = bot.messages("olav")
    assert menu["body"]["msgtype"] == "msgmenu"
    assert "身份证" in [item["content"] for item in menu["body"]["msgmenu"]["list"]]


def test_an_old_menu_job_keeps_its_wecom_card_id(make_bot) -> None:
    bot = make_bot()
    peer = bot.wecom()
    job = old_menu_job(bot, "wim", 72, peer)
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    [card] = bot.messages("wim")
    assert card["body"]["template_card"]["task_id"] == job.args[5] != ""


def test_an_old_menu_job_that_fails_leaves_the_text_menu(make_bot) -> None:
    bot = make_bot(wechat_menu_style="msgmenu")
    peer = bot.official()
    job = old_menu_job(bot, "ossi", 73, peer)
    fault(bot, SEND_PATH, count=3, errcode=-1)  # the try and both retries: system busy
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert len(calls(bot, SEND_PATH)) == 4  # three menus refused, then the text menu
    [menu] = bot.messages("ossi")
    assert menu["body"]["msgtype"] == "text"
    assert "1. 身份证" in menu["body"]["text"]["content"]
    assert "正在识别身份证" in peer.deliver(peer.text("ossi", "1")).reply["Content"]


def test_an_old_wecom_menu_job_that_fails_leaves_the_text_menu(make_bot) -> None:
    bot = make_bot()
    job = old_menu_job(bot, "wanda", 74, bot.wecom())
    fault(bot, WECOM_SEND_PATH, count=3, status=503)
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FAILED
    [menu] = bot.messages("wanda")
    assert "1. 身份证" in menu["body"]["text"]["content"]


def old_delivery(bot, event_id: str) -> Job:
    """An event in the outbox and its delivery queued as the previous release queued it."""
    rt = bot.runtime
    assert rt.outbox.put({"event_id": event_id, "type": "document.confirmed"})
    intervals = rt.settings.result_webhook_retry_intervals
    return rt.callback_queue.enqueue(  # bot/callback.py:enqueue, previous release
        callback.send_event,
        event_id,
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        on_failure=Callback(callback.delivery_failed),
        result_ttl=3600,
        failure_ttl=rt.settings.result_webhook_keep,
        job_timeout=int(rt.settings.http_timeout * 3) + 10,
        description="callback event",
    )


def webhook_bot(make_bot, receiver: Receiver):
    return make_bot(
        result_webhook_url=receiver.url,
        result_webhook_secret=SECRET,
        result_webhook_retry_intervals=[0, 0],
    )


def test_an_old_delivery_job_delivers_its_event(make_bot, receiver: Receiver) -> None:
    bot = webhook_bot(make_bot, receiver)
    event_id = callback.event_id_for("old-job-1")
    job = old_delivery(bot, event_id)
    assert job.args == (event_id,) and job.kwargs == {}
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert receiver.accepted_ids() == [event_id]
    assert bot.runtime.outbox.delivered(event_id)


def test_an_old_delivery_job_that_fails_is_kept_for_resend(make_bot, receiver: Receiver) -> None:
    bot = webhook_bot(make_bot, receiver)
    event_id = callback.event_id_for("old-job-2")
    receiver.fail_next = 3  # the try and both retries
    job = old_delivery(bot, event_id)
    bot.work()
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert bot.runtime.redis.smembers(FAILED) == {event_id.encode()}  # the callback ran
    assert callback.resend(bot.runtime) == [event_id]  # queued again, by keyword now
    [again] = bot.runtime.callback_queue.jobs
    assert again.args == () and again.kwargs == {"event_id": event_id}
    bot.work()
    assert receiver.accepted_ids() == [event_id]
