"""RapidOCR's models: loaded once per process, and called through :class:`Models`.

This is the one module that knows RapidOCR's insides (pinned 3.10.0): its private
loaders, its stages' inputs and outputs, the recognizer's session and character list,
its crop of a rotated box. Every other module calls the methods of :class:`Models`
(``tests/unit/test_imports.py`` checks it).

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

import cv2
import numpy as np

_lock = threading.Lock()
_models: Models | None = None

# A page's lines the recognizer reads in one run. Every crop of a run is padded to the
# widest; on two cores onnxruntime reads runs of two about a fifth faster than RapidOCR's
# six (``bench/ocr.py``), and the texts are the same but for a crop in a hundred whose
# padding changed.
REC_BATCH = 2


@dataclass(frozen=True)
class Models:
    """The three stages of RapidOCR, behind the calls the reader makes."""

    ocr: Any  # rapidocr.RapidOCR, kept for the plain-RapidOCR benchmark
    det: Any  # rapidocr.ch_ppocr_det.TextDetector
    cls: Any  # rapidocr.ch_ppocr_cls.TextClassifier
    rec: Any  # rapidocr.ch_ppocr_rec.TextRecognizer

    def detect(self, img: np.ndarray) -> np.ndarray | None:
        """The text boxes of a BGR image (n, 4, 2), in its pixels; None when there is none.

        RapidOCR's detector, its input resized to :func:`det_size` and normalised by
        OpenCV in float32 where RapidOCR uses float64 numpy: about 10 ms less CPU a photo
        (of some 440 ms in the detector), the same boxes within a pixel. It assumes
        RapidOCR's defaults (``limit_type: min``, mean and std 0.5), which ``_params``
        leaves alone.
        """
        h, w = img.shape[:2]
        size = det_size(h, w, self.det.limit_side_len)
        blob = cv2.dnn.blobFromImage(cv2.resize(img, size), 1 / 127.5, size, (127.5,) * 3)
        boxes, _ = self.det.postprocess_op(self.det.session(blob), (h, w))
        return None if len(boxes) == 0 else self.det.sorted_boxes(boxes)

    def classify(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """The 0/180 classifier's (label, score) for each crop of a horizontal line; a label
        with ``180`` in it says the crop is upside down."""
        return self.cls(crops).cls_res

    def recognize(
        self, crops: list[np.ndarray], run: int | None = None
    ) -> tuple[list[str], list[float]]:
        """The recognizer's text and confidence (0..1) for each crop (one crop at least).

        The crops are read narrowest first, ``run`` at a time (:data:`REC_BATCH` for a
        page's lines), each run padded to its widest; ``None``: RapidOCR's own runs of
        six, which the re-reads were tuned with (their padding changes what they read).
        """
        if run is None:
            out = self.rec(_rec_input(crops))
            return list(out.txts), list(out.scores)
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        texts, scores = [""] * len(crops), [0.0] * len(crops)
        for start in range(0, len(order), run):
            chunk = order[start : start + run]
            out = self.rec(_rec_input([crops[i] for i in chunk]))
            for i, text, score in zip(chunk, out.txts, out.scores, strict=True):
                texts[i], scores[i] = text, score
        return texts, scores

    @property
    def characters(self) -> tuple[str, ...]:
        """The recognizer's characters, index 0 being CTC's blank (the columns of
        :meth:`frame_probs`)."""
        return tuple(self.rec.postprocess_op.character)

    def frame_probs(self, crops: list[np.ndarray]) -> np.ndarray:
        """(crops, frames, characters) probabilities from the recognizer.

        The same resize and normalisation as ``TextRecognizer.__call__``, stopping
        before its greedy decoding (:mod:`bot.ocr.local.ctc` decodes against a lexicon).
        """
        _, height, width = self.rec.rec_image_shape[:3]
        ratio = max([width / height] + [c.shape[1] / c.shape[0] for c in crops])
        batch = np.stack([self.rec.resize_norm_img(c, ratio) for c in crops]).astype(np.float32)
        return np.asarray(self.rec.session(batch))


def det_size(h: int, w: int, shortest: int) -> tuple[int, int]:
    """The (width, height) the detector sees an ``h`` x ``w`` image at: RapidOCR's rule,
    the short side at least ``shortest`` and both sides multiples of 32."""
    ratio = max(1.0, shortest / min(h, w))
    return (max(32, round(int(w * ratio) / 32) * 32), max(32, round(int(h * ratio) / 32) * 32))


def crop_quad(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quadrilateral ``quad`` of ``img`` cut out and straightened, its first corner
    top left (RapidOCR's own crop, so that the recognizer sees what it was trained on)."""
    from rapidocr.utils.process_img import get_rotate_crop_image

    return get_rotate_crop_image(img, quad.astype(np.float32).copy())


def _rec_input(crops: list[np.ndarray]) -> Any:
    from rapidocr.ch_ppocr_rec import TextRecInput

    return TextRecInput(img=crops)


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
