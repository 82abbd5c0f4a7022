"""Redis round trips per message: one to learn, one to write, one for a retry.

The webhook reads everything it must know before the handlers decide in one script
(``bot/arrival.py``) and writes what they decided in one more (``store.CheckedWrite``).
Counted here on a real Redis: the sends of the web's own connections (a script or a
pipeline is one send) and the server's count of EVALSHA calls, so that a command added
anywhere on the way shows up as a failing count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis as redis_lib

from bot.store import CheckedWrite
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
    """Load both scripts and let RQ ask the server's version once per process."""
    peer.deliver(peer.image("warm", "media-warm", ""))
    peer.deliver(peer.text("warm", "1"))


@pytest.mark.parametrize("menu_style", ["text", "msgmenu"])
def test_a_photo_costs_two_round_trips_with_or_without_a_job(counted, menu_style) -> None:
    bot = counted(wechat_menu_style=menu_style)  # msgmenu: the menu is a job on the push queue
    peer = bot.official()
    warm_up(bot, peer)
    jobs = len(bot.runtime.push_queue)
    assert bot.trips(lambda: peer.deliver(peer.image("ann", "media-1", ""))) == (2, 2)
    assert len(bot.runtime.push_queue) - jobs == (1 if menu_style == "msgmenu" else 0)


def test_a_choice_that_queues_the_recognition_costs_two(counted) -> None:
    bot = counted()
    peer = bot.official()
    warm_up(bot, peer)
    image = photo(3)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    peer.deliver(peer.image("ben", media_id, pic_url))
    queued = len(bot.runtime.queue)
    assert bot.trips(lambda: peer.deliver(peer.text("ben", "1"))) == (2, 2)
    assert len(bot.runtime.queue) == queued + 1


def test_text_and_wecom_messages_cost_two(counted) -> None:
    bot = counted()
    official, wecom = bot.official(), bot.wecom()
    warm_up(bot, official)
    assert bot.trips(lambda: official.deliver(official.text("cat", "帮助"))) == (2, 2)
    assert bot.trips(lambda: wecom.deliver(wecom.text("dan", "帮助"))) == (2, 2)


def test_a_retry_of_an_answered_message_costs_one(counted) -> None:
    bot = counted()
    peer = bot.official()
    warm_up(bot, peer)
    message = peer.image("eve", "media-2", "")
    first = peer.deliver(message)
    trips = bot.trips(lambda: peer.deliver(message))  # WeChat's retry: the same MsgId
    assert trips == (1, 1)
    assert peer.deliver(message).reply == first.reply


def test_a_checked_write_writes_all_or_nothing_on_what_was_read(redis) -> None:
    write = CheckedWrite(redis)
    redis.set("state", b"old")
    writes = redis.pipeline()
    writes.multi()
    writes.set("state", b"new")
    writes.rpush("jobs", "a")
    redis.set("state", b"changed")  # another message of the user, meanwhile
    assert not write({"state": b"old", "dossier": None}, writes)
    assert redis.get("state") == b"changed" and redis.llen("jobs") == 0
    writes.multi()
    writes.set("state", b"new")
    writes.rpush("jobs", "a")
    assert write({"state": b"changed", "dossier": None}, writes)
    assert redis.get("state") == b"new" and redis.lrange("jobs", 0, -1) == [b"a"]
    writes.multi()
    writes.delete("state")
    redis.set("dossier", b"d")  # a key read as absent that now exists is a change too
    assert not write({"state": b"new", "dossier": None}, writes)
    assert redis.get("state") == b"new"
