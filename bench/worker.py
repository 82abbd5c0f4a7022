"""Seconds per job and peak memory of the recognition worker, in one run; four tables.

1. Worker model: the same ID card job under ``ocrbot worker`` (``worker.build_worker``:
   RQ's SimpleWorker, malloc tuned, the models loaded once before the first job) and
   under RQ's default forking ``Worker``, whose work horse loads the models for every
   job. Real RQ against a throwaway Redis.
2. ``--photos`` mixed photos (every type in turn, from ``bot/devtools/synth``) read by
   the worker as shipped and as it was before ``bot.malloc`` (glibc's defaults).
3. Knobs, one at a time against glibc's defaults, on ``--knob-photos`` of those photos:
   glibc's malloc (fixed mmap threshold, ``malloc_trim`` after each job,
   ``MALLOC_ARENA_MAX=2``), onnxruntime's session options (memory patterns, CPU memory
   arena, intra-op threads) and the detector's image size.
4. Throughput: photos per minute of one and of two ``ocrbot worker`` processes taking
   ``--throughput-photos`` jobs from one queue, per ``OCR_THREADS``.

Tables 2 and 3 run every configuration in its own process, all of them loaded at once,
and hand each photo to each of them in turn: on a shared machine every configuration
sees the same load, so compare within a table. Peak RSS is each process's ``VmHWM``
(memory is not disturbed by the load). "same fields" says whether a configuration
answered exactly what the first row answered on every photo.

    .venv/bin/python bench/worker.py [--jobs 6] [--photos 50] [--knob-photos 18]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import hashlib
import json
import logging
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ocr.base import DocType, OcrError  # noqa: E402

IDCARD = next((ROOT / "tests" / "data" / "synth").glob("*_idcard.jpg"))
SPAWN = mp.get_context("spawn")  # a fresh interpreter: its VmHWM is its own


def peak_mb() -> float:
    """This process's peak resident set size (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no /proc/self/status: Linux only")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no /proc/self/status: Linux only")


# --- 1 and 4: real RQ workers --------------------------------------------------------


def recognize_file(path: str, doc_type: str) -> tuple[float, float]:
    """The job: recognize as a job in this process would; (seconds, this process's peak MB)."""
    from bot.ocr.local import LocalEngine

    started = time.perf_counter()
    with contextlib.suppress(OcrError):  # a photo the engine cannot read still cost its time
        LocalEngine().recognize(Path(path).read_bytes(), DocType(doc_type))
    return time.perf_counter() - started, peak_mb()


def rq_worker(kind: str, url: str, queue: str, threads: int) -> None:
    """Child process: one RQ worker in burst mode on ``queue``."""
    import redis as redis_lib
    from rq import Worker

    from bot.config import Settings
    from bot.runtime import Runtime

    logging.getLogger("rq").setLevel(logging.WARNING)
    connection = redis_lib.Redis.from_url(url)
    if kind == "ours":
        import worker

        settings = Settings(ocr_engine="local", redis_url=url, queue_name=queue,
                            ocr_threads=threads)  # fmt: skip
        worker.build_worker(Runtime(settings, connection)).work(
            burst=True, with_scheduler=False, logging_level="WARNING"
        )
    else:
        Worker([queue], connection=connection).work(
            burst=True, with_scheduler=False, logging_level="WARNING"
        )


def run_rq(url: str, kind: str, photos: list[tuple[str, str]], workers: int, threads: int,
           ) -> tuple[list[float], float, float]:  # fmt: skip
    """Enqueue the photos, run ``workers`` worker processes until the queue is empty.
    Returns seconds per job, peak MB of any worker (or work horse), and wall seconds from
    the first job's start to the last one's end."""
    import redis as redis_lib
    from rq import Queue

    queue = Queue("bench", connection=redis_lib.Redis.from_url(url))
    queue.empty()
    jobs = [queue.enqueue("bench.worker.recognize_file",
                          kwargs={"path": path, "doc_type": doc_type}, result_ttl=600)
            for path, doc_type in photos]  # fmt: skip
    procs = [SPAWN.Process(target=rq_worker, args=(kind, url, "bench", threads))
             for _ in range(workers)]  # fmt: skip
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    seconds, peaks, starts, ends = [], [], [], []
    for job in jobs:
        job.refresh()
        assert job.get_status() == "finished", job.latest_result().exc_string
        s, peak = job.return_value()
        seconds.append(s)
        peaks.append(peak)
        starts.append(job.started_at)
        ends.append(job.ended_at)
    wall = (max(ends) - min(starts)).total_seconds()
    return seconds, max(peaks), wall


# --- 2 and 3: configurations side by side ---------------------------------------------


