"""The small committed sample set in ``tests/data/synth``.

Regenerate it with::

    .venv/bin/python -m bot.devtools.synth.sampleset tests/data/synth

Every type once as a scan and once as an upright photo, ID cards on both
sides, vehicle licences with and without their 副页, plus ID fronts
photographed at 90/180/270 degrees, one turned bank card, and a few hard
cases from accuracy runs. Each line of ``truth.jsonl`` says how its image was
made (seed, mode, side, rotation); :func:`items` is what makes them again (a
side or rotation left to the seed draws differently from one given).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .__main__ import record
from .generator import generate, supported_types


@dataclass(frozen=True)
class Item:
    doc_type: str
    seed: int
    mode: str
    side: str | None = None
    rotation: int | None = None  # photos only; None lets the seed decide


def items() -> list[Item]:
    out: list[Item] = []
    seed = 1000
    for t in supported_types():
        sides = {"idcard": ("Front", "Back"), "driving": ("Front", "Both")}.get(t.value, (None,))
        for side in sides:
            out.append(Item(t.value, seed, "scan", side))
            out.append(Item(t.value, seed + 1, "photo", side, rotation=0))
            seed += 2
    for rotation in (90, 180, 270):
        out.append(Item("idcard", seed, "photo", "Front", rotation))
        seed += 1
    out.append(Item("bankcard", seed, "photo", None, 90))
    # Misses of a fresh accuracy run that only an image can replay (a re-read, the
    # seal's ink); side and rotation as their seeds decide.
    out.append(Item("idcard", 730028, "photo"))  # a lone 1 ends the address
    out.append(Item("bizlicense", 730223, "scan"))  # seal text beside the address
    out.append(Item("passport", 740304, "photo"))  # the MRZ's first line goes undetected
    out.append(Item("drivinglicense", 700134, "photo"))  # washed-out labels cross the seal
    out.append(Item("bizlicense", 740214, "photo"))  # two 、 skipped inside a scope line
    return out


def write(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    for i, item in enumerate(items()):
        sample = generate(
            item.doc_type, seed=item.seed, mode=item.mode, side=item.side, rotation=item.rotation
        )
        name = f"{i:04d}_{item.doc_type}.jpg"
        (out / name).write_bytes(sample.jpeg)
        lines.append(json.dumps(record(name, sample), ensure_ascii=False))
    (out / "truth.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/synth")
    print(f"wrote {write(target)} images to {target}", file=sys.stderr)
