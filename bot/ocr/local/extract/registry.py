"""Which extractor reads which document type."""

from __future__ import annotations

from collections.abc import Callable

from bot.ocr.base import DocType
from bot.ocr.local.extract import (
    Result,
    bankcard,
    bizlicense,
    businesscard,
    comm,
    driving,
    drivinglicense,
    idcard,
    passport,
    platenum,
)
from bot.ocr.local.extract.classify import classify
from bot.ocr.local.page import Page

EXTRACTORS: dict[DocType, Callable[[Page], Result]] = {
    DocType.IDCARD: idcard.extract,
    DocType.BANKCARD: bankcard.extract,
    DocType.DRIVINGLICENSE: drivinglicense.extract,
    DocType.DRIVING: driving.extract,
    DocType.BIZLICENSE: bizlicense.extract,
    DocType.PLATENUM: platenum.extract,
    DocType.COMM: comm.extract,
    DocType.PASSPORT: passport.extract,
    DocType.BUSINESSCARD: businesscard.extract,
}

__all__ = ["EXTRACTORS", "classify"]