@dataclass(frozen=True)
class Config:
    name: str
    mmap_threshold: int = 0  # bytes: glibc's mmap threshold fixed (mallopt)
    trim: bool = False  # bot.malloc.release_freed() after each job, as worker.py does
    env: dict[str, str] = field(default_factory=dict)  # set before the interpreter starts
    session: dict[str, Any] = field(default_factory=dict)  # onnxruntime SessionOptions
    threads: int = 0  # OCR_THREADS
    det_side: int | None = None  # the detector's short side (reader.DET_SIDE)


SHIPPED = Config("as shipped (malloc_trim after each job)", trim=True)
BEFORE = Config("before: glibc malloc defaults")
KNOBS = [
    BEFORE,
    Config("malloc: mmap threshold fixed, 128 KiB", mmap_threshold=128 << 10),
    Config("malloc: mmap threshold fixed, 4 MiB", mmap_threshold=4 << 20),
    Config("malloc: malloc_trim after each job", trim=True),  # as shipped
    Config("malloc: MALLOC_ARENA_MAX=2", env={"MALLOC_ARENA_MAX": "2"}),
    Config("ort: memory patterns off", session={"enable_mem_pattern": False}),
    Config("ort: CPU memory arena on", session={"enable_cpu_mem_arena": True}),
    Config("ort: 1 intra-op thread", threads=1),
    Config("detector short side 640 (not 736)", det_side=640),
]


def _apply_session_options(options: dict[str, Any]) -> None:
    """Set the SessionOptions RapidOCR does not expose, by wrapping its builder: in the
    bench's child process only (the product sets what it sets through RapidOCR's config)."""
    from rapidocr.inference_engine.onnxruntime import main as ort_main

    build = ort_main.OrtInferSession._init_sess_opts

    def wrapped(cfg: Any) -> Any:
        sess_opt = build(cfg)
        for name, value in options.items():
            setattr(sess_opt, name, value)
        return sess_opt

    ort_main.OrtInferSession._init_sess_opts = staticmethod(wrapped)


def config_child(config: Config, conn: Any) -> None:
    """Child process: load the engine as ``config`` says, then read each photo sent."""
    from bot import malloc
    from bot.ocr.local import LocalEngine, load_models, reader

    if config.mmap_threshold:
        assert ctypes.CDLL(None).mallopt(-3, config.mmap_threshold) == 1  # M_MMAP_THRESHOLD
    if config.session:
        _apply_session_options(config.session)
    if config.det_side:
        reader.DET_SIDE = config.det_side
    engine = LocalEngine(load_models(threads=config.threads))
    conn.send(("loaded", rss_mb()))
    while (item := conn.recv()) is not None:
        path, doc_type = item
        started = time.perf_counter()
        try:
            answer: Any = engine.recognize(Path(path).read_bytes(), DocType(doc_type)).fields
        except OcrError as exc:
            answer = exc.failure.value
        seconds = time.perf_counter() - started
        if config.trim:
            malloc.release_freed()
        digest = hashlib.sha1(json.dumps(answer, sort_keys=True, default=str).encode())
        conn.send((seconds, digest.hexdigest(), peak_mb(), rss_mb()))


@dataclass
class Row:
    config: Config
    loaded_mb: float = 0.0
    peak_mb: float = 0.0
    end_mb: float = 0.0
    seconds: list[float] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)


def side_by_side(configs: list[Config], photos: list[tuple[str, str]]) -> list[Row]:
    rows, procs, conns = [], [], []
    for config in configs:
        ours, theirs = SPAWN.Pipe()
        saved = dict(os.environ)
        os.environ.update(config.env)  # a spawned interpreter inherits the environment
        proc = SPAWN.Process(target=config_child, args=(config, theirs))
        proc.start()
        os.environ.clear()
        os.environ.update(saved)
        rows.append(Row(config))
        procs.append(proc)
        conns.append(ours)
    for row, conn in zip(rows, conns, strict=True):
        _, row.loaded_mb = conn.recv()
    for done, photo in enumerate(photos, 1):
        for row, conn in zip(rows, conns, strict=True):  # one at a time: the same load
            conn.send(photo)
            seconds, digest, row.peak_mb, row.end_mb = conn.recv()
            row.seconds.append(seconds)
            row.digests.append(digest)
        if done % 9 == 0 and done < len(photos):  # a long run's progress, on stderr
            print(f"after {done} photos:", file=sys.stderr)
            print_rows(rows, file=sys.stderr)
    for conn, proc in zip(conns, procs, strict=True):
        conn.send(None)
        proc.join()
    return rows


