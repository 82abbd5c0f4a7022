"""From image bytes to an upright :class:`~bot.ocr.local.page.Page` of text lines.

One pass of each model, like plain RapidOCR, with the orientation decided in
between. ``LocalEngine.read`` calls :func:`decode`, then :func:`read`, whose steps
are one function each, in this order:

1. :func:`decode`: Pillow decodes the bytes (EXIF orientation honoured);
2. :func:`rescale`: the longest side scaled down to ``WORK_SIDE`` (recognition reads
   48-pixel-high crops, so more pixels buy nothing but time), a tiny image enlarged;
3. :func:`detect`: the text boxes, found on a copy 736 px on its short side (and
   without red ink where a seal is stamped);
4. :func:`orient`: if most of the text area lies in tall boxes the page is turned by
   90 or 270 degrees; the 0/180 classifier, asked about the longest lines once they
   are laid horizontal, settles the rest (in doubt, the recognizer's confidence in
   them, read as they stand and, unless that is high, turned);
5. :func:`turn`: the image turned upright (a lossless ``cv2.rotate``), and every box
   cropped from it;
6. :func:`recognize`: all crops in one batch (lines with red ink again without it);
7. :func:`assemble`: every box made a :class:`~bot.ocr.local.page.Line` in the frame
   turned back by the skew (measured from the long lines' top edges), which is what the
   layout rules reason about; a seal's own characters are left out;
8. :func:`check`: image-quality warnings (small, blurred, cut off).

The page keeps the upright image (:class:`~bot.ocr.local.photo.Photo`) for the
extractors' second readings. The models are called through
:class:`~bot.ocr.local.models.Models` only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from bot.images import open_image
from bot.ocr.base import Failure, OcrError
from bot.ocr.local import seal
from bot.ocr.local.models import REC_BATCH, Models, crop_quad
from bot.ocr.local.page import Line, Page, Quad, deskew
from bot.ocr.local.photo import Photo, tones
from bot.ocr.local.script import simplified

WORK_SIDE = 1600  # longest side the recognizer's crops come from
DET_SIDE = 736  # short side the detector sees: its own minimum; full size costs 2x time
# Boxes lower than this (median, detector pixels) are small print seen shrunk: the
# detector looks again at full size. Two licence pages far off on a desk measure 14-17
# and lose labels; real documents shrunk to DET_SIDE 22 or more; two of 34 real plates
# in a street (17) are looked at again too.
SMALL_PRINT = 18.0
MIN_SCORE = 0.5  # recognizer confidence below which a line is weak (RapidOCR's own cut-off)
WEAK_SCORE = 0.2  # below this a line is dropped altogether
# A line read this surely is not read again without the red ink touching it: of 144
# such lines (real photos and synthetic documents), none read differently without it.
SURE_SCORE = 0.98
ORIENT_SAMPLE = 12  # longest lines shown to the 0/180 classifier
# When the classifier is in doubt and does not lean to 180, lines the recognizer reads
# this surely (mean) as they stand are upright: upside down, real and synthetic plates,
# passports, bank and ID cards read at most 0.82 (one symmetric plate excepted, which
# the comparison with its turned reading gets wrong too).
ORIENT_SURE = 0.9
BLUR_THRESHOLD = 120.0  # variance of the Laplacian over text at 32-pixel text height (measured)
# A red line inside a seal whose ink is less than this share grey is the seal's own
# text: at most 0.01 for such lines, at least 0.11 for print crossing a seal, on 110
# licences (seeds 750100-750249).
SEAL_TEXT_GREY = 0.05
SMALL_SIDE = 360  # an image whose short side is under this many pixels is too small
# An image whose longest side is under this (a plate cropped tight, 94 x 24) is enlarged
# to it and given a margin of its own edge pixels: the detector finds no text that is
# only a few pixels high or touches the border (10 of 10 tight plate crops were empty).
TINY_SIDE = 400
# A plate filling the frame is read again (when the first read found none) at most this
# long and with a margin of its own edge pixels this share of its longest side: with
# characters a third of the image high, touching its edges, the detector found nothing
# (fresh seed 1560270: read whole at 320-640 px with the margin, not at 640 without).
FRAMED_SIDE = 640
FRAME_MARGIN = 0.15

_Rotate = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def decode(data: bytes) -> np.ndarray:
    """Decode encoded image bytes to a BGR array, upright per EXIF. Raises BAD_IMAGE.

    Decoding is ``bot.images.open_image``'s, shared with the cloud path: the same
    refusal of corrupt files and of decompression bombs.
    """
    rgb = np.asarray(open_image(data).convert("RGB"))
    if rgb.ndim != 3 or min(rgb.shape[:2]) < 8:
        raise OcrError(Failure.BAD_IMAGE, "image too small to decode", errcode=101002)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def read(
    models: Models,
    image: np.ndarray,
    *,
    min_score: float = MIN_SCORE,
    rotation: int | None = None,
    framed: bool = False,
) -> Page:
    """Detect, orient and recognize the text of a BGR image (from :func:`decode`).

    Lines the recognizer is less than ``min_score`` sure of go to ``Page.weak``.
    ``rotation``: the degrees that turn the image upright, when the caller knows better
    than :func:`orient` (the other way round from a first reading that made no sense).
    ``framed``: read it smaller and with a margin (:func:`frame`).
    """
    work = frame(image) if framed else rescale(image)
    boxes = detect(models, work.image)
    if boxes is None:
        boxes = _whole_line(work)
    if boxes is None:
        h, w = work.image.shape[:2]
        return Page([], w, h, work.orig_size, warnings=check(work, work.image, [], {}))
    if _stacked(boxes):  # characters boxed one by one down a page lying on its side
        boxes = _detect_turned(models, work.image, 90, boxes)
    read_upright: dict[bytes, tuple[str, float]] = {}  # what orient already read
    if rotation is None:  # colour: the classifier saw colour
        rotation = orient(models, work.image, boxes, read_upright)
    upright, quads = turn(work.image, boxes, rotation)
    crops = [crop_quad(upright, q) for q in quads]
    texts, scores, clean = recognize(models, upright, quads, crops, read_upright)
    if rotation in (90, 270):
        missed = _missed_on_its_side(models, work.image, rotation, boxes)
        if len(missed):  # read in a batch of their own: the others read as they would
            more = turned_quads(work.image, missed, rotation)  # upright is turned
            more_crops = [crop_quad(upright, q) for q in more]
            more_texts, more_scores, more_clean = recognize(models, upright, more, more_crops)
            clean = more_clean if clean is upright else clean
            boxes = np.concatenate([boxes, missed])
            quads, crops = quads + more, crops + more_crops
            texts, scores = texts + more_texts, scores + more_scores
    seals = seal.find_seals(upright, within=_document(quads))  # inside the document
    angle = _skew(quads)
    lines, weak, placed = assemble(
        upright,
        quads,
        crops,
        texts,
        scores,
        origins=[work.original(box) for box in boxes],
        skip=_seal_characters(seals, quads, crops),
        angle=angle,
        min_score=min_score,
    )
    up_h, up_w = upright.shape[:2]
    return Page(
        lines=lines,
        width=up_w,
        height=up_h,
        orig_size=work.orig_size,
        rotation=rotation,
        skew=math.degrees(angle),
        warnings=check(work, upright, lines, placed),
        weak=weak,
        photo=Photo(models, upright, clean, placed, angle, seals),
    )


@dataclass(frozen=True)
class Work:
    """The image the models see: the original scaled by ``scale``, then given a margin of
    ``pad`` pixels on every side (a tiny image only)."""

    image: np.ndarray
    orig_size: tuple[int, int]  # the original's width and height
    scale: float = 1.0
    pad: int = 0

    def original(self, box: np.ndarray) -> Quad:
        """A detected box in the original image's pixels, from its top-left corner."""
        return _as_quad((_start_top_left(box) - self.pad) / self.scale)


