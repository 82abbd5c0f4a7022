"""What the user is told when a recognition ends without fields."""

from __future__ import annotations

from bot.ocr.base import DocType, Failure

FAILURE_TEXTS: dict[Failure, str] = {
    Failure.NO_DOCUMENT: "没有在照片中找到{label}。请把证件平放、拍全四角、避免反光后重新发送。",
    Failure.BAD_IMAGE: "这张照片无法读取，请重新拍摄后发送（JPG 或 PNG）。",
    Failure.BUSY: "识别服务繁忙，请稍后重新发送照片。",
    Failure.QUOTA: "今天的识别次数已用完，请明天再试。",
    Failure.TOKEN: "服务暂时不可用，请稍后再试。",
    Failure.CONFIG: "服务暂时不可用，请稍后再试。",
}

MEDIA_GONE = "照片已过期或无法下载，请重新发送。"


def failure_text(failure: Failure, doc_type: DocType) -> str:
    label = "证件" if doc_type in (DocType.AUTO, DocType.COMM) else doc_type.label
    return FAILURE_TEXTS[failure].format(label=label)
