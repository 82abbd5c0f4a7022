"""Official Account (公众号) callbacks: plaintext, compatible and safe (AES) modes."""

from __future__ import annotations

from collections.abc import Mapping

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.config import Settings
from bot.incoming import Channel

from .base import (
    Parsed,
    Rejected,
    check_signature,
    check_timestamp,
    envelope,
    parse_xml,
    required,
    to_incoming,
)


class OfficialChannel:
    channel = Channel.OFFICIAL

    def __init__(self, settings: Settings) -> None:
        self.token = settings.wechat_token
        self.max_age = settings.signature_max_age
        # With an AES key, only encrypted requests prove their body (docs/security.md).
        self.allow_plaintext = settings.wechat_allow_plaintext or not settings.wechat_aes_key
        self.crypto = (
            WeChatCrypto(self.token, settings.wechat_aes_key, settings.wechat_appid)
            if settings.wechat_aes_key
            else None
        )

    def _check_signature(self, args: Mapping[str, str]) -> None:
        given, timestamp, nonce = required(args, "signature", "timestamp", "nonce")
        check_signature(given, self.token, timestamp, nonce)
        check_timestamp(timestamp, self.max_age)

    def verify_url(self, args: Mapping[str, str]) -> str:
        """The server-configuration check: answer ``echostr`` unchanged."""
        self._check_signature(args)
        (echostr,) = required(args, "echostr")
        return echostr

    def parse(self, args: Mapping[str, str], body: bytes) -> Parsed:
        # WeChat signs every request with `signature`; encrypted ones also with
        # `msg_signature` over the ciphertext, which is what proves the body.
        self._check_signature(args)
        timestamp, nonce = args["timestamp"], args["nonce"]
        encrypted = args.get("encrypt_type", "raw").lower() == "aes"
        if not encrypted and not self.allow_plaintext:
            raise Rejected(403, "plaintext request but WECHAT_AES_KEY is set")
        xml = self._decrypt(args, body) if encrypted else body
        message = parse_xml(xml, parse_message)
        return Parsed(to_incoming(self.channel, message), encrypted, nonce, timestamp)

    def _decrypt(self, args: Mapping[str, str], body: bytes) -> str:
        if self.crypto is None:
            raise Rejected(400, "encrypted request but no WECHAT_AES_KEY configured")
        (msg_signature,) = required(args, "msg_signature")
        timestamp, nonce = args["timestamp"], args["nonce"]
        fields = envelope(body)
        check_signature(
            msg_signature, self.token, timestamp, nonce, fields["Encrypt"], what="msg_signature"
        )
        try:
            return self.crypto.decrypt_message(fields, msg_signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Rejected(403, "bad msg_signature") from None
        except InvalidAppIdException:
            raise Rejected(403, "message for another appid") from None
        except Exception as exc:  # noqa: BLE001 - a wrong key raises struct/unicode/padding errors
            raise Rejected(400, f"undecryptable body ({type(exc).__name__})") from None

    def seal(self, parsed: Parsed, xml: str) -> str:
        """Encrypt the reply when the request was encrypted."""
        if not xml:
            return "success"
        if parsed.encrypted and self.crypto is not None:
            return self.crypto.encrypt_message(xml, parsed.nonce)
        return xml
