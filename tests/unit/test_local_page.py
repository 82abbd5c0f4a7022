"""A recorded page has no image (``Page.photo`` is None): what an extractor asks of the
image gets empty answers, without a model, so extraction tests replay recordings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.ocr.local.page import Page, region
from bot.ocr.local.seal import SealReading

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded"


def _recorded(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))["page"]


def test_a_recorded_page_answers_without_a_model() -> None:
    data = _recorded("idcard_front_scan")
    page = Page.from_json(data)
    assert page.photo is None and page.lines
    line = page.lines[0]
    assert page.reread_line(line) == []
    assert page.reread_line(line, (0.5, 1.0)) == []
    assert page.reread_line(region(0, 0, page.width / 2, page.height / 2)) == []
    assert page.score_texts(line, [line.text, line.text + "甲"]) == {}
    assert page.edge_texts(page.lines[:3]) == [ln.text for ln in page.lines[:3]]
    assert page.to_json() == data  # what was read survives the round trip


def test_a_recorded_seal_reading_is_kept_and_none_is_made_up() -> None:
    data = _recorded("drivinglicense_photo")
    page = Page.from_json(data)
    assert data["stamps"]
    assert page.seal_readings() == [SealReading.from_json(r) for r in data["stamps"]]
    unread = Page(page.lines, page.width, page.height, page.orig_size)  # no stamps, no photo
    assert unread.seal_readings() == [] and unread.stamps == []
