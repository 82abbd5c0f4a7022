"""Accuracy of the offline engine on real photos (the development set), when it is here.

The photos are public photos of real documents that nobody on this project drew; they
are never committed (nor crops of them, nor what they say). ``bench/realset-manifest.json``
names each photo and holds its truth only as salted hashes, in the WeChat OCR API's
field names; a field is right when the engine's answer hashes the same after the
normalisation below (width, spaces and date separators do not count).

    .venv/bin/python bench/realset.py [DIR] [--kind bankcard ...]

``DIR`` (or ``REALSET_DIR``) holds the photos under the manifest's file names. Without
it the command says so and exits 0, so scripts may call it anywhere. It prints, per
kind, fields right / fields and per field, the count of numbers (ID, card, licence,
VIN, plate, passport) wrong without a warning, and every miss with what was read
(``--misses``; unmasked: the console only, never a file or a log).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ocr.base import DocType, OcrError  # noqa: E402

MANIFEST = ROOT / "bench" / "realset-manifest.json"
SALT = b"wechat-ocr-bot realset dev v1"
NUMBERS = {"id", "number", "id_num", "vin"}  # a wrong one needs a warning


def norm(name: str, value: Any, kind: str) -> str:
    """What must match exactly: width, spaces and date separators do not count."""
    v = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)).strip())
    if kind == "platenum" and name == "number":
        return v.upper().replace("·", "").replace("•", "").replace("-", "")
    if name == "valid_date":  # an ID card's validity: both dates (or 长期), however separated
        return re.sub(r"[^0-9长期]", "", v)
    if name in ("number", "id", "id_num", "vin", "engine_num", "plate_num"):
        if name == "number":
            return re.sub(r"\D", "", v)
        return v.upper().replace("·", "").replace("-", "")
    if name.endswith("_date") or name in ("valid_from", "valid_to"):
        m = re.match(r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})", v)
        if m:
            return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return v


def digest(name: str, value: Any, kind: str) -> str:
    data = norm(name, value, kind).encode()
    return hashlib.pbkdf2_hmac("sha256", data, SALT + name.encode(), 60000).hex()[:32]


@dataclass
class KindScore:
    """One kind's fields right, per field, and its misses."""

    right: collections.Counter[str] = field(default_factory=collections.Counter)
    total: collections.Counter[str] = field(default_factory=collections.Counter)
    silent: int = 0  # numbers wrong without a warning
    misses: list[tuple[str, str, Any, list[str]]] = field(default_factory=list)
    seconds: float = 0.0


def score_photo(
    row: dict[str, Any], got: dict[str, Any], warnings: list[str], into: KindScore
) -> None:
    """Score one photo's answer against its hashed truth."""
    for name, want in row["fields"].items():
        value = got.get(name)
        ok = value is not None and digest(name, value, row["kind"]) == want
        into.total[name] += 1
        into.right[name] += ok
        if not ok:
            into.misses.append((row["file"], name, value, warnings))
            if name in NUMBERS and value and not warnings:
                into.silent += 1


def run(folder: Path, rows: list[dict[str, Any]]) -> dict[str, KindScore]:
    from bot.ocr.local.engine import LocalEngine  # loads the models

    engine = LocalEngine()
    scores: dict[str, KindScore] = collections.defaultdict(KindScore)
    for row in rows:
        path = folder / row["file"]
        into = scores[row["kind"]]
        started = time.perf_counter()
        try:
            answer = engine.recognize(path.read_bytes(), DocType(row["kind"]))
            got, warnings = answer.fields, list(answer.warnings)
        except OcrError as exc:
            got, warnings = {}, [str(exc)]
        into.seconds += time.perf_counter() - started
        score_photo(row, got, warnings, into)
    return dict(sorted(scores.items()))


def table(scores: dict[str, KindScore], photos: collections.Counter[str]) -> str:
    out = [f"{'kind':<16}{'photos':>6}{'right':>12}{'share':>8}{'s/img':>7}   per field"]
    right = total = silent = 0
    for kind, s in scores.items():
        k_right, k_total = sum(s.right.values()), sum(s.total.values())
        right, total, silent = right + k_right, total + k_total, silent + s.silent
        detail = ", ".join(f"{f} {s.right[f]}/{s.total[f]}" for f in sorted(s.total))
        out.append(
            f"{kind:<16}{photos[kind]:>6}{f'{k_right}/{k_total}':>12}"
            f"{k_right / k_total:>8.1%}{s.seconds / photos[kind]:>7.2f}   {detail}"
        )
    share = f"{right / total:>8.1%}" if total else ""
    out.append(f"{'all':<16}{sum(photos.values()):>6}{f'{right}/{total}':>12}{share}")
    out.append(f"numbers wrong with no warning: {silent}")
    return "\n".join(out)


def rows_of(manifest: Path, kinds: list[str] | None) -> list[dict[str, Any]]:
    rows = json.loads(manifest.read_text(encoding="utf-8"))
    return [r for r in rows if not kinds or r["kind"] in kinds]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("dir", nargs="?", default=os.environ.get("REALSET_DIR"))
    ap.add_argument("--kind", nargs="+", metavar="KIND")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--misses", action="store_true", help="list every miss (console only)")
    args = ap.parse_args(argv)
    rows = rows_of(args.manifest, args.kind)
    folder = Path(args.dir) if args.dir else None
    if folder is None or not folder.is_dir():
        print(f"real photos: no dev set at {folder or '(give DIR or REALSET_DIR)'}: skipped")
        return 0
    here = [r for r in rows if (folder / r["file"]).is_file()]
    if len(here) < len(rows):
        print(f"real photos: {len(rows) - len(here)} of {len(rows)} not in {folder}: left out")
    scores = run(folder, here)
    print(table(scores, collections.Counter(r["kind"] for r in here)))
    if args.misses:
        print("\nmisses (file, field, what was read, warnings):")
        for kind in scores.values():
            for miss in kind.misses:
                print("  ", *miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
