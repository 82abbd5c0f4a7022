"""WeCom (企业微信) app callbacks: always encrypted, echostr encrypted too."""

from __future__ import annotations

from collections.abc import Mapping

from wechatpy.exceptions import InvalidSignatureException
from wechatpy.work import parse_message
from wechatpy.work.crypto import WeChatCrypto
from wechatpy.work.exceptions import InvalidCorpIdException

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
    scalar,
    to_incoming,
)


class WeComChannel:
    channel = Channel.WECOM

    def __init__(self, settings: Settings) -> None:
        self.max_age = settings.signature_max_age
        self.token = settings.wecom_token
        self.agent_id = settings.wecom_agent_id
        self.crypto = WeChatCrypto(
            settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id
        )

    def _unseal(self, args: Mapping[str, str], encrypted: str, decrypt) -> str:
        msg_signature, timestamp, nonce = required(args, "msg_signature", "timestamp", "nonce")
        check_timestamp(timestamp, self.max_age)
        check_signature(
            msg_signature, self.token, timestamp, nonce, encrypted, what="msg_signature"
        )
        try:
            return decrypt(msg_signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Rejected(403, "bad msg_signature") from None
        except InvalidCorpIdException:
            raise Rejected(403, "message for another corp id") from None
        except Exception as exc:  # noqa: BLE001 - a wrong key raises struct/unicode/padding errors
            raise Rejected(400, f"undecryptable ({type(exc).__name__})") from None

    def verify_url(self, args: Mapping[str, str]) -> str:
        """The URL check: decrypt ``echostr`` and answer its plaintext."""
        (echostr,) = required(args, "echostr")
        return self._unseal(
            args,
            echostr,
            lambda sig, ts, nonce: self.crypto.check_signature(sig, ts, nonce, echostr),
        )

    def parse(self, args: Mapping[str, str], body: bytes) -> Parsed:
        fields = envelope(body)
        xml = self._unseal(
            args,
            fields["Encrypt"],
            lambda sig, ts, nonce: self.crypto.decrypt_message(fields, sig, ts, nonce),
        )
        message = parse_xml(xml, parse_message)
        agent = scalar(message._data, "AgentID") if isinstance(message._data, dict) else ""
        if agent and self.agent_id and agent.strip() != str(self.agent_id):
            raise Rejected(403, "message for another agent")
        return Parsed(to_incoming(self.channel, message), True, args["nonce"], args["timestamp"])

    def seal(self, parsed: Parsed, xml: str) -> str:
        if not xml:
            return "success"
        return self.crypto.encrypt_message(xml, parsed.nonce)
