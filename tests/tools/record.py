"""Record what the recognizer reads, for the extraction tests.

    .venv/bin/python -m tests.tools.record idcard --seed 7 --mode photo --side Front \\
        --rotation 90 --name idcard_front_rot90

writes ``tests/data/recorded/<name>.json``: the synthetic document's truth,
how it was made, and the :class:`~bot.ocr.local.page.Page` the real RapidOCR
read from it. The extraction tests replay these pages without a model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.ocr.base import DocType

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded"


def record(
    doc_type: str,
    *,
    seed: int,
    mode: str,
    side: str | None,
    rotation: int | None,
    name: str,
) -> Path:
    from bot.devtools.synth import generate
    from bot.ocr.local import LocalEngine

    sample = generate(doc_type, seed=seed, mode=mode, side=side, rotation=rotation)
    page = LocalEngine().read(sample.jpeg)
    page.seal_readings()  # read the seal now, so the recording holds it
    data = {
        "source": {
            "generator": "bot.devtools.synth.generate",
            "doc_type": doc_type,
            "seed": seed,
            "mode": mode,
            "side": side,
            "rotation": sample.rotation,
        },
        "truth": sample.truth,
        "page": page.to_json(),
    }
    RECORDED.mkdir(parents=True, exist_ok=True)
    path = RECORDED / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("doc_type", choices=[t.value for t in DocType if t is not DocType.AUTO])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--mode", default="photo", choices=["photo", "scan"])
    parser.add_argument("--side", default=None)
    parser.add_argument("--rotation", type=int, default=None)
    parser.add_argument("--name", required=True)
    args = parser.parse_args()
    path = record(
        args.doc_type,
        seed=args.seed,
        mode=args.mode,
        side=args.side,
        rotation=args.rotation,
        name=args.name,
    )
    print(path)


if __name__ == "__main__":
    main()
