"""One module per document type, each with ``make(data, style, side) -> Doc``.

``data`` draws the document's content (and so its truth), ``style`` draws
fonts, colours and layout jitter. Keeping them apart means the truth for a
seed does not change when another machine has other fonts installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image


@dataclass
class Doc:
    """A rendered document, flat and upright, with what the API would return for it."""

    image: Image.Image  # RGB, or RGBA with transparent corners for cards
    truth: dict[str, Any]
    side: str | None = None
    info: dict[str, Any] = field(default_factory=dict)  # fonts and the like, for meta
