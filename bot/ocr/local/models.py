"""Loading RapidOCR's models, once per process.

The three ONNX models (PP-OCRv6 small detector and recognizer, the mobile
0/180 degree classifier) ship inside the ``rapidocr`` wheel. We name their
paths explicitly so RapidOCR never tries to download anything, and we load
all three eagerly, once: ``worker.py`` does it before the first job. (A
forking worker that loaded them before the fork would also share them,
copy-on-write: ``tests/engine/test_local_engine.py`` checks that it works.)

Each model's onnxruntime session computes with ``threads`` threads
(``OCR_THREADS``): one per core by default, which is right for one worker
alone on its machine; workers sharing the cores should split them
(``docs/benchmarks.md``). The CPU memory arena stays off (RapidOCR's
default): with it, a worker keeps the largest activations it ever needed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_models: Models | None = None


@dataclass(frozen=True)
class Models:
    """The three stages of RapidOCR, ready to call."""

    ocr: Any  # rapidocr.RapidOCR, kept for the plain-RapidOCR benchmark
    det: Any  # rapidocr.ch_ppocr_det.TextDetector
    cls: Any  # rapidocr.ch_ppocr_cls.TextClassifier
    rec: Any  # rapidocr.ch_ppocr_rec.TextRecognizer


def _params(model_dir: Path, threads: int) -> dict[str, Any]:
    return {
        "Global.log_level": "error",
        # RapidOCR passes these to onnxruntime's SessionOptions; -1 leaves onnxruntime's
        # default (one thread per physical core).
        "EngineConfig.onnxruntime.intra_op_num_threads": threads or -1,
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": False,
        "Det.model_path": str(model_dir / "PP-OCRv6_det_small.onnx"),
        "Rec.model_path": str(model_dir / "PP-OCRv6_rec_small.onnx"),
        "Cls.model_path": str(model_dir / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
    }


def load_models(threads: int = 0) -> Models:
    """Return the process's models, loading them on the first call (thread-safe).

    ``threads``: intra-op threads of each session, ``0`` for onnxruntime's default.
    Only the first call's value counts: later calls get the models already loaded.
    """
    global _models
    if _models is not None:
        return _models
    with _lock:
        if _models is None:
            import rapidocr  # heavy import (onnxruntime, cv2): only when asked for

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            model_dir = Path(rapidocr.__file__).resolve().parent / "models"
            ocr = rapidocr.RapidOCR(params=_params(model_dir, threads))
            # The private loaders are how RapidOCR itself builds each stage (pinned 3.10.0).
            _models = Models(
                ocr=ocr,
                det=ocr._load_det_model(),
                cls=ocr._load_cls_model(),
                rec=ocr._load_rec_model(),
            )
    return _models
