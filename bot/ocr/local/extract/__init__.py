"""Field extractors: one module per document type, each ``extract(page) -> Result``.

An extractor reads only the :class:`~bot.ocr.local.page.Page` (lines, boxes,
scores), so it runs the same on a live recognition and on a recorded one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    """Fields as the WeChat OCR API names them; ``found`` is False when the type is absent."""

    fields: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.fields)

    def put(self, key: str, value: Any) -> None:
        """Set a field unless the value is empty (absent fields are left out, never '')."""
        if value not in (None, "", [], {}):
            self.fields[key] = value
