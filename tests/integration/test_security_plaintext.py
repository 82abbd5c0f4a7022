"""Who is talking: with WECHAT_AES_KEY set, only encrypted requests prove their body.

A plaintext request's ``signature`` covers token, timestamp and nonce, never the
body: one query string from an access log would let anyone post any body as any
openid. So with an AES key a plaintext request is refused and nothing happens.
"""

from __future__ import annotations

import time

import pytest

from bot.incoming import Channel


def nothing_processed(bot) -> bool:
    keys = [k for k in bot.runtime.redis.keys("ocrbot:*") if not k.startswith(b"ocrbot:token")]
    return keys == [] and len(bot.runtime.queue) == 0 and len(bot.runtime.push_queue) == 0


@pytest.mark.parametrize("encrypt_type", [None, "raw", "RAW"])
def test_plaintext_request_is_refused_when_an_aes_key_is_set(make_bot, encrypt_type) -> None:
    bot = make_bot(admin_users="official:boss")
    peer = bot.official("plain")
    message = peer.text("boss", "/stats")  # an admin's openid, as an impersonator would send
    stamp, nonce = str(int(time.time())), "1234"
    query = {"signature": peer.signature(stamp, nonce), "timestamp": stamp, "nonce": nonce}
    if encrypt_type is not None:
        query["encrypt_type"] = encrypt_type
    attempt = peer.deliver_raw(message.to_xml(), query)
    assert attempt.status == 403
    assert attempt.reply is None and "统计" not in attempt.body
    assert nothing_processed(bot)  # no state, no counter, no job


def test_a_photo_in_plaintext_stores_nothing_and_queues_nothing(make_bot) -> None:
    bot = make_bot()
    peer = bot.official("plain")
    media_id, pic_url = bot.upload(b"\xff\xd8not really a jpeg")
    assert peer.deliver(peer.image("victim", media_id, pic_url)).status == 403
    assert peer.deliver(peer.text("victim", "结果")).status == 403
    assert nothing_processed(bot)
    assert bot.runtime.states.load(Channel.OFFICIAL, "victim").media_id == ""


@pytest.mark.parametrize("mode", ["safe", "compat"])
def test_encrypted_requests_are_still_answered(make_bot, mode: str) -> None:
    bot = make_bot()
    peer = bot.official(mode)
    delivery = peer.deliver(peer.text("alice", "帮助"))
    assert delivery.status == 200 and delivery.reply is not None


def test_plaintext_is_accepted_when_explicitly_allowed_for_a_migration(make_bot) -> None:
    bot = make_bot(wechat_allow_plaintext=True)
    peer = bot.official("plain")
    delivery = peer.deliver(peer.text("alice", "帮助"))
    assert delivery.status == 200 and delivery.reply is not None


def test_plaintext_account_without_aes_key_works(make_bot) -> None:
    bot = make_bot(wechat_aes_key="")
    peer = bot.official("plain")
    delivery = peer.deliver(peer.text("alice", "帮助"))
    assert delivery.status == 200 and delivery.reply is not None