def rescale(image: np.ndarray) -> Work:
    """Scale the longest side down to ``WORK_SIDE`` (recognition reads 48-pixel-high
    crops: more pixels buy nothing but time); enlarge a tiny image (:func:`enlarge`)."""
    orig_h, orig_w = image.shape[:2]
    scale = min(1.0, WORK_SIDE / max(orig_h, orig_w))
    if scale < 1.0:
        size = (round(orig_w * scale), round(orig_h * scale))
        return Work(cv2.resize(image, size, interpolation=cv2.INTER_AREA), (orig_w, orig_h), scale)
    if max(orig_h, orig_w) < TINY_SIDE:
        big, scale, pad = enlarge(image)
        return Work(big, (orig_w, orig_h), scale, pad)
    return Work(image, (orig_w, orig_h))


def frame(image: np.ndarray) -> Work:
    """The image at most ``FRAMED_SIDE`` long with a margin of its own edge pixels
    (``FRAME_MARGIN``): a document filling the frame as text well inside one."""
    orig_h, orig_w = image.shape[:2]
    scale = min(1.0, FRAMED_SIDE / max(orig_h, orig_w))
    size = (round(orig_w * scale), round(orig_h * scale))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else image
    pad = round(FRAME_MARGIN * max(size))
    framed = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    return Work(framed, (orig_w, orig_h), scale, pad)


