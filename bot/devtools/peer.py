"""Acting as WeChat towards the bot's webhook.

WeChat's servers cannot be reached from a test or a laptop, so something has
to play their part: build the callback requests WeChat and WeCom send (same
XML, same query parameters, same signatures and AES envelopes, made by
wechatpy), POST them, and open the bot's reply the way WeChat would.

- :class:`OfficialPeer` speaks for an Official Account in plaintext,
  compatible or safe mode; :class:`WeComPeer` for a WeCom app (always
  encrypted); :class:`CloudRunPeer` for WeChat Cloud Run's message push
  (JSON or XML, unsigned, with WeChat's ``x-wx-source`` header).
- The builders (``peer.text(...)``, ``peer.image(...)``, ``peer.click(...)``,
  ...) return a :class:`Message`: WeChat's XML fields, in WeChat's order.
- ``peer.deliver(message)`` posts it, optionally several times like WeChat's
  retries, and returns a :class:`Delivery` with every exchange in full.

Knobs for rejection tests: ``timestamp=`` (an old one), ``bad_signature=True``,
a peer built with the wrong appid / corp id, and :meth:`deliver_raw` for an
arbitrary body.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import requests
import xmltodict
from wechatpy.crypto import PrpCrypto as OfficialPrpCrypto
from wechatpy.crypto import WeChatCrypto as OfficialCrypto
from wechatpy.utils import WeChatSigner
from wechatpy.work.crypto import PrpCrypto as WorkPrpCrypto
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

Mode = Literal["plain", "compat", "safe"]
FieldValue = str | int | float

# A random 62-bit start plus a counter: unique within the process, 64-bit like WeChat's.
_msg_ids = itertools.count(secrets.randbits(62))


def next_msg_id() -> int:
    """A fresh MsgId (``itertools.count`` is atomic under the GIL: safe across threads)."""
    return next(_msg_ids)


def _cdata(value: str) -> str:
    # "]]>" cannot appear inside one CDATA section: split it across two.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class Message:
    """One callback message, as the ordered XML fields WeChat sends.

    Strings go out as CDATA, numbers bare, exactly like WeChat's own XML.
    """

    fields: dict[str, FieldValue]

    def to_xml(self) -> str:
        lines = [
            f"<{name}>{_cdata(value) if isinstance(value, str) else value}</{name}>"
            for name, value in self.fields.items()
        ]
        return "<xml>" + "".join(lines) + "</xml>"

    @property
    def from_user(self) -> str:
        return str(self.fields["FromUserName"])

    @property
    def msg_type(self) -> str:
        return str(self.fields["MsgType"])

    @property
    def event(self) -> str | None:
        event = self.fields.get("Event")
        return None if event is None else str(event)

    @property
    def msg_id(self) -> int | None:
        msg_id = self.fields.get("MsgId")
        return None if msg_id is None else int(msg_id)


@dataclass
class Attempt:
    """One HTTP exchange with the webhook.

    ``status`` is None when no HTTP answer came (timeout, refused connection);
    ``error`` then says why, or says why the reply could not be opened.
    ``reply`` is the reply XML (decrypted when it was encrypted) as a dict,
    None for an empty answer, ``success`` or anything that is not XML.
    """

    query: dict[str, str]
    request_xml: str  # the message in plaintext
    request_body: str  # what was POSTed (encrypted in compat/safe and WeCom)
    status: int | None = None
    body: str = ""
    reply_xml: str | None = None
    reply: dict[str, Any] | None = None
    elapsed_ms: float = 0.0
    error: str | None = None


@dataclass
class Delivery:
    """Every try of one message. The shortcuts read the first try."""

    message: Message
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def status(self) -> int | None:
        return self.attempts[0].status

    @property
    def body(self) -> str:
        return self.attempts[0].body

    @property
    def reply(self) -> dict[str, Any] | None:
        return self.attempts[0].reply

    @property
    def reply_xml(self) -> str | None:
        return self.attempts[0].reply_xml

    @property
    def request_xml(self) -> str:
        return self.attempts[0].request_xml

    @property
    def request_body(self) -> str:
        return self.attempts[0].request_body

    @property
    def elapsed_ms(self) -> float:
        return self.attempts[0].elapsed_ms

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the first try's fields at the top, every try under ``attempts``."""
        first = asdict(self.attempts[0])
        return {**first, "attempts": [asdict(a) for a in self.attempts]}


@dataclass
class UrlCheck:
    """The answer to a server-configuration check: ``ok`` when it echoed correctly."""

    status: int | None
    answer: str
    expected: str
    elapsed_ms: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.answer == self.expected


