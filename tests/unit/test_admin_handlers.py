"""The admin and guard-rail handlers with plain values (no Redis, no HTTP)."""

from __future__ import annotations

import handlers
from bot.incoming import Channel, Incoming, Kind
from bot.ocr import readable_types
from handlers.state import IDLE, AdminCommand, Context, Step, TypeMenu, step_to

NOW = 1_700_000_000.0  # 2023-11-15 06:13:20 Beijing
CTX = Context(now=NOW, options=readable_types(["local"]))
ADMIN = Context(now=NOW, options=readable_types(["local"]), is_admin=True)


def text(content: str) -> Incoming:
    return Incoming(Channel.OFFICIAL, "u", Kind.TEXT, "text", text=content, msg_id=1)


def image() -> Incoming:
    return Incoming(Channel.OFFICIAL, "u", Kind.IMAGE, "image", media_id="M1", msg_id=2)


def test_commands_become_admin_requests_with_checked_arguments() -> None:
    assert handlers.handle(text("/stats"), IDLE, ADMIN).answer == AdminCommand("stats", "")
    assert handlers.handle(text("/STATS 7d"), IDLE, ADMIN).answer == AdminCommand("stats", "7d")
    assert handlers.handle(text("/menu sync"), IDLE, ADMIN).answer == AdminCommand("menu_sync")
    switched = handlers.handle(text("/engine wechat,local"), IDLE, ADMIN)
    assert switched.answer == AdminCommand("engine", "wechat,local")
    for bad in ("/queue now", "/block", "/block a b", "/engine ocr", "/menu pull"):
        out = handlers.handle(text(bad), IDLE, ADMIN)
        assert not isinstance(out.answer, AdminCommand) and out.text.startswith("用法："), bad


def test_non_admins_get_help_and_only_the_command_name_is_kept() -> None:
    out = handlers.handle(text("/block 11010519491231002X"), IDLE, CTX)
    assert not isinstance(out.answer, AdminCommand) and out.refused_command == "block"
    assert "用法" in out.text
    odd = handlers.handle(text("/11010519491231002X"), IDLE, CTX)
    assert odd.refused_command == "unknown"


def test_a_blocked_user_is_refused_once_and_loses_the_pending_photo() -> None:
    pending = step_to(Step.AWAITING_TYPE, NOW, media_id="M0")
    due = Context(now=NOW, options=CTX.options, blocked=True, refusal_due=True)
    out = handlers.handle(image(), pending, due)
    assert "暂时无法使用" in out.text and out.recognize is None and out.state == IDLE
    quiet = Context(now=NOW, options=CTX.options, blocked=True)
    assert handlers.handle(text("1"), pending, quiet).text == ""


def test_over_the_limit_says_when_in_beijing_time() -> None:
    limited = Context(now=NOW, options=CTX.options, photo_retry_at=NOW + 25 * 60)
    out = handlers.handle(image(), IDLE, limited)
    assert out.text == "照片发送得太频繁了，请在 06:38（约 25 分钟后）再发送。"
    assert not isinstance(out.answer, TypeMenu) and out.state == IDLE


def test_photo_to_answer_starts_when_the_photo_came() -> None:
    pending = step_to(Step.AWAITING_TYPE, NOW - 40, media_id="M0")
    assert handlers.handle(text("1"), pending, CTX).recognize.photo_at == NOW - 40
    waiting = step_to(Step.AWAITING_PHOTO, NOW - 40, doc_type="idcard")
    assert handlers.handle(image(), waiting, CTX).recognize.photo_at == NOW