def _whole_line(work: Work) -> np.ndarray | None:
    """A tiny image at least twice as wide as high, where the detector found nothing, as
    one box: a line cropped tight (a plate, faded or dim, 136 x 36) is its own box."""
    orig_w, orig_h = work.orig_size
    if not work.pad or orig_w < 2 * orig_h:
        return None
    x0 = y0 = float(work.pad)
    x1, y1 = x0 + orig_w * work.scale, y0 + orig_h * work.scale
    return np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], dtype=np.float32)


def detect(models: Models, work: np.ndarray) -> np.ndarray | None:
    """The text boxes (n, 4, 2) in ``work``'s pixels; None when there is no text.

    The detector needs less resolution than the recognizer: it finds the boxes on a
    copy whose short side is ``DET_SIDE``, the text is cropped from ``work``; a
    smaller image is enlarged to it, however long and narrow (a licence cropped to
    722 x 266 needs it as much as a plate scan, 880 x 280, does not). Where the boxes
    it finds are small (a document far from the camera, :data:`SMALL_PRINT`), it looks
    again at full size, as plain RapidOCR does: shrunk, small print loses its labels.
    Where a seal is stamped, it looks at a copy without red ink: print under the seal
    would otherwise be cut into pieces or missed.
    """
    h, w = work.shape[:2]
    det_scale = min(1.0, DET_SIDE / min(h, w))
    source = seal.without_red(work) if seal.find_seals(work) else work
    det_img = source
    if det_scale < 1.0:
        size = (round(w * det_scale), round(h * det_scale))
        det_img = cv2.resize(source, size, interpolation=cv2.INTER_LINEAR)
    found = models.detect(det_img)
    if found is not None and det_scale < 1.0 and _box_height(found) < SMALL_PRINT:
        again = models.detect(source)
        if again is not None:
            found, det_scale = again, 1.0
    return None if found is None else np.asarray(found, dtype=np.float32) / det_scale


def _box_height(boxes: Sequence[np.ndarray]) -> float:
    """The median height of the detector's boxes, in its own pixels: each box's shorter
    side, whichever way the page lies."""
    return float(np.median([min(np.linalg.norm(b[1] - b[0]), np.linalg.norm(b[3] - b[0]))
                            for b in np.asarray(boxes)]))  # fmt: skip


def _stacked(boxes: np.ndarray) -> bool:
    """Most of the text lies in short boxes (large characters boxed one or two at a
    time, as on a two-row plate) and they run down the image, not across it: the page
    lies on its side, and the boxes' shapes cannot say so. Or one box, about as tall as
    wide, is all there is: a page on its side whose large print running down went
    unboxed may leave just that (a two-row plate's upper row held close, its lower row
    missed), and nothing tells which way the text runs; :func:`_detect_turned` looks
    across it turned."""
    if len(boxes) == 1:
        w, h = np.ptp(boxes[0][:, 0]), np.ptp(boxes[0][:, 1])
        return bool(max(w, h) < 1.5 * min(w, h))
    long = short = 0.0
    centres = []
    for quad in boxes:
        w, h = np.ptp(quad[:, 0]), np.ptp(quad[:, 1])
        if max(w, h) > 2.5 * min(w, h):
            long += w * h
        else:
            short += w * h
            centres.append(quad.mean(axis=0))
    if len(centres) < 2 or long > short / 2:
        return False
    cx, cy = np.ptp(np.asarray(centres), axis=0)
    return bool(cy > 1.5 * cx)


