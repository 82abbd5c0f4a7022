"""Redis round trips per message: one on the common path, two when the guess is wrong.

The handlers decide on a guess of the user's state (what this web process last saw of
it); one script (``bot/arrival.py``) does the replay check, the dedupe, the counters
and guard rails and, when Redis holds what was guessed, the writes the handlers took.
When it does not (another process or the worker changed the state, a block, a photo
over the rate limit), the handlers decide again on what it found and one more script
writes that (``store.CheckedWrite``). Counted here on a real Redis: the sends of the
web's own connections (a script or a pipeline is one send) and the server's count of
EVALSHA calls, so that a command added anywhere on the way shows up as a failing count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis as redis_lib
from cryptography.fernet import Fernet

from bot import callback, jobs
from bot.arrival import KNOWN_USERS
from bot.incoming import Channel, Incoming, Kind, identity
from bot.ocr.base import DocType
from bot.store import CheckedWrite, Deliveries
from handlers.state import Menu, Recognize
from tests.integration.test_callback import send_idcard
from tests.integration.test_cloudrun import NO_WEBHOOK_CREDENTIALS
from tests.integration.test_flow import FRONT, can, photo


class CountingConnection(redis_lib.Connection):
    """A connection that counts what it sends: one send is one round trip."""

    sends = 0

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        CountingConnection.sends += 1
        super().send_packed_command(command, check_health)


@pytest.fixture
def counted(make_bot, redis, redis_url: str) -> Callable[..., Any]:
    """A bot on a counting client; ``trips(deliver)`` runs one delivery and returns its
    round trips and the EVALSHA calls Redis saw (the test's own client asks only INFO)."""

    def start(**settings: Any) -> Any:
        pool = redis_lib.ConnectionPool.from_url(redis_url, connection_class=CountingConnection)
        bot = make_bot(client=redis_lib.Redis(connection_pool=pool), **settings)

        def trips(deliver: Callable[[], Any]) -> tuple[int, int]:
            sends, scripts = CountingConnection.sends, evalsha_calls(redis)
            result = deliver()
            assert result.status == 200
            return CountingConnection.sends - sends, evalsha_calls(redis) - scripts

        bot.trips = trips
        return bot

    return start


def evalsha_calls(client: redis_lib.Redis) -> int:
    return client.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0)


def warm_up(bot, peer) -> None:
    """Load both scripts (a guess that misses uses the second) and let RQ ask the
    server's version once per process."""
    peer.deliver(peer.image("warm", "media-warm", ""))
    peer.deliver(peer.text("warm", "1"))
    bot.runtime.redis.script_load(CheckedWrite.LUA)


@pytest.mark.parametrize("menu_style", ["text", "msgmenu"])
def test_a_photo_costs_one_round_trip_with_or_without_a_job(counted, menu_style) -> None:
    bot = counted(wechat_menu_style=menu_style)  # msgmenu: the menu is a job on the push queue
    peer = bot.official()
    warm_up(bot, peer)
    jobs = len(bot.runtime.push_queue)
    assert bot.trips(lambda: peer.deliver(peer.image("ann", "media-1", ""))) == (1, 1)
    assert len(bot.runtime.push_queue) - jobs == (1 if menu_style == "msgmenu" else 0)
    state = bot.runtime.states.load(Channel.OFFICIAL, "ann")
    assert state.step == "awaiting_type" and state.media_id == "media-1"  # written by the one


def test_a_choice_that_queues_the_recognition_costs_one(counted) -> None:
    bot = counted()
    peer = bot.official()
    warm_up(bot, peer)
    image = photo(3)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.image("ben", media_id, pic_url))
    queued = len(bot.runtime.queue)
    # This process wrote the state the photo left: its guess is right.
    assert bot.trips(lambda: peer.deliver(peer.text("ben", "1"))) == (1, 1)
    assert len(bot.runtime.queue) == queued + 1


def test_text_and_wecom_messages_cost_one(counted) -> None:
    bot = counted()
    official, wecom = bot.official(), bot.wecom()
    warm_up(bot, official)
    assert bot.trips(lambda: official.deliver(official.text("cat", "帮助"))) == (1, 1)
    assert bot.trips(lambda: wecom.deliver(wecom.text("dan", "帮助"))) == (1, 1)


