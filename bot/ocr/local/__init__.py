"""The offline recognition engine: RapidOCR for the text, layout rules for the fields.

``from bot.ocr.local import LocalEngine``; see ``docs/ocr.md`` for how it works.
"""

from bot.ocr.local.engine import LocalEngine
from bot.ocr.local.models import load_models

__all__ = ["LocalEngine", "load_models"]
