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
    box on another's row that overlaps it or almost touches it (a quarter of its height
    between) is part of it (今日气温23℃，相对湿度65%， and 空气质量良好, boxed apart)."""
    printed: list[list[Line]] = []
    for ln in lines:
        same = next((p for p in printed if any(_one_line(ln, q) for q in p)), None)
        if same is None:
            printed.append([ln])
        else:
            same.append(ln)
    return [sorted(pieces, key=lambda ln: ln.x0) for pieces in printed]


def _one_line(a: Line, b: Line) -> bool:
    h = min(a.height, b.height)
    return abs(a.cy - b.cy) < 0.5 * h and max(a.x0, b.x0) - min(a.x1, b.x1) < 0.25 * h


def _joined(texts: Sequence[str]) -> str:
    """Pieces of one line: Latin ones apart by a space, Chinese ones run on."""
    out = texts[0]
    for text in texts[1:]:
        latin = out[-1:].isascii() and text[:1].isascii()
        out += (" " if latin else "") + text
    return out


def extract(page: Page) -> Result:
    result = Result()
    items = []
    for pieces in _printed_lines(page.lines):
        quads = [ln.orig if ln.orig is not None else ln.box for ln in pieces]
        box = quads[0] if len(quads) == 1 else around(quads)
        text = _joined([_degree_signs(page, ln) for ln in pieces])
        items.append({"text": text, "pos": _pos(box)})
    result.put("items", items)
    if items:
        result.put("img_size", {"w": page.orig_size[0], "h": page.orig_size[1]})
    return result