def test_a_state_another_process_wrote_costs_two_and_is_decided_on(counted, make_bot) -> None:
    """The photo went to one web process, the choice to another, which has never seen the
    user: its guess (no state) is wrong, and the choice is decided on the state found."""
    key = Fernet.generate_key().decode()
    bot, other = counted(data_key=key), make_bot(data_key=key)
    warm_up(bot, bot.official())
    image = photo(3)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    other.official().deliver(other.official().image("gil", media_id, pic_url))
    queued = len(bot.runtime.queue)
    peer = bot.official()
    assert bot.trips(lambda: peer.deliver(peer.text("gil", "1"))) == (2, 2)
    assert len(bot.runtime.queue) == queued + 1  # the photo's recognition, as an ID card
    assert bot.runtime.states.load(Channel.OFFICIAL, "gil").step == "idle"
    # and now this process knows the user: the next message costs one again
    assert bot.trips(lambda: peer.deliver(peer.text("gil", "帮助"))) == (1, 1)


def test_an_engine_another_process_chose_costs_two_and_is_offered(counted, make_bot) -> None:
    """An admin's /engine, taken by another web process: this one's guess of the engine
    key is wrong, and the menu offers what the new chain reads."""
    bot = counted()  # reads with the cloud engine: no automatic detection in the menu
    peer = bot.official()
    warm_up(bot, peer)
    assert DocType.AUTO.label not in peer.deliver(peer.image("ida", "media-1", "")).reply["Content"]
    make_bot().runtime.set_engine_chain(("local",))
    delivery = None

    def photo_after_the_switch():
        nonlocal delivery
        delivery = peer.deliver(peer.image("jon", "media-2", ""))
        return delivery

    assert bot.trips(photo_after_the_switch) == (2, 2)
    assert DocType.AUTO.label in delivery.reply["Content"]
    assert bot.trips(lambda: peer.deliver(peer.image("kim", "media-3", ""))) == (1, 1)


def test_a_blocked_user_whose_state_was_guessed_right_is_refused_with_nothing_written(
    counted,
) -> None:
    """The guess takes no block: the arrival finds one, makes none of the writes the
    handlers decided on the guess (the photo's pending state), and they refuse instead."""
    bot = counted()
    peer = bot.official()
    warm_up(bot, peer)
    assert bot.trips(lambda: peer.deliver(peer.text("max", "帮助"))) == (1, 1)
    bot.runtime.blocks.block(identity(Channel.OFFICIAL, "max"))
    trips = bot.trips(lambda: peer.deliver(peer.image("max", "media-9", "")))
    assert trips == (2, 2)
    assert bot.runtime.states.load(Channel.OFFICIAL, "max").media_id == ""


def test_a_user_with_a_dossier_is_not_guessed(counted, receiver) -> None:
    """The documents collected (numbers and all) are not kept in the web process for a
    guess: a user with a dossier costs two round trips, and no dossier token is held."""
    bot = counted(result_webhook_url=receiver.url, result_webhook_secret="s")
    peer = bot.official()
    warm_up(bot, peer)
    send_idcard(bot, peer, "lea", 34)
    assert bot.trips(lambda: peer.deliver(peer.text("lea", "帮助"))) == (2, 2)
    assert bot.trips(lambda: peer.deliver(peer.text("lea", "帮助"))) == (2, 2)
    dossier = bot.runtime.redis.get(bot.runtime.dossiers.name(Channel.OFFICIAL, "lea"))
    assert dossier is not None
    held = [token for _when, token in bot.runtime.arrivals.known.values()]
    assert dossier not in held
    assert bot.runtime.states.name(Channel.OFFICIAL, "lea") not in bot.runtime.arrivals.known


def test_a_photo_over_the_rate_limit_costs_two_and_is_refused(counted) -> None:
    """The guess takes the photo as allowed; the arrival finds it is not, writes nothing,
    and the handlers answer the refusal."""
    bot = counted(rate_limit_photos=1)
    peer = bot.official()
    warm_up(bot, peer)
    assert bot.trips(lambda: peer.deliver(peer.image("hal", "media-1", ""))) == (1, 1)
    trips = bot.trips(lambda: peer.deliver(peer.image("hal", "media-2", "")))
    assert trips == (2, 2)
    assert bot.runtime.states.load(Channel.OFFICIAL, "hal").media_id == "media-1"


