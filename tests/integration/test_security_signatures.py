"""Signatures: compared in constant time by our code; a (timestamp, nonce) pair is not reusable.

A plaintext request's ``signature`` does not cover the body: a pair seen once
(an access log) must not carry another body. The same request again is
WeChat's retry and is answered as one.
"""

from __future__ import annotations

import hmac
import time

import pytest
from cryptography.fernet import Fernet

from bot.config import Settings
from bot.limits import last_days


def fixed(peer, message, stamp: str, nonce: str) -> tuple[dict, str]:
    """The query and body WeChat would send for ``message`` with this timestamp and nonce."""
    return peer._prepare(message, stamp, nonce, False)


def test_a_replayed_pair_with_another_body_is_refused(make_bot) -> None:
    bot = make_bot(wechat_aes_key="", admin_users="official:boss")  # a plaintext account
    peer = bot.official("plain")
    stamp, nonce = str(int(time.time())), "31337"
    query, body = fixed(peer, peer.text("alice", "帮助"), stamp, nonce)
    assert peer.deliver_raw(body, query).status == 200
    _, forged = fixed(peer, peer.text("boss", "/stats"), stamp, nonce)
    attempt = peer.deliver_raw(forged, query)
    assert attempt.status == 403
    assert "统计" not in attempt.body
    assert bot.runtime.usage.report(last_days(1), bot.runtime.quota).get("messages") == 1
    assert not bot.runtime.redis.keys("ocrbot:seen:official:boss:*")  # never processed


def test_the_same_request_again_is_answered_as_wechats_retry(make_bot) -> None:
    bot = make_bot()
    peer = bot.official("safe")
    stamp, nonce = str(int(time.time())), "4242"
    query, body = fixed(peer, peer.text("carol", "帮助"), stamp, nonce)
    first = peer.deliver_raw(body, query)
    again = peer.deliver_raw(body, query)
    assert first.status == again.status == 200
    assert first.reply is not None and again.reply == first.reply
    [seen] = bot.runtime.redis.keys("ocrbot:seen:official:carol:*")
    assert int(bot.runtime.redis.hget(seen, "attempt")) == 2  # the retry path, not a new message


def test_wecom_pairs_are_remembered_too(make_bot) -> None:
    bot = make_bot()
    peer = bot.wecom()
    stamp, nonce = str(int(time.time())), "777"
    query, body = fixed(peer, peer.text("dave", "帮助"), stamp, nonce)
    assert peer.deliver_raw(body, query).status == 200
    assert peer.deliver_raw(body, query).status == 200
    query2, other = fixed(peer, peer.text("erin", "帮助"), stamp, nonce)
    assert peer.deliver_raw(other, query2).status == 403  # same pair, another (signed) body


def test_pairs_are_remembered_at_least_signature_max_age(make_bot) -> None:
    bot = make_bot(signature_max_age=120)
    peer = bot.official()
    peer.deliver(peer.text("frank", "帮助"))
    [name] = bot.runtime.redis.keys("ocrbot:nonce:official:*")
    assert bot.runtime.redis.ttl(name) >= 120


def test_production_refuses_signature_max_age_zero() -> None:
    key = Fernet.generate_key().decode()
    with pytest.raises(ValueError, match="SIGNATURE_MAX_AGE"):
        Settings(env="production", data_key=key, signature_max_age=0)
    assert Settings(env="production", data_key=key).signature_max_age == 300


@pytest.fixture
def comparisons(monkeypatch) -> list[tuple]:
    """Record every hmac.compare_digest call (the real one still decides)."""
    calls: list[tuple] = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls


def _compared(calls: list[tuple], value: str) -> bool:
    return any(value.encode() in (a, b) or value in (a, b) for a, b in calls)


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_official_signatures_go_through_compare_digest(make_bot, comparisons, mode) -> None:
    bot = make_bot(**({"wechat_aes_key": ""} if mode == "plain" else {}))
    peer = bot.official(mode)
    query, body = fixed(peer, peer.text("gina", "帮助"), str(int(time.time())), "99")
    assert peer.deliver_raw(body, query).status == 200
    assert _compared(comparisons, query["signature"])
    if mode == "safe":
        assert _compared(comparisons, query["msg_signature"])


def test_wecom_signatures_go_through_compare_digest(make_bot, comparisons) -> None:
    bot = make_bot()
    peer = bot.wecom()
    query, body = fixed(peer, peer.text("hana", "帮助"), str(int(time.time())), "98")
    assert peer.deliver_raw(body, query).status == 200
    assert _compared(comparisons, query["msg_signature"])


def test_url_checks_go_through_compare_digest(make_bot, comparisons) -> None:
    bot = make_bot()
    assert bot.official().url_check("echo-1").ok
    assert bot.wecom().url_check("echo-2").ok
    assert len(comparisons) >= 2


def test_a_bad_signature_of_other_characters_is_a_403_not_a_500(make_bot) -> None:
    bot = make_bot(wechat_aes_key="")
    peer = bot.official("plain")
    stamp = str(int(time.time()))
    query, body = fixed(peer, peer.text("ivan", "帮助"), stamp, "5")
    assert peer.deliver_raw(body, {**query, "signature": "签名" * 20}).status == 403