def _detect_turned(models: Models, img: np.ndarray, rotation: int, boxes: np.ndarray) -> np.ndarray:
    """The text boxes found again on ``img`` turned by ``rotation`` degrees, mapped back
    to ``img``'s pixels, when the text runs across the turned image in rows (upright or
    upside down: :func:`orient` tells which); else ``boxes`` as they were."""
    turned = cv2.rotate(img, _Rotate[rotation])
    found = detect(models, turned)
    if found is None:
        return boxes
    across = sum(w * h for w, h in (np.ptp(q, axis=0) for q in found) if w > 1.5 * h)
    if across <= sum(w * h for w, h in (np.ptp(q, axis=0) for q in found)) / 2:
        return boxes
    t_h, t_w = turned.shape[:2]
    return _rotate_points(found, 360 - rotation, t_w, t_h)


# The share of a page's boxes that must be found only upright for them to be added.
MISSED_SHARE = 0.2
# A page on its side is boxed again upright only where its print is smaller than this
# (the boxes' median height in the work image, pixels). The detector's misses were on
# 600 px copies of business licences with 23 px print; of 139 quarter-turned synthetic
# photos of nine types, only such a copy had a box missed. The cost: a turned, tilted
# bank card whose small VALID THRU went unboxed among 52 px print (docs/ocr.md).
SIDE_PRINT = 28.0


def _missed_on_its_side(
    models: Models, img: np.ndarray, rotation: int, boxes: np.ndarray
) -> np.ndarray:
    """The boxes of a page lying on its side that the detector finds only once the page
    is turned upright: it misses small print running down an image (a business
    licence's labels at 600 px) that it finds running across. Those overlapping the
    boxes already found are left out (a spaced label boxed whole, 名称, over its two
    characters boxed apart). A page whose print is not small (:data:`SIDE_PRINT`) is not
    looked at again: a second detection costs as much as the first."""
    if _box_height(boxes) >= SIDE_PRINT:
        return boxes[:0]
    again = _detect_turned(models, img, rotation, boxes)
    if again is boxes:
        return boxes[:0]
    missed = [q for q in again if sum(_covered(q, old) for old in boxes) < 0.3]
    if len(missed) < max(3, MISSED_SHARE * len(boxes)):  # a stray box or two, no lost print
        missed = []  # (on a real passport, a stray letter joined its MRZ line)
    return np.asarray(missed, dtype=np.float32).reshape(-1, 4, 2)


def _covered(quad: np.ndarray, other: np.ndarray) -> float:
    """The share of ``quad``'s area that ``other`` covers (both convex quadrilaterals:
    on a tilted photo a long line's bounding rectangle would cover its neighbours)."""
    a, b = np.asarray(quad, np.float32), np.asarray(other, np.float32)
    common, _ = cv2.intersectConvexConvex(a, b)
    return float(common / max(cv2.contourArea(a), 1e-6))