def test_a_confirmation_that_sends_the_documents(counted, receiver) -> None:
    """确认 takes the documents out of the dossier and keeps the operator's event with the
    state. The worker wrote the dossier after this process last saw it: two round trips."""
    bot = counted(result_webhook_url=receiver.url, result_webhook_secret="s")
    peer = bot.official()
    warm_up(bot, peer)
    send_idcard(bot, peer, "fay", 33)
    events = len(bot.runtime.callback_queue)
    assert bot.trips(lambda: peer.deliver(peer.text("fay", "确认"))) == (2, 2)
    assert len(bot.runtime.callback_queue) == events + 1


def test_a_guess_older_than_the_states_ttl_is_not_taken(counted) -> None:
    """Redis forgets a state after its TTL; so does the guess. A user back after that
    (their state expired: deleted here, the TTL's effect) costs one round trip, where a
    remembered state would be a wrong guess and cost two."""
    bot = counted()
    peer = bot.official()
    warm_up(bot, peer)
    peer.deliver(peer.image("ivy", "media-1", ""))  # a pending photo: a state in Redis
    name = bot.runtime.states.name(Channel.OFFICIAL, "ivy")
    when, token = bot.runtime.arrivals.known[name]
    assert token is not None
    bot.runtime.arrivals.known[name] = (when - bot.runtime.states.ttl - 1, token)
    bot.runtime.redis.delete(name)
    assert bot.trips(lambda: peer.deliver(peer.text("ivy", "帮助"))) == (1, 1)


def test_the_guesses_keep_the_users_seen_last_and_no_more(make_bot) -> None:
    """A web process remembers at most KNOWN_USERS users' states: the one seen longest
    ago goes first, and a user seen again is newest again."""
    arrivals = make_bot().runtime.arrivals
    states, dossiers = arrivals.rt.states, arrivals.rt.dossiers

    def seen(user: str) -> None:
        msg = Incoming(Channel.OFFICIAL, user, Kind.TEXT, "text")
        arrivals.learn(msg, {states.name(Channel.OFFICIAL, user): b"token",
                             dossiers.name(Channel.OFFICIAL, user): None})  # fmt: skip

    for n in range(KNOWN_USERS):
        seen(f"u{n}")
    seen("u0")  # seen again: now the newest
    seen("new")
    assert len(arrivals.known) == KNOWN_USERS
    assert states.name(Channel.OFFICIAL, "u0") in arrivals.known
    assert states.name(Channel.OFFICIAL, "u1") not in arrivals.known
    assert states.name(Channel.OFFICIAL, "new") in arrivals.known


def test_a_retry_of_an_answered_message_costs_one(counted) -> None:
    bot = counted()
    peer = bot.official()
    warm_up(bot, peer)
    message = peer.image("eve", "media-2", "")
    first = peer.deliver(message)
    trips = bot.trips(lambda: peer.deliver(message))  # WeChat's retry: the same MsgId
    assert trips == (1, 1)
    assert peer.deliver(message).reply == first.reply


def test_a_checked_write_writes_only_on_what_was_read(redis) -> None:
    write = CheckedWrite(redis)
    redis.set("state", b"old")
    writes = write.writes()
    writes.set("state", b"new")
    writes.rpush("jobs", "a")
    redis.set("state", b"changed")  # another message of the user, meanwhile
    assert not write({"state": b"old", "dossier": None}, writes)
    assert redis.get("state") == b"changed" and redis.llen("jobs") == 0
    writes = write.writes()
    writes.set("state", b"new")
    writes.rpush("jobs", "a")
    # what the keys read hold now: the next message's guess
    assert write({"state": b"changed", "dossier": None}, writes) == {
        "state": b"new",
        "dossier": None,
    }
    assert redis.get("state") == b"new" and redis.lrange("jobs", 0, -1) == [b"a"]
    writes = write.writes()
    writes.delete("state")
    writes.set("dossier", "d")
    assert write({"state": b"new", "dossier": None}, writes) == {"state": None, "dossier": b"d"}
    redis.delete("dossier")
    redis.set("state", b"new")
    writes = write.writes()
    writes.delete("state")
    redis.set("dossier", b"d")  # a key read as absent that now exists is a change too
    assert not write({"state": b"new", "dossier": None}, writes)
    assert redis.get("state") == b"new"


