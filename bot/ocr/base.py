"""The engine interface: what every OCR engine takes and gives back.

Both engines answer with the WeChat OCR API's own field names (see
``docs/wechat.md``), so everything after recognition (checks, masking,
formatting) is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class DocType(StrEnum):
    """Document types, named after the WeChat OCR API paths."""

    IDCARD = "idcard"
    BANKCARD = "bankcard"
    DRIVINGLICENSE = "drivinglicense"  # 驾驶证
    DRIVING = "driving"  # 行驶证 (vehicle licence)
    BIZLICENSE = "bizlicense"
    PLATENUM = "platenum"
    COMM = "comm"  # general text
    BUSINESSCARD = "businesscard"  # local engine only
    PASSPORT = "passport"  # local engine only
    AUTO = "auto"  # let the engine decide (local engine only)

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[DocType, str] = {
    DocType.IDCARD: "身份证",
    DocType.BANKCARD: "银行卡",
    DocType.DRIVINGLICENSE: "驾驶证",
    DocType.DRIVING: "行驶证",
    DocType.BIZLICENSE: "营业执照",
    DocType.PLATENUM: "车牌",
    DocType.COMM: "通用文字",
    DocType.BUSINESSCARD: "名片",
    DocType.PASSPORT: "护照",
    DocType.AUTO: "自动识别",
}

# The types the WeChat OCR cloud API reads; it cannot detect the type itself.
CLOUD_TYPES: tuple[DocType, ...] = (
    DocType.IDCARD,
    DocType.BANKCARD,
    DocType.DRIVINGLICENSE,
    DocType.DRIVING,
    DocType.BIZLICENSE,
    DocType.PLATENUM,
    DocType.COMM,
)


class Failure(StrEnum):
    """Why a recognition failed, in the terms the user is told."""

    NO_DOCUMENT = "no_document"  # 101001: nothing of that type on the image
    BAD_IMAGE = "bad_image"  # 101002 / 101000: undecodable or unreachable image
    BUSY = "busy"  # -1, 5xx, timeouts: try again later
    QUOTA = "quota"  # 101003 or 45009: out of calls for now
    TOKEN = "token"  # 40001/40014/42001: access token bad or expired
    CONFIG = "config"  # misconfiguration (no credentials, unsupported type)


class OcrError(Exception):
    """A recognition that did not produce fields.

    ``errcode`` is WeChat's code where there is one (the local engine uses the
    same codes for the same meanings), ``failure`` the user-facing reason.
    ``retryable`` says whether trying the same engine again later may help.
    """

    def __init__(self, failure: Failure, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.failure = failure
        self.errcode = errcode

    @property
    def retryable(self) -> bool:
        return self.failure in (Failure.BUSY, Failure.TOKEN)

    def __reduce__(self):  # picklable, so RQ can store it
        return (OcrError, (self.failure, str(self), self.errcode))


@dataclass
class Recognition:
    """The result of one recognition.

    ``fields`` holds exactly what the WeChat OCR API would return for
    ``doc_type`` (without ``errcode``/``errmsg``): same names, same formats,
    fields that are not on the image left out. Engines may add extra fields
    (for example ``authority`` on an ID card back); they never rename.
    """

    doc_type: DocType
    fields: dict[str, Any]
    engine: str
    warnings: list[str] = field(default_factory=list)


class Engine(Protocol):
    """An OCR engine. Built once per process; ``recognize`` is thread-safe."""

    name: str

    @property
    def doc_types(self) -> tuple[DocType, ...]:
        """The types this engine reads (``AUTO`` included when it can detect)."""
        ...

    def recognize(self, image: bytes, doc_type: DocType, *, mode: str = "photo") -> Recognition:
        """Recognize ``image`` (encoded bytes: JPEG, PNG, ...) as ``doc_type``.

        ``mode`` is ``photo`` (with background) or ``scan``. Raises
        :class:`OcrError` when no fields come out.
        """
        ...