def orient(models: Models, img: np.ndarray, boxes: np.ndarray, read: dict | None = None) -> int:
    """Degrees (clockwise) that turn ``img`` upright, judged from its text boxes. What
    the recognizer read of the crops as they stand goes into ``read`` (by :func:`_key`)."""
    tall = wide = 0.0
    for quad in boxes:
        w, h = np.ptp(quad[:, 0]), np.ptp(quad[:, 1])  # extents: independent of corner order
        if h > 1.5 * w:
            tall += w * h
        elif w > 1.5 * h:
            wide += w * h
    base = 90 if tall > wide else 0
    h_img, w_img = img.shape[:2]
    turned = _rotate_points(boxes, base, w_img, h_img) if base else boxes
    upright = cv2.rotate(img, _Rotate[base]) if base else img
    long_first = sorted(turned, key=lambda q: -max(_sides(q)))
    crops = []
    for quad in long_first[:ORIENT_SAMPLE]:
        w, h = _sides(_start_top_left(quad))
        if w > 1.5 * h:
            crops.append(crop_quad(upright, _start_top_left(quad)))
    if not crops:
        return base
    votes = models.classify(crops)
    flipped = sum(score for label, score in votes if "180" in label)
    straight = sum(score for label, score in votes if "180" not in label)
    if len(crops) < 4 or abs(flipped - straight) < 0.5 * (flipped + straight):
        # Little or split evidence (a plate's one italic line fooled the classifier):
        # ask the recognizer which way round it reads more characters surely.
        kept = None if base else read  # turned by 90, the crops are not recognize's
        as_they_stand = _read_as_they_stand(models, upright, turned, crops, kept)
        leaning = len(crops) < 4 or straight >= flipped  # the classifier did not lean 180
        if leaning and np.mean([score for _, score in as_they_stand]) >= ORIENT_SURE:
            return base  # read this surely as they stand: no page upside down did
        texts, scores = models.recognize([cv2.rotate(c, cv2.ROTATE_180) for c in crops], REC_BATCH)
        flipped = _characters_read(zip(texts, map(float, scores), strict=True))
        straight = _characters_read(as_they_stand)
    return (base + 180) % 360 if flipped > straight else base


def _characters_read(readings: Iterable[tuple[str, float]]) -> float:
    """How many characters the readings hold, each line's counted at its confidence: the
    way round a page reads more text surely. A plate read upside down comes back short
    (蒙M·FX962 of synthetic seed 1450024 as M962), the marks of a road or a grille short
    either way round; counted a line a vote, such marks outvoted the plate on real
    road-camera photos."""
    return sum(len(text.strip()) * score for text, score in readings)


def _read_as_they_stand(
    models: Models, img: np.ndarray, boxes: np.ndarray, sample: list[np.ndarray], read: dict | None
) -> list[tuple[str, float]]:
    """What the recognizer reads of each crop of ``sample`` as it stands, and how surely.
    With ``read`` (the page's boxes are as :func:`recognize` will crop them), every box
    is read, in the batch :func:`recognize` would make, and kept in ``read``: on an
    upright page, the usual case, the orientation then costs no reading of its own."""
    if read is None:
        texts, scores = models.recognize(sample, REC_BATCH)
        return list(zip(texts, map(float, scores), strict=True))
    crops = [crop_quad(img, _start_top_left(q)) for q in boxes]
    texts, scores = models.recognize(crops, REC_BATCH)
    seen = zip(texts, map(float, scores), strict=True)
    read.update(zip(map(_key, crops), seen, strict=True))
    return [read[_key(c)] for c in sample]


def _key(crop: np.ndarray) -> bytes:
    """A crop's identity: its shape and its pixels."""
    return repr(crop.shape).encode() + crop.tobytes()


