"""Round red seals: find them, and read the text that runs around their upper arc.

The detector cannot read curved text, so we unroll the seal: a polar warp
around the seal's centre turns the ring of characters into a straight strip
(angle along x, radius along y, outward up), which the recognizer reads like
any line. Red ink is also what hides printed text under a seal, so
:func:`without_red` gives the recognizer a copy in which red ink is paper.

A seal's characters are small, patchy and crossed by the print under them, so
its text is rarely read letter for letter. But it is always one of a few
hundred names (:func:`places.police_seals`), and :mod:`ctc` scores every name
against the recognizer's per-frame probabilities. The reader keeps the likeliest
names with their scores (:class:`SealReading`); which one, if any, is given is
decided with what else the document says (:meth:`SealReading.name`): a licence is
issued by the traffic police of the city its holder lives in, and its address
names that city.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

import cv2
import numpy as np

from bot.ocr.local import ctc, places
from bot.ocr.local.models import Models

MIN_RADIUS_SHARE = 0.04  # a seal's radius is at least this share of the document's long side
BAND = (0.5, 0.9)  # the text band, as shares of the radius
# A name is given on the strip's evidence alone when it has this share of the
# probability among the known names and its mean log-probability per character is at
# least this. Chosen on 160 photos of synthetic licences (no wrong name), checked on
# fresh photos and accuracy runs (docs/ocr.md).
MIN_SHARE = 0.999
MIN_CHAR_LOGP = -5.0
# The likeliest name that is also the detachment of the holder's city (the address) is
# given on weaker evidence: two sources agree. That named 7 of the 120 fresh photos the
# strip alone left unnamed (fits -2.0 to -5.1).
MIN_CHAR_LOGP_AGREED = -5.5
# A name other than the address's detachment must beat it by this much (natural log):
# print crossing the seal can hide the two characters that tell two cities of a
# province apart, and the strip then "reads" the wrong one by some 20 (one photo of
# 120 did). Of 80 simulated holders who moved within their province, 10 would lose
# their seal's name to this rule; none would be given a wrong one.
CONTRADICTION = 25.0
# Names kept per seal: all within CONTRADICTION of the best, at most this many (an
# address's detachment further down counts as outweighed).
KEPT = 50
# A name is given only when its length is within this many characters of what the
# recognizer reads on the strip unaided (its greedy decoding): on a poorly legible strip a
# short name of the province can outscore the seal's long one (新疆…北屯市 for
# 新疆…巴音郭楞蒙古自治州, 20 characters against 26), while the greedy read of a seal's
# strip is within 2 of its length on 55 of 57 synthetic photos and scans (issue 14).
LENGTH_SLACK = 2
# The ellipse must trace the ring: 90% of its points within this share of the radius
# (0.011 at most on round seals in scans and photos, 0.055 on one blurred by 2 px;
# 0.175 on a real vehicle licence's square stamp, whose hull an ellipse also fits).
OFF_RING = 0.1
RED_SHARE = 0.03  # a crop with more red ink than this is read again without the red
# A photo's blur of about a pixel runs a seal's small characters into each other; the
# seal's neighbourhood is deconvolved (Richardson-Lucy, a Gaussian of this many pixels,
# DEBLUR_ROUNDS rounds) before it is unrolled. Chosen on synthetic licences photographed
# with a blur of 0.9-1.3 px (docs/ocr.md, issue 14).
DEBLUR_SIGMA = 0.8
DEBLUR_ROUNDS = 10


class Seal(NamedTuple):
    """A seal's outline: an ellipse (a tilted photo squashes the circle)."""

    cx: float
    cy: float
    width: float  # the ellipse's axes, in pixels
    height: float
    angle: float  # degrees, as cv2.fitEllipse gives it

    @property
    def radius(self) -> float:
        return max(self.width, self.height) / 2


def red_mask(img: np.ndarray) -> np.ndarray:
    """Pixels of red ink (BGR image in, 0/255 mask out)."""
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    low = cv2.inRange(hsv, (0, 70, 60), (10, 255, 255))
    high = cv2.inRange(hsv, (165, 70, 60), (180, 255, 255))
    return cv2.bitwise_or(low, high)


def red_share(crop: np.ndarray) -> float:
    """Share of a crop's pixels that are red ink."""
    return float(np.count_nonzero(red_mask(crop))) / max(1, crop.shape[0] * crop.shape[1])


