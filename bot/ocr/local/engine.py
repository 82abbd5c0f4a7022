"""``LocalEngine``: the offline engine behind ``OCR_ENGINE=local``."""

from __future__ import annotations

import logging
import time

from bot.ocr.base import DocType, Failure, OcrError, Recognition
from bot.ocr.local import reader
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
        page = reader.read(self.models, decoded)
        try:
            return self.extract(page, doc_type, mode=mode, started=started)
        except OcrError as error:
            if doc_type is not DocType.PLATENUM or not page.lines:
                raise
            # A plate is a line or two, too little for the orientation to be sure of,
            # and the recognizer may read one upside down surely (a two-row plate's
            # D6997 as D6697): no plate, so read the other way round.
            turned = (page.rotation + 180) % 360
            again = reader.read(self.models, decoded, rotation=turned)
            try:
                return self.extract(again, doc_type, mode=mode, started=started)
            except OcrError:
                raise error from None

    def extract(
        self, page: Page, doc_type: DocType, *, mode: str = "photo", started: float | None = None
    ) -> Recognition:
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
        if started is not None:
            log.info(
                "local OCR %s: %d lines, rotation %d, %d fields, %.2fs",
                doc_type.value,
                len(page.lines),
                page.rotation,
                len(result.fields),
                time.perf_counter() - started,
            )
        return Recognition(
            doc_type=doc_type, fields=result.fields, engine=self.name, warnings=warnings
        )
