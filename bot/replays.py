"""Replayed signatures: a (timestamp, nonce) pair comes back only with the same body.

A plaintext request's ``signature`` covers token, timestamp and nonce, not the
body, so whoever saw one query string could post another body under it until
the timestamp is too old. Each verified request's pair is remembered with the
hash of its body, one ``SET NX`` per request: the same pair with the same body
is WeChat retrying (answered as a retry by ``Deliveries``), with another body it
is refused. Pairs are kept as long as a timestamp can pass the age check.
The check runs in Redis (``LUA``), inside the webhook's one script per message
(``bot/arrival.py``).
"""

from __future__ import annotations

import hashlib

from bot.store import key

UNCHECKED_AGE_TTL = 3600  # SIGNATURE_MAX_AGE=0 (development only): still remember an hour


class Replays:
    # true: the pair is new, or came before with this body (WeChat retrying); false: a replay.
    LUA = """
local function replay_ok(name, digest, ttl)
  if redis.call('SET', name, digest, 'NX', 'EX', ttl) then return true end
  local seen = redis.call('GET', name)
  return (not seen) or seen == digest
end
"""

    def __init__(self, max_age: int) -> None:
        # A timestamp passes from max_age before now to max_age after: twice that in all.
        self.ttl = 2 * max_age if max_age > 0 else UNCHECKED_AGE_TTL

    @staticmethod
    def name(channel: str, timestamp: str, nonce: str) -> str:
        pair = hashlib.sha256(f"{timestamp}\n{nonce}".encode()).hexdigest()[:32]
        return key("nonce", channel, pair)

    @staticmethod
    def digest(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()
