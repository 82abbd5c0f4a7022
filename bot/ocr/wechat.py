"""The WeChat OCR cloud API (``POST cv/ocr/<name>``) as an engine.

About 100 calls a day per account, images under 2 MB, and the photo leaves
our server: the offline engine is the default; this one is for accounts that
prefer Tencent's models, or first in a chain such as ``wechat,local``.
"""

from __future__ import annotations

from typing import Any

from bot.images import CLOUD_LIMIT, shrink
from bot.ocr.base import CLOUD_TYPES, DocType, Failure, OcrError, Recognition
from bot.wechat_api import ApiError, OfficialApi

# WeChat's errcode -> what it means for the user and for retries (docs/wechat.md).
ERRORS: dict[int, Failure] = {
    -1: Failure.BUSY,  # system busy
    40001: Failure.TOKEN,
    40014: Failure.TOKEN,
    42001: Failure.TOKEN,
    40006: Failure.BAD_IMAGE,  # file too large
    45009: Failure.QUOTA,  # API frequency limit: not now
    101000: Failure.BAD_IMAGE,  # invalid image URL
    101001: Failure.NO_DOCUMENT,  # certificate not found
    101002: Failure.BAD_IMAGE,  # image undecodable
    101003: Failure.QUOTA,  # not enough market quota
}


def failure_of(error: ApiError) -> Failure:
    if error.errcode <= -500:
        return Failure.BUSY
    return ERRORS.get(error.errcode, Failure.CONFIG)


class WeChatEngine:
    """Recognition by the cloud API; fields come back exactly as WeChat names them."""

    name = "wechat"
    doc_types: tuple[DocType, ...] = CLOUD_TYPES

    def __init__(self, api: OfficialApi) -> None:
        self.api = api

    def recognize(self, image: bytes, doc_type: DocType, *, mode: str = "photo") -> Recognition:
        self._check_type(doc_type)
        upload = shrink(image, CLOUD_LIMIT)
        return self._call(
            doc_type, lambda params: self.api.ocr(doc_type.value, upload, params), mode
        )

    def _check_type(self, doc_type: DocType) -> None:
        if doc_type not in self.doc_types:
            raise OcrError(Failure.CONFIG, f"the WeChat OCR API does not read {doc_type.value}")

    def _call(self, doc_type: DocType, send: Any, mode: str) -> Recognition:
        params = {"type": mode} if doc_type is DocType.IDCARD else {}
        try:
            answer: dict[str, Any] = send(params)
        except ApiError as error:
            raise OcrError(failure_of(error), error.errmsg, errcode=error.errcode) from None
        fields = {
            k: v
            for k, v in answer.items()
            if k not in ("errcode", "errmsg") and v not in ("", None)
        }
        if doc_type is DocType.IDCARD and fields.get("type") == "Frond":
            fields["type"] = "Front"  # a misspelling seen in one of WeChat's own samples
        return Recognition(doc_type=doc_type, fields=fields, engine=self.name)
