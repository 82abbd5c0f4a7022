"""What the bot keeps in Redis about users and deliveries.

Three tiny layers, as in aiogram's FSM storage: key building (``keys``),
encrypted storage with a TTL (``Vault``), and the per-user stores built on it
(``States``, ``Results``). ``Deliveries`` drops WeChat's retries.

Nothing here holds an ID or card number in a key; values about a user are
Fernet-encrypted and expire.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import redis
from cryptography.fernet import InvalidToken, MultiFernet

from bot.incoming import Channel
from handlers.state import IDLE, State

log = logging.getLogger(__name__)

PREFIX = "ocrbot"
UNREADABLE = object()  # a value written under another DATA_KEY

Client = redis.Redis | redis.client.Pipeline  # a pipeline queues, or answers when WATCHing


def key(*parts: str) -> str:
    return ":".join((PREFIX, *parts))


class Vault:
    """JSON values in Redis, encrypted with Fernet, each with a TTL."""

    def __init__(self, client: redis.Redis, fernet: MultiFernet) -> None:
        self.redis = client
        self.fernet = fernet

    def put(
        self, name: str, value: object, ttl: int, client: Client | None = None, nx: bool = False
    ) -> bool:
        """Keep ``value``; with ``nx`` only if nothing is kept under ``name`` (then ``True``)."""
        token = self.fernet.encrypt(json.dumps(value, ensure_ascii=False).encode())
        return bool((client or self.redis).set(name, token, ex=ttl, nx=nx))

    def get(self, name: str, client: Client | None = None) -> object | None:
        """The value; ``client`` may be a pipeline in WATCH mode (it answers at once)."""
        token = (client or self.redis).get(name)
        if token is None:
            return None
        value = self._open(name, token)
        if value is UNREADABLE:
            self.redis.delete(name)
            return None
        return value

    def pop(self, name: str) -> object | None:
        """The value, deleted in the same step: of two concurrent pops, one gets it."""
        pipe = self.redis.pipeline()
        pipe.get(name)
        pipe.delete(name)
        token, _ = pipe.execute()
        if token is None:
            return None
        value = self._open(name, token)
        return None if value is UNREADABLE else value

    def _open(self, name: str, token: bytes) -> object:
        try:
            return json.loads(self.fernet.decrypt(token))
        except InvalidToken:
            # Written under another DATA_KEY (rotated, or a process with its own): forgotten,
            # but said: a web app and a worker on different keys lose every user's data.
            kind = name.split(":")[1] if ":" in name else name  # state, result: never whose
            log.warning("a %s value does not decrypt with DATA_KEY: dropped", kind)
            return UNREADABLE


class States:
    """One key per user holding the conversation state."""

    def __init__(self, vault: Vault, ttl: int) -> None:
        self.vault = vault
        self.ttl = ttl

    @staticmethod
    def name(channel: Channel, user: str) -> str:
        return key("state", channel.value, user)

    def load(self, channel: Channel, user: str, client: Client | None = None) -> State:
        data = self.vault.get(self.name(channel, user), client)
        return State.from_dict(data) if isinstance(data, dict) else IDLE

    def save(self, channel: Channel, user: str, state: State, client: Client | None = None) -> None:
        if state == IDLE:
            (client or self.vault.redis).delete(self.name(channel, user))
        else:
            self.vault.put(self.name(channel, user), state.to_dict(), self.ttl, client)


class Results:
    """Answers waiting to be fetched (passive reply mode): encrypted, expiring.

    One key per job, so that each request is answered with its own photo's
    result whatever order the jobs end in; a per-user list of the waiting
    job ids serves 结果 (the oldest first).
    """

    def __init__(self, vault: Vault, ttl: int) -> None:
        self.vault = vault
        self.ttl = ttl

    @staticmethod
    def name(channel: Channel, user: str, job_id: str) -> str:
        return key("result", channel.value, user, job_id)

    @staticmethod
    def waiting(channel: Channel, user: str) -> str:
        return key("results", channel.value, user)

    def put(self, channel: Channel, user: str, text: str, job_id: str) -> None:
        pipe = self.vault.redis.pipeline()
        self.vault.put(self.name(channel, user, job_id), text, self.ttl, pipe)
        pipe.rpush(self.waiting(channel, user), job_id)
        pipe.expire(self.waiting(channel, user), self.ttl)
        pipe.execute()

    def take(self, channel: Channel, user: str, job_id: str) -> str | None:
        """The result of this job (its request is answering), if it is still waiting."""
        pipe = self.vault.redis.pipeline()
        pipe.lrem(self.waiting(channel, user), 0, job_id)
        pipe.execute()
        value = self.vault.pop(self.name(channel, user, job_id))
        return value if isinstance(value, str) else None

    def pop(self, channel: Channel, user: str) -> str | None:
        """The oldest waiting result of this user (结果)."""
        while True:
            job_id = self.vault.redis.lpop(self.waiting(channel, user))
            if job_id is None:
                return None
            value = self.vault.pop(self.name(channel, user, job_id.decode()))
            if isinstance(value, str):
                return value


@dataclass(frozen=True)
class Delivery:
    """One try of a message, as :meth:`Deliveries.arrive` found it.

    ``claimed``: this try holds the message's claim and must process it.
    ``reply``/``job``: what an earlier try left for its retries (sealed text
    reply; passive mode: the recognition's job id), or None.
    """

    name: str  # the message's record: try count, saved reply and job id
    claim: str  # the key held by the try that processes the message
    attempt: int
    claimed: bool = False
    reply: str | None = None
    job: str | None = None

    @property
    def first(self) -> bool:
        return self.attempt == 1


class Deliveries:
    """WeChat's retries: one message processed once, answered the same on every try.

    A try that finds no saved reply takes the message's *claim* (SET NX with a
    short lease) and processes it; the reply it saves is the "done" marker.
    A try that finds the claim held waits for that reply, and takes the claim
    itself when the holder dropped it (it failed: :meth:`release`) or died
    (the lease ran out). So a first try that fails or crashes before it
    finishes loses nothing: a retry processes the message. One pipelined
    round trip per try.
    """

    TTL = 300  # WeChat retries within ~15 s; keep the record well past that

    def __init__(self, vault: Vault, lease: float = 4.5) -> None:
        self.vault = vault
        self.lease_ms = max(1, int(lease * 1000))

    def arrive(self, dedupe_key: str) -> Delivery:
        name = key("seen", dedupe_key)
        claim = key("claim", dedupe_key)
        pipe = self.vault.redis.pipeline(transaction=False)
        pipe.hincrby(name, "attempt", 1)
        pipe.expire(name, self.TTL)
        pipe.set(claim, 1, nx=True, px=self.lease_ms)
        pipe.hmget(name, "reply", "job")
        attempt, _, claimed, (reply, job) = pipe.execute()
        reply_text, job_id = self._open(reply), self._open(job)
        return Delivery(
            name,
            claim,
            int(attempt),
            bool(claimed) and reply_text is None and job_id is None,
            reply_text,
            job_id,
        )

    def reclaim(self, delivery: Delivery) -> bool:
        """Take the claim of a message whose processing try went away."""
        return bool(self.vault.redis.set(delivery.claim, 1, nx=True, px=self.lease_ms))

    def release(self, delivery: Delivery) -> None:
        """Processing failed: let the next try of this message process it."""
        self.vault.redis.delete(delivery.claim)

    def remember(self, delivery: Delivery, field: str, value: str) -> None:
        token = self.vault.fernet.encrypt(value.encode())
        self.vault.redis.hset(delivery.name, field, token)

    def saved(self, delivery: Delivery) -> tuple[str | None, str | None]:
        """The reply and the job id an earlier try saved, if any."""
        reply, job = self.vault.redis.hmget(delivery.name, "reply", "job")
        return self._open(reply), self._open(job)

    def _open(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self.vault.fernet.decrypt(token).decode()
        except InvalidToken:
            log.warning("a delivery's saved reply does not decrypt with DATA_KEY")
            return None
