"""A message's Redis round trip: the checks, and the handlers' writes when their guess was right.

One Lua script, run atomically, in the order the webhook needs the answers:

1. the replay check (``Replays``): a (timestamp, nonce) pair seen before with another
   body is refused, and nothing else happens;
2. the delivery (``Deliveries``): the try is counted; a message that an earlier try
   answered, or is answering, stops here;
3. for the try that processes the message: counted for ``/stats`` (``Usage``), the
   block and the day's one refusal (``Blocks``), a photo's rate limit (``RateLimit``);
4. the handlers' decision, made before the script on a *guess* (``Arrivals.guess``):
   the user's state as this process last saw it (none for a user it has not seen, or
   not lately), no dossier, the engine chain an admin chose as last seen, no block, the
   photo allowed. When Redis holds exactly that, the writes the handlers took run here,
   and the message costs this one round trip (a user's messages reaching the same web
   process, as a new user's first message always does);
5. else the user's state and dossier as stored (encrypted: opened in Python) and the
   engine chain: the handlers decide again on them, and a second round trip writes
   what they decided (``store.CheckedWrite``) if the state and the dossier are still
   what this one read.

Each piece's Lua sits beside the Python class that owns its keys; this module only
puts them in order.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.clock import beijing_day, seconds_to_beijing_midnight
from bot.incoming import Incoming, Kind
from bot.limits import DAY_KEEP, Blocks, RateLimit, Usage
from bot.replays import Replays
from bot.store import ENGINE_KEY, CheckedWrite, Deliveries, Delivery, key

if TYPE_CHECKING:
    from redis.client import Pipeline

    from bot.runtime import Runtime

# The script's keys and arguments, by name, in order (the Lua comment is made from them).
KEYS = ("nonce", "seen", "claim", "usage", "blocked", "refused", "rate", "state", "dossier",
        "engine")  # fmt: skip
ARGS = ("digest", "nonce_ttl", "count", "seen_ttl", "lease_ms", "usage_ttl", "who", "admin",
        "photo", "refusal_ttl", "now", "photo_limit", "photo_window", "guessed", "state_was",
        "dossier_was", "engine_was")  # fmt: skip
NO_REPLAY = key("nonce", "unchecked")  # a key name to pass when there is no replay check
KNOWN_USERS = 4096  # the users whose state a process remembers for its guesses

SCRIPT = (
    Replays.LUA
    + Deliveries.LUA
    + Blocks.LUA
    + RateLimit.LUA
    + CheckedWrite.RUN_WRITES
    + f"""
-- KEYS: {", ".join(KEYS)}
-- ARGV: {", ".join(ARGS)}, then the writes decided on the guess
"""
    + """-- digest '' = no replay check; count, admin, photo, guessed: '1' or '0'; '' = absent
if ARGV[1] ~= '' and not replay_ok(KEYS[1], ARGV[1], ARGV[2]) then return {'replayed'} end
local attempt, claimed, reply, job = claim_delivery(KEYS[2], KEYS[3], ARGV[3] == '1', ARGV[4],
  ARGV[5])
if not claimed then return {'waiting', attempt, reply, job} end
local photo = ARGV[9] == '1'
redis.call('HINCRBY', KEYS[4], 'messages', 1)
if photo then redis.call('HINCRBY', KEYS[4], 'photos', 1) end
redis.call('EXPIRE', KEYS[4], ARGV[6])
local is_blocked, refusal_due = false, false
if ARGV[8] ~= '1' then
  is_blocked, refusal_due = blocked(KEYS[5], KEYS[6], ARGV[7], ARGV[10])
end
local retry_at = 0
if photo and not is_blocked then
  retry_at = take_photo(KEYS[7], tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13]))
end
local state, dossier, engine = redis.call('GET', KEYS[8]), redis.call('GET', KEYS[9]),
  redis.call('GET', KEYS[10])
if ARGV[14] == '1' and not is_blocked and retry_at == 0 and (state or '') == ARGV[15]
    and (dossier or '') == ARGV[16] and (engine or '') == ARGV[17] then
  local refused = run_writes(18)
  if refused then
    redis.call('DEL', KEYS[3])  -- unprocessed: the next try takes the claim at once
    return refused
  end
  return {'written', attempt}
end
return {'claimed', attempt, is_blocked and 1 or 0, refusal_due and 1 or 0,
  string.format('%.6f', retry_at), state, dossier, engine}
"""
)


@dataclass(frozen=True)
class Replay:
    """What the replay check needs of a request: its (timestamp, nonce) key, its body's hash."""

    name: str
    digest: str


@dataclass(frozen=True)
class Arrival:
    """What the round trip found.

    ``delivery`` is None for a replay (refused). When ``delivery.claimed``, this try
    processes the message and the rest is set: the guard rails' verdicts and the state
    and dossier as stored, which the commit compares again. ``written``: the guess was
    right and the handlers' writes were made (the rest is the guess).
    """

    delivery: Delivery | None
    written: bool = False
    now: float = 0.0
    blocked: bool = False
    refusal_due: bool = False
    photo_retry_at: float = 0.0
    state: bytes | None = None
    dossier: bytes | None = None
    engine: bytes | None = None  # the engine chain an admin chose (``/engine``), if any


