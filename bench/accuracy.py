"""Accuracy of the offline engine on fresh synthetic documents.

Generates ``--per-type`` images of every type (half scans, half photos, all
fake, see ``bot/devtools/synth``), runs ``LocalEngine`` on each, and prints:

- per document type: images, field exact-match rate, mean similarity, the
  share of images with every field right, and type detection with ``auto``
  (plus the ID card side);
- per field: exact-match rate and mean similarity.

A field counts as right when it equals the truth after Unicode NFKC and
without spaces (so full- and half-width punctuation do not count as errors);
a missing field counts as wrong. ``comm`` is scored per printed line.
Every miss goes to ``bench/accuracy-failures.jsonl`` with the seed that
regenerates its image: ``generate(doc_type, seed=..., mode=...)`` (its ``side`` is
what that seed chose: passing it as well draws a different document).

    .venv/bin/python bench/accuracy.py [--per-type 50] [--seed 100000] [--types idcard ...]

With ``--realset DIR`` (or ``REALSET_DIR`` set), the same types are then read from the
real photos of the development set, and their table follows (``bench/realset.py``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.devtools.synth import MODES, Sample, generate, supported_types  # noqa: E402
from bot.ocr.base import DocType, OcrError  # noqa: E402
from bot.ocr.local import reader  # noqa: E402

FAILURES = ROOT / "bench" / "accuracy-failures.jsonl"


def norm(value: Any) -> str:
    """The comparable form of a field: NFKC, no whitespace; lists joined by ``|``."""
    if isinstance(value, list | tuple):
        return "|".join(norm(v) for v in value)
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def similarity(want: str, got: str) -> float:
    return difflib.SequenceMatcher(None, want, got, autojunk=False).ratio() if want else 0.0


@dataclass
class FieldScore:
    name: str
    want: Any
    got: Any
    exact: bool
    similarity: float


@dataclass
class Outcome:
    """One image: its scores and what type detection said."""

    sample: Sample
    scores: list[FieldScore]
    error: str | None
    detected: str | None
    side_ok: bool | None
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def score_fields(doc_type: DocType, truth: dict[str, Any], got: dict[str, Any]) -> list[FieldScore]:
    """Compare every truth field with what the engine returned."""
    if doc_type is DocType.COMM:
        lines = [norm(item.get("text", "")) for item in got.get("items", [])]
        scores = []
        for item in truth["items"]:
            want = norm(item["text"])
            best = max((similarity(want, line) for line in lines), default=0.0)
            scores.append(FieldScore("items[line]", item["text"], None, want in lines, best))
        return scores
    scores = []
    for name, want in truth.items():
        value = got.get(name)
        exact = value is not None and norm(value) == norm(want)
        sim = similarity(norm(want), norm(value)) if value is not None else 0.0
        scores.append(FieldScore(name, want, value, exact, sim))
    return scores


def run_one(engine: Any, sample: Sample) -> Outcome:
    """Read the image once, then answer as the true type (as ``recognize`` does: a plate
    may be read again) and extract as ``auto``."""
    mode = sample.meta["mode"]
    started = time.perf_counter()
    got: dict[str, Any] = {}
    error = detected = None
    side_ok = None
    try:
        decoded = reader.decode(sample.jpeg)
        page = reader.read(engine.models, decoded)
    except OcrError as exc:
        page, error = None, f"read: {exc.errcode} {exc}"
    except Exception as exc:  # a crash is a result here: report it and go on
        page, error = None, f"read crashed: {exc!r}"
    if page is not None:
        try:
            got = engine.answer(decoded, page, sample.doc_type, mode=mode)[0].fields
        except OcrError as exc:
            error = f"extract: {exc.errcode} {exc}"
        except Exception as exc:
            error = f"extract crashed: {exc!r}"
        try:
            auto = engine.extract(page, DocType.AUTO, mode=mode)
            detected = auto.doc_type.value
            if sample.doc_type is DocType.IDCARD:
                side_ok = auto.fields.get("type") == sample.truth["type"]
        except OcrError:
            detected = None
        except Exception as exc:
            detected = f"crashed: {exc!r}"
    seconds = time.perf_counter() - started
    return Outcome(sample, score_fields(sample.doc_type, sample.truth, got), error, detected,
                   side_ok, seconds)  # fmt: skip


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    - "


def tables(outcomes: list[Outcome]) -> str:
    by_type: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_type[o.sample.doc_type.value].append(o)
    out = [
        f"{'type':<15}{'imgs':>5}{'fields':>8}{'exact':>8}{'simil':>8}{'all ok':>8}"
        f"{'errors':>8}{'detect':>8}{'side':>8}{'s/img':>7}",
    ]
    total_fields = total_exact = 0
    for doc_type, group in by_type.items():
        scores = [s for o in group for s in o.scores]
        exact = sum(s.exact for s in scores)
        total_fields += len(scores)
        total_exact += exact
        sides = [o.side_ok for o in group if o.side_ok is not None]
        out.append(
            f"{doc_type:<15}{len(group):>5}{len(scores):>8}{pct(exact, len(scores)):>8}"
            f"{pct(sum(s.similarity for s in scores), len(scores)):>8}"
            f"{pct(sum(all(s.exact for s in o.scores) for o in group), len(group)):>8}"
            f"{sum(o.error is not None for o in group):>8}"
            f"{pct(sum(o.detected == doc_type for o in group), len(group)):>8}"
            f"{pct(sum(sides), len(sides)):>8}"
            f"{sum(o.seconds for o in group) / len(group):>7.2f}"
        )
    out.append(f"{'all':<15}{len(outcomes):>5}{total_fields:>8}{pct(total_exact, total_fields):>8}")
    out += ["", f"{'field':<36}{'n':>5}{'exact':>8}{'simil':>8}"]
    fields: dict[str, list[FieldScore]] = defaultdict(list)
    for o in outcomes:
        for s in o.scores:
            fields[f"{o.sample.doc_type.value}.{s.name}"].append(s)
    for name, scores in fields.items():
        out.append(
            f"{name:<36}{len(scores):>5}{pct(sum(s.exact for s in scores), len(scores)):>8}"
            f"{pct(sum(s.similarity for s in scores), len(scores)):>8}"
        )
    by_mode: dict[str, list[FieldScore]] = defaultdict(list)
    for o in outcomes:
        by_mode[f"{o.sample.meta['mode']} rot {o.sample.rotation}"] += o.scores
    out += ["", f"{'mode / rotation':<36}{'n':>5}{'exact':>8}"]
    for name in sorted(by_mode):
        scores = by_mode[name]
        out.append(f"{name:<36}{len(scores):>5}{pct(sum(s.exact for s in scores), len(scores)):>8}")
    return "\n".join(out)


def failure_lines(o: Outcome) -> list[dict[str, Any]]:
    m = o.sample.meta
    base = {"doc_type": m["doc_type"], "seed": m["seed"], "mode": m["mode"], "side": m["side"],
            "rotation": m["rotation"]}  # fmt: skip
    lines = []
    if o.error:
        lines.append({**base, "field": "_error", "error": o.error})
    if o.detected != m["doc_type"] or o.side_ok is False:
        lines.append({**base, "field": "_doc_type", "want": m["doc_type"], "got": o.detected,
                      "side_ok": o.side_ok})  # fmt: skip
    for s in o.scores:
        if not s.exact:
            lines.append({**base, "field": s.name, "want": s.want, "got": s.got,
                          "similarity": round(s.similarity, 3)})  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    all_types = [t.value for t in supported_types()]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--per-type", type=int, default=50)
    ap.add_argument("--seed", type=int, default=100_000, help="first seed (not the test seeds)")
    ap.add_argument("--types", nargs="+", default=all_types, choices=all_types, metavar="TYPE")
    ap.add_argument("--mode", choices=(*MODES, "both"), default="both")
    ap.add_argument("--failures", type=Path, default=FAILURES)
    ap.add_argument("--realset", default=os.environ.get("REALSET_DIR"),
                    help="folder of the real photos (bench/realset.py)")  # fmt: skip
    args = ap.parse_args(argv)

    from bot.ocr.local.engine import LocalEngine  # loads the models: after argument errors

    engine = LocalEngine()
    modes = list(MODES) if args.mode == "both" else [args.mode]
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    seed = args.seed
    with open(args.failures, "w", encoding="utf-8") as failures:
        for doc_type in args.types:
            for k in range(args.per_type):
                sample = generate(doc_type, seed=seed, mode=modes[k % len(modes)])
                seed += 1
                outcome = run_one(engine, sample)
                outcomes.append(outcome)
                for line in failure_lines(outcome):
                    failures.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
            print(f"{doc_type}: done ({time.perf_counter() - started:.0f}s)", file=sys.stderr)
    print(tables(outcomes))
    print(f"\n{len(outcomes)} images in {time.perf_counter() - started:.0f}s; "
          f"misses written to {args.failures}")  # fmt: skip
    if args.realset:
        from bench import realset

        print("\nreal photos (development set):")
        realset.main([args.realset, "--kind", *args.types])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
