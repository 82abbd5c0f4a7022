"""WeChat Cloud Run (微信云托管) message push: an Official Account's messages, in-network.

When the account's messages are pushed to a Cloud Run service, WeChat delivers them over its
internal network to the path set in the console: no signature, no encryption, the message's
usual fields (``ToUserName``, ``FromUserName``, ``CreateTime``, ``MsgType``, ``Content``,
``MsgId``, ``PicUrl``, ``MediaId``, ``Event``, ...) as a JSON object or as WeChat's XML, as
the console says. Only WeChat's requests carry the ``x-wx-source`` header (a service that is
also reachable from the internet must check it): anything else is refused.

Saving the console's settings first sends a check, ``{"action": "CheckContainerPath"}`` or
``<xml><action>CheckContainerPath</action></xml>``, which wants HTTP 200 and ``success``.
A passive reply goes back in the request's format: the reply's fields as JSON, or the XML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import xmltodict

from bot.incoming import Channel

from .base import Parsed, Rejected, incoming_from_fields, parse_xml

SOURCE_HEADER = "x-wx-source"
PATH_CHECK = "CheckContainerPath"
# What XML 1.0 cannot carry as text (control characters, U+FFFE/U+FFFF, lone surrogates),
# and the end of a CDATA section: a name with either cannot go back into a reply.
NOT_XML_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|]]>")


@dataclass(frozen=True)
class Push:
    """One push: the message (None for the console's path check) and its format."""

    parsed: Parsed | None
    format: str  # "json" or "xml", as set in the console


class CloudRunChannel:
    channel = Channel.OFFICIAL  # the Official Account's users, state and APIs

    def parse(self, headers: Mapping[str, str], body: bytes) -> Push:
        if not headers.get(SOURCE_HEADER):
            raise Rejected(403, f"no {SOURCE_HEADER} header: not pushed by WeChat Cloud Run")
        start = body.lstrip()[:1]
        if start == b"{":
            fields, fmt = _json_fields(body), "json"
        elif start == b"<":
            fields, fmt = parse_xml(body, _xml_fields), "xml"
        else:
            raise Rejected(400, "neither JSON nor XML")
        _check_text(fields)
        if fields.get("action") == PATH_CHECK:
            return Push(None, fmt)
        incoming = incoming_from_fields(self.channel, fields)
        return Push(Parsed(incoming, encrypted=False, nonce="", timestamp=""), fmt)

    def render(self, push: Push, xml: str) -> tuple[str, str]:
        """The passive reply in the request's format: (body, mimetype)."""
        if not xml:
            return "success", "text/plain"
        if push.format == "xml":
            return xml, "application/xml"
        reply: dict[str, Any] = dict(xmltodict.parse(xml)["xml"])
        reply["CreateTime"] = int(reply["CreateTime"])
        return json.dumps(reply, ensure_ascii=False), "application/json"


def _xml_fields(xml: bytes) -> dict[str, Any]:
    """WeChat's XML as its fields (wechatpy's parser wants a MsgType, which the check lacks)."""
    fields = xmltodict.parse(xml)["xml"]
    if not isinstance(fields, dict):
        raise ValueError("no fields")
    return fields


def _check_text(fields: dict[str, Any]) -> None:
    """Refuse text that no XML reply can carry. The fields go into Redis keys and back into
    the reply's XML (which ``render`` parses again for JSON): a lone surrogate there, or
    ``]]>``, would fail after the message was processed, as a 500."""
    for name, value in fields.items():
        if isinstance(value, str) and NOT_XML_TEXT.search(value):
            raise Rejected(400, f"{name} is not XML text")


def _json_fields(body: bytes) -> dict[str, Any]:
    try:
        fields = json.loads(body)
    except (ValueError, RecursionError):
        raise Rejected(400, "malformed JSON") from None
    if not isinstance(fields, dict):
        raise Rejected(400, "the JSON is not an object")
    # JSON carries CreateTime and MsgId as numbers, the XML as text, which the fields'
    # reader wants: whole numbers become their digits; anything else not text is refused there.
    return {
        name: str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for name, value in fields.items()
    }