def _prp_with_prefix(base: type, prefix: str) -> type:
    """A wechatpy PrpCrypto whose 16 "random" bytes are fixed (for known-answer tests)."""
    return type("FixedPrefixPrpCrypto", (base,), {"get_random_string": lambda self: prefix})


class _Peer:
    """What both channels share: builders, posting, retries, reply decoding."""

    channel: str = ""
    _crypto: OfficialCrypto | WorkCrypto | None = None
    _prp_class: type = OfficialPrpCrypto

    def __init__(
        self,
        url: str,
        token: str,
        to_user: str,
        *,
        timeout: float = 5.0,
        fixed_prefix: str | None = None,
        on_deliver: Callable[[Message], None] | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.to_user = to_user
        self.timeout = timeout
        self.fixed_prefix = fixed_prefix
        self.on_deliver = on_deliver

    # -- message builders -------------------------------------------------

    def _base(self, user: str, msg_type: str) -> dict[str, FieldValue]:
        return {
            "ToUserName": self.to_user,
            "FromUserName": user,
            "CreateTime": int(time.time()),
            "MsgType": msg_type,
        }

    def _finish(self, fields: dict[str, FieldValue]) -> Message:
        """Hook for channel-specific trailing fields (WeCom's AgentID)."""
        return Message(fields)

    def _message(self, user: str, msg_type: str, **body: FieldValue) -> Message:
        return self._finish({**self._base(user, msg_type), **body, "MsgId": next_msg_id()})

    def text(self, user: str, content: str, menu_id: str = "") -> Message:
        """A text typed; with ``menu_id``, a tap on that msgmenu item, whose id WeChat
        adds as ``bizmsgmenuid``, a bare number (and sometimes leaves out: then
        ``menu_id=""``)."""
        tapped: dict[str, FieldValue] = {}
        if menu_id:
            tapped["bizmsgmenuid"] = (
                int(menu_id) if menu_id.isascii() and menu_id.isdigit() else menu_id
            )
        return self._message(user, "text", Content=content, **tapped)

    def image(self, user: str, media_id: str, pic_url: str = "") -> Message:
        return self._message(user, "image", PicUrl=pic_url, MediaId=media_id)

    def voice(self, user: str, media_id: str, format: str = "amr") -> Message:
        return self._message(user, "voice", MediaId=media_id, Format=format)

    def video(self, user: str, media_id: str, thumb_media_id: str = "") -> Message:
        return self._message(user, "video", MediaId=media_id, ThumbMediaId=thumb_media_id)

    def location(
        self,
        user: str,
        x: float = 23.134521,
        y: float = 113.358803,
        scale: int = 20,
        label: str = "",
    ) -> Message:
        return self._message(user, "location", Location_X=x, Location_Y=y, Scale=scale, Label=label)

    def link(self, user: str, title: str, description: str, url: str) -> Message:
        return self._message(user, "link", Title=title, Description=description, Url=url)

    def event(self, user: str, event: str, key: str | None = None, **extra: FieldValue) -> Message:
        """Any event; events carry no MsgId (dedupe them on user + CreateTime + Event)."""
        fields = {**self._base(user, "event"), "Event": event}
        if key is not None:
            fields["EventKey"] = key
        return self._finish({**fields, **extra})

    def subscribe(self, user: str) -> Message:
        return self.event(user, "subscribe", "")

    def unsubscribe(self, user: str) -> Message:
        return self.event(user, "unsubscribe", "")

    def click(self, user: str, key: str) -> Message:
        return self.event(user, "CLICK", key)

    # -- channel specifics ------------------------------------------------

    def _prepare(
        self, message: Message, timestamp: str, nonce: str, bad_signature: bool
    ) -> tuple[dict[str, str], str]:
        """Query parameters and body for one try."""
        raise NotImplementedError

    def encrypt(self, xml: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """(Encrypt, msg_signature) made by wechatpy."""
        assert self._crypto is not None
        if self.fixed_prefix is None:
            envelope = self._crypto.encrypt_message(xml, nonce, timestamp)
        else:  # wechatpy's own envelope code, with its PrpCrypto's random prefix pinned
            prp = _prp_with_prefix(self._prp_class, self.fixed_prefix)
            envelope = self._crypto._encrypt_message(xml, nonce, timestamp, prp)
        parsed = xmltodict.parse(envelope)["xml"]
        return parsed["Encrypt"], parsed["MsgSignature"]

    def _decrypt_reply(self, envelope: dict[str, Any], body: str) -> str:
        assert self._crypto is not None
        return self._crypto.decrypt_message(
            body, envelope.get("MsgSignature"), envelope.get("TimeStamp"), envelope.get("Nonce")
        )

    # -- sending ----------------------------------------------------------

    def deliver(
        self,
        message: Message,
        *,
        tries: int = 1,
        concurrent: bool = False,
        until_answered: bool = False,
        timestamp: int | None = None,
        bad_signature: bool = False,
    ) -> Delivery:
        """POST ``message``; ``tries > 1`` repeats it like WeChat's retries.

        Every try carries the same message (same MsgId) with a fresh nonce.
        ``concurrent`` sends them all at once from threads, as happens when the
        bot is slow and WeChat's retry arrives while the first is still running.
        ``until_answered`` retries only as WeChat does: after a try that got no
        HTTP 200 within ``timeout`` (so at most ``tries`` tries, maybe fewer).
        """
        if self.on_deliver is not None:
            self.on_deliver(message)
        stamp = str(timestamp if timestamp is not None else int(time.time()))

        def one_try(_: int) -> Attempt:
            nonce = str(secrets.randbelow(10**10))
            query, body = self._prepare(message, stamp, nonce, bad_signature)
            return self._post(query, body, message.to_xml())

        if concurrent and tries > 1:
            with ThreadPoolExecutor(max_workers=tries) as pool:
                return Delivery(message, list(pool.map(one_try, range(tries))))
        attempts: list[Attempt] = []
        for i in range(tries):
            attempts.append(one_try(i))
            if until_answered and attempts[-1].status == 200:
                break
        return Delivery(message, attempts)

    def deliver_raw(self, body: str | bytes, query: dict[str, str] | None = None) -> Attempt:
        """POST an arbitrary body; without ``query``, a valid plain ``signature`` is made."""
        if query is None:
            stamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
            query = {"signature": self.signature(stamp, nonce), "timestamp": stamp, "nonce": nonce}
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        return self._post(query, body, request_xml=text)

    def signature(self, *parts: str) -> str:
        """WeChat's signature: sha1 of the sorted, joined parts plus the token (wechatpy)."""
        signer = WeChatSigner()
        signer.add_data(self.token, *parts)
        return signer.signature

    def _post(self, query: dict[str, str], body: str | bytes, request_xml: str) -> Attempt:
        sent = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        attempt = Attempt(query=query, request_xml=request_xml, request_body=sent)
        started = time.perf_counter()
        try:
            response = requests.post(
                self.url,
                params=query,
                data=body.encode() if isinstance(body, str) else body,
                headers=self._headers(request_xml),
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
        else:
            attempt.status = response.status_code
            attempt.body = response.text
            self._open_reply(attempt)
        attempt.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return attempt

    def _headers(self, request_xml: str) -> dict[str, str]:
        return {"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0"}

    def _open_reply(self, attempt: Attempt) -> None:
        """Fill ``reply_xml`` and ``reply`` from the body, decrypting if needed."""
        text = attempt.body.strip()
        if not text.startswith("<"):
            return  # "", "success" or a non-XML answer: nothing to parse
        try:
            envelope = xmltodict.parse(text)["xml"]
            if "Encrypt" in envelope:
                if self._crypto is None:
                    raise ValueError("encrypted reply but the peer has no AES key")
                text = self._decrypt_reply(envelope, text)
            attempt.reply_xml = text
            attempt.reply = dict(xmltodict.parse(text)["xml"])
        except Exception as exc:  # any malformed or undecryptable reply is reported, not raised
            attempt.error = f"reply: {type(exc).__name__}: {exc}"

    def _get(self, query: dict[str, str]) -> tuple[int | None, str, float, str | None]:
        started = time.perf_counter()
        try:
            response = requests.get(self.url, params=query, timeout=self.timeout)
        except requests.RequestException as exc:
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            return None, "", elapsed, f"{type(exc).__name__}: {exc}"
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return response.status_code, response.text, elapsed, None


def _tamper(signature: str) -> str:
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")


class OfficialPeer(_Peer):
    """WeChat calling an Official Account's webhook.

    ``to_user`` is the account's original id (``gh_...``), WeChat's ToUserName.
    ``mode``: ``plain`` (no AES), ``compat`` (plaintext fields plus
    ``Encrypt``) or ``safe`` (``ToUserName`` and ``Encrypt`` only).
    """

    channel = "official"
    _prp_class = OfficialPrpCrypto

    def __init__(
        self,
        url: str,
        token: str,
        appid: str,
        aes_key: str | None = None,
        mode: Mode = "plain",
        *,
        to_user: str = "gh_emulator00001",
        timeout: float = 5.0,
        fixed_prefix: str | None = None,
        on_deliver: Callable[[Message], None] | None = None,
    ) -> None:
        if mode not in ("plain", "compat", "safe"):
            raise ValueError(f"mode must be plain, compat or safe, not {mode!r}")
        if mode != "plain" and not aes_key:
            raise ValueError(f"{mode} mode needs the EncodingAESKey")
        super().__init__(
            url, token, to_user, timeout=timeout, fixed_prefix=fixed_prefix, on_deliver=on_deliver
        )
        self.appid = appid
        self.mode = mode
        self._crypto = OfficialCrypto(token, aes_key, appid) if aes_key else None

    def _prepare(
        self, message: Message, timestamp: str, nonce: str, bad_signature: bool
    ) -> tuple[dict[str, str], str]:
        signature = self.signature(timestamp, nonce)
        query = {
            "signature": _tamper(signature) if bad_signature else signature,
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": message.from_user,
        }
        xml = message.to_xml()
        if self.mode == "plain":
            return query, xml
        encrypt, msg_signature = self.encrypt(xml, timestamp, nonce)
        query["encrypt_type"] = "aes"
        query["msg_signature"] = _tamper(msg_signature) if bad_signature else msg_signature
        if self.mode == "safe":
            fields: dict[str, FieldValue] = {"ToUserName": self.to_user, "Encrypt": encrypt}
        else:
            fields = {**message.fields, "Encrypt": encrypt}
        return query, Message(fields).to_xml()

    def url_check(
        self,
        echostr: str | None = None,
        *,
        timestamp: int | None = None,
        bad_signature: bool = False,
    ) -> UrlCheck:
        """The GET WeChat sends when the server URL is saved; a valid webhook echoes ``echostr``."""
        echostr = echostr or str(secrets.randbits(63))
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = str(secrets.randbelow(10**10))
        signature = self.signature(stamp, nonce)
        query = {
            "signature": _tamper(signature) if bad_signature else signature,
            "timestamp": stamp,
            "nonce": nonce,
            "echostr": echostr,
        }
        status, answer, elapsed, error = self._get(query)
        return UrlCheck(status, answer, echostr, elapsed, error)


class WeComPeer(_Peer):
    """WeCom calling an app's webhook: always encrypted, ``AgentID`` in every message."""

    channel = "wecom"
    _prp_class = WorkPrpCrypto

    def __init__(
        self,
        url: str,
        token: str,
        aes_key: str,
        corp_id: str,
        agent_id: int | str,
        *,
        timeout: float = 5.0,
        fixed_prefix: str | None = None,
        on_deliver: Callable[[Message], None] | None = None,
    ) -> None:
        super().__init__(
            url, token, corp_id, timeout=timeout, fixed_prefix=fixed_prefix, on_deliver=on_deliver
        )
        self.corp_id = corp_id
        self.agent_id = int(agent_id)
        self._crypto = WorkCrypto(token, aes_key, corp_id)

    def _finish(self, fields: dict[str, FieldValue]) -> Message:
        return Message({**fields, "AgentID": self.agent_id})

    def file(self, user: str, media_id: str, title: str = "file") -> Message:
        return self._message(user, "file", MediaId=media_id, Title=title)

    def enter_agent(self, user: str) -> Message:
        return self.event(user, "enter_agent", "")

    def template_card_event(
        self,
        user: str,
        key: str,
        task_id: str,
        card_type: str = "button_interaction",
        response_code: str | None = None,
    ) -> Message:
        """A tap on a template card's button; ``ResponseCode`` lets the bot update the card once."""
        return self.event(
            user,
            "template_card_event",
            key,
            TaskId=task_id,
            CardType=card_type,
            ResponseCode=response_code or secrets.token_urlsafe(24),
        )

    def _prepare(
        self, message: Message, timestamp: str, nonce: str, bad_signature: bool
    ) -> tuple[dict[str, str], str]:
        encrypt, msg_signature = self.encrypt(message.to_xml(), timestamp, nonce)
        query = {
            "msg_signature": _tamper(msg_signature) if bad_signature else msg_signature,
            "timestamp": timestamp,
            "nonce": nonce,
        }
        envelope = Message(
            {"ToUserName": self.corp_id, "AgentID": str(self.agent_id), "Encrypt": encrypt}
        )
        return query, envelope.to_xml()

    def url_check(
        self,
        echostr: str | None = None,
        *,
        timestamp: int | None = None,
        bad_signature: bool = False,
    ) -> UrlCheck:
        """Send an encrypted ``echostr``; a valid webhook answers the plaintext."""
        plain = echostr or str(secrets.randbits(63))
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = str(secrets.randbelow(10**10))
        encrypted, msg_signature = self.encrypt(plain, stamp, nonce)
        query = {
            "msg_signature": _tamper(msg_signature) if bad_signature else msg_signature,
            "timestamp": stamp,
            "nonce": nonce,
            "echostr": encrypted,
        }
        status, answer, elapsed, error = self._get(query)
        return UrlCheck(status, answer, plain, elapsed, error)


class CloudRunPeer(_Peer):
    """WeChat Cloud Run (微信云托管) pushing an Official Account's messages to a service.

    Over WeChat's internal network: no query, no signature, no encryption; the message's
    fields as a JSON object or as the XML (``format``, as set in the console), with the
    ``x-wx-source`` header WeChat adds (``source=False`` leaves it out, as a request from
    the internet would). :meth:`path_check` is the console's first
    request. A JSON reply is opened into ``reply`` as it is; an XML one as usual.
    """

    channel = "cloudrun"

    def __init__(
        self,
        url: str,
        appid: str,
        format: Literal["json", "xml"] = "json",
        *,
        to_user: str = "gh_emulator00001",
        source: bool = True,
        timeout: float = 5.0,
        on_deliver: Callable[[Message], None] | None = None,
    ) -> None:
        if format not in ("json", "xml"):
            raise ValueError(f"format must be json or xml, not {format!r}")
        super().__init__(url, "", to_user, timeout=timeout, on_deliver=on_deliver)
        self.appid = appid
        self.format = format
        self.source = source

    def body(self, fields: dict[str, FieldValue]) -> str:
        if self.format == "json":
            return json.dumps(fields, ensure_ascii=False)
        return Message(fields).to_xml()

    def _prepare(
        self, message: Message, timestamp: str, nonce: str, bad_signature: bool
    ) -> tuple[dict[str, str], str]:
        return {}, self.body(message.fields)

    def _headers(self, request_xml: str) -> dict[str, str]:
        kind = "application/json" if self.format == "json" else "text/xml"
        headers = {"Content-Type": kind}
        if self.source:  # WeChat's pushes carry it (what it says does not matter)
            headers["x-wx-source"] = "wx-cloudrun-push"
        return headers

    def _open_reply(self, attempt: Attempt) -> None:
        if not attempt.body.strip().startswith("{"):
            super()._open_reply(attempt)
            return
        try:
            reply = json.loads(attempt.body)
        except ValueError as exc:
            attempt.error = f"reply: {type(exc).__name__}: {exc}"
            return
        attempt.reply = reply if isinstance(reply, dict) else None

    def path_check(self) -> UrlCheck:
        """The check the console sends when the push is configured: wants 200 ``success``."""
        started = time.perf_counter()
        body = self.body({"action": "CheckContainerPath"})
        attempt = self._post({}, body, request_xml=body)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return UrlCheck(attempt.status, attempt.body, "success", elapsed, attempt.error)


Peer = OfficialPeer | WeComPeer | CloudRunPeer

# Builders reachable from a JSON description ({"type": ..., "from": ..., ...}).
_BUILDERS = frozenset(
    {"text", "image", "voice", "video", "location", "link", "file"}
    | {"subscribe", "unsubscribe", "click", "enter_agent", "template_card_event"}
)
# Events with their own builder, by the name WeChat puts in Event.
_EVENT_BUILDERS = {
    "subscribe": "subscribe",
    "unsubscribe": "unsubscribe",
    "CLICK": "click",
    "enter_agent": "enter_agent",
    "template_card_event": "template_card_event",
}


def message_from_dict(peer: Peer, data: dict[str, Any]) -> Message:
    """Build a message from ``{"type": "text", "from": USER, "content": "..."}``.

    ``type`` is a builder name (``text``, ``image``, ``click``, ...) or
    ``event`` with an ``event`` key (``{"type": "event", "event": "CLICK",
    "key": "..."}``); the other keys are the builder's arguments. Raises
    ValueError for an unknown type or argument.
    """
    data = dict(data)
    kind = data.pop("type", None)
    user = data.pop("from", None)
    if not isinstance(user, str) or not user:
        raise ValueError("message needs a 'from' user")
    if kind == "event":
        event = str(data.pop("event", ""))
        if event not in _EVENT_BUILDERS:
            return peer.event(user, event, **data)
        kind = _EVENT_BUILDERS[event]
    builder = getattr(peer, str(kind), None) if kind in _BUILDERS else None
    if builder is None:
        raise ValueError(f"unknown message type {kind!r} for the {peer.channel} channel")
    try:
        return builder(user, **data)
    except TypeError as exc:
        raise ValueError(f"bad arguments for {kind}: {exc}") from exc
