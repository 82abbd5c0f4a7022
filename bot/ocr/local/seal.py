"""Round red seals: find them, and read the text that runs around their upper arc.

The detector cannot read curved text, so we unroll the seal: a polar warp
around the seal's centre turns the ring of characters into a straight strip
(angle along x, radius along y, outward up), which the recognizer reads like
any line. Red ink is also what hides printed text under a seal, so
:func:`without_red` gives the recognizer a copy in which red ink is paper.
"""

from __future__ import annotations

import cv2
import numpy as np

MIN_RADIUS_SHARE = 0.04  # a seal's radius is at least this share of the image's long side


def red_mask(img: np.ndarray) -> np.ndarray:
    """Pixels of red ink (BGR image in, 0/255 mask out)."""
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    low = cv2.inRange(hsv, (0, 70, 60), (10, 255, 255))
    high = cv2.inRange(hsv, (165, 70, 60), (180, 255, 255))
    return cv2.bitwise_or(low, high)


def without_red(img: np.ndarray) -> np.ndarray:
    """The image with red ink turned to paper: the red channel as grey.

    Red ink is as bright as paper in the red channel, black print stays dark.
    """
    red = img[:, :, 2]
    return cv2.merge([red, red, red])


def find_seals(img: np.ndarray) -> list[tuple[float, float, float]]:
    """(cx, cy, radius) of round red marks, largest first."""
    mask = red_mask(img)
    if cv2.countNonZero(mask) < 50:
        return []
    k = max(3, int(max(img.shape[:2]) * 0.01)) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    min_r = MIN_RADIUS_SHARE * max(img.shape[:2])
    for c in contours:
        (cx, cy), r = cv2.minEnclosingCircle(c)
        x, y, w, h = cv2.boundingRect(c)
        if not min_r <= r <= 0.25 * max(img.shape[:2]) or not 0.75 < w / max(1, h) < 1.33:
            continue
        # A seal's ink fills its ring and characters, not the whole disc (a red logo does).
        fill = cv2.countNonZero(mask[y : y + h, x : x + w]) / (np.pi * r * r)
        if 0.05 < fill < 0.6:
            found.append((float(cx), float(cy), float(r)))
    return sorted(found, key=lambda s: -s[2])


def unroll(
    img: np.ndarray, seal: tuple[float, float, float], band: tuple[float, float] = (0.5, 0.9)
) -> np.ndarray:
    """The seal's text band (``band`` of its radius) as a straight strip, read clockwise."""
    cx, cy, r = seal
    scale = max(1.0, 160.0 / r)  # characters about 45 pixels high once unrolled
    radial = int(r * scale)
    angular = int(2 * np.pi * r * 0.72 * scale)  # true arc length at the text's radius
    polar = cv2.warpPolar(
        img, (radial, angular), (cx, cy), r, cv2.WARP_POLAR_LINEAR + cv2.INTER_CUBIC
    )
    # rows: angle 0..360 clockwise from +x; columns: radius 0..r. Start at 90 degrees
    # (straight down), so the upper arc sits in the middle without wrapping.
    polar = np.roll(polar, -angular // 4, axis=0)
    strip = polar[:, int(radial * band[0]) : int(radial * band[1])]
    strip = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)  # outward up, clockwise -> right
    return without_red_to_dark(strip)


BANDS = ((0.5, 0.9), (0.45, 0.88), (0.55, 0.93))


def read_seals(
    models, img: np.ndarray, seals: list[tuple[float, float, float]] | None = None
) -> list[tuple[str, float]]:
    """Readings of the largest seal's arc text, from a few bands, best score first."""
    from bot.ocr.local.reader import rec_input

    seals = find_seals(img) if seals is None else seals
    if not seals:
        return []
    out = models.rec(rec_input([unroll(img, seals[0], band) for band in BANDS]))
    found = [(t.strip(), float(s)) for t, s in zip(out.txts, out.scores, strict=True) if t.strip()]
    return sorted(found, key=lambda item: -item[1])


def without_red_to_dark(strip: np.ndarray) -> np.ndarray:
    """Red ink as dark grey on white, everything else white: what the recognizer reads best.

    Photos shift the seal's red in hue and strength, so redness is stretched to the
    strip's own range (its 98th percentile is full ink).
    """
    b, g, r = (strip[:, :, i].astype(np.float32) for i in range(3))
    redness = np.clip(r - np.maximum(g, b), 0, None)
    top = max(20.0, float(np.percentile(redness, 98)))
    ink = np.clip(255 - redness * (255 / top), 0, 255).astype(np.uint8)
    return cv2.merge([ink, ink, ink])