def test_a_checked_write_refuses_what_would_stop_halfway_before_sending_it(redis) -> None:
    """A command redis-py sends as two words, a script, or one too long for Lua's unpack
    would fail inside the script after the writes before it: refused, nothing written."""
    write = CheckedWrite(redis)
    for record in (
        lambda w: w.execute_command("CONFIG SET", "maxmemory", "0"),
        lambda w: w.register_script("return 1")(keys=[], args=[], client=w),
        lambda w: w.sadd("many", *range(CheckedWrite.MAX_ARGS)),
    ):
        writes = write.writes()
        writes.set("a", 1)
        record(writes)
        with pytest.raises(ValueError):
            write({"state": None}, writes)
        assert redis.get("a") is None


def test_every_job_we_queue_records_only_writes_a_checked_write_runs(make_bot) -> None:
    """RQ's enqueue records its commands on our pipeline: each kind of job we queue in the
    webhook's writes goes through (an RQ upgrade that adds another command fails here)."""
    bot = make_bot(result_webhook_url="http://127.0.0.1:9/events", result_webhook_secret="s")
    rt, write = bot.runtime, CheckedWrite(bot.runtime.redis)
    recorders = (
        lambda w: jobs.enqueue_recognition(
            rt, Channel.OFFICIAL, "u", Recognize(DocType.IDCARD, "m"), pipeline=w
        ),
        lambda w: jobs.enqueue_menu(rt, Channel.OFFICIAL, "u", Menu("h", ()), "", "m", pipeline=w),
        lambda w: jobs.enqueue_confirm(rt, Channel.OFFICIAL, "u", pipeline=w),
        lambda w: callback.enqueue(rt, "event-1", w),
    )
    for record in recorders:
        writes = write.writes()
        record(writes)
        assert write({"state": None}, writes)
    assert len(rt.queue) == 1 and len(rt.push_queue) == 2 and len(rt.callback_queue) == 1


def test_a_redis_user_limited_to_our_keys_serves_retries_and_cloud_run(
    make_bot, redis, redis_user
) -> None:
    """Redis checks every key a script names against the user's ACL: the scripts name only
    ``ocrbot:`` and ``rq:`` keys, also where there is no replay check (a waiting retry
    looking again, a Cloud Run push)."""
    limited = redis_user("web", "+@all", "~ocrbot:*", "~rq:*")
    bot = make_bot(redis_url=limited, wechat_reply_window=2.0)
    peer = bot.official()
    message = peer.click("fay", "OCR_BANKCARD")
    # A web process took the message and died (its claim is left): the retry waits,
    # looks again until the claim's lease runs out, and processes the message.
    dedupe_key = f"official:fay:{message.fields['CreateTime']}:click:OCR_BANKCARD:"
    _, claim = Deliveries.names(dedupe_key)  # (the last part: the card's id, none here)
    redis.set(claim, 1, px=bot.runtime.deliveries.lease_ms - 500)  # ends before the deadline
    [retry] = peer.deliver(message).attempts
    assert retry.status == 200 and "银行卡" in retry.reply["Content"]
    assert retry.elapsed_ms > 1000  # it waited for the lease (1.3 s) to run out

    cloudrun = make_bot(redis_url=limited, wechat_cloudrun=True, **NO_WEBHOOK_CREDENTIALS)
    cloudrun.emulator_post("settings", cloudrun=True)
    pusher = cloudrun.emulator.cloudrun_peer("json", webhook_base=cloudrun.url)
    pushed = pusher.deliver(pusher.click("gus", "OCR_BANKCARD"))
    assert pushed.status == 200 and "银行卡" in pushed.reply["Content"]


def test_a_reply_saved_under_another_data_key_is_processed_again(make_bot, redis) -> None:
    """A saved reply no try can read (another DATA_KEY, in a rolling deploy) would keep
    every retry waiting until the record expires: it is forgotten and the try processes."""
    bot = make_bot()
    peer = bot.official()
    message = peer.image("gil", "media-3", "")
    seen, _ = Deliveries.names(f"official:gil:{message.fields['MsgId']}")
    other = Fernet(Fernet.generate_key()).encrypt(b"<xml>old</xml>")
    redis.hset(seen, mapping={"attempt": 1, "reply": other})
    answered = peer.deliver(message)
    assert answered.status == 200 and "请选择证件类型" in answered.reply["Content"]
