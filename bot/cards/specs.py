"""Which module handles which document type, and the three per-type entry points
(``labels``, ``checks``, ``mask``) that dispatch to it."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.cards import (
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
from bot.cards.common import Check, Fields, Spec, china_today
from bot.masking import mask_text
from bot.ocr.base import DocType

SPECS: dict[DocType, Spec] = {
    DocType.IDCARD: idcard.SPEC,
    DocType.BANKCARD: bankcard.SPEC,
    DocType.DRIVINGLICENSE: drivinglicense.SPEC,
    DocType.DRIVING: driving.SPEC,
    DocType.BIZLICENSE: bizlicense.SPEC,
    DocType.PLATENUM: platenum.SPEC,
    DocType.COMM: comm.SPEC,
    DocType.BUSINESSCARD: businesscard.SPEC,
    DocType.PASSPORT: passport.SPEC,
}

# A type without a module (``AUTO`` left unresolved): no labels, no checks, and
# every string scrubbed by ``mask_text``.
_GENERIC = Spec(labels={}, checks=lambda fields, today: [], mask=dict)


def spec_for(doc_type: DocType) -> Spec:
    return SPECS.get(DocType(doc_type), _GENERIC)


def labels(doc_type: DocType) -> dict[str, str]:
    """Field name -> Chinese label, in display order."""
    return dict(spec_for(doc_type).labels)


def checks(doc_type: DocType, fields: Fields, *, today: date | None = None) -> list[Check]:
    """The checks for ``fields`` (the unmasked ones: checks need the full numbers).

    ``today`` defaults to today's date in China; tests always pass it.
    """
    return spec_for(doc_type).checks(fields, today or china_today())


def mask(doc_type: DocType, fields: Fields) -> dict[str, Any]:
    """A copy of ``fields`` with the sensitive numbers masked.

    The document's own rule masks its known fields (ID and licence numbers, card
    and passport numbers, numbers inside general text). Text fields the module
    does not know (an engine's extras) go through :func:`mask_text`, so an
    unexpected field can never leak a number.
    """
    spec = spec_for(doc_type)
    masked = spec.mask(fields)
    for name, value in masked.items():
        if name in spec.labels:
            continue
        if isinstance(value, str):
            masked[name] = mask_text(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            masked[name] = [mask_text(v) for v in value]
    return masked
