"""通用文字 (general text): every line with its box in the original image's pixels."""

from __future__ import annotations

import re
import unicodedata

from bot.ocr.local.extract import Result
from bot.ocr.local.page import Line, Page, Quad

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


def extract(page: Page) -> Result:
    result = Result()
    items = [
        {"text": _degree_signs(page, ln), "pos": _pos(ln.orig if ln.orig is not None else ln.box)}
        for ln in page.lines
    ]
    result.put("items", items)
    if items:
        result.put("img_size", {"w": page.orig_size[0], "h": page.orig_size[1]})
    return result