def print_rows(rows: list[Row], file: Any = None) -> None:
    base = statistics.mean(rows[0].seconds)
    print("| configuration                        | mean s/job | median s/job | vs first "
          "| loaded MB | peak MB | at end MB | same fields |", file=file)  # fmt: skip
    print("|--------------------------------------|------------|--------------|----------"
          "|-----------|---------|-----------|-------------|", file=file)  # fmt: skip
    for row in rows:
        mean = statistics.mean(row.seconds)
        same = sum(a == b for a, b in zip(row.digests, rows[0].digests, strict=True))
        print(f"| {row.config.name:<36} | {mean:10.2f} | {statistics.median(row.seconds):12.2f}"
              f" | {mean / base:8.2f} | {row.loaded_mb:9.0f} | {row.peak_mb:7.0f} "
              f"| {row.end_mb:9.0f} | {same:>4}/{len(row.digests):<6} |", file=file)  # fmt: skip


def make_photos(directory: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` photos, the types in turn, written as JPEG files (made in this process)."""
    from bot.devtools.synth import generate, supported_types

    types = supported_types()
    out = []
    for k in range(count):
        doc_type = types[k % len(types)].value
        path = directory / f"{seed + k}_{doc_type}.jpg"
        if not path.exists():  # --photo-dir keeps them between runs
            path.write_bytes(generate(doc_type, seed=seed + k, mode="photo").jpeg)
        out.append((str(path), doc_type))
    return out


def machine() -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
    model = next((ln.split(":", 1)[1].strip() for ln in lscpu if ln.startswith("Model name")), "")
    mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    load = os.getloadavg()[0]
    return (f"{platform.machine()} {model}, {os.cpu_count()} cores, {int(mem) / 2**20:.1f} GiB,"
            f" Python {platform.python_version()}, load average {load:.1f}")  # fmt: skip


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("rq").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=6, help="ID card jobs per worker model")
    parser.add_argument("--photos", type=int, default=50, help="mixed photos of table 2")
    parser.add_argument("--knob-photos", type=int, default=18, help="photos of table 3")
    parser.add_argument("--throughput-photos", type=int, default=18, help="jobs of table 4")
    parser.add_argument("--seed", type=int, default=900_000)
    parser.add_argument("--tables", default="1234", help="which tables to run, e.g. 24")
    parser.add_argument("--photo-dir", type=Path, help="keep the photos here (default: a temp dir)")
    args = parser.parse_args()
    print(f"\nmachine: {machine()}")
    from bot.devtools.redis_server import start_redis

    server = start_redis()
    tmp = tempfile.TemporaryDirectory(prefix="bench-worker-")
    try:
        directory = args.photo_dir or Path(tmp.name)
        directory.mkdir(parents=True, exist_ok=True)
        photos = make_photos(directory, max(args.photos, args.knob_photos,
                                                  args.throughput_photos), args.seed)  # fmt: skip
        if "1" in args.tables:
            idcards = [(str(IDCARD), "idcard")] * args.jobs
            print(f"\n1. worker model: {args.jobs} ID card jobs each, seconds inside the job\n")
            print("| worker model                          | median s/job | max s/job | vs ours "
                  "| peak MB |")  # fmt: skip
            print("|---------------------------------------|--------------|-----------|---------"
                  "|---------|")  # fmt: skip
            ours = run_rq(server.url, "ours", idcards, 1, 0)
            forking = run_rq(server.url, "forking", idcards, 1, 0)
            base = statistics.median(ours[0])
            for name, (seconds, peak, _) in (
                ("ocrbot worker (SimpleWorker, preload)", ours),
                ("rq Worker (fork per job, no preload) ", forking),
            ):
                median = statistics.median(seconds)
                print(f"| {name} | {median:12.2f} | {max(seconds):9.2f} | {median / base:7.2f} "
                      f"| {peak:7.0f} |")  # fmt: skip
        if "2" in args.tables:
            print(f"\n2. {args.photos} mixed photos (every type in turn), one at a time to each\n")
            print_rows(side_by_side([SHIPPED, BEFORE], photos[: args.photos]))
        if "3" in args.tables:
            print(f"\n3. knobs, each alone, on {args.knob_photos} of those photos\n")
            print_rows(side_by_side(KNOBS, photos[: args.knob_photos]))
        if "4" in args.tables:
            n = args.throughput_photos
            print(f"\n4. throughput: {n} photo jobs from one queue, `ocrbot worker` processes\n")
            print("| workers | OCR_THREADS | photos/min | vs first | median s/job | peak MB |")
            print("|---------|-------------|------------|----------|--------------|---------|")
            base_rate = None
            for workers, threads in ((1, 0), (1, 1), (2, 1), (2, 0)):
                seconds, peak, wall = run_rq(server.url, "ours", photos[:n], workers, threads)
                rate = 60 * n / wall
                base_rate = base_rate or rate
                print(f"| {workers:7} | {threads:11} | {rate:10.1f} | {rate / base_rate:8.2f} "
                      f"| {statistics.median(seconds):12.2f} | {peak:7.0f} |")  # fmt: skip
    finally:
        server.stop()
        tmp.cleanup()
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
