"""The committed synthetic sample set (tests/data/synth), looked up by what an image is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SYNTH = Path(__file__).parent / "data" / "synth"


def entries() -> list[dict[str, Any]]:
    lines = (SYNTH / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def find(doc_type: str, **match: Any) -> dict[str, Any]:
    """The first sample of ``doc_type`` whose metadata has every ``match`` value;
    its ``path`` is added."""
    for entry in entries():
        if entry["doc_type"] == doc_type and all(entry.get(k) == v for k, v in match.items()):
            return {**entry, "path": SYNTH / entry["file"]}
    raise LookupError(f"no {doc_type} sample with {match} in {SYNTH}")
