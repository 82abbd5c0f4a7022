"""Replayed signatures: a (timestamp, nonce) pair comes back only with the same body.

A plaintext request's ``signature`` covers token, timestamp and nonce, not the
body, so whoever saw one query string could post another body under it until
the timestamp is too old. Each verified request's pair is remembered with the
hash of its body, one ``SET NX`` per request: the same pair with the same body
is WeChat retrying (answered as a retry by ``Deliveries``), with another body it
is refused. Pairs are kept as long as a timestamp can pass the age check.
``entry``/``settle`` let the ``SET NX`` ride in the webhook's own pipeline.
"""

from __future__ import annotations

import hashlib

import redis

from bot.store import key

UNCHECKED_AGE_TTL = 3600  # SIGNATURE_MAX_AGE=0 (development only): still remember an hour


class Replays:
    def __init__(self, client: redis.Redis, max_age: int) -> None:
        self.redis = client
        # A timestamp passes from max_age before now to max_age after: twice that in all.
        self.ttl = 2 * max_age if max_age > 0 else UNCHECKED_AGE_TTL

    @staticmethod
    def name(channel: str, timestamp: str, nonce: str) -> str:
        pair = hashlib.sha256(f"{timestamp}\n{nonce}".encode()).hexdigest()[:32]
        return key("nonce", channel, pair)

    def admit(self, channel: str, timestamp: str, nonce: str, body: bytes) -> bool:
        """False when this pair was seen before with a different body."""
        name, digest = self.entry(channel, timestamp, nonce, body)
        return self.settle(name, digest, self.redis.set(name, digest, nx=True, ex=self.ttl))

    def entry(self, channel: str, timestamp: str, nonce: str, body: bytes) -> tuple[str, str]:
        """The key and value of the ``SET NX EX ttl``: to put it in another pipeline."""
        return self.name(channel, timestamp, nonce), hashlib.sha256(body).hexdigest()

    def settle(self, name: str, digest: str, claimed: object) -> bool:
        """The verdict once the ``SET NX`` has answered ``claimed``: a second command only
        when the pair was seen before (a retry or a replay)."""
        if claimed:
            return True
        seen = self.redis.get(name)
        return seen is None or seen.decode() == digest
