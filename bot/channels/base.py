"""What both channel adapters share: rejection, timestamps, XML parsing, replies.

A channel adapter turns WeChat's HTTP request into an :class:`Incoming` (or
refuses it with :class:`Rejected`), and turns a :class:`Reply` back into
the XML WeChat expects, encrypted when the request was.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy.replies import TextReply

from bot.incoming import Channel, Incoming, Kind

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


def required(args: Mapping[str, str], *names: str) -> list[str]:
    values = [args.get(n, "") for n in names]
    if not all(values):
        raise Rejected(
            403, "missing " + ", ".join(n for n, v in zip(names, values, strict=False) if not v)
        )
    return values


def parse_xml(xml: str | bytes, parse_message: Any) -> Any:
    """wechatpy's parser, with every way malformed XML can fail turned into a 400."""
    try:
        message = parse_message(xml)
    except (ExpatError, KeyError, TypeError, ValueError, AttributeError) as exc:
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


def incoming_from_fields(channel: Channel, raw: Mapping[str, Any]) -> Incoming:
    """Describe a message from WeChat's fields (``FromUserName``, ``MsgType``, ...),
    whether they came as XML or, from WeChat Cloud Run, as JSON."""
    user, bot_id = raw.get("FromUserName"), raw.get("ToUserName")
    if not user or not isinstance(user, str):
        raise Rejected(400, "no FromUserName")
    msg_type = str(raw.get("MsgType", "")).lower()
    try:
        return Incoming(
            channel=channel,
            user=user,
            bot_id=str(bot_id or ""),
            kind=MESSAGE_KINDS.get(msg_type, Kind.OTHER),
            msg_type=msg_type,
            text=_text(raw.get("Content")),
            media_id=_text(raw.get("MediaId")),
            pic_url=_text(raw.get("PicUrl")),
            event=_text(raw.get("Event")).lower(),
            event_key=_text(raw.get("EventKey")),
            task_id=_text(raw.get("TaskId")),
            response_code=_text(raw.get("ResponseCode")),
            msg_id=int(raw.get("MsgId") or 0),
            create_time=int(raw.get("CreateTime") or 0),
        )
    except ValueError:
        raise Rejected(400, "bad MsgId or CreateTime") from None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


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
