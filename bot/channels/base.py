"""What both channel adapters share: rejection, timestamps, XML parsing, replies.

A channel adapter turns WeChat's HTTP request into an :class:`Incoming` (or
refuses it with :class:`Rejected`), and turns a :class:`Reply` back into
the XML WeChat expects, encrypted when the request was.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import xmltodict
from wechatpy.replies import TextReply

from bot.incoming import Channel, Incoming, Kind

MAX_INT_DIGITS = 20  # MsgId is a 64-bit integer: 20 digits at most
MESSAGE_KINDS = {"text": Kind.TEXT, "image": Kind.IMAGE, "event": Kind.EVENT}


class Rejected(Exception):
    """A request we will not process. ``status`` is the HTTP answer (400, 403)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Parsed:
    """A verified request: the message, and how to seal the answer."""

    incoming: Incoming
    encrypted: bool
    nonce: str
    timestamp: str


@dataclass(frozen=True)
class Reply:
    """A passive reply. ``kind`` is ``text``, ``button`` (WeCom: update the
    tapped card's buttons to ``text``) or ``none`` (answer ``success``)."""

    kind: str = "none"
    text: str = ""


NO_REPLY = Reply()


def check_timestamp(timestamp: str, max_age: int, now: float | None = None) -> None:
    """Refuse replays: the request's timestamp must be recent (``max_age`` 0 = off)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        raise Rejected(403, "missing or bad timestamp") from None
    if max_age and abs((now or time.time()) - sent) > max_age:
        raise Rejected(403, "timestamp too old")


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts (the token among them), sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def check_signature(given: str, *parts: str, what: str = "signature") -> None:
    """Refuse unless ``given`` is the signature of ``parts``, compared in constant time
    (here, not by trusting a library's ``!=``)."""
    if not hmac.compare_digest(signature(*parts).encode(), given.encode()):
        raise Rejected(403, f"bad {what}")


def envelope(body: bytes) -> dict[str, Any]:
    """The fields of an encrypted request's outer XML; ``Encrypt`` must be one text value."""
    try:
        fields = xmltodict.parse(body)["xml"]
    except Exception as exc:  # noqa: BLE001 - any way a hostile body can fail to parse
        raise Rejected(400, f"malformed envelope ({type(exc).__name__})") from None
    if not isinstance(fields, dict) or not scalar(fields, "Encrypt"):
        raise Rejected(400, "no Encrypt in the envelope")
    return fields


def required(args: Mapping[str, str], *names: str) -> list[str]:
    values = [args.get(n, "") for n in names]
    if not all(values):
        raise Rejected(
            403, "missing " + ", ".join(n for n, v in zip(names, values, strict=False) if not v)
        )
    return values


def parse_xml(xml: str | bytes, parse_message: Any) -> Any:
    """wechatpy's parser, with every way a hostile body can make it fail turned into a 400.

    Besides malformed XML (``ExpatError``), wechatpy raises what its field
    converters raise on repeated, nested or attribute-carrying elements, and
    ``RecursionError`` on deeply nested ones: all of it is the sender's fault.
    """
    try:
        message = parse_message(xml)
    except Exception as exc:  # noqa: BLE001 - see above; never a 500 for a body
        raise Rejected(400, f"malformed XML ({type(exc).__name__})") from None
    if message is None:
        raise Rejected(400, "empty body")
    return message


def to_incoming(channel: Channel, message: Any) -> Incoming:
    """Describe a parsed wechatpy message channel-neutrally.

    Read from the raw fields wechatpy keeps (``_data``): WeCom's
    ``template_card_event`` arrives as wechatpy's ``UnknownMessage``, which
    has no typed attributes (docs/wechat.md).
    """
    return incoming_from_fields(channel, message._data)


def incoming_from_fields(channel: Channel, raw: Any) -> Incoming:
    """Describe a message from WeChat's fields (``FromUserName``, ``MsgType``, ...), each
    one text value, whether they came as XML or, from WeChat Cloud Run, as JSON."""
    if not isinstance(raw, dict):
        raise Rejected(400, "no message fields")
    user = scalar(raw, "FromUserName")
    if not user:
        raise Rejected(400, "no FromUserName")
    msg_type = scalar(raw, "MsgType").lower()
    return Incoming(
        channel=channel,
        user=user,
        bot_id=scalar(raw, "ToUserName"),
        kind=MESSAGE_KINDS.get(msg_type, Kind.OTHER),
        msg_type=msg_type,
        text=scalar(raw, "Content"),
        media_id=scalar(raw, "MediaId"),
        pic_url=scalar(raw, "PicUrl"),
        event=scalar(raw, "Event").lower(),
        event_key=scalar(raw, "EventKey"),
        task_id=scalar(raw, "TaskId"),
        menu_id=scalar(raw, "bizmsgmenuid"),
        response_code=scalar(raw, "ResponseCode"),
        msg_id=integer(raw, "MsgId"),
        create_time=integer(raw, "CreateTime"),
    )


def scalar(raw: dict[str, Any], name: str) -> str:
    """A field that must be one text value: absent is ``""``; repeated (a list),
    nested or carrying attributes (a dict) is a malformed body (400)."""
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Rejected(400, f"{name} is not one text value")
    return value


def integer(raw: dict[str, Any], name: str) -> int:
    """A numeric field: ASCII digits, at most 20 (a 64-bit id); absent is 0."""
    text = scalar(raw, name).strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_INT_DIGITS:
        raise Rejected(400, f"bad {name}")
    return int(text)


def render_plain(incoming: Incoming, reply: Reply) -> str:
    """The reply XML before encryption; ``""`` when there is nothing to say."""
    if reply.kind == "text" and reply.text:
        return TextReply(source=incoming.bot_id, target=incoming.user, content=reply.text).render()
    if reply.kind == "button":
        return _update_button_xml(incoming, reply.text)
    return ""


def _update_button_xml(incoming: Incoming, text: str) -> str:
    # wechatpy has no reply class for WeCom's update_button: built here, CDATA-safe.
    def cdata(value: str) -> str:
        return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"

    return (
        "<xml>"
        f"<ToUserName>{cdata(incoming.user)}</ToUserName>"
        f"<FromUserName>{cdata(incoming.bot_id)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[update_button]]></MsgType>"
        f"<Button><ReplaceName>{cdata(text)}</ReplaceName></Button>"
        "</xml>"
    )
