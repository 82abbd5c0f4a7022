"""The image behind a :class:`~bot.ocr.local.page.Page`, to be read again on request.

The reader reads every line once. An extractor that doubts a value asks the page for
more (``Page.reread_line``, ``score_texts``, ``edge_texts``, ``seal_readings``), and
the page asks its :class:`Photo`: the upright image, the same without red ink, where
each line's box lies in it, and the models. A page recorded for the tests has no photo:
its answers to those questions are empty.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from bot.ocr.local import ctc, seal
from bot.ocr.local.models import Models, crop_quad
from bot.ocr.local.page import RGB, Line, deskew
from bot.ocr.local.script import simplified


@dataclass(frozen=True, eq=False)
class Photo:
    """The upright image of a page, and the models, for second readings."""

    models: Models
    upright: np.ndarray  # the image turned upright (BGR, the reader's working size)
    # The same with red ink turned to paper, made while reading when a line's box had red
    # ink (else ``upright``; :attr:`red_free` makes it for a re-read under a seal).
    clean: np.ndarray
    quads: dict[Line, np.ndarray]  # each line the reader made: its box in ``upright``
    skew: float  # radians: the page's lines are given turned back by this much
    seals: list[seal.Seal]  # the seals inside the document, largest first
    # A part of the page levelled on its own (``Page.levelled``): its lines are turned
    # back by a further ``turn[0]`` radians about (``turn[1]``, ``turn[2]``).
    turn: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def quad(self, line: Line) -> np.ndarray:
        """Where ``line`` lies in the upright image: the detected box of a line the reader
        made, else (a region an extractor drew, a line it edited) its box with the
        part's levelling (:attr:`turn`) and the page's deskew undone."""
        quad = self.quads.get(line)
        if quad is None:
            angle, cx, cy = self.turn
            box = deskew(line.box, -angle, cx, cy) if angle else line.box
            up_h, up_w = self.upright.shape[:2]
            quad = np.array(deskew(box, -self.skew, up_w / 2, up_h / 2), np.float32)
        return quad

    def turned(self, angle: float, cx: float, cy: float, moved: dict[Line, Line]) -> Photo:
        """This photo for a part of the page whose lines were turned back by ``angle``
        about (``cx``, ``cy``): ``moved`` maps each turned line to the line it was."""
        if self.turn[0]:
            raise ValueError("a part of the page is levelled once")
        quads = dict(self.quads)
        for new, old in moved.items():
            if old in self.quads:
                quads[new] = self.quads[old]
        return dataclasses.replace(self, quads=quads, turn=(angle, cx, cy))

    @cached_property
    def red_free(self) -> np.ndarray:
        """The image with red ink turned to paper, made on first use where no line the
        reader boxed had red ink (a value under a seal that the detector missed)."""
        return seal.without_red(self.upright) if self.clean is self.upright else self.clean

    def reread(
        self,
        line: Line,
        part: tuple[float, float],
        under_seal: bool = False,
        *,
        enlarged: bool = True,
    ) -> list[tuple[str, float]]:
        """Candidate readings of ``part`` of ``line`` (0..1 of its length) from a few
        slightly different crops; without the red ink when red ink is in the box and the
        reader read a line without it. ``under_seal``: the place is known to lie under a
        seal, so its red is never the text (a plate's red 警 is)."""
        quad = self.quad(line)
        if part != (0.0, 1.0):
            a, b = part
            top, bottom = quad[1] - quad[0], quad[2] - quad[3]
            quad = np.array(
                [quad[0] + a * top, quad[0] + b * top, quad[3] + b * bottom, quad[3] + a * bottom],
                dtype=np.float32,
            )
        inked = seal.red_share(crop_quad(self.upright, quad)) > seal.RED_SHARE
        if not inked:
            return reread_quad(self.models, self.upright, quad, enlarged)
        return reread_quad(self.models, self.red_free if under_seal else self.clean, quad, enlarged)

    def score(self, line: Line, texts: Sequence[str]) -> dict[str, float]:
        """log P(text | the line's crop) for each of ``texts`` the recognizer can write."""
        return score_quad(self.models, self.upright, self.quad(line), texts)

    def ends(self, lines: Sequence[Line]) -> list[str]:
        """Each line's two ends read again, in one batch: its first and last few
        characters, each with paper beyond its end, side by side in one crop (half a long
        line's width to read); a line the reader did not make keeps its text."""
        quads = [self.quads.get(ln) for ln in lines]
        texts = ends_quads(self.models, self.upright, [q for q in quads if q is not None])
        it = iter(texts)
        return [next(it) if q is not None else ln.text for ln, q in zip(lines, quads, strict=True)]

    def middle_colours(self, line: Line) -> tuple[RGB, tuple[RGB, RGB]]:
        """The mean colour and the two tones (:func:`tones`) of the middle of ``line``'s
        box: a fifth of its height off the top and bottom, a twenty-fifth of its length
        off each end. A small plate's box reaches past the plate onto the car; its
        middle is paint and print only."""
        crop = crop_quad(self.upright, self.quad(line))
        h, w = crop.shape[:2]
        middle = crop[h // 5 : h - h // 5, w // 25 : w - w // 25]
        b, g, r = middle.reshape(-1, 3).mean(axis=0)
        return (int(r), int(g), int(b)), tones(middle)

    def stamps(self, views: Sequence[str] = seal.VIEWS) -> list[seal.SealReading]:
        """What the largest seal says in each of ``views`` (``[]`` without a seal)."""
        return seal.read_seals(self.models, self.upright, seals=self.seals, views=views)


def tones(crop: np.ndarray) -> tuple[RGB, RGB]:
    """The crop's light and dark tones (RGB): the median colour of the pixels either
    side of Otsu's threshold on grey. On a plate one is the paint, the other the print."""
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = mask > 0
    out = []
    for side in (light, ~light):
        b, g, r = np.median(crop[side], axis=0) if side.any() else crop.reshape(-1, 3)[0]
        out.append((int(r), int(g), int(b)))
    return out[0], out[1]


def _widened(quad: np.ndarray, chars: float = 0.8) -> np.ndarray:
    """The quad stretched along its text direction by ``chars`` line heights each side."""
    h = float(np.linalg.norm(quad[0] - quad[3]))
    along = (quad[1] - quad[0]) / max(1.0, float(np.linalg.norm(quad[1] - quad[0])))
    out = quad.copy()
    out[[0, 3]] -= along * chars * h
    out[[1, 2]] += along * chars * h
    return out


def _ends_crop(
    img: np.ndarray, quad: np.ndarray, chars: float = 2.5, gap: float = 0.5
) -> np.ndarray:
    """The quad's first and last ``chars`` line heights, each widened like
    :func:`_widened` beyond its end, side by side with ``gap`` line heights of paper
    between them; a line too short to part is widened whole."""
    wide = _widened(quad)
    h = float(np.linalg.norm(quad[0] - quad[3]))
    length = float(np.linalg.norm(quad[1] - quad[0]))
    if length <= (2 * chars + gap) * h:
        return crop_quad(img, wide)
    along = (quad[1] - quad[0]) / length
    head, tail = wide.copy(), wide.copy()
    head[[1, 2]] = quad[[0, 3]] + along * chars * h
    tail[[0, 3]] = quad[[1, 2]] - along * chars * h
    a, b = crop_quad(img, head), crop_quad(img, tail)
    if b.shape[0] != a.shape[0]:
        b = cv2.resize(b, (max(1, round(b.shape[1] * a.shape[0] / b.shape[0])), a.shape[0]))
    paper = np.median(a.reshape(-1, a.shape[2]), axis=0).astype(a.dtype)
    space = np.empty((a.shape[0], max(1, round(gap * a.shape[0])), a.shape[2]), a.dtype)
    space[:] = paper
    return np.hstack([a, space, b])


def ends_quads(models: Models, img: np.ndarray, quads: Sequence[np.ndarray]) -> list[str]:
    """Texts of the quads' two ends (:func:`_ends_crop`), in one batch."""
    if not quads:
        return []
    texts, _ = models.recognize([_ends_crop(img, q) for q in quads])
    return [simplified(t.strip()) for t in texts]


def score_quad(
    models: Models, img: np.ndarray, quad: np.ndarray, texts: Sequence[str]
) -> dict[str, float]:
    """log P(text | the box's crop) for each of ``texts`` the recognizer can write."""
    characters = models.characters
    known = set(characters)
    usable = sorted({t for t in texts if t and set(t) <= known})
    if not usable:
        return {}
    lexicon = ctc.Lexicon.build(usable, characters)
    scores = lexicon.log_probs(models.frame_probs([crop_quad(img, quad)]))[0]
    return {t: float(v) for t, v in zip(usable, scores, strict=True)}


def reread_quad(
    models: Models, img: np.ndarray, quad: np.ndarray, enlarged: bool = True
) -> list[tuple[str, float]]:
    """Recognize one box again from a few slightly different crops.

    A tighter crop drops a neighbour's ink, a looser one gives back a clipped
    stroke, an upscaled sharpened one (unless not ``enlarged``) separates touching
    digits.
    """
    centre = quad.mean(axis=0)
    variants = []
    for sx, sy in ((1.0, 0.85), (1.02, 1.15), (0.98, 1.0)):
        variants.append(crop_quad(img, (quad - centre) * np.array([sx, sy]) + centre))

    if enlarged:
        base = crop_quad(img, quad)
        big = cv2.resize(base, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
        blurred = cv2.GaussianBlur(big, (0, 0), 2.0)
        variants.append(cv2.addWeighted(big, 1.6, blurred, -0.6, 0))
    texts, scores = models.recognize(variants)
    return [
        (simplified(t.strip()), float(s)) for t, s in zip(texts, scores, strict=True) if t.strip()
    ]