def without_red(img: np.ndarray) -> np.ndarray:
    """The image with red ink turned to paper: the red channel as grey.

    Red ink is as bright as paper in the red channel, black print stays dark.
    """
    red = img[:, :, 2]
    return cv2.merge([red, red, red])


def black_print(img: np.ndarray) -> np.ndarray:
    """Pixels of black print (boolean): dark in the red channel, where red ink is as
    bright as paper."""
    r = img[:, :, 2].astype(np.float32)
    return r < 0.5 * float(np.percentile(r, 90))


def grey_share(img: np.ndarray) -> float:
    """Share of an image's ink (dark in the green channel) that is not red: about 0
    for a seal's own characters, a fifth or more where print, even washed-out grey
    print on a bright photo, crosses a seal."""
    b, g, r = (img[:, :, i].astype(np.float32) for i in range(3))
    ink = g < 0.7 * float(np.percentile(g, 90))
    if not ink.any():
        return 1.0
    redness = (r - np.maximum(g, b)) / np.maximum(r, 1.0)
    return float(np.mean(redness[ink] < 0.15))


def find_seals(img: np.ndarray, within: np.ndarray | None = None) -> list[Seal]:
    """Round red marks, largest first; only inside the polygon ``within`` when given
    (the document: a wooden desk is as red as ink)."""
    mask = red_mask(img)
    inside = np.full_like(mask, 255)
    if within is not None:
        inside[:] = 0
        cv2.fillConvexPoly(inside, np.asarray(within, np.int32), 255)
        mask = cv2.bitwise_and(mask, inside)
    if cv2.countNonZero(mask) < 50:
        return []
    k = max(3, int(max(img.shape[:2]) * 0.01)) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    # Every red mark's outer outline, also of one lying in a hole of another: a red desk
    # around the document is one mark, and the document a hole in it.
    contours, hierarchy = cv2.findContours(closed, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    if hierarchy is None:
        return []
    outlines = [c for c, h in zip(contours, hierarchy[0], strict=True) if h[3] < 0]
    found = []
    # Measured against the document when known: a licence photographed beside or below
    # its 副页 fills half the frame, and its seal is half as large against the image.
    long_side = max(img.shape[:2])
    if within is not None:
        long_side = min(long_side, float(np.ptp(np.asarray(within), axis=0).max()))
    uncut = cv2.erode(inside, np.ones((5, 5), np.uint8), borderValue=0)
    for c in outlines:
        if len(c) < 20:
            continue
        # A cheap bound before the fit: a desk's grain and its large marks are left
        # unfitted (a seal cut to a quarter of its ring still has 0.7 of its radius).
        _, enclosing = cv2.minEnclosingCircle(c)
        if not 0.7 * MIN_RADIUS_SHARE * long_side <= enclosing <= 0.5 * long_side:
            continue
        outline = _ring(c, uncut)
        if len(outline) < 20:
            continue
        (cx, cy), (w, h), angle = cv2.fitEllipse(outline)
        seal = Seal(cx, cy, w, h, angle)
        if not MIN_RADIUS_SHARE * long_side <= seal.radius <= 0.25 * long_side:
            continue
        if min(w, h) / max(w, h, 1) < 0.75 or _off_ellipse(outline, seal) > OFF_RING:
            continue
        # A seal's ink fills its ring and characters, not the whole disc (a red logo does).
        x, y, bw, bh = cv2.boundingRect(c)
        fill = cv2.countNonZero(mask[y : y + bh, x : x + bw]) / (np.pi * w * h / 4)
        if 0.05 < fill < 0.6:
            found.append(seal)
    return sorted(found, key=lambda s: -s.radius)


def _ring(contour: np.ndarray, uncut: np.ndarray) -> np.ndarray:
    """The points of a red mark's contour that trace its outer ring. Where print crossing
    the ring broke it, the contour dips inside through the gap; where the document's
    outline (the hull of its text, which a seal stamped near the card's edge overhangs)
    or the image's edge cut the mark, it runs along the cut. Either would pull the
    ellipse off the ring: only points on the contour's convex hull, away from a cut
    (``uncut``: 0 near one), are kept."""
    x, y, w, h = cv2.boundingRect(contour)
    within_hull = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(within_hull, cv2.convexHull(contour) - (x, y), 255)
    deep = cv2.erode(within_hull, np.ones((5, 5), np.uint8), borderValue=0)  # 2 px in
    points = contour.reshape(-1, 2)
    on_hull = deep[points[:, 1] - y, points[:, 0] - x] == 0
    kept = on_hull & (uncut[points[:, 1], points[:, 0]] > 0)
    return points[kept].reshape(-1, 1, 2)


def _off_ellipse(points: np.ndarray, seal: Seal) -> float:
    """How far the ring's points lie from the seal's ellipse: the 90th percentile of
    their distance as a share of the radius (about 0 for a round seal)."""
    t = np.radians(seal.angle)
    offsets = points.reshape(-1, 2).astype(np.float64) - (seal.cx, seal.cy)
    along = offsets @ np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    radii = np.hypot(along[:, 0] / (seal.width / 2), along[:, 1] / (seal.height / 2))
    return float(np.percentile(np.abs(radii - 1), 90))


def _as_circle(img: np.ndarray, seal: Seal, scale: float) -> tuple[np.ndarray, float]:
    """A square crop in which the seal is a circle, centred, ``scale`` times its size."""
    radius = seal.radius
    t = np.radians(seal.angle)
    to_axes = np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])
    stretch = np.diag([radius / (seal.width / 2), radius / (seal.height / 2)])
    m = scale * to_axes.T @ stretch @ to_axes
    size = int(2.3 * radius * scale)
    shift = np.array([size / 2, size / 2]) - m @ np.array([seal.cx, seal.cy])
    square = cv2.warpAffine(
        img,
        np.hstack([m, shift[:, None]]),
        (size, size),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return square, radius * scale


def deblurred(img: np.ndarray, seal: Seal) -> tuple[np.ndarray, Seal]:
    """The seal's neighbourhood with a blur of :data:`DEBLUR_SIGMA` pixels undone
    (Richardson-Lucy deconvolution), and the seal in the crop's coordinates."""
    r = int(1.5 * seal.radius) + 2
    x0, y0 = max(0, int(seal.cx) - r), max(0, int(seal.cy) - r)
    seen = img[y0 : int(seal.cy) + r, x0 : int(seal.cx) + r].astype(np.float32) / 255 + 1e-3
    estimate = seen.copy()
    for _ in range(DEBLUR_ROUNDS):
        blurred = cv2.GaussianBlur(estimate, (0, 0), DEBLUR_SIGMA) + 1e-6
        estimate *= cv2.GaussianBlur(seen / blurred, (0, 0), DEBLUR_SIGMA)
    sharp = np.clip(estimate * 255, 0, 255).astype(np.uint8)
    return sharp, seal._replace(cx=seal.cx - x0, cy=seal.cy - y0)


def unroll(img: np.ndarray, seal: Seal, band: tuple[float, float] = BAND) -> np.ndarray:
    """The seal's text band (``band`` of its radius) as a straight strip, read clockwise,
    dark ink on white."""
    square, r = _as_circle(img, seal, max(1.0, 160.0 / seal.radius))  # ~45 px characters
    c = square.shape[0] / 2
    radial, angular = int(r), int(2 * np.pi * r * 0.72)  # true arc length at the text
    polar = cv2.warpPolar(
        square, (radial, angular), (c, c), r, cv2.WARP_POLAR_LINEAR + cv2.INTER_CUBIC
    )
    # rows: angle 0..360 clockwise from +x; columns: radius 0..r. Start at 90 degrees
    # (straight down), so the upper arc sits in the middle without wrapping.
    polar = np.roll(polar, -angular // 4, axis=0)
    strip = polar[:, int(radial * band[0]) : int(radial * band[1])]
    strip = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)  # outward up, clockwise -> right
    return red_ink_as_dark(strip)


def red_ink_as_dark(strip: np.ndarray) -> np.ndarray:
    """Red ink as dark grey on white, everything else white: what the recognizer reads best.

    JPEG keeps colour at half the resolution of brightness, so colour alone blurs
    small characters into blobs. Colour says *where* the red ink is; brightness (the
    green channel) gives its shape. Black print crossing the seal hides the ink under
    it: it is painted over from the ink around it, so that a crossed stroke stays one
    stroke rather than two stubs round a hole. Faint ink is darkened last (gamma 2).
    """
    b, g, r = (strip[:, :, i].astype(np.float32) for i in range(3))
    redness = np.clip(r - np.maximum(g, b), 0, None)
    is_red = np.clip(redness / (0.6 * max(20.0, float(np.percentile(redness, 98)))), 0, 1)
    paper_g = float(np.percentile(g, 90))
    # Black print's anti-aliased edge goes with it.
    black = cv2.dilate(black_print(strip).astype(np.uint8), np.ones((3, 3), np.uint8))
    dark = np.clip(paper_g - g, 0, None) * is_red * (black == 0)
    dark = np.clip(dark * (255 / max(20.0, float(np.percentile(dark, 99)))), 0, 255)
    dark = cv2.inpaint(dark.astype(np.uint8), black, 5, cv2.INPAINT_TELEA)
    ink = (255 * (1 - dark / 255.0) ** 2).astype(np.uint8)
    return cv2.merge([ink, ink, ink])


@dataclass(frozen=True)
class SealReading:
    """What a seal's strip says: the names it could bear, likeliest first, each with its
    log-probability (every name within :data:`CONTRADICTION` of the best, at most
    :data:`KEPT`), and the best name's share of the probability among all known names."""

    names: tuple[tuple[str, float], ...]
    share: float
    # Characters the recognizer reads on the strip unaided (None: not known).
    length: int | None = None

    def name(self, expected: str | None = None) -> str | None:
        """The seal's name, or None when the strip does not tell. ``expected``: the
        detachment of the holder's city, from the address (None when unknown)."""
        best, logp = self.names[0]
        if self.length is not None and abs(len(best) - self.length) > LENGTH_SLACK:
            return None  # the strip holds more (or fewer) characters than the name
        fit = logp / len(best)
        if best == expected:
            return best if fit >= MIN_CHAR_LOGP_AGREED else None
        if expected is not None and any(name == expected for name, _ in self.names):
            return None  # the strip does not outweigh the address
        return best if self.share >= MIN_SHARE and fit >= MIN_CHAR_LOGP else None

    def to_json(self) -> dict[str, Any]:
        return {
            "names": [[n, round(p, 3)] for n, p in self.names],
            "share": self.share,
            "length": self.length,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SealReading:
        names = tuple((str(n), float(p)) for n, p in data["names"])
        return cls(names, float(data["share"]), data.get("length"))


@cache
def _lexicon(characters: tuple[str, ...]) -> ctc.Lexicon:
    return ctc.Lexicon.build(places.police_seals(), characters)


# The views of a seal read, in this order: as photographed, and deblurred.
VIEWS = ("photographed", "deblurred")


def read_seals(
    models: Models,
    img: np.ndarray,
    within: np.ndarray | None = None,
    *,
    seals: list[Seal] | None = None,
    views: Sequence[str] = VIEWS,
) -> list[SealReading]:
    """The readings of the largest seal against the traffic police's names, one a view
    of ``views`` (:data:`VIEWS`; ``[]`` without a seal): as photographed, and deblurred
    (:func:`deblurred`). Deconvolution brings back a blurred photo's characters but
    rings around a sharp scan's, so each view can tell what the other cannot.
    ``seals``: the image's seals when already found (else they are found inside
    ``within``)."""
    if seals is None:
        seals = find_seals(img, within)
    if not seals or not views:
        return []
    lexicon = _lexicon(models.characters)
    strip = {"photographed": lambda: unroll(img, seals[0]),
             "deblurred": lambda: unroll(*deblurred(img, seals[0]))}  # fmt: skip
    probs = models.frame_probs([strip[view]() for view in views])
    readings = []
    for scores, frames in zip(lexicon.log_probs(probs), probs, strict=True):
        order = np.argsort(-scores, kind="stable")[:KEPT]
        best = scores[order[0]]
        names = tuple(
            (lexicon.texts[i], float(scores[i])) for i in order if scores[i] >= best - CONTRADICTION
        )
        share = 1.0 / float(np.sum(np.exp(scores - best)))
        readings.append(SealReading(names, round(share, 6), _greedy_length(frames)))
    return readings


def _greedy_length(frames: np.ndarray) -> int:
    """Characters in the recognizer's own reading of a strip: its likeliest character
    per frame, repeats collapsed, blanks dropped."""
    best = frames.argmax(axis=1)
    kept = np.concatenate([[True], best[1:] != best[:-1]]) & (best != ctc.BLANK)
    return int(np.count_nonzero(kept))
