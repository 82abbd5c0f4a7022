"""Mutated callback bodies, correctly signed and encrypted: what a sender with the keys could post.

The webhook must answer every one of them with a 2xx or a 4xx, never a 5xx.
``Fuzzer(credentials, channel, mode, seed)`` makes requests one at a time:
``fuzzer.case()`` returns ``(query, body)`` for ``/wechat`` or ``/wecom``, or for
``/wxcloudrun`` (channel ``cloudrun``, mode ``json`` or ``xml``: unsigned, as WeChat Cloud
Run pushes; the request wants the ``x-wx-source`` header).

Each case starts from a valid message (text, image, event, menu tap, card
tap) and applies one to three mutations of the kinds that broke parsers
before: repeated tags, elements nested in scalar fields, attributes, missing
fields, wrong types, huge values, thousands of digits, deep nesting,
entities, non-UTF-8 bytes, random bytes, truncation, text XML cannot carry
(control characters, lone surrogates, ``]]>``); in JSON, values of the wrong JSON
type and deep arrays. Then it is sealed as WeChat would: plaintext with
``signature``, compatible or safe mode with ``msg_signature`` over the ciphertext,
WeCom always encrypted, Cloud Run not at all. Used by
``tests/integration/test_security_fuzz.py`` and ``bench/fuzz.py``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any

from wechatpy.crypto import WeChatCrypto as OfficialCrypto
from wechatpy.utils import WeChatSigner
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

Fields = list[tuple[str, Any]]  # ordered, repeatable (tag, value): value is str, bytes or raw

CHANNEL_MODES = (("official", "plain"), ("official", "compat"), ("official", "safe"))
CHANNEL_MODES += (("wecom", "aes"),)
CLOUDRUN_MODES = (("cloudrun", "json"), ("cloudrun", "xml"))

SCALARS = (
    "ToUserName",
    "FromUserName",
    "CreateTime",
    "MsgType",
    "Content",
    "MsgId",
    "PicUrl",
    "MediaId",
    "Event",
    "EventKey",
    "AgentID",
    "TaskId",
    "ResponseCode",
)


def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


class Fuzzer:
    def __init__(self, credentials: dict[str, Any], channel: str, mode: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.channel = channel
        self.mode = mode
        self.creds = credentials
        self.serialize = to_json if mode == "json" else to_xml
        if channel == "cloudrun":  # no token, no encryption: the header is the credential
            self.to_user = "gh_fuzz000000001"
            self.crypto = None
        elif channel == "official":
            self.token = credentials["wechat_token"]
            self.to_user = "gh_fuzz000000001"
            self.crypto: Any = (
                OfficialCrypto(
                    self.token, credentials["wechat_aes_key"], credentials["wechat_appid"]
                )
                if mode != "plain"
                else None
            )
        else:
            self.token = credentials["wecom_token"]
            self.to_user = credentials["wecom_corp_id"]
            self.crypto = WorkCrypto(
                self.token, credentials["wecom_aes_key"], credentials["wecom_corp_id"]
            )
        self.mutations: list[Callable[[Fields], Fields | bytes]] = [
            self.repeat_tag,
            self.nest,
            self.attribute,
            self.drop,
            self.wrong_type,
            self.huge,
            self.digits,
            self.deep,
            self.entity,
            self.non_utf8,
            self.random_bytes,
            self.truncate,
            self.unknown_type,
            self.not_xml_text,
        ]
        if mode == "json":  # no markup in JSON; its own types and nesting instead
            xml_only = {self.nest, self.attribute, self.deep, self.entity, self.non_utf8}
            self.mutations = [m for m in self.mutations if m not in xml_only]
            self.mutations += [self.json_type, self.json_deep]

    # -- valid messages -----------------------------------------------------------

    def valid(self) -> Fields:
        rng = self.rng
        # A new user per case: a case is never taken for WeChat's retry of an earlier one.
        user = rng.choice(["fuzz-", "o" + "x" * 20, "用户"]) + str(rng.getrandbits(48))
        fields: Fields = [
            ("ToUserName", self.to_user),
            ("FromUserName", user),
            ("CreateTime", str(int(time.time()))),
        ]
        kind = rng.choice(["text", "text", "image", "event", "click", "card"])
        msg_id = str(rng.getrandbits(63))
        if kind == "text":
            content = rng.choice(["1", "帮助", "结果", "/stats", "/block x", "身份证", "7", "hi"])
            fields += [("MsgType", "text"), ("Content", content), ("MsgId", msg_id)]
        elif kind == "image":
            fields += [
                ("MsgType", "image"),
                ("PicUrl", "https://mmbiz.qpic.cn/x/0"),
                ("MediaId", "media-" + msg_id),
                ("MsgId", msg_id),
            ]
        elif kind == "event":
            fields += [("MsgType", "event"), ("Event", rng.choice(["subscribe", "enter_agent"]))]
        elif kind == "click":
            fields += [("MsgType", "event"), ("Event", "CLICK"), ("EventKey", "OCR_IDCARD")]
        else:
            fields += [
                ("MsgType", "event"),
                ("Event", "template_card_event"),
                ("EventKey", "idcard"),
                ("TaskId", "ocr-" + msg_id),
                ("ResponseCode", "rc" + msg_id),
            ]
        if self.channel == "wecom":
            fields.append(("AgentID", str(self.creds["wecom_agent_id"])))
        return fields

    # -- mutations ----------------------------------------------------------------

    def _pick(self, fields: Fields) -> int:
        return self.rng.randrange(len(fields)) if fields else 0

    def repeat_tag(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        tag, value = fields[i]
        other = self.rng.choice([value, "2", "", "x"])
        return [*fields[: i + 1], (tag, other), *fields[i + 1 :]]

    def nest(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        tag, value = fields[i]
        inner = self.rng.choice(["<a>1</a>", "<a>1</a><b>2</b>", f"<{tag}>{value}</{tag}>", "<x/>"])
        return [*fields[:i], (tag, _Raw(inner)), *fields[i + 1 :]]

    def attribute(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        tag, value = fields[i]
        return [*fields[:i], (f'{tag} a="1"', value), *fields[i + 1 :]]

    def drop(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        return fields[:i] + fields[i + 1 :]

    def wrong_type(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        value = self.rng.choice(["-1", "1.5", "1e9", "0x10", "NaN", "", " ", "true", "１２", "٣"])
        return [*fields[:i], (fields[i][0], value), *fields[i + 1 :]]

    def huge(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        value = self.rng.choice(["a", "身", "]]>", "<", "&amp;"]) * self.rng.randint(1000, 25000)
        return [*fields[:i], (fields[i][0], value), *fields[i + 1 :]]

    def digits(self, fields: Fields) -> Fields:
        tag = self.rng.choice(["MsgId", "CreateTime", "Content", "AgentID", "EventKey"])
        value = "9" * self.rng.choice([20, 100, 4301, 5000, 12000])
        return [(t, v) for t, v in fields if t != tag] + [(tag, value)]

    def deep(self, fields: Fields) -> Fields:
        tag = self.rng.choice(SCALARS)
        depth = self.rng.choice([50, 200, 1000])  # deeper: the breaker tests
        value = _Raw("<a>" * depth + "1" + "</a>" * depth)
        return [(t, v) for t, v in fields if t != tag] + [(tag, value)]

    def entity(self, fields: Fields) -> bytes:
        doctype = self.rng.choice(
            [
                '<!DOCTYPE xml [<!ENTITY e "ENTITY">]>',
                '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY e "&a;&a;&a;&a;&a;&a;&a;">]>',
            ]
        )
        i = self._pick(fields)
        fields = [*fields[:i], (fields[i][0], _Raw("&e;")), *fields[i + 1 :]]
        return doctype.encode() + to_xml(fields)

    def non_utf8(self, fields: Fields) -> bytes:
        body = to_xml(fields)
        choice = self.rng.randrange(3)
        if choice == 0:
            return body.replace(b"<xml>", b"<xml>\xff\xfe\xc3", 1)
        text = body.decode("utf-8", "surrogatepass")
        if choice == 1:
            return b'<?xml version="1.0" encoding="gbk"?>' + text.encode("gbk", "replace")
        return text.encode("utf-16", "surrogatepass")

    def not_xml_text(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        value = self.rng.choice(["\ud800", "a\udfffb", "\x01", "u\x1b", "\ufffe", "]]>", "a]]>b"])
        return [*fields[:i], (fields[i][0], value), *fields[i + 1 :]]

    def json_type(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        raw = ["null", "true", "-1", "1.5", "1e400", "[]", "{}", '["a", 1]', '{"a": 1}', "9" * 5000]
        return [*fields[:i], (fields[i][0], _Raw(self.rng.choice(raw))), *fields[i + 1 :]]

    def json_deep(self, fields: Fields) -> Fields:
        i = self._pick(fields)
        depth = self.rng.choice([50, 1000, 100_000])
        return [*fields[:i], (fields[i][0], _Raw("[" * depth + "]" * depth)), *fields[i + 1 :]]

    def random_bytes(self, fields: Fields) -> bytes:
        return bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 300)))

    def truncate(self, fields: Fields) -> bytes:
        body = self.serialize(fields)
        return body[: self.rng.randrange(len(body))]

    def unknown_type(self, fields: Fields) -> Fields:
        value = self.rng.choice(["voice", "video", "", "EVENT", "device_text", "x" * 300])
        return [(t, value if t == "MsgType" else v) for t, v in fields]

    # -- a case -------------------------------------------------------------------

    def text(self, content: str) -> bytes:
        """A valid text message from a fresh user (to check the webhook still answers)."""
        head = self.valid()[:3]  # ToUserName, FromUserName (a new user), CreateTime
        body: Fields = [("MsgType", "text"), ("Content", content)]
        body.append(("MsgId", str(self.rng.getrandbits(63))))
        if self.channel == "wecom":
            body.append(("AgentID", str(self.creds["wecom_agent_id"])))
        return self.serialize(head + body)

    def inner(self) -> bytes:
        """One mutated message XML (the plaintext before sealing)."""
        fields: Fields | bytes = self.valid()
        for mutate in self.rng.sample(self.mutations, self.rng.choice([1, 1, 2, 3])):
            if isinstance(fields, bytes):
                break
            fields = mutate(fields)
        return fields if isinstance(fields, bytes) else self.serialize(fields)

    def case(self) -> tuple[dict[str, str], bytes]:
        """A mutated message, signed (and, but for plaintext, encrypted): query and body."""
        return self.seal(self.inner(), mutate_envelope=True)

    def seal(self, xml: bytes, mutate_envelope: bool = False) -> tuple[dict[str, str], bytes]:
        """``xml`` as WeChat would send it on this channel and mode: query and body."""
        if self.channel == "cloudrun":
            return {}, xml  # pushed over WeChat's network: no signature, no encryption
        timestamp, nonce = str(int(time.time())), str(self.rng.getrandbits(40))
        if self.crypto is None:
            query = {"signature": _sign(self.token, timestamp, nonce), "timestamp": timestamp}
            return {**query, "nonce": nonce}, xml
        sealed = self.crypto._encrypt_message(xml, nonce, timestamp, self._prp())
        encrypted = sealed.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
        msg_signature = _sign(self.token, timestamp, nonce, encrypted)
        envelope: Fields = [("ToUserName", self.to_user)]
        if self.mode == "compat":
            envelope += [(t, v) for t, v in self.valid() if t != "ToUserName"]
        if self.channel == "wecom":
            envelope.append(("AgentID", str(self.creds["wecom_agent_id"])))
        envelope.append(("Encrypt", encrypted))
        if mutate_envelope and self.rng.random() < 0.1:  # a bad envelope, the signature right
            envelope = self.rng.choice([self.repeat_tag, self.nest, self.attribute])(envelope)
        query = {"msg_signature": msg_signature, "timestamp": timestamp, "nonce": nonce}
        if self.channel == "official":
            query |= {"signature": _sign(self.token, timestamp, nonce), "encrypt_type": "aes"}
        return query, to_xml(envelope)

    def _prp(self) -> type:
        from wechatpy.crypto import PrpCrypto
        from wechatpy.work.crypto import PrpCrypto as WorkPrpCrypto

        return PrpCrypto if self.channel == "official" else WorkPrpCrypto


class _Raw(str):
    """A value written as is: markup in the XML, not CDATA; JSON text in the JSON."""


def to_xml(fields: Fields) -> bytes:
    parts = []
    for tag, value in fields:
        name = tag.split(" ", 1)[0]
        if isinstance(value, _Raw):
            text = str(value)
        elif value.isdigit() and len(value) < 30:
            text = value
        else:
            text = "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
        parts.append(f"<{tag}>{text}</{name}>")
    return ("<xml>" + "".join(parts) + "</xml>").encode("utf-8", "surrogatepass")


def to_json(fields: Fields) -> bytes:
    """The fields as Cloud Run's JSON object (numbers as numbers; a repeated field repeated)."""
    parts = []
    for tag, value in fields:
        if isinstance(value, _Raw):
            text = str(value)
        elif value.isascii() and value.isdigit() and len(value) < 30:
            text = value
        else:
            text = json.dumps(value, ensure_ascii=len(value) % 2 == 0)  # both ways of writing
        parts.append(json.dumps(tag) + ": " + text)
    return ("{" + ", ".join(parts) + "}").encode("utf-8", "surrogatepass")


__all__ = ["CHANNEL_MODES", "CLOUDRUN_MODES", "Fuzzer", "to_json", "to_xml"]
