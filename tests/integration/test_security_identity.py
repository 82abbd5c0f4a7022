"""Admins and blocks are scoped by channel: an openid and a WeCom userid may be the same string.

A WeCom user who picks the userid of an Official Account admin's openid must not
be an admin; a block of an openid must not silence the WeCom user of that name.
"""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.incoming import Channel, scoped
from handlers.admin import BLOCKED


def reply(peer, user: str, text: str) -> str:
    delivery = peer.deliver(peer.text(user, text))
    assert delivery.status == 200
    return delivery.reply["Content"] if delivery.reply else ""


def test_a_wecom_user_named_like_an_official_admin_is_no_admin(make_bot) -> None:
    bot = make_bot(admin_users="official:oBoss")
    assert "统计" in reply(bot.official(), "oBoss", "/stats")
    answer = reply(bot.wecom(), "oBoss", "/stats")
    assert "统计" not in answer


def test_a_bare_admin_id_is_an_official_account_openid_only(make_bot) -> None:
    bot = make_bot(admin_users="boss")
    assert "统计" in reply(bot.official(), "boss", "/stats")
    assert "统计" not in reply(bot.wecom(), "boss", "/stats")


def test_a_wecom_admin_is_written_with_its_channel(make_bot) -> None:
    bot = make_bot(admin_users="wecom:boss")
    assert "统计" in reply(bot.wecom(), "boss", "/stats")
    assert "统计" not in reply(bot.official(), "boss", "/stats")


def test_a_block_holds_in_one_channel_only(make_bot) -> None:
    bot = make_bot(admin_users="official:boss")
    official, wecom = bot.official(), bot.wecom()
    assert "已拉黑 erin" in reply(official, "boss", "/block erin")
    assert "official:erin" in bot.runtime.blocks.all()
    assert "wecom:erin" not in bot.runtime.blocks.all()
    assert reply(official, "erin", "帮助") == BLOCKED
    assert reply(wecom, "erin", "帮助") not in ("", BLOCKED)  # the WeCom erin is someone else
    assert "已拉黑 erin（企业微信）" in reply(official, "boss", "/block wecom:erin")
    assert "wecom:erin" in bot.runtime.blocks.all()


def test_unknown_admin_channel_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="ADMIN_USERS"):
        Settings(admin_users="official:a,wechat:b")
    assert Settings(admin_users="official:a, wecom:b ,c").admins == {
        "official:a",
        "wecom:b",
        "official:c",
    }


def test_scoped_keeps_a_channel_and_adds_the_default() -> None:
    assert scoped("wecom:x", Channel.OFFICIAL) == "wecom:x"
    assert scoped("x", Channel.WECOM) == "wecom:x"
    assert scoped("odd:x", Channel.OFFICIAL) == "official:odd:x"
