"""通用文字 (general text): every line with its box in the original image's pixels."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.ocr.local.extract import Result
from bot.ocr.local.page import Line, Page, Quad, around

# A temperature read without its degree sign (21C for 21°C): the small ring is lost.
_BARE_CELSIUS = re.compile(r"(?<=\d)C(?![A-Za-z])")


def _pos(quad: Quad) -> dict[str, dict[str, int]]:
    names = ("left_top", "right_top", "right_bottom", "left_bottom")
    return {n: {"x": round(x), "y": round(y)} for n, (x, y) in zip(names, quad, strict=True)}


def _degree_signs(page: Page, line: Line) -> str:
    """The line's text, with a temperature read without its degree sign (21C) put
    right when two crops of the line or more read it with the sign there and otherwise
    as read (21°C, or 21℃: the same after NFKC), and one read with two (0°℃) with one."""
    text = line.text.replace("°℃", "°C")
    if not _BARE_CELSIUS.search(text):
        return text
    signed = _BARE_CELSIUS.sub("°C", text)
    want = unicodedata.normalize("NFKC", signed)
    agree = sum(unicodedata.normalize("NFKC", again) == want for again, _ in page.reread_line(line))
    return signed if agree >= 2 else text


def _printed_lines(lines: Sequence[Line]) -> list[list[Line]]:
    """The lines as printed, each the pieces the detector boxed apart, left to right: a
    box on another's row that overlaps it or touches it (a tenth of its height between;
    a word space is wider) is part of it (今日气温23℃，相对湿度65%， and 空气质量良好,
    boxed apart), and so is all it joins; a box within another is the same print."""
    printed: list[list[Line]] = []
    for ln in lines:
        same = [p for p in printed if any(_one_line(ln, q) for q in p)]
        printed = [p for p in printed if p not in same] + [[q for p in same for q in p] + [ln]]
    ordered = [sorted(pieces, key=lambda ln: ln.x0) for pieces in printed]
    order = {ln: i for i, ln in enumerate(lines)}  # in reading order, as the page has them
    return sorted((_without_doubles(p) for p in ordered), key=lambda p: min(order[q] for q in p))


def _one_line(a: Line, b: Line) -> bool:
    h = min(a.height, b.height)
    return abs(a.cy - b.cy) < 0.5 * h and max(a.x0, b.x0) - min(a.x1, b.x1) < 0.1 * h


def _without_doubles(pieces: list[Line]) -> list[Line]:
    """The pieces (left to right) less any lying mostly within another: the same print
    boxed twice (the longer reading kept)."""
    kept: list[Line] = []
    for ln in pieces:
        inside = [k for k in kept if min(k.x1, ln.x1) - max(k.x0, ln.x0) > 0.8 * min(
            k.x1 - k.x0, ln.x1 - ln.x0)]  # fmt: skip
        if not inside:
            kept.append(ln)
        elif len(ln.text) > len(inside[0].text):
            kept[kept.index(inside[0])] = ln
    return kept


def extract(page: Page) -> Result:
    result = Result()
    items = []
    for pieces in _printed_lines(page.lines):
        quads = [ln.orig if ln.orig is not None else ln.box for ln in pieces]
        box = quads[0] if len(quads) == 1 else around(quads)
        text = "".join(_degree_signs(page, ln) for ln in pieces)
        items.append({"text": text, "pos": _pos(box)})
    result.put("items", items)
    if items:
        result.put("img_size", {"w": page.orig_size[0], "h": page.orig_size[1]})
    return result