def turn(work: np.ndarray, boxes: np.ndarray, rotation: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The image turned upright by ``rotation`` degrees (a lossless ``cv2.rotate``), and
    the boxes in it, each starting at its top-left corner."""
    upright = cv2.rotate(work, _Rotate[rotation]) if rotation else work
    return upright, turned_quads(work, boxes, rotation)


def turned_quads(work: np.ndarray, boxes: np.ndarray, rotation: int) -> list[np.ndarray]:
    """The boxes of ``work`` as they lie once it is turned by ``rotation`` degrees, each
    starting at its top-left corner (the image itself is not turned)."""
    h, w = work.shape[:2]
    return [_start_top_left(q) for q in _rotate_points(boxes, rotation, w, h)]


def recognize(
    models: Models,
    upright: np.ndarray,
    quads: list[np.ndarray],
    crops: list[np.ndarray],
    read: dict | None = None,
) -> tuple[list[str], list[float], np.ndarray]:
    """The crops' texts and confidences, read in one batch, those that red ink touches
    again without it (:func:`_without_red_ink`); and the red-free image (``upright``
    when it has no red ink). When :func:`orient` already read exactly these crops (an
    upright page the classifier was in doubt about), its batch is the same and is not
    run again."""
    keys = [_key(c) for c in crops]
    if read and len(keys) == len(read) and read.keys() == set(keys):
        texts, rec_scores = [read[k][0] for k in keys], [read[k][1] for k in keys]
    else:
        texts, rec_scores = models.recognize(crops, REC_BATCH)
    scores = [float(x) for x in rec_scores]
    clean = _without_red_ink(models, upright, quads, crops, texts, scores)
    return texts, scores, clean


def assemble(
    upright: np.ndarray,
    quads: list[np.ndarray],
    crops: list[np.ndarray],
    texts: list[str],
    scores: list[float],
    *,
    origins: list[Quad],
    skip: set[int],
    angle: float,
    min_score: float,
) -> tuple[list[Line], list[Line], dict[Line, np.ndarray]]:
    """The boxes as :class:`Line` s in the deskewed frame (turned back by ``angle``):
    the sure lines in reading order, the weak ones (under ``min_score``), and where each
    line lies in ``upright``. Empty texts, those under ``WEAK_SCORE`` and the boxes in
    ``skip`` (a seal's own characters) are left out; ``origins``: the boxes in the
    original image."""
    up_h, up_w = upright.shape[:2]
    lines: list[Line] = []
    weak: list[Line] = []
    placed: dict[Line, np.ndarray] = {}
    for i, (quad, crop, text, score, orig) in enumerate(
        zip(quads, crops, texts, scores, origins, strict=True)
    ):
        text = fix_latin(simplified(text.strip()))
        if not text or score < WEAK_SCORE or i in skip:
            continue
        mean = crop.reshape(-1, 3).mean(axis=0)
        line = Line(
            text=text,
            box=deskew(quad, angle, up_w / 2, up_h / 2),
            score=float(score),
            orig=orig,
            rgb=(int(mean[2]), int(mean[1]), int(mean[0])),
            tones=tones(crop),
        )
        (lines if score >= min_score else weak).append(line)
        placed[line] = quad
    lines.sort(key=lambda ln: (ln.cy, ln.x0))
    return lines, weak, placed


def check(
    work: Work, upright: np.ndarray, lines: list[Line], placed: dict[Line, np.ndarray]
) -> list[str]:
    """Image-quality warnings: too few pixels, blurred text, text at the edge (the
    document may go on beyond the picture)."""
    warnings: list[str] = []
    if min(work.orig_size) < SMALL_SIDE:
        warnings.append("图片分辨率过低")
    if lines:
        up_h, up_w = upright.shape[:2]
        sharp = _sharpness(upright, [placed[ln] for ln in lines])
        if sharp is not None and sharp < BLUR_THRESHOLD:
            warnings.append("图片模糊")
        margin = 2.0
        if any(
            ln.x0 <= margin or ln.y0 <= margin or ln.x1 >= up_w - margin or ln.y1 >= up_h - margin
            for ln in lines
        ):
            warnings.append("证件可能超出画面边缘")
    return warnings


def fix_latin(text: str) -> str:
    """Digits the recognizer puts inside lower-case words, and letters inside numbers:
    ``tota1`` -> ``total``, ``P1ease`` -> ``Please``, ``Guest-1l`` -> ``Guest-11``."""
    text = re.sub(r"(?<=[a-z]{2})1(?![0-9])|(?<=[A-Za-z])1(?=[a-z]{2})", "l", text)
    text = re.sub(r"(?<=[0-9])l(?![A-Za-z])", "1", text)
    return re.sub(r"(?<=[a-z])0(?=[a-z])", "o", text)


def enlarge(image: np.ndarray) -> tuple[np.ndarray, float, int]:
    """A tiny image scaled up to ``TINY_SIDE`` and padded by half its short side with
    its own edge pixels; returns the image, the scale and the pad (pixels added on
    every side, after scaling)."""
    h, w = image.shape[:2]
    scale = TINY_SIDE / max(h, w)
    big = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
    pad = min(big.shape[:2]) // 2
    return cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_REPLICATE), scale, pad


def _rotate_points(points: np.ndarray, degrees: int, w: int, h: int) -> np.ndarray:
    """Map points of a ``w`` x ``h`` image turned clockwise by ``degrees``."""
    x, y = points[..., 0], points[..., 1]
    if degrees == 90:
        out = np.stack([h - y, x], axis=-1)
    elif degrees == 180:
        out = np.stack([w - x, h - y], axis=-1)
    elif degrees == 270:
        out = np.stack([y, w - x], axis=-1)
    else:
        out = points.copy()
    return out.astype(np.float32)


def _start_top_left(quad: np.ndarray) -> np.ndarray:
    """Re-start a clockwise quadrilateral at its top-left corner: the start of the edge
    that runs furthest to the right (the top edge of upright text)."""
    start = int(np.argmax((np.roll(quad, -1, axis=0) - quad)[:, 0]))
    return np.roll(quad, -start, axis=0)


def _sides(quad: np.ndarray) -> tuple[float, float]:
    w = float(np.linalg.norm(quad[0] - quad[1]))
    h = float(np.linalg.norm(quad[0] - quad[3]))
    return w, h


def _skew(quads: Sequence[np.ndarray]) -> float:
    """Median angle (radians) of the top edges of long horizontal boxes."""
    angles = []
    for quad in quads:
        w, h = _sides(quad)
        if w > 3 * h:
            dx, dy = quad[1] - quad[0]
            angles.append(math.atan2(float(dy), float(dx)))
    return float(np.median(angles)) if angles else 0.0


def _as_quad(points: np.ndarray) -> Quad:
    p = [(float(x), float(y)) for x, y in points]
    return (p[0], p[1], p[2], p[3])


def _sharpness(img: np.ndarray, quads: Sequence[np.ndarray]) -> float | None:
    """Variance of the Laplacian over the text crops, each scaled to 32-pixel height."""
    values = []
    for quad in sorted(quads, key=lambda q: -max(_sides(q)))[:8]:
        crop = crop_quad(img, quad)
        if crop.shape[0] < 8 or crop.shape[1] < 8:
            continue
        scale = 32.0 / crop.shape[0]
        crop = cv2.resize(crop, (max(8, int(crop.shape[1] * scale)), 32))
        gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        values.append(float(cv2.Laplacian(gray, cv2.CV_64F).var()))
    return float(np.median(values)) if values else None


def _without_red_ink(
    models: Models,
    upright: np.ndarray,
    quads: list[np.ndarray],
    crops: list[np.ndarray],
    texts: list[str],
    scores: list[float],
) -> np.ndarray:
    """Read again, with red turned to paper, the lines that red ink touches and that
    were read less surely than ``SURE_SCORE`` (in place).

    A seal stamped over printed values garbles them; without the red they come back.
    The better-scored reading wins, so red print that *is* the text (a plate's 警,
    a red card) keeps its first reading. Returns the red-free image (for re-reads).
    """
    inked = [i for i, crop in enumerate(crops) if seal.red_share(crop) > seal.RED_SHARE]
    if not inked:
        return upright
    clean = seal.without_red(upright)
    inked = [i for i in inked if scores[i] < SURE_SCORE]
    if not inked:
        return clean
    again, again_scores = models.recognize([crop_quad(clean, quads[i]) for i in inked])
    for i, text, score in zip(inked, again, again_scores, strict=True):
        if text.strip() and score > scores[i]:
            texts[i], scores[i] = text, float(score)
    return clean


def _seal_characters(
    seals: list[seal.Seal], quads: list[np.ndarray], crops: list[np.ndarray]
) -> set[int]:
    """The lines that are a piece of a seal's own text: inside a seal, red ink and
    next to no ink of another colour. The seal's name is read from its whole ring
    (``Page.read_stamps``); a piece of its arc taken for a line would join the value
    printed beside it."""
    out = set()
    for i, (quad, crop) in enumerate(zip(quads, crops, strict=True)):
        cx, cy = quad.mean(axis=0)
        if (
            any(math.hypot(cx - s.cx, cy - s.cy) < s.radius for s in seals)
            and seal.red_share(crop) > seal.RED_SHARE
            and seal.grey_share(crop) < SEAL_TEXT_GREY
        ):
            out.add(i)
    return out


def _document(quads: Sequence[np.ndarray], margin: float = 0.05) -> np.ndarray:
    """The document's outline, roughly: the hull of its text, a little enlarged."""
    hull = cv2.convexHull(np.concatenate(quads).reshape(-1, 2)).reshape(-1, 2)
    centre = hull.mean(axis=0)
    return centre + (hull - centre) * (1 + margin)
