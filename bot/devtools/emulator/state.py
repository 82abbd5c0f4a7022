"""Everything the emulator remembers, in memory, behind one lock.

The routes stay thin: they parse a request, ask this object, and render its
answer. All rules with a memory live here (token lifetimes, the 48-hour
customer-service window, quotas, queued faults), each in a few lines, and all
read the time from :meth:`EmulatorState.now` so tests can move the clock
instead of sleeping.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app

from bot.devtools.emulator.config import KNOBS, EmulatorConfig
from bot.devtools.peer import CloudRunPeer, Message, OfficialPeer, Peer, WeComPeer

WINDOW_SECONDS = 48 * 3600  # customer-service messages: 48 h after the user's last message
SENDS_PER_MESSAGE = 5  # ... and at most 5 per message received
SENDS_PER_EVENT = 3  # menu clicks, subscribes and scans allow fewer (WeChat: "fewer")
GRANTING_EVENTS = frozenset({"subscribe", "CLICK", "SCAN", "scancode_push", "scancode_waitmsg"})
TOKEN_GRACE = 300  # a replaced token stays valid 5 more minutes
STABLE_RENEW_BEFORE = 300  # stable_token hands out a new token in its old one's last 5 minutes
RESPONSE_CODE_TTL = 72 * 3600  # a WeCom card ResponseCode can be used once, within 72 h
MAX_CALLS_KEPT = 5000


@dataclass
class IssuedToken:
    app: str  # "official" or "wecom"
    expires_at: float
    superseded: bool = False  # replaced by a newer one: 40001 after the grace, not 42001


@dataclass
class Window:
    """What one user's last message allows the account to send."""

    last_at: float
    remaining: int
    unsubscribed: bool = False


@dataclass
class Fault:
    """A queued wrong answer for the next ``count`` calls to one path."""

    errcode: int | None = None
    errmsg: str | None = None
    status: int | None = None  # an HTTP error instead of a JSON answer
    delay: float = 0.0  # seconds to wait before answering
    stall: float = 0.0  # seconds to wait after carrying the call out, before answering
    count: int = 1


@dataclass
class Media:
    data: bytes
    content_type: str
    filename: str


