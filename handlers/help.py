"""Greeting, help and privacy texts, and the answer to anything we do not read."""

from __future__ import annotations

from bot.ocr.base import DocType

from .state import Context, Outcome, State, Text


def what_we_read(ctx: Context) -> str:
    return "、".join(t.label for t in ctx.options if t is not DocType.AUTO)


def greeting(ctx: Context) -> str:
    return (
        "你好！我是证件识别助手。\n"
        f"发送证件照片，我会识别其中的文字：{what_we_read(ctx)}。\n"
        "回复“帮助”了解用法和数据处理方式。"
    )


PRIVACY = (
    "数据说明：照片只用于本次识别；"
    "身份证号和银行卡号在回复中打码显示，不写入日志；"
    "等待选择类型的照片信息加密保存，10分钟后自动删除。"
)


def help_text(ctx: Context) -> str:
    return (
        "用法：\n"
        "1. 发送一张证件照片（平放、光线充足、四角完整）\n"
        "2. 按提示选择证件类型\n"
        "3. 稍候收到识别结果\n"
        f"可识别：{what_we_read(ctx)}。\n"
        "回复“取消”放弃当前照片。\n" + PRIVACY
    )


def please_send_photo(state: State) -> Outcome:
    """Voice, video, location, links, files: keep the state, ask for a photo."""
    return Outcome(state=state, answer=Text("暂时只能识别照片，请发送证件的照片。"))
