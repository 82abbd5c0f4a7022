"""Speed and memory of the offline engine against plain RapidOCR, per document type.

For every type, ``--per-type`` synthetic images (alternately photo and scan,
see ``bot/devtools/synth``) are read by ``LocalEngine`` (decode, orientation,
recognition, field extraction, re-reads) and by plain RapidOCR on the same
bytes (the same three models, no fields), alternating image by image so both
see the same load on a shared machine. Prints, per
type, the median and 95th-percentile seconds per image of each, their ratio
(the engine's overhead), the ratio of their total seconds (a worker's throughput),
and the peak RSS of a fresh process that reads them
all with the engine only: a worker's footprint with the models loaded (the
images are made beforehand, in this process).

    .venv/bin/python bench/ocr.py [--per-type 8] [--seed 500000] [--types idcard ...]
                                  [--realset DIR]

With ``--realset DIR`` (or ``REALSET_DIR`` set) the real photos of the development set
(``bench/realset.py``) are timed the same way, after the synthetic ones, a row per kind
under ``real:``; they are read at their own size, as people send them.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.devtools.synth import generate, supported_types  # noqa: E402
from bot.ocr.base import DocType  # noqa: E402
from bot.ocr.local import LocalEngine  # noqa: E402


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    ``VmHWM`` belongs to the address space, which exec replaces, whereas
    ``getrusage``'s maximum survives fork and exec and would report the parent's.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(images: list[tuple[DocType, str, bytes]], timing: bool, queue) -> None:
    """Runs in a fresh process. ``timing``: read every image both ways, alternating, so
    both see the same machine load. Otherwise read with the engine only: its peak RSS
    is a worker's footprint."""
    started = time.perf_counter()
    engine = LocalEngine()
    load_s, rss_loaded = time.perf_counter() - started, rss_mb()
    engine.recognize(images[0][2], images[0][0])  # warm-up: first calls allocate
    engine.models.ocr(images[0][2])
    times: dict[str, tuple[list[float], list[float]]] = {}
    for doc_type, mode, jpeg in images:
        ours, plain = times.setdefault(doc_type.value, ([], []))
        t = time.perf_counter()
        try:
            engine.recognize(jpeg, doc_type, mode=mode)
        except Exception as exc:  # a failed read still took its time
            print(f"  {doc_type.value}: {exc}", file=sys.stderr)
        ours.append(time.perf_counter() - t)
        if timing:
            t = time.perf_counter()
            engine.models.ocr(jpeg)
            plain.append(time.perf_counter() - t)
    queue.put((load_s, rss_loaded, rss_mb(), times))


def _spawn(images: list[tuple[DocType, str, bytes]], timing: bool) -> tuple:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=measure, args=(images, timing, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def real_photos(folder: Path, types: list[DocType]) -> list[tuple[DocType, str, bytes]]:
    """The development set's photos of ``types`` found in ``folder``, each with its kind."""
    from bench.realset import MANIFEST, rows_of

    rows = rows_of(MANIFEST, [t.value for t in types])
    return [
        (DocType(r["kind"]), "photo", (folder / r["file"]).read_bytes())
        for r in rows
        if (folder / r["file"]).is_file()
    ]


def _rows(times: dict[str, tuple[list[float], list[float]]]) -> list[tuple[str, tuple]]:
    """A row per type, then one for all of them."""
    all_ours = [x for ours, _ in times.values() for x in ours]
    all_plain = [x for _, base in times.values() for x in base]
    return [*times.items(), ("all", (all_ours, all_plain))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=8)
    parser.add_argument("--seed", type=int, default=500000)
    parser.add_argument("--types", nargs="*", default=None)
    parser.add_argument("--realset", type=Path, default=os.environ.get("REALSET_DIR"))
    args = parser.parse_args()
    types = [DocType(t) for t in args.types] if args.types else list(supported_types())
    images = [
        (t, mode, generate(t, seed=args.seed + i, mode=mode).jpeg)
        for t in types
        for i, mode in enumerate(["photo", "scan"] * ((args.per_type + 1) // 2))
        if i < args.per_type
    ]
    real = real_photos(args.realset, types) if args.realset else []
    load_s, rss_loaded, rss_worker, _ = _spawn(images, timing=False)
    _, _, _, times = _spawn(images, timing=True)
    real_times = _spawn(real, timing=True)[3] if real else {}

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"model load: {load_s:.2f} s; RSS after load {rss_loaded:.0f} MB\n")
    head = f"{'type':<15}{'n':>3}  {'ours med':>8} {'ours p95':>8}  "
    head += f"{'plain med':>9} {'plain p95':>9}  {'ratio':>5} {'total':>5}"
    print(head)
    print("-" * len(head))
    rows = _rows(times)
    if real_times:
        rows += [(f"real: {name}", pair) for name, pair in _rows(real_times)]
    for name, (ours, base) in rows:
        ratio = statistics.median(ours) / statistics.median(base)
        print(
            f"{name:<15}{len(ours):>3}  {statistics.median(ours):>8.2f} {p95(ours):>8.2f}  "
            f"{statistics.median(base):>9.2f} {p95(base):>9.2f}  {ratio:>5.2f} "
            f"{sum(ours) / sum(base):>5.2f}"
        )
    print(f"\npeak RSS of a worker reading them all with the engine: {rss_worker:.0f} MB")


if __name__ == "__main__":
    main()