class EmulatorState:
    """The emulator's memory. Every public method takes the lock: safe from any thread."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget everything: tokens, media, messages, calls, faults, quotas, windows."""
        with self._lock:
            self.knobs = replace(self.config)  # run-time copy that /_emulator/settings changes
            self.offset = 0.0
            self.tokens: dict[str, IssuedToken] = {}
            self.current_tokens: dict[str, str] = {}  # slot ("official:token", ...) -> token
            self.media: dict[str, Media] = {}
            self.messages: list[dict[str, Any]] = []
            self.calls: deque[dict[str, Any]] = deque(maxlen=MAX_CALLS_KEPT)
            self.call_seq = 0
            self.faults: dict[str, deque[Fault]] = {}
            self.windows: dict[str, Window] = {}
            self.ocr_used: dict[tuple[str, str], int] = {}
            self.canned: dict[tuple[str, str | None], dict[str, Any]] = {}
            self.menu: dict[str, Any] | None = None
            self.response_codes: dict[str, float] = {}  # unused code -> expiry
            self.task_ids: set[str] = set()
            self.results: list[dict[str, Any]] = []  # result-webhook POSTs, as received

    # -- clock --------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move the emulator's clock forward (token expiry, windows, quota days)."""
        with self._lock:
            self.offset += seconds
            return self.now()

    def update_knobs(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change behaviour knobs; an unknown knob or a value of the wrong type: ValueError."""
        unknown = set(changes) - set(KNOBS)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {list(KNOBS)}")
        with self._lock:
            checked = {
                name: _same_type(getattr(self.knobs, name), v) for name, v in changes.items()
            }
            for name, value in checked.items():
                setattr(self.knobs, name, value)
            return self.knobs.knobs()

    # -- access tokens ------------------------------------------------------

    def issue_token(
        self, app: str, slot: str, *, reuse: bool, force: bool = False
    ) -> tuple[str, int]:
        """A token for ``app`` from ``slot`` and its remaining lifetime in seconds.

        ``reuse``: hand back the slot's current token while it is valid (WeCom's
        gettoken, stable_token) instead of minting one each call (/cgi-bin/token).
        A replaced token stays valid for :data:`TOKEN_GRACE` seconds.
        """
        with self._lock:
            now = self.now()
            key = f"{app}:{slot}"
            current = self.tokens.get(self.current_tokens.get(key, ""))
            if current and reuse and not force and now < current.expires_at:
                renew_before = STABLE_RENEW_BEFORE if slot == "stable" else 0
                if current.expires_at - now > renew_before:
                    return self.current_tokens[key], int(current.expires_at - now)
            if current and current.expires_at > now + TOKEN_GRACE:
                current.expires_at = now + TOKEN_GRACE
                current.superseded = True
            token = secrets.token_urlsafe(96)
            ttl = int(self.knobs.token_ttl)
            self.tokens[token] = IssuedToken(app, now + ttl)
            self.current_tokens[key] = token
            return token, ttl

    def check_token(self, app: str, token: str | None) -> int:
        """0, or the errcode WeChat answers for this token: 41001, 40001 (40014 WeCom), 42001."""
        if not token:
            return 41001
        with self._lock:
            issued = self.tokens.get(token)
            if issued is None or issued.app != app:
                return 40014 if app == "wecom" else 40001
            if self.now() >= issued.expires_at:
                return 40001 if issued.superseded else 42001
            return 0

    def expire_tokens(self) -> int:
        """Every issued token expires now: the next call with one answers 42001."""
        with self._lock:
            for issued in self.tokens.values():
                issued.expires_at = self.now() - 1
                issued.superseded = False
            return len(self.tokens)

    # -- media --------------------------------------------------------------

    def add_media(self, data: bytes, content_type: str, filename: str = "") -> str:
        media_id = secrets.token_urlsafe(48)
        with self._lock:
            self.media[media_id] = Media(data, content_type, filename or f"{media_id}.jpg")
        return media_id

    def get_media(self, media_id: str) -> Media | None:
        with self._lock:
            return self.media.get(media_id)

    # -- messages sent to users and calls received ---------------------------

    def record_message(self, channel: str, path: str, touser: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.messages.append(
                {"channel": channel, "path": path, "touser": touser, "body": body, "at": self.now()}
            )

    def messages_for(self, touser: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.messages if touser is None or m["touser"] == touser]

    def record_result(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Keep one result-webhook POST; ``seq`` numbers them like calls."""
        with self._lock:
            kept = {"seq": len(self.results) + 1, **entry, "at": self.now()}
            self.results.append(kept)
            return kept

    def list_results(self, after: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.results if r["seq"] > after]

    def record_call(self, call: dict[str, Any]) -> None:
        """Keep a call; ``seq`` numbers them so a poller can ask for the new ones only."""
        with self._lock:
            self.call_seq += 1
            self.calls.append({"seq": self.call_seq, **call, "at": self.now()})

    def list_calls(self, after: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c["seq"] > after]

    # -- faults ---------------------------------------------------------------

    def add_fault(self, path: str, fault: Fault) -> None:
        with self._lock:
            self.faults.setdefault(path, deque()).append(fault)

    def take_fault(self, path: str) -> Fault | None:
        """The fault for this call to ``path``, if one is queued (counting it down)."""
        with self._lock:
            queue = self.faults.get(path)
            if not queue:
                return None
            fault = queue[0]
            fault.count -= 1
            if fault.count <= 0:
                queue.popleft()
            return fault

    # -- customer-service window (Official Account) --------------------------

    def note_inbound(self, channel: str, message: Message) -> None:
        """A message the emulator delivered for a user: opens (or closes) their window."""
        with self._lock:
            if channel == "wecom":
                if message.event == "template_card_event":
                    code = str(message.fields.get("ResponseCode", ""))
                    self.response_codes[code] = self.now() + RESPONSE_CODE_TTL
                return
            user = message.from_user
            if message.event == "unsubscribe":
                self.windows[user] = Window(self.now(), 0, unsubscribed=True)
            elif message.event is None:
                self.windows[user] = Window(self.now(), SENDS_PER_MESSAGE)
            elif message.event in GRANTING_EVENTS:
                self.windows[user] = Window(self.now(), SENDS_PER_EVENT)

    def consume_send(self, openid: str) -> int:
        """0 and one send used, or 45015 (out of window, unsubscribed) / 45047 (out of count)."""
        with self._lock:
            window = self.windows.get(openid)
            if window is None:
                return 45015 if self.knobs.strict_window else 0
            if window.unsubscribed or self.now() - window.last_at > WINDOW_SECONDS:
                return 45015
            if window.remaining <= 0:
                return 45047
            window.remaining -= 1
            return 0

    # -- OCR ------------------------------------------------------------------

    def take_ocr_quota(self, endpoint: str) -> bool:
        """Count one call to ``endpoint``; False once today's quota is used up.

        Days are counted in Beijing time (UTC+8), when WeChat's quotas reset.
        """
        with self._lock:
            day = time.strftime("%Y-%m-%d", time.gmtime(self.now() + 8 * 3600))
            used = self.ocr_used.get((day, endpoint), 0)
            if used >= self.knobs.ocr_daily_quota:
                return False
            self.ocr_used[(day, endpoint)] = used + 1
            return True

    def set_canned(self, sha256: str, response: dict[str, Any], endpoint: str | None) -> None:
        with self._lock:
            self.canned[(sha256.lower(), endpoint)] = response

    def canned_for(self, sha256: str, endpoint: str) -> dict[str, Any] | None:
        """The canned answer for this image: one registered for the endpoint first, then any."""
        with self._lock:
            return self.canned.get((sha256, endpoint)) or self.canned.get((sha256, None))

    # -- menu and WeCom cards ---------------------------------------------------

    def set_menu(self, menu: dict[str, Any]) -> None:
        with self._lock:
            self.menu = menu

    def get_menu(self) -> dict[str, Any] | None:
        with self._lock:
            return self.menu

    def claim_task_id(self, task_id: str) -> bool:
        """False when the app already used this task_id (WeCom wants them unique)."""
        with self._lock:
            if task_id in self.task_ids:
                return False
            self.task_ids.add(task_id)
            return True

    def issue_response_code(self) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self.response_codes[code] = self.now() + RESPONSE_CODE_TTL
        return code

    def use_response_code(self, code: str) -> bool:
        """True once per code, within 72 h of its issue."""
        with self._lock:
            expires = self.response_codes.pop(code, None)
            return expires is not None and self.now() < expires

    # -- peers ------------------------------------------------------------------

    def make_peer(
        self, channel: str, mode: str | None = None, webhook_base: str | None = None
    ) -> Peer:
        """A peer delivering to the bot with the configured credentials.

        ``mode`` (Official Account) defaults to ``safe`` with an AES key, else ``plain``;
        for ``cloudrun`` (the Official Account's messages pushed by WeChat Cloud Run to
        ``/wxcloudrun``) it is the format, ``json`` (the default) or ``xml``.

        Its deliveries count for the customer-service window (and WeCom
        ResponseCodes), as if WeChat had carried them.
        """
        base = (webhook_base or self.knobs.webhook_base).rstrip("/")
        if not base:
            raise ValueError("no webhook_base: set it in the config or /_emulator/settings")
        cfg = self.config
        if channel == "official":
            return OfficialPeer(
                base + "/wechat",
                cfg.wechat_token,
                cfg.wechat_appid,
                cfg.wechat_aes_key or None,
                mode or ("safe" if cfg.wechat_aes_key else "plain"),
                to_user=cfg.account_id,
                timeout=cfg.peer_timeout,
                on_deliver=lambda message: self.note_inbound("official", message),
            )
        if channel == "cloudrun":
            return CloudRunPeer(
                base + "/wxcloudrun",
                cfg.wechat_appid,
                mode or "json",
                to_user=cfg.account_id,
                timeout=cfg.peer_timeout,
                on_deliver=lambda message: self.note_inbound("official", message),
            )
        if channel == "wecom":
            return WeComPeer(
                base + "/wecom",
                cfg.wecom_token,
                cfg.wecom_aes_key,
                cfg.wecom_corp_id,
                cfg.wecom_agent_id,
                timeout=cfg.peer_timeout,
                on_deliver=lambda message: self.note_inbound("wecom", message),
            )
        raise ValueError(f"unknown channel {channel!r}: official, cloudrun or wecom")


def _same_type(current: Any, value: Any) -> Any:
    """``value`` as the type of ``current`` (bools strictly: "false" is not False)."""
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, not {value!r}")
        return value
    try:
        return type(current)(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"expected a {type(current).__name__}, not {value!r}") from exc


def current_state() -> EmulatorState:
    """The state of the emulator app serving this request."""
    return current_app.extensions["emulator"]
