"""通用文字 (general text): every line with its box in the original image's pixels."""

from __future__ import annotations

from bot.ocr.local.extract import Result
from bot.ocr.local.page import Page, Quad


def _pos(quad: Quad) -> dict[str, dict[str, int]]:
    names = ("left_top", "right_top", "right_bottom", "left_bottom")
    return {n: {"x": round(x), "y": round(y)} for n, (x, y) in zip(names, quad, strict=True)}


def extract(page: Page) -> Result:
    result = Result()
    items = [
        {"text": ln.text, "pos": _pos(ln.orig if ln.orig is not None else ln.box)}
        for ln in page.lines
    ]
    result.put("items", items)
    if items:
        result.put("img_size", {"w": page.orig_size[0], "h": page.orig_size[1]})
    return result
