"""Traditional characters to simplified (``t2s.json``: characters used only in
traditional writing, with their simplified forms).

Mainland documents print simplified characters only, but the multilingual recognizer
sometimes answers 漢 for 汉, and python-stdnum's division table spells a few names in
traditional script (松嶺區).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path


@cache
def _table() -> dict[int, str]:
    pairs = json.loads((Path(__file__).parent / "t2s.json").read_text(encoding="utf-8"))["map"]
    return {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)}


def simplified(text: str) -> str:
    return text.translate(_table())
