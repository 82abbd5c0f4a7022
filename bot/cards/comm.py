"""通用文字 (general text): ``items`` of ``{"text", "pos"}`` and ``img_size``.

The reply prints the text lines (positions are for machines). ID numbers and
card numbers inside the text are masked like on their own documents.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.cards.common import Check, Fields, Spec
from bot.masking import mask_text

LABELS = {"items": "文字"}


def texts(fields: Fields) -> list[str]:
    """The recognized lines, in the engine's order, blank ones dropped."""
    items = fields.get("items") or []
    found = []
    for item in items:
        text = item.get("text") if isinstance(item, dict) else None
        if isinstance(text, str) and text.strip():
            found.append(text.strip())
    return found


def checks(fields: Fields, today: date) -> list[Check]:
    return [Check("lines", None, f"共识别 {len(texts(fields))} 行文字")]


def mask(fields: Fields) -> dict[str, Any]:
    masked = dict(fields)
    if isinstance(masked.get("items"), list):
        masked["items"] = [
            {**item, "text": mask_text(item["text"])}
            if isinstance(item, dict) and isinstance(item.get("text"), str)
            else item
            for item in masked["items"]
        ]
    return masked


SPEC = Spec(labels=LABELS, checks=checks, mask=mask, lines=texts)
