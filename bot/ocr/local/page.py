"""What the recognizer hands to the field extractors: a page of text lines.

A :class:`Page` is plain data (it can be saved as JSON and loaded back), so
the extractors can be tested on recorded recognizer outputs without running
a model. A page the reader made also holds its image
(:class:`~bot.ocr.local.photo.Photo`), which an extractor may ask to read a line
again; a recorded page has none, and those questions get empty answers.

Coordinates in ``box`` are in the *upright, deskewed* frame of the page (x to the
right, y down; a part levelled on its own, :meth:`Page.levelled`, in its own), which is
what layout rules reason about; ``orig`` keeps the same
quadrilateral in the original image's pixels, which is what the ``comm`` answer
reports.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.ocr.local.seal import VIEWS, SealReading

if TYPE_CHECKING:
    from bot.ocr.local.photo import Photo

Point = tuple[float, float]
RGB = tuple[int, int, int]
Quad = tuple[Point, Point, Point, Point]  # left_top, right_top, right_bottom, left_bottom


@dataclass(frozen=True)
class Line:
    """One detected text line: its text, its box, the recognizer's confidence."""

    text: str
    box: Quad
    score: float
    orig: Quad | None = None
    rgb: tuple[int, int, int] | None = None  # mean colour inside the box
    # The box's two tones, light then dark (median colours either side of Otsu's
    # threshold): a plate's paint and its print, whichever is which.
    tones: tuple[RGB, RGB] | None = None

    @property
    def x0(self) -> float:
        return min(p[0] for p in self.box)

    @property
    def x1(self) -> float:
        return max(p[0] for p in self.box)

    @property
    def y0(self) -> float:
        return min(p[1] for p in self.box)

    @property
    def y1(self) -> float:
        return max(p[1] for p in self.box)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    def overlaps(self, other: Line) -> bool:
        """Whether the two boxes' extents overlap (a region drawn on the page, too)."""
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def with_text(self, text: str, score: float | None = None) -> Line:
        score = self.score if score is None else score
        return Line(text, self.box, score, self.orig, self.rgb, self.tones)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "score": round(self.score, 4),
            "box": [[round(x, 1), round(y, 1)] for x, y in self.box],
        }
        if self.orig is not None:
            data["orig"] = [[round(x, 1), round(y, 1)] for x, y in self.orig]
        if self.rgb is not None:
            data["rgb"] = list(self.rgb)
        if self.tones is not None:
            data["tones"] = [list(t) for t in self.tones]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        def quad(points: Sequence[Sequence[float]]) -> Quad:
            p = [(float(x), float(y)) for x, y in points]
            return (p[0], p[1], p[2], p[3])

        orig = quad(data["orig"]) if data.get("orig") else None
        rgb = tuple(int(c) for c in data["rgb"]) if data.get("rgb") else None
        tones = (
            tuple(tuple(int(c) for c in t) for t in data["tones"]) if data.get("tones") else None
        )
        return cls(data["text"], quad(data["box"]), float(data["score"]), orig, rgb, tones)  # type: ignore[arg-type]


