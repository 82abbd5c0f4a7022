"""Per-document knowledge: field labels, checks, masking and the chat reply.

Every engine returns a :class:`~bot.ocr.base.Recognition` whose ``fields`` use
the WeChat OCR API's names; this package turns them into what the user reads::

    from bot.cards import render
    text = render(recognition)            # masked, checked, under 2000 bytes

One module per document type (``idcard.py``, ``bankcard.py``, ...), each
exporting a :class:`Spec`; this module only dispatches. Everything here is pure:
no Redis, no HTTP, and no clock except through ``today``.
"""

from __future__ import annotations

from bot.cards.common import Check
from bot.cards.render import render
from bot.cards.specs import checks, labels, mask
from bot.masking import mask_card, mask_id, mask_passport, mask_text

__all__ = [
    "Check",
    "checks",
    "labels",
    "mask",
    "mask_card",
    "mask_id",
    "mask_passport",
    "mask_text",
    "render",
]
