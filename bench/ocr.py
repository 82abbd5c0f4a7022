"""Speed and memory of the offline engine against plain RapidOCR, per document type.

For every type, ``--per-type`` synthetic images (alternately photo and scan,
see ``bot/devtools/synth``) are read by ``LocalEngine`` (decode, orientation,
recognition, field extraction, re-reads) and by plain RapidOCR on the same
bytes (the same three models, no fields), each in its own fresh process. Prints, per
type, the median and 95th-percentile seconds per image of each, their ratio
(the engine's overhead), and each process's peak RSS: the images are made
first, so the engine's figure is a worker's footprint with the models loaded.

    .venv/bin/python bench/ocr.py [--per-type 8] [--seed 500000] [--types idcard ...]
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


def measure(images: list[tuple[DocType, str, bytes]], plain: bool, queue) -> None:
    """Runs in a fresh process: load the models, read every image one way."""
    started = time.perf_counter()
    engine = LocalEngine()
    load_s, rss_loaded = time.perf_counter() - started, rss_mb()

    def run(doc_type: DocType, mode: str, jpeg: bytes) -> None:
        if plain:
            engine.models.ocr(jpeg)
        else:
            engine.recognize(jpeg, doc_type, mode=mode)

    run(*images[0])  # warm-up: first calls allocate
    times: dict[str, list[float]] = {}
    for doc_type, mode, jpeg in images:
        t = time.perf_counter()
        try:
            run(doc_type, mode, jpeg)
        except Exception as exc:  # a failed read still took its time
            print(f"  {doc_type.value}: {exc}", file=sys.stderr)
        times.setdefault(doc_type.value, []).append(time.perf_counter() - t)
    queue.put((load_s, rss_loaded, rss_mb(), times))


def _spawn(images: list[tuple[DocType, str, bytes]], plain: bool) -> tuple:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=measure, args=(images, plain, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=8)
    parser.add_argument("--seed", type=int, default=500000)
    parser.add_argument("--types", nargs="*", default=None)
    args = parser.parse_args()
    types = [DocType(t) for t in args.types] if args.types else list(supported_types())
    images = [
        (t, mode, generate(t, seed=args.seed + i, mode=mode).jpeg)
        for t in types
        for i, mode in enumerate(["photo", "scan"] * ((args.per_type + 1) // 2))
        if i < args.per_type
    ]
    load_s, rss_loaded, rss_ours, ours_t = _spawn(images, plain=False)
    _, _, rss_plain, plain_t = _spawn(images, plain=True)
    times = {name: (ours_t[name], plain_t[name]) for name in ours_t}

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"model load: {load_s:.2f} s; RSS after load {rss_loaded:.0f} MB\n")
    head = f"{'type':<15}{'n':>3}  {'ours med':>8} {'ours p95':>8}  "
    head += f"{'plain med':>9} {'plain p95':>9}  {'ratio':>5}"
    print(head)
    print("-" * len(head))
    all_ours = [x for ours, _ in times.values() for x in ours]
    all_plain = [x for _, base in times.values() for x in base]
    for name, (ours, base) in [*times.items(), ("all", (all_ours, all_plain))]:
        ratio = statistics.median(ours) / statistics.median(base)
        print(
            f"{name:<15}{len(ours):>3}  {statistics.median(ours):>8.2f} {p95(ours):>8.2f}  "
            f"{statistics.median(base):>9.2f} {p95(base):>9.2f}  {ratio:>5.2f}"
        )
    print(f"\npeak RSS: engine worker {rss_ours:.0f} MB, plain RapidOCR {rss_plain:.0f} MB")


if __name__ == "__main__":
    main()