@dataclass
class Page:
    """The recognized lines of one image, upright.

    ``width``/``height`` are the upright page's size, ``orig_size`` the original
    image's (``w``, ``h``); ``rotation`` is how many degrees clockwise the
    original was turned to stand upright; ``warnings`` collects image-quality
    remarks made before extraction (blur, size, cut-off edges).
    """

    lines: list[Line]
    width: int
    height: int
    orig_size: tuple[int, int]
    rotation: int = 0
    skew: float = 0.0
    warnings: list[str] = field(default_factory=list)
    # Lines the recognizer was unsure of (kept out of ``lines``): worth a re-read.
    weak: list[Line] = field(default_factory=list)
    # What the round seals say (the largest seal's, one reading a view of seal.VIEWS:
    # see ``seal.read_seals``); read on first use, then kept.
    stamps: list[SealReading] | None = None
    # The image, to read again (None on a recorded page).
    photo: Photo | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def reread_line(
        self,
        line: Line,
        part: tuple[float, float] = (0.0, 1.0),
        *,
        under_seal: bool = False,
        enlarged: bool = True,
    ) -> list[tuple[str, float]]:
        """Candidate re-readings of ``line`` or of a ``part`` of it, from ``part[0]`` to
        ``part[1]`` of its length (empty when the image is not at hand). ``line`` may
        also be a region drawn by the caller (see :func:`region`). ``under_seal``: the
        place lies under a seal, whose red is read as paper. ``enlarged``: a crop
        enlarged and sharpened too, which parts touching digits and costs as much as
        two of the others."""
        if self.photo is None:
            return []
        return self.photo.reread(line, part, under_seal, enlarged=enlarged)

    def score_texts(self, line: Line, texts: Sequence[str]) -> dict[str, float]:
        """How likely the image of ``line`` makes each of ``texts`` (log-probabilities;
        empty when the image is not at hand)."""
        return self.photo.score(line, texts) if self.photo is not None else {}

    def seal_readings(self, views: int = len(VIEWS)) -> list[SealReading]:
        """What the largest seal says in the first ``views`` of :data:`seal.VIEWS` (as
        photographed, deblurred): each view read once, when first asked; ``[]`` without
        a seal, fewer when the image is not at hand."""
        if views < 1:
            return []
        if self.stamps is None:
            self.stamps = self.photo.stamps(VIEWS[:views]) if self.photo is not None else []
        elif self.photo is not None and 0 < len(self.stamps) < views:  # a view not yet read
            self.stamps = self.stamps + self.photo.stamps(VIEWS[len(self.stamps) : views])
        return self.stamps[:views]

    def edge_texts(self, lines: Sequence[Line]) -> list[str]:
        """Each line's first and last few characters read together from one crop, with
        paper beyond both ends (their own texts without the image): a mark lost at the
        edge of a line's box is read there."""
        return self.photo.ends(lines) if self.photo is not None else [ln.text for ln in lines]

    def middle_colours(self, line: Line) -> tuple[RGB | None, tuple[RGB, RGB] | None]:
        """The mean colour and the light and dark tones of the middle of ``line``'s box,
        off its edges (a small plate's box takes in the car around it); the line's own
        (``rgb``, ``tones``) without the image."""
        if self.photo is None:
            return line.rgb, line.tones
        return self.photo.middle_colours(line)

    def levelled(self) -> Page:
        """The page with its lines turned level by their own slope, when they slope: one
        of two cards photographed together, each at its own angle, which the reader
        levelled by the median of both (its rows would otherwise run into the next).
        Re-reads still find each line and region in the image."""
        angle = slope(self.lines)
        if angle is None or abs(angle) < math.radians(LEVEL_MIN):
            return self
        cx = statistics.fmean(ln.cx for ln in self.lines)
        cy = statistics.fmean(ln.cy for ln in self.lines)
        moved = {
            dataclasses.replace(ln, box=deskew(ln.box, angle, cx, cy)): ln for ln in self.lines
        }
        lines = sorted(moved, key=lambda ln: (ln.cy, ln.x0))
        photo = self.photo.turned(angle, cx, cy, moved) if self.photo is not None else None
        return dataclasses.replace(self, lines=lines, photo=photo)

    def to_json(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "orig_size": list(self.orig_size),
            "rotation": self.rotation,
            "skew": round(self.skew, 3),
            "warnings": list(self.warnings),
            "lines": [line.to_json() for line in self.lines],
            "weak": [line.to_json() for line in self.weak],
            "stamps": None if self.stamps is None else [r.to_json() for r in self.stamps],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Page:
        return cls(
            lines=[Line.from_json(d) for d in data["lines"]],
            width=int(data["width"]),
            height=int(data["height"]),
            orig_size=(int(data["orig_size"][0]), int(data["orig_size"][1])),
            rotation=int(data.get("rotation", 0)),
            skew=float(data.get("skew", 0.0)),
            warnings=list(data.get("warnings", [])),
            weak=[Line.from_json(d) for d in data.get("weak", [])],
            stamps=None
            if data.get("stamps") is None
            else [SealReading.from_json(r) for r in data["stamps"]],
        )


# A part of a page sloping less than this (degrees) is left as it is (Page.levelled).
LEVEL_MIN = 1.0
LONG = 3.0  # a line this many times as long as high tells the slope
SLOPE_LINES = 4  # the fewest long lines that tell it


def slope(lines: Sequence[Line]) -> float | None:
    """The median angle (radians, clockwise) of the top edges of the long lines; None
    with too few to tell."""
    angles = [
        math.atan2(ln.box[1][1] - ln.box[0][1], ln.box[1][0] - ln.box[0][0])
        for ln in lines
        if ln.width > LONG * ln.height
    ]
    return statistics.median(angles) if len(angles) >= SLOPE_LINES else None


def deskew(quad: Iterable[Sequence[float]], angle: float, cx: float, cy: float) -> Quad:
    """``quad`` turned by ``-angle`` (radians) about (``cx``, ``cy``)."""
    c, s = math.cos(-angle), math.sin(-angle)
    pts = []
    for x, y in quad:
        dx, dy = float(x) - cx, float(y) - cy
        pts.append((cx + c * dx - s * dy, cy + s * dx + c * dy))
    return (pts[0], pts[1], pts[2], pts[3])


def around(quads: Sequence[Quad]) -> Quad:
    """The rectangle around boxes turned alike (the pieces of one line, in any frame),
    along the first's edges and its corners in the first's order."""
    (x0, y0), (x1, y1) = quads[0][0], quads[0][1]
    length = math.hypot(x1 - x0, y1 - y0)
    # Along the first's first edge (across the page when that edge is a point).
    ux, uy = ((x1 - x0) / length, (y1 - y0) / length) if length else (1.0, 0.0)
    points = [p for quad in quads for p in quad]
    along = [x * ux + y * uy for x, y in points]
    across = [-x * uy + y * ux for x, y in points]
    first_across = across[0]  # its first edge's side: the start of the corners' order
    near, far = (min(across), max(across))
    if abs(first_across - far) < abs(first_across - near):
        near, far = far, near
    corners = ((min(along), near), (max(along), near), (max(along), far), (min(along), far))
    out = [(a * ux - c * uy, a * uy + c * ux) for a, c in corners]
    return (out[0], out[1], out[2], out[3])


def region(x0: float, y0: float, x1: float, y1: float) -> Line:
    """An empty line covering a rectangle of the page, to be read with ``reread_line``."""
    return Line("", ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), 0.0)
