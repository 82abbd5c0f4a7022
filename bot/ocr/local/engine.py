"""``LocalEngine``: the offline engine behind ``OCR_ENGINE=local``."""

from __future__ import annotations

import logging
import time

import numpy as np

from bot.ocr.base import DocType, Failure, OcrError, Recognition
from bot.ocr.local import reader
from bot.ocr.local.extract import platenum
from bot.ocr.local.extract.registry import EXTRACTORS, classify
from bot.ocr.local.models import Models, load_models
from bot.ocr.local.page import Page

log = logging.getLogger(__name__)

EDGE_WARNING = "证件可能超出画面边缘"


class LocalEngine:
    """RapidOCR plus layout rules, answering with the WeChat OCR API's field names.

    Constructing it loads the models (once per process: later instances share
    them). ``worker.py`` builds it before the first job, and its SimpleWorker
    runs every job in that process.
    """

    name = "local"

    def __init__(self, models: Models | None = None) -> None:
        self.models = models or load_models()

    @property
    def doc_types(self) -> tuple[DocType, ...]:
        return tuple(DocType)

    def read(self, image: bytes) -> Page:
        """The upright page of text lines (no field extraction); raises BAD_IMAGE."""
        return reader.read(self.models, reader.decode(image))

    def recognize(self, image: bytes, doc_type: DocType, *, mode: str = "photo") -> Recognition:
        started = time.perf_counter()
        doc_type = DocType(doc_type)
        decoded = reader.decode(image)
        got, page = self.answer(decoded, reader.read(self.models, decoded), doc_type, mode=mode)
        log.info(
            "local OCR %s: %d lines, rotation %d, %d fields, %.2fs",
            got.doc_type.value,
            len(page.lines),
            page.rotation,
            len(got.fields),
            time.perf_counter() - started,
        )
        return got

    def answer(
        self, decoded: np.ndarray, page: Page, doc_type: DocType, *, mode: str = "photo"
    ) -> tuple[Recognition, Page]:
        """What :meth:`recognize` answers for the image ``decoded``, read as ``page``, and
        the page the answer comes from: a plate may be read again (:meth:`_plate`)."""
        if doc_type is DocType.PLATENUM:
            return self._plate(decoded, page, mode)
        return self.extract(page, doc_type, mode=mode), page

    def _plate(self, decoded: np.ndarray, page: Page, mode: str) -> tuple[Recognition, Page]:
        """The plate on ``page``, or on the image read the other way round. A plate is a
        line or two, too little for the orientation to be sure of, and the recognizer
        may read one upside down as surely as upright (a two-row plate's D6997 as
        D6697). Its format is the judge the orientation lacked: where the page holds no
        well-formed plate, the image is read again turned 180 degrees from the first
        guess, and that reading is taken if it holds one as read, no part of it chosen
        by the image (a province or letter picked from the crop makes a plate of junk);
        else the first answer stands (its error, or its number warned 车牌号码格式不符, or put
        right by a character and warned so).
        Where the first read found no plate at all in an image not tiny (those are framed
        already), it is read first smaller and framed (:func:`reader.frame`): a plate
        filling the frame."""
        try:
            first: Recognition | OcrError = self.extract(page, DocType.PLATENUM, mode=mode)
        except OcrError as error:
            first = error
        if isinstance(first, Recognition) and platenum.UNFORMED.isdisjoint(first.warnings):
            return first, page
        if isinstance(first, OcrError) and max(decoded.shape[:2]) >= reader.TINY_SIDE:
            framed = reader.read(self.models, decoded, framed=True)
            if (again := self._plate_as_read(framed, mode)) is not None:
                log.info("local OCR platenum: read again framed")
                return again, framed
        if page.lines:
            turned = reader.read(self.models, decoded, rotation=(page.rotation + 180) % 360)
            if (again := self._plate_as_read(turned, mode)) is not None:
                log.info("local OCR platenum: read again at rotation %d", turned.rotation)
                return again, turned
        if isinstance(first, OcrError):
            raise first
        return first, page

    def _plate_as_read(self, page: Page, mode: str) -> Recognition | None:
        """The plate on a second reading, when it holds one as read (no part of it chosen
        by the image); else None."""
        try:
            again = self.extract(page, DocType.PLATENUM, mode=mode)
        except OcrError:
            return None
        return again if platenum.GUESSED.isdisjoint(again.warnings) else None

    def extract(self, page: Page, doc_type: DocType, *, mode: str = "photo") -> Recognition:
        """Fields of ``doc_type`` (``AUTO``: the type read off the page) from a page."""
        if not page.lines:
            raise OcrError(Failure.NO_DOCUMENT, "no text found on the image", errcode=101001)
        if doc_type is DocType.AUTO:
            doc_type = classify(page)
        result = EXTRACTORS[doc_type](page)
        if not result.found:
            raise OcrError(
                Failure.NO_DOCUMENT, f"no {doc_type.value} found on the image", errcode=101001
            )
        warnings = [w for w in page.warnings if not (mode == "scan" and w == EDGE_WARNING)]
        warnings += [w for w in result.warnings if w not in warnings]
        return Recognition(
            doc_type=doc_type, fields=result.fields, engine=self.name, warnings=warnings
        )
