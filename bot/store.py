"""What the bot keeps in Redis about users and deliveries.

Three tiny layers, as in aiogram's FSM storage: key building (``keys``),
encrypted storage with a TTL (``Vault``), and the per-user stores built on it
(``States``, ``Results``). ``Deliveries`` drops WeChat's retries. ``CheckedWrite``
writes recorded commands at once, only if the keys a message read are unchanged.

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


ENGINE_KEY = key("engine")  # the chain /engine chose; absent: OCR_ENGINE


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
        value = self.open(name, token)
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
        value = self.open(name, token)
        return None if value is UNREADABLE else value

    def open(self, name: str, token: bytes | None) -> object:
        """The value of a token read from ``name``: None if absent, ``UNREADABLE`` if it
        was written under another key."""
        if token is None:
            return None
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

    def decode(self, channel: Channel, user: str, token: bytes | None) -> State:
        """The state from its stored token, read elsewhere (``bot/arrival.py``)."""
        data = self.vault.open(self.name(channel, user), token)
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
    finishes loses nothing: a retry processes the message. The arrival runs in
    Redis (``LUA``) inside the webhook's one script per message (``bot/arrival.py``).
    """

    TTL = 300  # WeChat retries within ~15 s; keep the record well past that

    # The try's number (0: not counted, a waiting retry looking again), whether it took
    # the claim, and what an earlier try saved (reply, job id: encrypted) or false.
    LUA = """
local function claim_delivery(seen, claim, count, ttl, lease_ms)
  local attempt = 0
  if count then
    attempt = redis.call('HINCRBY', seen, 'attempt', 1)
    redis.call('EXPIRE', seen, ttl)
  end
  local saved = redis.call('HMGET', seen, 'reply', 'job')
  if saved[1] or saved[2] then return attempt, false, saved[1], saved[2] end
  local claimed = redis.call('SET', claim, '1', 'NX', 'PX', lease_ms) ~= false
  return attempt, claimed, false, false
end
"""

    def __init__(self, vault: Vault, lease: float = 4.5) -> None:
        self.vault = vault
        self.lease_ms = max(1, int(lease * 1000))

    @staticmethod
    def names(dedupe_key: str) -> tuple[str, str]:
        """The message's record and its claim."""
        return key("seen", dedupe_key), key("claim", dedupe_key)

    def found(
        self, dedupe_key: str, attempt: int, claimed: bool, reply: bytes | None, job: bytes | None
    ) -> Delivery:
        """The :class:`Delivery` from what ``LUA``'s ``claim_delivery`` returned."""
        name, claim = self.names(dedupe_key)
        return Delivery(name, claim, attempt, claimed, self._open(reply), self._open(job))

    def release(self, delivery: Delivery) -> None:
        """Processing failed: let the next try of this message process it."""
        self.vault.redis.delete(delivery.claim)

    def forget(self, delivery: Delivery) -> None:
        """Drop what an earlier try saved (it does not decrypt: written under another key)."""
        self.vault.redis.hdel(delivery.name, "reply", "job")

    def remember(
        self, delivery: Delivery, field: str, value: str, client: Client | None = None
    ) -> None:
        """Save the reply (or the job id) for the message's retries; ``client``: a pipeline."""
        token = self.vault.fernet.encrypt(value.encode())
        (client or self.vault.redis).hset(delivery.name, field, token)

    def _open(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self.vault.fernet.decrypt(token).decode()
        except InvalidToken:
            log.warning("a delivery's saved reply does not decrypt with DATA_KEY")
            return None


class CheckedWrite:
    """Recorded writes, made only if the keys read are still as they were read.

    The handlers decide on a user's state and dossier as read; the writes they take are
    recorded on a pipeline (RQ enqueues onto it too) and sent in one script that
    compares each key with the value read and, only if none changed, runs the writes,
    with no other client in between. Another message of the same user that changed
    them meanwhile (another web process) makes it write nothing: the caller handles
    the message again on what that one left. WATCH/MULTI/EXEC without WATCH's round
    trips. The webhook's first round trip runs the same writes on a guess of the state
    (``bot/arrival.py``, ``RUN_WRITES``); this script is its second, when the guess
    was wrong.

    Unlike EXEC, a script is not undone: a write Redis refuses halfway (an ACL, a key
    of another type) keeps the writes before it. So the caller orders them: what is
    kept before what is taken away, the user's state and the saved reply last, and
    the message is then left unanswered for a retry (a job queued before the refusal
    stays queued). Only plain writes are accepted (``WRITES``), checked before
    anything is sent. Redis Cluster is not supported (the keys span slots, and RQ's
    are not declared): a standalone Redis or one behind Sentinel.
    """

    # Runs the writes encoded in ARGV from ``first`` on (each as its argument count, then
    # its arguments). A refused one (an ACL, a key of another type) stops them and is
    # returned: the script that called passes it on, and the client raises it.
    RUN_WRITES = """
local function run_writes(first)
  local i = first
  while i <= #ARGV do
    local n = tonumber(ARGV[i])
    local done = redis.pcall(unpack(ARGV, i + 1, i + n))
    if type(done) == 'table' and done.err then return done end
    i = i + n + 1
  end
  return nil
end
"""
    # KEYS: the keys read; ARGV[1..#KEYS]: their values as read ('' = absent); the writes.
    LUA = (
        RUN_WRITES
        + """
for i, name in ipairs(KEYS) do
  if (redis.call('GET', name) or '') ~= ARGV[i] then return 0 end
end
local refused = run_writes(#KEYS + 1)
if refused then return refused end
return 1
"""
    )
    # What the webhook and RQ's enqueue record; a name redis-py sends as two words
    # ("CONFIG SET") or a script would fail inside ours, halfway.
    WRITES = frozenset({"SET", "DEL", "HSET", "HDEL", "SADD", "RPUSH", "LPUSH", "ZADD", "EXPIRE"})
    MAX_ARGS = 1000  # per command: Lua's unpack stops at about 8,000

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.script = client.register_script(self.LUA)

    def writes(self) -> redis.client.Pipeline:
        """A pipeline to record the writes on (in MULTI mode, as RQ expects one handed to
        it); never executed itself."""
        pipe = self.client.pipeline()
        pipe.multi()
        return pipe

    def __call__(
        self, read: dict[str, bytes | None], writes: redis.client.Pipeline
    ) -> dict[str, bytes | None] | None:
        """Run the commands queued on ``writes`` (never executed itself) if every key in
        ``read`` still holds the value given (None: absent). Then: the values those keys
        hold after the writes; None if one had changed (nothing was written)."""
        args, after = self.encode(read, writes)
        if not self.script(keys=list(read), args=[value or b"" for value in read.values()] + args):
            return None
        return after

    @classmethod
    def encode(
        cls, read: dict[str, bytes | None], writes: redis.client.Pipeline
    ) -> tuple[list, dict[str, bytes | None]]:
        """The writes recorded on ``writes`` (which is reset) as ``run_writes`` reads them,
        and the values the keys of ``read`` will hold after them."""
        commands = [command for command, _options in writes.command_stack]
        scripts = bool(writes.scripts)
        writes.reset()
        if scripts:
            raise ValueError("a script cannot run inside a checked write")
        args: list = []
        after = dict(read)
        for command in commands:
            name = str(command[0]).upper()
            if name not in cls.WRITES or len(command) > cls.MAX_ARGS:
                raise ValueError(f"a checked write does not run {name} ({len(command)} args)")
            args += [len(command), *command]
            if name == "SET" and command[1] in after:
                value = command[2]
                after[command[1]] = value.encode() if isinstance(value, str) else value
            elif name == "DEL":
                after.update((key, None) for key in command[1:] if key in after)
        return args, after
