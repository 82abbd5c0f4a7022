"""WeChat's retries and a user's concurrent messages: nothing lost, nothing done twice.

Real HTTP to the bot, a real Redis (an ACL user stands in for a Redis that
refuses one command), the emulator playing WeChat.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.incoming import Channel
from bot.jobs import RecognizeJob
from bot.store import Deliveries
from tests.integration.test_flow import FRONT, can, photo


def queued_media(bot) -> list[str]:
    return [RecognizeJob(**job.kwargs).picture(bot.runtime)[0] for job in bot.runtime.queue.jobs]


def test_a_retry_processes_a_message_whose_first_try_failed(make_bot, redis_user) -> None:
    # The web's Redis user may not RPUSH (how RQ enqueues): the first try fails after the
    # retry dedupe has seen the message, as on a Redis blip in the middle of a request.
    bot = make_bot(redis_url=redis_user("web", "+@all", "-rpush", "~*"))
    peer = bot.official()
    image = photo(7)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.click("fay", "OCR_IDCARD"))
    message = peer.image("fay", media_id, pic_url)

    [failed] = peer.deliver(message).attempts
    assert failed.status == 500
    assert len(bot.runtime.queue) == 0

    redis_user("web", "+@all", "~*")
    [retry] = peer.deliver(message).attempts  # WeChat's retry: same MsgId
    assert retry.status == 200
    assert retry.elapsed_ms < 1000  # the failed try released its claim: no wait for its lease
    assert "正在识别身份证" in retry.reply["Content"]
    assert queued_media(bot) == [media_id]
    [again] = peer.deliver(message).attempts  # and the next retry is only answered
    assert again.reply["Content"] == retry.reply["Content"]
    assert queued_media(bot) == [media_id]


def test_a_retry_processes_a_message_whose_first_try_died(make_bot) -> None:
    bot = make_bot(wechat_reply_window=2.0)
    peer = bot.official()
    message = peer.click("gus", "OCR_BANKCARD")
    # A web process took the message and died before it answered (its claim is left).
    dedupe_key = f"official:gus:{message.fields['CreateTime']}:click:OCR_BANKCARD:"  # no card
    _, claim = Deliveries.names(dedupe_key)
    # Its lease ends 0.5 s before this try must answer (1.8 s): a dead try's claim is
    # older than the retry, and a lease ending at the very deadline is a race of the test.
    lease_ms = bot.runtime.deliveries.lease_ms - 500
    assert bot.runtime.redis.set(claim, 1, nx=True, px=lease_ms)

    [retry] = peer.deliver(message).attempts
    assert retry.status == 200
    assert retry.elapsed_ms > 1000  # it waited for the dead try's lease (1.3 s) to run out
    assert "银行卡" in retry.reply["Content"]
    assert bot.runtime.states.load(Channel.OFFICIAL, "gus").doc_type == "bankcard"


def test_concurrent_tries_process_once_and_answer_the_same(make_bot) -> None:
    bot = make_bot()
    peer = bot.official()
    image = photo(8)
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.click("hal", "OCR_IDCARD"))
    delivery = peer.deliver(peer.image("hal", media_id, pic_url), tries=5, concurrent=True)
    assert [a.status for a in delivery.attempts] == [200] * 5
    assert len({a.reply["Content"] for a in delivery.attempts}) == 1
    assert queued_media(bot) == [media_id]


def test_two_messages_of_one_user_at_once_lose_no_state_change(make_bot, redis) -> None:
    # The user taps 身份证 and sends a photo at once (two web threads). In either order
    # the photo is queued as an ID card exactly once; a lost state change leaves it
    # waiting for a type instead. Redis pausing its writes for a moment (CLIENT PAUSE)
    # lines the two requests up as a busy server would.
    bot = make_bot()
    peer = bot.official()
    users = [f"ivy{i}" for i in range(8)]
    media_id, _ = bot.upload(photo(1))
    messages = [m for u in users for m in (peer.text(u, "身份证"), peer.image(u, media_id))]

    redis.execute_command("CLIENT", "PAUSE", 500, "WRITE")
    with ThreadPoolExecutor(len(messages)) as pool:
        attempts = [d.attempts[0] for d in pool.map(peer.deliver, messages)]
    assert [a.status for a in attempts] == [200] * len(messages)
    queued = sorted((job.kwargs["user"], job.kwargs["doc_type"]) for job in bot.runtime.queue.jobs)
    assert queued == [(user, "idcard") for user in users]
