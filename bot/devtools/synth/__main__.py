"""CLI: ``python -m bot.devtools.synth --out DIR --per-type N --seed S``.

Writes ``NNNN_<type>.jpg`` files and ``truth.jsonl`` (one JSON object a line:
``file``, ``doc_type``, ``side``, ``mode``, ``rotation``, ``seed``, ``truth``).
Image ``i`` of a run uses seed ``S + i``, so any line can be regenerated alone
with ``generate(doc_type, seed=..., mode=..., side=...)``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from .generator import MODES, Sample, generate, supported_types


def plan(
    types: list[str], per_type: int, seed: int, modes: list[str]
) -> Iterator[tuple[int, str, str, int]]:
    """(index, doc_type, mode, seed) for each image of a run, in file order."""
    i = 0
    for doc_type in types:
        for k in range(per_type):
            yield i, doc_type, modes[k % len(modes)], seed + i
            i += 1


def record(name: str, sample: Sample) -> dict:
    """The truth.jsonl line for one image."""
    m = sample.meta
    return {
        "file": name,
        "doc_type": sample.doc_type.value,
        "side": m.get("side"),
        "mode": m["mode"],
        "rotation": m["rotation"],
        "seed": m["seed"],
        "truth": sample.truth,
    }


def main(argv: list[str] | None = None) -> int:
    all_types = [t.value for t in supported_types()]
    ap = argparse.ArgumentParser(prog="python -m bot.devtools.synth", description=__doc__)
    ap.add_argument("--out", required=True, type=Path, help="directory to write to")
    ap.add_argument("--per-type", type=int, default=10, help="images per document type")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first image")
    ap.add_argument("--types", nargs="+", default=all_types, choices=all_types, metavar="TYPE")
    ap.add_argument("--mode", choices=(*MODES, "both"), default="photo")
    args = ap.parse_args(argv)
    modes = list(MODES) if args.mode == "both" else [args.mode]
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "truth.jsonl", "w", encoding="utf-8") as truth:
        for i, doc_type, mode, seed in plan(args.types, args.per_type, args.seed, modes):
            sample = generate(doc_type, seed=seed, mode=mode)
            name = f"{i:04d}_{doc_type}.jpg"
            (args.out / name).write_bytes(sample.jpeg)
            truth.write(json.dumps(record(name, sample), ensure_ascii=False) + "\n")
    print(f"wrote {i + 1} images to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
