"""OCR engines behind one interface, and the fallback chain that combines them.

``OCR_ENGINE=local`` (default), ``wechat``, or a chain such as
``wechat,local``: the first engine that reads the type is tried first, and
any failure falls through to the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.ocr.base import CLOUD_TYPES, DocType, Engine, Failure, OcrError, Recognition

log = logging.getLogger(__name__)

# What each engine reads, known without loading it (the web process never loads models).
ENGINE_TYPES: dict[str, tuple[DocType, ...]] = {
    "wechat": CLOUD_TYPES,
    "local": (*CLOUD_TYPES, DocType.BUSINESSCARD, DocType.PASSPORT, DocType.AUTO),
}

# The document-type menu, in the order users see it.
MENU_ORDER: tuple[DocType, ...] = (*CLOUD_TYPES, DocType.AUTO)


def check_chain(names: Sequence[str]) -> tuple[str, ...]:
    unknown = [n for n in names if n not in ENGINE_TYPES]
    if unknown or not names:
        raise ValueError(f"OCR_ENGINE: unknown engine {unknown or names!r}; use local, wechat")
    return tuple(names)


def readable_types(names: Sequence[str]) -> tuple[DocType, ...]:
    """The menu for an engine chain: every type at least one of its engines reads."""
    readable = {t for n in check_chain(names) for t in ENGINE_TYPES[n]}
    return tuple(t for t in MENU_ORDER if t in readable)


# Told when an engine of a chain failed and the next one is tried: (engine name, why).
FallbackHook = Callable[[str, Failure], None]


class Chain:
    """Engines tried in order; a failure of one falls back to the next."""

    def __init__(self, engines: Sequence[Engine], on_fallback: FallbackHook | None = None) -> None:
        self.engines = tuple(engines)
        self.name = ",".join(e.name for e in self.engines)
        self.on_fallback = on_fallback

    @property
    def doc_types(self) -> tuple[DocType, ...]:
        return readable_types([e.name for e in self.engines])

    def recognize(self, image: bytes, doc_type: DocType, *, mode: str = "photo") -> Recognition:
        candidates = [e for e in self.engines if doc_type in e.doc_types]
        if not candidates:
            raise OcrError(Failure.CONFIG, f"no configured engine reads {doc_type.value}")
        last: OcrError | None = None
        for engine in candidates:
            try:
                return engine.recognize(image, doc_type, mode=mode)
            except OcrError as error:
                log.warning("engine %s failed (%s): %s", engine.name, error.failure.value, error)
                last = error
                if self.on_fallback is not None and engine is not candidates[-1]:
                    self.on_fallback(engine.name, error.failure)
        assert last is not None
        raise last
