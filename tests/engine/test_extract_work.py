"""What the extractors read twice: only what can be missing or fails its check.

The time itself is measured in ``bench/ocr.py`` (ours against plain RapidOCR); these
tests pin the conditions under which a second reading is made. Real models and real
synthetic documents; the page's photo is wrapped to count what it is asked to read again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.devtools.synth import generate
from bot.ocr.base import DocType
from bot.ocr.local import LocalEngine
from bot.ocr.local.extract import bankcard, bizlicense
from bot.ocr.local.layout import Value
from bot.ocr.local.page import Line, Page


class _Counted:
    """A page's photo that notes the lines it is asked to read again, and reads them."""

    def __init__(self, photo: Any) -> None:
        self._photo = photo
        self.ends_read: list[Line] = []
        self.reread_lines: list[Line] = []
        self.rereads: list[tuple[Line, tuple[float, float], bool]] = []  # line, part, enlarged

    def ends(self, lines: list[Line]) -> list[str]:
        self.ends_read.extend(lines)
        return self._photo.ends(lines)

    def reread(
        self,
        line: Line,
        part: tuple[float, float],
        under_seal: bool = False,
        *,
        enlarged: bool = True,
    ) -> list[tuple[str, float]]:
        self.reread_lines.append(line)
        self.rereads.append((line, part, enlarged))
        return self._photo.reread(line, part, under_seal, enlarged=enlarged)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._photo, name)


@pytest.fixture(scope="module")
def licence() -> Page:
    """A business licence whose scope has a line read without its closing 、 and one
    without the 、 it starts with (seed 500002, as ``bench/ocr.py`` makes it; the
    generator, like naive typesetting, can start a line with a mark)."""
    jpeg = generate(DocType.BIZLICENSE, seed=500002, mode="photo").jpeg
    return LocalEngine().read(jpeg)


def _counted(page: Page) -> tuple[Page, _Counted]:
    photo = _Counted(page.photo)
    return dataclasses.replace(page, photo=photo), photo


def _scope(page: Page) -> tuple[Line, Line]:
    """The scope's line read without its closing 、 and the one read without its first."""
    short = next(ln for ln in page.lines if ln.text.endswith("五金交电"))
    bare = next(ln for ln in page.lines if ln.text.startswith("代理"))
    return short, bare


def test_only_lines_that_can_miss_a_mark_are_read_at_their_ends(licence: Page) -> None:
    """A line already ending in a mark cannot be missing another after it, and the
    scope's closing ） ends the value: neither is read again. A line ending in a
    character is, and gets its 、 back, both ends read in one crop."""
    page, photo = _counted(licence)
    scope = [ln for ln in page.lines if any(w in ln.text for w in ("五金", "设计", "依法"))]
    short, _ = _scope(page)
    marked = page.lines[1].with_text("研发、销售、")
    closing = page.lines[2].with_text("准后方可开展经营活动）")
    lines = (marked, *scope, closing)
    value = "".join(ln.text for ln in lines)
    restored = bizlicense._restore_edge_punctuation(page, value, lines)
    assert photo.ends_read == scope  # (the batch as read in extraction: padding matters)
    assert short.text + "、" in restored


def test_a_mark_lost_at_a_line_start_comes_back_where_one_can_stand(licence: Page) -> None:
    """The 、 the detector left outside a line's start (制作、代理 read 制作 / 代理) goes
    back after a line that does not end in a mark; never at a value's start, nor after a
    line that ends in one (two marks never stand together)."""
    short, bare = _scope(licence)
    after_word = bizlicense._restore_edge_punctuation(
        licence, "设计制作" + bare.text, (short.with_text("设计制作"), bare)
    )
    assert after_word.startswith("设计制作、代理")
    alone = bizlicense._restore_edge_punctuation(licence, bare.text, (bare,))
    assert alone.startswith("代理")
    for closed in ("设计、制作、", "设计、制作;"):  # a mark read as ASCII is a mark too
        after_mark = bizlicense._restore_edge_punctuation(
            licence, closed + bare.text, (short.with_text(closed), bare)
        )
        assert after_mark.startswith(closed + "代理")


