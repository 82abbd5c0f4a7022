"""Incoming: the channel-neutral message the handlers see.

The channel adapters (``bot/channels/``) verify, decrypt and parse WeChat's
XML with wechatpy, then describe the message with this one small value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    OFFICIAL = "official"  # 公众号 (Official Account)
    WECOM = "wecom"  # 企业微信 app


class Kind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    EVENT = "event"
    OTHER = "other"  # voice, video, location, link, file, ...: not something we read


@dataclass(frozen=True)
class Incoming:
    channel: Channel
    user: str  # openid (Official Account) or userid (WeCom)
    kind: Kind
    msg_type: str  # WeChat's MsgType, lowercased
    bot_id: str = ""  # ToUserName: the account's own id, needed to reply
    text: str = ""
    media_id: str = ""
    pic_url: str = ""
    event: str = ""  # lowercased Event for events
    event_key: str = ""
    task_id: str = ""  # WeCom template_card_event
    menu_id: str = ""  # Official Account: the msgmenu item tapped (bizmsgmenuid; not always sent)
    response_code: str = ""  # WeCom template_card_event: allows one card update
    msg_id: int = 0
    create_time: int = 0

    @property
    def identity(self) -> str:
        """Who sent it, scoped by channel (``official:<openid>``, ``wecom:<userid>``): a WeCom
        userid may equal some openid, and must not inherit its rights or its block."""
        return identity(self.channel, self.user)

    @property
    def dedupe_key(self) -> str:
        """What identifies one message across WeChat's retries.

        MsgIds can collide across users, so the user is part of the key;
        events carry no MsgId and are keyed on their creation time, name, key and
        card (two cards' buttons tapped within a second are two events).
        """
        if self.msg_id:
            return f"{self.channel.value}:{self.user}:{self.msg_id}"
        event = f"{self.create_time}:{self.event}:{self.event_key}:{self.task_id}"
        return f"{self.channel.value}:{self.user}:{event}"


def identity(channel: Channel, user: str) -> str:
    return f"{channel.value}:{user}"


def scoped(name: str, default: Channel) -> str:
    """``name`` as an identity: ``official:x`` and ``wecom:x`` as written, a bare id in
    ``default``'s channel."""
    prefix, sep, _ = name.partition(":")
    if sep and prefix in Channel._value2member_map_:
        return name
    return identity(default, name)
