"""What the bot keeps in Redis about users and deliveries.

Three tiny layers, as in aiogram's FSM storage: key building (``keys``),
encrypted storage with a TTL (``Vault``), and the per-user stores built on it
(``States``, ``Results``). ``Deliveries`` drops WeChat's retries.

Nothing here holds an ID or card number in a key; values about a user are
Fernet-encrypted and expire.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import redis
from cryptography.fernet import InvalidToken, MultiFernet

from bot.incoming import Channel
from handlers.state import IDLE, State

PREFIX = "ocrbot"


def key(*parts: str) -> str:
    return ":".join((PREFIX, *parts))


class Vault:
    """JSON values in Redis, encrypted with Fernet, each with a TTL."""

    def __init__(self, client: redis.Redis, fernet: MultiFernet) -> None:
        self.redis = client
        self.fernet = fernet

    def put(self, name: str, value: object, ttl: int) -> None:
        token = self.fernet.encrypt(json.dumps(value, ensure_ascii=False).encode())
        self.redis.set(name, token, ex=ttl)

    def get(self, name: str) -> object | None:
        token = self.redis.get(name)
        if token is None:
            return None
        try:
            return json.loads(self.fernet.decrypt(token))
        except InvalidToken:
            # Written under another DATA_KEY (rotated): unreadable, so forgotten.
            self.redis.delete(name)
            return None

    def pop(self, name: str) -> object | None:
        value = self.get(name)
        if value is not None:
            self.redis.delete(name)
        return value


class States:
    """One key per user holding the conversation state."""

    def __init__(self, vault: Vault, ttl: int) -> None:
        self.vault = vault
        self.ttl = ttl

    @staticmethod
    def name(channel: Channel, user: str) -> str:
        return key("state", channel.value, user)

    def load(self, channel: Channel, user: str) -> State:
        data = self.vault.get(self.name(channel, user))
        return State.from_dict(data) if isinstance(data, dict) else IDLE

    def save(self, channel: Channel, user: str, state: State) -> None:
        if state == IDLE:
            self.vault.redis.delete(self.name(channel, user))
        else:
            self.vault.put(self.name(channel, user), state.to_dict(), self.ttl)


class Results:
    """Answers waiting to be fetched (passive reply mode): encrypted, expiring."""

    def __init__(self, vault: Vault, ttl: int) -> None:
        self.vault = vault
        self.ttl = ttl

    @staticmethod
    def name(channel: Channel, user: str) -> str:
        return key("result", channel.value, user)

    def put(self, channel: Channel, user: str, text: str) -> None:
        self.vault.put(self.name(channel, user), text, self.ttl)

    def pop(self, channel: Channel, user: str) -> str | None:
        value = self.vault.pop(self.name(channel, user))
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Delivery:
    """One delivery of a message: ``first`` is True for exactly one of WeChat's tries."""

    name: str
    attempt: int

    @property
    def first(self) -> bool:
        return self.attempt == 1


class Deliveries:
    """Drop WeChat's retries: one message, one processing, one answer.

    The first delivery of a message (user + MsgId, or user + CreateTime +
    Event) wins an atomic counter; later ones wait for the reply it saved and
    answer the same. Safe under concurrent deliveries.
    """

    TTL = 300  # WeChat retries within ~15 s; keep the record well past that

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def arrive(self, dedupe_key: str) -> Delivery:
        name = key("seen", dedupe_key)
        pipe = self.vault.redis.pipeline()
        pipe.hincrby(name, "attempt", 1)
        pipe.expire(name, self.TTL)
        attempt, _ = pipe.execute()
        return Delivery(name, int(attempt))

    def remember(self, delivery: Delivery, field: str, value: str) -> None:
        token = self.vault.fernet.encrypt(value.encode())
        self.vault.redis.hset(delivery.name, field, token)

    def recall(self, delivery: Delivery, field: str, wait: float = 0.0) -> str | None:
        """The value the first delivery saved, waiting up to ``wait`` seconds for it."""
        deadline = time.monotonic() + wait
        while True:
            token = self.vault.redis.hget(delivery.name, field)
            if token is not None:
                try:
                    return self.vault.fernet.decrypt(token).decode()
                except InvalidToken:
                    return None
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)