def test_a_mark_goes_back_at_its_lines_place(licence: Page) -> None:
    """Where the line's text also stands earlier in the value, the mark goes before the
    line's own place, not the first place its text appears."""
    short, bare = _scope(licence)
    first = short.with_text("设计" + bare.text)
    value = first.text + bare.text
    restored = bizlicense._restore_edge_punctuation(licence, value, (first, bare))
    assert restored == first.text + "、" + bare.text


def test_no_mark_at_a_line_start_right_after_another_box(licence: Page) -> None:
    """A row the detector cut in two: the crop's widened start takes in the last
    character of the box before it, and what it reads there is no mark of this line."""
    short, bare = _scope(licence)
    h = bare.y1 - bare.y0
    box = ((bare.x0 - 3 * h, bare.y0), (bare.x0 - h / 4, bare.y0), (bare.x0 - h / 4, bare.y1),
           (bare.x0 - 3 * h, bare.y1))  # fmt: skip
    cut = dataclasses.replace(licence, lines=[*licence.lines, Line("制作", box, 0.99)])
    value = "设计制作" + bare.text
    restored = bizlicense._restore_edge_punctuation(cut, value, (short.with_text("设计制作"), bare))
    assert restored == value


def test_marks_lost_inside_a_line_are_read_again_over_its_runs_alone() -> None:
    """A photographed licence (seed 740214) whose scope lines read with long unbroken
    runs, one having lost two 、: only the stretch over a line's runs is read again, a
    character and a half wider each side, from crops of the line's own size (the
    enlarged crop, as dear as two, parts digits, not marks), and the marks come back."""
    page, photo = _counted(
        LocalEngine().read(generate(DocType.BIZLICENSE, seed=740214, mode="photo").jpeg)
    )
    lines = tuple(ln for ln in page.lines if ln.text.startswith(("技术进出口", "辅助设备")))
    assert [ln.text for ln in lines] == [
        "技术进出口、销售计算机软硬件及",
        "辅助设备家用电器销售技术服",
    ]
    value = "".join(ln.text for ln in lines)
    restored = bizlicense._restore_inner_punctuation(page, value, lines)
    assert restored == "技术进出口、销售计算机软硬件及辅助设备、家用电器销售、技术服"
    (first, part, enlarged), (second, whole, enlarged_too) = photo.rereads
    assert first is lines[0] and part == pytest.approx((4.5 / 15, 1.0)) and not enlarged
    assert second is lines[1] and whole == (0.0, 1.0)  # its run is the whole line
    assert not enlarged_too


def test_the_scope_is_read_whole_with_its_marks(licence: Page) -> None:
    """Seed 500002's scope with both marks back, as printed."""
    truth = generate(DocType.BIZLICENSE, seed=500002, mode="photo").truth
    fields = LocalEngine().extract(licence, DocType.BIZLICENSE).fields
    assert fields["business_scope"] == truth["business_scope"]


def test_a_period_without_end_is_not_read_again_for_a_second_date(licence: Page) -> None:
    """起 至长期 prints one date: it is not re-read for a second. A period with one date
    and no 长期 (its end misread) still is."""
    page, photo = _counted(licence)
    line = page.lines[0]
    open_ended = Value("2015年01月30日至长期", 0, line.x0, (line,))
    assert bizlicense._read_dates(page, open_ended, 2) == open_ended.text
    assert photo.reread_lines == []

    cut = Value("2015年01月30日至2035年0l月", 0, line.x0, (line,))
    bizlicense._read_dates(page, cut, 2)
    assert photo.reread_lines == [line]


def test_a_card_label_without_a_digit_is_not_read_again_for_the_date() -> None:
    """Where no line reads as MM/YY, the boxes that may hold the date beside its label
    are read again in parts; one read without a digit (the label VALID THRU alone, its
    text put on the bank's name's box) is not. The box with the date in it still is,
    and gives the date (seed 1100026: ``12/35`` read as ``2/35`` with the label's garble
    before it)."""
    sample = generate(DocType.BANKCARD, seed=1100026, mode="photo")
    page, photo = _counted(LocalEngine().read(sample.jpeg))
    dated = next(ln for ln in page.lines if "/" in ln.text)
    label = page.lines[0].with_text("VALID THRU")
    page = dataclasses.replace(page, lines=[label, *page.lines])
    assert bankcard._valid_thru(page) == sample.truth["valid_thru"]
    assert photo.reread_lines == [dated]
