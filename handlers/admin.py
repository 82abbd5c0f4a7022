"""Admin commands in chat: ``/stats``, ``/queue``, ``/engine`` and the rest.

The handler decides who may run what and checks the arguments; commands that
need data or act on the world come back as an :class:`AdminCommand` in the
Outcome, and ``bot/admin.py`` carries them out and words the answer. Anyone
not in ``ADMIN_USERS`` gets the normal help, and the attempt is logged by
name only (``refused_command``), never with its arguments.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from bot.clock import BEIJING  # the users' clock
from bot.incoming import Incoming
from bot.ocr import check_chain

from .help import help_text
from .state import IDLE, AdminCommand, Context, Outcome, State, Text

ADMIN_HELP = (
    "管理命令：\n"
    "/stats [today|7d]  用量、成功率、耗时、微信OCR配额\n"
    "/queue  队列、运行中、失败的任务与在线 worker\n"
    "/retry  重新排队失败的任务（每个最多一次）\n"
    "/purge  清除失败的任务\n"
    "/engine [local|wechat|wechat,local]  查看或切换识别引擎\n"
    "/block 用户  /unblock 用户  拉黑或解除\n"
    "/menu sync  把自定义菜单推送到微信\n"
    "/resend [事件ID]  重新发送未送达的结果回调\n"
    "/help  本说明"
)

RESEND_ARG = re.compile(r"evt_[0-9a-f]{32}")

# name -> what a valid argument looks like ("" = takes none); checked by check_arg.
COMMANDS: dict[str, str] = {
    "help": "",
    "stats": "[today|7d]",
    "queue": "",
    "retry": "",
    "purge": "",
    "engine": "[local|wechat|wechat,local]",
    "block": "用户ID",
    "unblock": "用户ID",
    "menu": "sync",
    "resend": "[事件ID]",
}


def is_command(text: str) -> bool:
    return text.strip().startswith("/")


def on_command(msg: Incoming, state: State, ctx: Context) -> Outcome:
    name, _, arg = msg.text.strip()[1:].partition(" ")
    name, arg = name.lower(), arg.strip()
    if not ctx.is_admin:
        logged = name if name in COMMANDS else "unknown"
        return Outcome(state=state, answer=Text(help_text(ctx)), refused_command=logged)
    if name not in COMMANDS:
        return Outcome(state=state, answer=Text(f"没有这个命令：/{name[:20]}\n{ADMIN_HELP}"))
    if name == "help":
        return Outcome(state=state, answer=Text(ADMIN_HELP))
    problem = check_arg(name, arg)
    if problem:
        return Outcome(state=state, answer=Text(f"用法：/{name} {COMMANDS[name]}\n{problem}"))
    command = AdminCommand("menu_sync") if name == "menu" else AdminCommand(name, arg)
    return Outcome(state=state, answer=command)


def check_arg(name: str, arg: str) -> str:
    """What is wrong with the argument, or "" when it is fine."""
    if name == "stats" and arg not in ("", "today", "7d"):
        return "时间范围只能是 today 或 7d。"
    if name == "engine" and arg:
        try:
            check_chain([n.strip() for n in arg.split(",") if n.strip()])
        except ValueError:
            return "引擎只能是 local、wechat，或用逗号连成的回退链。"
    if name in ("block", "unblock") and (not arg or " " in arg):
        return "请给出一个用户ID（openid 或企业微信 userid）。"
    if name == "resend" and arg and not RESEND_ARG.fullmatch(arg):
        return "事件ID形如 evt_ 加32位十六进制。"
    if name == "menu" and arg != "sync":
        return "目前只有 /menu sync。"
    if COMMANDS[name] == "" and arg:
        return "这个命令不带参数。"
    return ""


# --- what users hear from the guard rails ----------------------------------------

BLOCKED = "抱歉，该账号暂时无法使用识别服务。如有疑问请联系管理员。"


def refuse_blocked(state: State, ctx: Context) -> Outcome:
    """A blocked user: one polite refusal a day, nothing queued, nothing remembered."""
    return Outcome(state=IDLE, answer=Text(BLOCKED if ctx.refusal_due else ""))


def too_many_photos(state: State, ctx: Context) -> Outcome:
    """Over the per-user photo limit: say when the next photo will be taken."""
    at = datetime.fromtimestamp(ctx.photo_retry_at, BEIJING)
    minutes = max(1, math.ceil((ctx.photo_retry_at - ctx.now) / 60))
    return Outcome(
        state=state,
        answer=Text(f"照片发送得太频繁了，请在 {at:%H:%M}（约 {minutes} 分钟后）再发送。"),
    )