class Arrivals:
    """Runs the arrival script for a message's tries (``runtime.arrivals``)."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.script = runtime.redis.register_script(SCRIPT)
        # The guesses: users' state tokens as this process last saw them (when, token; the
        # oldest first), and the engine key's. Encrypted as stored, kept no longer than
        # the state's own TTL; a wrong guess costs a round trip, no more.
        self.known: dict[str, tuple[float, bytes | None]] = {}
        self.engine: bytes | None = None
        self.lock = threading.Lock()  # the Procfile's gthread workers share the guesses

    def guess(self, msg: Incoming) -> Arrival:
        """What the arrival of ``msg`` will most likely find, for the handlers to decide on
        before it: the state this process last saw, no dossier, the first try, no block,
        the photo allowed."""
        seen, claim = Deliveries.names(msg.dedupe_key)
        with self.lock:
            when, state = self.known.get(self.rt.states.name(msg.channel, msg.user), (0.0, None))
        if time.monotonic() - when > self.rt.states.ttl:
            state = None  # expired in Redis by now, or soon
        return Arrival(
            delivery=Delivery(seen, claim, attempt=1, claimed=True),
            now=time.time(),
            state=state,
            engine=self.engine,
        )

    def learn(self, msg: Incoming, values: dict[str, bytes | None]) -> None:
        """Remember the user's state for the next guess (``values``: by key, as read or
        written), while the user has no dossier: the documents collected, numbers and
        all, are never kept outside Redis (and its TTL), so a user with one is not guessed
        and costs two round trips a message."""
        name = self.rt.states.name(msg.channel, msg.user)
        with self.lock:
            self.known.pop(name, None)  # back in at the end: the oldest go first
            if values[self.rt.dossiers.name(msg.channel, msg.user)] is not None:
                return
            if len(self.known) >= KNOWN_USERS:
                del self.known[next(iter(self.known))]
            self.known[name] = (time.monotonic(), values[name])

    def arrive(
        self,
        msg: Incoming,
        replay: Replay | None = None,
        again: Delivery | None = None,
        guessed: tuple[Arrival, Pipeline] | None = None,
    ) -> Arrival:
        """A try of ``msg``: its first look (``replay``: checked when given; Cloud Run has
        none), or a waiting retry looking ``again`` (not counted as another try).

        ``guessed``: a guess (``guess``) and the writes the handlers took on it, made if
        the guess is right (then ``written``); never executed themselves."""
        rt = self.rt
        now = guessed[0].now if guessed else time.time()
        seen, claim = Deliveries.names(msg.dedupe_key)
        who = msg.identity
        keys = {
            "nonce": replay.name if replay else NO_REPLAY,  # a real key: ACLs check every one
            "seen": seen,
            "claim": claim,
            "usage": Usage.names(beijing_day(now))[0],
            "blocked": Blocks.NAME,
            "refused": Blocks.refused(who),
            "rate": RateLimit.name(msg.channel.value, msg.user),
            "state": rt.states.name(msg.channel, msg.user),
            "dossier": rt.dossiers.name(msg.channel, msg.user),
            "engine": ENGINE_KEY,
        }
        args = {
            "digest": replay.digest if replay else "",
            "nonce_ttl": rt.replays.ttl,
            "count": 0 if again else 1,
            "seen_ttl": Deliveries.TTL,
            "lease_ms": rt.deliveries.lease_ms,
            "usage_ttl": DAY_KEEP,
            "who": who,
            "admin": int(who in rt.settings.admins),
            "photo": int(msg.kind is Kind.IMAGE),
            "refusal_ttl": seconds_to_beijing_midnight(now),
            "now": f"{now:.6f}",
            "photo_limit": rt.rate_limit.limit,
            "photo_window": rt.rate_limit.window,
            "guessed": int(guessed is not None),
            "state_was": b"",
            "dossier_was": b"",
            "engine_was": b"",
        }
        assert tuple(keys) == KEYS and tuple(args) == ARGS  # the order the script reads
        writes, after = [], {}
        if guessed is not None:
            guess, pipe = guessed
            read = {keys["state"]: guess.state, keys["dossier"]: guess.dossier}
            writes, after = CheckedWrite.encode(read, pipe)
            args.update(state_was=guess.state or b"", dossier_was=guess.dossier or b"")
            args["engine_was"] = guess.engine or b""
        found = self.script(keys=list(keys.values()), args=[*args.values(), *writes])
        if found[0] == b"replayed":
            return Arrival(delivery=None)
        attempt = again.attempt if again else int(found[1])
        if found[0] == b"written":
            self.learn(msg, after)
            delivery = rt.deliveries.found(msg.dedupe_key, attempt, True, None, None)
            return replace(guessed[0], delivery=delivery, written=True)
        if found[0] == b"waiting":
            _, _, reply, job = found
            delivery = rt.deliveries.found(msg.dedupe_key, attempt, False, reply, job)
            if (reply or job) and delivery.reply is None and delivery.job is None:
                # Saved under another DATA_KEY: unreadable to every try, so forgotten, and
                # this try may take the claim and process the message.
                rt.deliveries.forget(delivery)
                return self.arrive(msg, again=delivery)
            return Arrival(delivery)
        _, _, blocked, refusal_due, retry_at, state, dossier, engine = found
        self.learn(msg, {keys["state"]: state, keys["dossier"]: dossier})
        self.engine = engine
        return Arrival(
            delivery=rt.deliveries.found(msg.dedupe_key, attempt, True, None, None),
            now=now,
            blocked=bool(blocked),
            refusal_due=bool(refusal_due),
            photo_retry_at=float(retry_at),
            state=state,
            dossier=dossier,
            engine=engine,
        )

    def reread(self, msg: Incoming, arrival: Arrival) -> Arrival:
        """The state and dossier again, after another message of the user changed them."""
        pipe_keys = (
            self.rt.states.name(msg.channel, msg.user),
            self.rt.dossiers.name(msg.channel, msg.user),
        )
        pipe = self.rt.redis.pipeline(transaction=False)
        for name in pipe_keys:
            pipe.get(name)
        state, dossier = pipe.execute()
        self.learn(msg, dict(zip(pipe_keys, (state, dossier), strict=True)))
        return replace(arrival, state=state, dossier=dossier)
