"""Layout rules: rows of text, labels, and the values that sit next to them.

Documents print a label (``姓名``) and its value (``张三``) on one row. The
recognizer sometimes returns them as one line (``姓名张三``), sometimes as two,
sometimes merges two label/value pairs (``性别男民族汉``). So we group lines
into rows, join each row's text, find the known labels in it, and take a
value to be the text between its label and the next label on the row. Values
that run over several rows (addresses, business scope) continue on the rows
below whose text starts under the value's first character and carries no
label of its own.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.ocr.local import places
from bot.ocr.local.page import Line, Page, region

_PUNCT = " \t:：,，.。;；、·|_-—'\""
# The English under a licence's labels (Name, Date of Birth, VIN): words of three
# letters or more with two small letters together, so that a value such as Cl (C1
# misread) or an engine number (LLLG5Q) is not taken for one; a capital misread inside
# the word (AddHess for Address, small print seen at full size) still is. A value in
# mixed case (McGregor) would be taken too: Chinese licences print names in Chinese.
ENGLISH_SUBLABEL = re.compile(
    r"^(VIN|No\.?|[A-Z](?=[A-Za-z]*[a-z]{2})[A-Za-z]{2,}\.?( [A-Za-z][a-z]*\.?)*)$"
)


# Marks no document prints in a value, which the recognizer reads in a seal's ★ or in
# the blank between a label and its value (名称 ☑清远市…). Not ✕ nor ○: a misread × or 0
# is a character in its place.
_MARKS = "★☆●◆◇■□▪☐☑☒✓✔"


def clean(text: str) -> str:
    """Drop spaces, colons and decorative marks (a seal's ★) the recognizer keeps."""
    return re.sub(rf"[\s:：{_MARKS}]+", "", text)


# A line whose darker tone is this red (its red channel above the others by this much,
# and by this share of it) is red ink alone: a copy stamp (仅供存档) or a piece of a
# seal's arc. Print crossed by a stamp keeps a darker tone of 41 or less, 0.27 at most
# (stamped business licences, seeds 880500-880599); stamps alone are 66 and 0.31 or more.
RED_INK = (50, 0.28)


def red_ink(line: Line) -> bool:
    """Whether ``line`` is red ink alone, no black print: a stamp, never a value."""
    if line.tones is None:
        return False
    r, g, b = line.tones[1]
    red = r - max(g, b)
    return red >= RED_INK[0] and red >= RED_INK[1] * r


@dataclass
class Row:
    """Lines whose vertical extents overlap, left to right."""

    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(clean(ln.text) for ln in self.lines)

    @property
    def y0(self) -> float:
        return min(ln.y0 for ln in self.lines)

    @property
    def y1(self) -> float:
        return max(ln.y1 for ln in self.lines)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return sorted(ln.height for ln in self.lines)[len(self.lines) // 2]

    @property
    def x0(self) -> float:
        return min(ln.x0 for ln in self.lines)

    def char_x(self, index: int) -> float:
        """Estimated x of the ``index``-th character of :attr:`text`."""
        pos = 0
        for ln in self.lines:
            t = clean(ln.text)
            if index < pos + len(t):
                return ln.x0 + ln.width * (index - pos) / max(1, len(t))
            pos += len(t)
        return self.lines[-1].x1 if self.lines else 0.0


def _overlap(a: Line, b: Line) -> float:
    """Vertical overlap of two lines, as a share of the shorter one's height."""
    return (min(a.y1, b.y1) - max(a.y0, b.y0)) / max(1.0, min(a.height, b.height))


def rows(lines: Iterable[Line]) -> list[Row]:
    """Group lines into rows: a line joins a row when it overlaps *every* line of it by
    half its height (so a tall stamp cannot bridge two rows) and its centre is near the
    row's (so a line half-way down, from another column, starts its own row).

    Lines join in order of height on the page, so a line between two rows joins the
    first; a second pass moves it to the row whose centre is nearer, when it fits
    there too (two columns whose rows are a third of a line apart)."""
    out: list[Row] = []
    for ln in sorted(lines, key=lambda item: item.cy):
        best: Row | None = None
        best_score = 0.5
        for row in out[-3:]:
            score = _fits(ln, row.lines)
            if score > best_score:
                best, best_score = row, score
        if best is None:
            out.append(Row([ln]))
        else:
            best.lines.append(ln)
    for i, row in enumerate(out):
        for ln in list(row.lines):
            others = [other for other in row.lines if other is not ln]
            if not others:
                continue
            here = abs(ln.cy - Row(others).cy)
            for near in out[max(0, i - 2) : i + 3]:
                nearer = abs(ln.cy - near.cy) < 0.5 * here
                if near is not row and nearer and _fits(ln, near.lines) > 0.5:
                    row.lines.remove(ln)
                    near.lines.append(ln)
                    break
    for row in out:  # a row keeps at least one line: only a line with company moves
        row.lines.sort(key=lambda item: item.x0)
    return _lone_lines_joined(out)


def _lone_lines_joined(out: list[Row]) -> list[Row]:
    """Rows with a line alone on them joined to the row beside, where that line is
    under or over none of the row's lines (in a gap of it, or past either end) and fits
    the row's line nearest it (:func:`_fits`), within three line heights, as it would
    fit a row of that line alone: on a card seen at a slant, 车辆类型's value sits a third of
    a line lower than the row's first label, too low to fit every line of the row."""
    for i, row in enumerate(out):
        if len(row.lines) != 1:
            continue
        (ln,) = row.lines
        best, best_score = None, 0.5
        for near in (out[i - 1] if i else None, out[i + 1] if i + 1 < len(out) else None):
            if near is None or len(near.lines) < 2:
                continue
            if any(other.x0 < ln.x1 and ln.x0 < other.x1 for other in near.lines):
                continue  # under or over a line of it: a line of its own

            def gap(other: Line, ln: Line = ln) -> float:
                return max(other.x0 - ln.x1, ln.x0 - other.x1)

            side = min(near.lines, key=gap)
            if gap(side) > 3 * min(ln.height, side.height):
                continue
            if (score := _fits(ln, [side])) > best_score:
                best, best_score = near, score
        if best is not None:
            best.lines.append(ln)
            best.lines.sort(key=lambda item: item.x0)
            row.lines.clear()
    return [row for row in out if row.lines]


def _fits(ln: Line, row: Sequence[Line]) -> float:
    """How well ``ln`` fits a row of ``row`` lines: its least overlap with them, or 0
    when its centre is off the row's."""
    joined = Row(list(row))
    centred = abs(ln.cy - joined.cy) < 0.45 * min(ln.height, joined.height)
    return min(_overlap(ln, other) for other in row) if centred else 0.0


@dataclass(frozen=True)
class Value:
    """A labelled value: its text, the row it starts on, where its column starts and ends."""

    text: str
    row: int
    x: float
    lines: tuple[Line, ...] = ()
    x_end: float = float("inf")


def lines_of(values: Mapping[str, Value]) -> set[Line]:
    """The lines the ``values`` were read from: taken, so no other value's."""
    return {ln for value in values.values() for ln in value.lines}


def _find_all(text: str, label: str, breaks: Collection[int] = ()) -> list[tuple[int, int]]:
    """Indices of ``label`` in ``text``. A label of 4+ characters may come back with one
    character misread or missing (a seal's ink over 准驾车型 leaves 准驾型). ``breaks``:
    where the text's boxes start; a label whose last character would be the first of
    a box is missing it, not misread (法定代表 | 郭雨悦: 郭 is the value's)."""
    hits = [(m.start(), m.end()) for m in re.finditer(re.escape(label), text)]
    if hits or len(label) < 4:
        return hits
    n = len(label)
    # One character misread or missing leaves one half of the label whole.
    if label[: n // 2] not in text and label[n // 2 :] not in text:
        return []
    for j in range(len(text) - n + 2):
        window = text[j : j + n]
        misread = [(a, b) for a, b in zip(window, label, strict=False) if a != b]
        # A Chinese label character is not misread as a Latin letter or digit: that is
        # the value starting after a label missing its last character (初次领证日2024).
        latin_for_chinese = any(a.isascii() and not b.isascii() for a, b in misread)
        boxed_apart = j + n - 1 in breaks and window[:-1] == label[:-1]
        if len(window) == n and len(misread) <= 1 and not latin_for_chinese and not boxed_apart:
            return [(j, j + n)]
        short = text[j : j + n - 1]
        if len(short) == n - 1 and any(label[:k] + label[k + 1 :] == short for k in range(n)):
            return [(j, j + n - 1)]
    return []


def _matches(
    text: str, labels: Mapping[str, Sequence[str]], breaks: Collection[int] = ()
) -> list[tuple[int, int, str]]:
    """(start, end, key) of the labels found in a row's text, without overlaps
    (``breaks``: as for :func:`_find_all`).

    Longer labels win over labels they contain (``准牵引总质量`` over ``总质量``);
    each key keeps its first occurrence.
    """
    found: list[tuple[int, int, str]] = []
    for key, names in labels.items():
        for name in names:
            found += [(i, j, key) for i, j in _find_all(text, name, breaks)]
    found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
    taken: list[tuple[int, int, str]] = []
    for m in found:
        if any(m[0] < t[1] and t[0] < m[1] for t in taken):
            continue
        if any(t[2] == m[2] for t in taken):
            continue
        taken.append(m)
    return sorted(taken)


def _row_lines(row: Row, start: int, end: int) -> tuple[Line, ...]:
    """The lines of ``row`` that hold characters ``start``..``end`` of its text."""
    picked, pos = [], 0
    for ln in row.lines:
        n = len(clean(ln.text))
        if pos < end and pos + n > start:
            picked.append(ln)
        pos += n
    return tuple(picked)


def labelled_values(
    page: Page | Sequence[Line],
    labels: Mapping[str, Sequence[str]],
    *,
    multiline: Iterable[str] = (),
    stop: str | None = None,
) -> dict[str, Value]:
    """Values of the ``labels`` found on the page (first occurrence of each key wins).

    ``labels`` maps a field key to the label spellings that introduce it. A
    value is the text after its label up to the next label on the row. Keys in
    ``multiline`` also take the lines below that stay in the value's column
    (from its first character to the next label on its first row), as long as
    those lines do not start with a label or match the regex ``stop``.
    """
    lines = page.lines if isinstance(page, Page) else list(page)
    lines = _expand_spaced_labels(lines, labels)
    multi = set(multiline)
    stop_rx = re.compile(stop) if stop else None
    out: dict[str, Value] = {}
    bottom: dict[str, float] = {}  # lower edge of each open multi-line value
    for r, row in enumerate(rows(lines)):
        rest = list(row.lines)
        tol = row.height
        for key in list(bottom):
            value = out[key]
            # A line that starts right of everything the value has printed so far is in
            # another column (登记机关 beside the scope's last line), as is a line past
            # the next label of the value's first row.
            right = min(value.x_end, max((ln.x1 for ln in value.lines), default=value.x_end))
            col = [ln for ln in rest if value.x - 1.5 * tol <= ln.x0 < right]
            if not col and all(ln.x0 >= right for ln in rest):
                continue  # only another column's lines on this row: look further down
            # A label further right on this row starts another column: stop before it.
            for j, ln in enumerate(col[1:], start=1):
                if any(m[0] == 0 for m in _matches(Row(col[j:]).text, labels)):
                    value = Value(value.text, value.row, value.x, value.lines, ln.x0)
                    col = col[:j]
                    break
            if (
                not col
                or row.y0 - bottom[key] > 1.2 * tol
                or _labelled(col, rest, labels)
                or (stop_rx and stop_rx.search(Row(col).text))
            ):
                del bottom[key]
                continue
            out[key] = Value(
                value.text + Row(col).text,
                value.row,
                value.x,
                value.lines + tuple(col),
                value.x_end,
            )
            bottom[key] = row.y1
            rest = [ln for ln in rest if ln not in col]
        if not rest:
            continue
        sub = Row(rest)
        text = sub.text
        breaks = set(itertools.accumulate(len(clean(ln.text)) for ln in sub.lines))
        found = [m for m in _matches(text, labels, breaks) if m[2] not in out]
        for i, (_start, end, key) in enumerate(found):
            nxt = found[i + 1][0] if i + 1 < len(found) else len(text)
            x_end = sub.char_x(nxt) if i + 1 < len(found) else float("inf")
            text_value = text[end:nxt].lstrip(_PUNCT).rstrip(" \t:：|_")
            out[key] = Value(text_value, r, sub.char_x(end), _row_lines(sub, end, nxt), x_end)
            if key in multi:
                bottom[key] = sub.y1
    return out


def _labelled(col: list[Line], rest: list[Line], labels: Mapping[str, Sequence[str]]) -> bool:
    """Whether the column's lines are a new labelled value rather than a continuation.

    They are when a label on the row touches their first character: it starts
    there (``成立日期2014年...``), ends there (``住所 | 辽宁省...``) or spans
    it (``类 | 型有限责任公司``, a spaced label split across two boxes).
    """
    row = Row(rest)
    start = sum(len(clean(ln.text)) for ln in row.lines[: row.lines.index(col[0])])
    return any(m[0] <= start + 1 and m[1] >= start for m in _matches(row.text, labels))


def _expand_spaced_labels(lines: list[Line], labels: Mapping[str, Sequence[str]]) -> list[Line]:
    """Widely spaced two-character labels (``名    称``) may come back as one lone
    character; a lone character that belongs to a two-character label missing
    from its row, with more text to its right, is read as the whole label."""
    singles = {}
    for names in labels.values():
        for name in names:
            if len(name) == 2:
                singles.setdefault(name[0], name)
                singles.setdefault(name[1], name)
    grid = rows(lines)
    out = []
    for row in grid:
        text = row.text
        for ln in row.lines:
            t = clean(ln.text)
            name = singles.get(t)
            # Only where a label stands: with a value to its right on the row.
            if name and name not in text and ln is not row.lines[-1]:
                ln = ln.with_text(name)
            # Or the label's second character boxed with the value after a gap, its
            # first lost (``称 海南省…``): the box is read as the whole label and value.
            lone = re.match(r"(\S)\s+(\S.*)", ln.text)
            name = singles.get(lone.group(1)) if lone and ln is row.lines[0] else None
            if name and name[1] == lone.group(1) and name not in text:
                ln = ln.with_text(f"{name} {lone.group(2)}")
            out.append(ln)
    return out


def two_pages(
    lines: Sequence[Line],
    first: Sequence[str] | Callable[[Line], bool],
    second: Sequence[str] | Callable[[Line], bool],
) -> tuple[list[Line], list[Line]] | None:
    """The lines of two cards in one photo, side by side or one above the other (a
    licence's main page and its 副页): lines naming a ``first`` label (or that ``first``
    tells, when it is a test) lie on one side of a gap that no line crosses, lines
    naming a ``second`` label on the other. The cut is the middle of the widest such gap
    between them; ``None`` when the page does not show both, or no gap parts them."""

    def naming(words: Sequence[str] | Callable[[Line], bool]) -> list[Line]:
        if callable(words):
            return [ln for ln in lines if words(ln)]
        return [ln for ln in lines if any(w in clean(ln.text) for w in words)]

    one, two = naming(first), naming(second)
    if not one or not two or set(one) & set(two):
        return None
    for lo, hi in ((lambda ln: ln.x0, lambda ln: ln.x1), (lambda ln: ln.y0, lambda ln: ln.y1)):
        for a, b in ((one, two), (two, one)):
            start, end = max(hi(ln) for ln in a), min(lo(ln) for ln in b)
            if start >= end:
                continue
            gaps, edge = [], start  # uncovered stretches of [start, end]
            for ln in sorted(lines, key=lo):
                if lo(ln) > edge and edge < end:
                    gaps.append((edge, min(lo(ln), end)))
                edge = max(edge, hi(ln)) if lo(ln) < end else edge
            if edge < end:
                gaps.append((edge, end))
            gaps = [(g0, g1) for g0, g1 in gaps if g1 > g0]
            if not gaps:
                continue
            g0, g1 = max(gaps, key=lambda g: g[1] - g[0])
            cut = (g0 + g1) / 2
            before = [ln for ln in lines if hi(ln) <= cut]
            after = [ln for ln in lines if lo(ln) >= cut]
            return (before, after) if a is one else (after, before)
    return None


def read_beside(
    page: Page,
    label: str,
    widths: Sequence[float],
    *,
    under_seal: bool = False,
    gap: float = 0.3,
) -> list[tuple[str, float]]:
    """Re-read the place right of the line that starts with ``label``, from a few crops
    ``widths`` line-heights wide, starting ``gap`` line-heights after the label: for
    values the detector missed or cut short (under a seal, a lone letter).
    ``under_seal``: as :meth:`Page.reread_line`."""
    line = next((ln for ln in page.lines if clean(ln.text).startswith(label)), None)
    if line is None:
        return []
    h = line.height
    start = line.x0 + (line.x1 - line.x0) * len(label) / max(1, len(clean(line.text)))
    out: list[tuple[str, float]] = []
    for width in widths:
        box = region(start + gap * h, line.y0 - 0.15 * h, start + width * h, line.y1 + 0.15 * h)
        out += page.reread_line(box, under_seal=under_seal)
    return out


def line_under(lines: Iterable[Line], above: Value, pattern: str) -> Line | None:
    """The one line that ``fullmatch`` es ``pattern`` (after :func:`clean`) on the row
    under the value ``above``'s first line, starting where that value starts (not its
    label, when they were boxed as one): a value whose label went unread, found by the
    value printed above it (a licence's name under its number)."""
    if not above.lines:
        return None
    top = above.lines[0]
    h = top.height
    found = [
        ln
        for ln in lines
        if top.y1 - 0.2 * h < ln.cy < top.y1 + 1.5 * h
        and abs(ln.x0 - above.x) < 1.5 * h
        and re.fullmatch(pattern, clean(ln.text))
    ]
    return found[0] if len(found) == 1 else None


H = TypeVar("H", bound=Hashable)  # a reading: a text, or what a text was read as


def agreed(readings: Iterable[H], at_least: int = 2) -> H | None:
    """The reading most of ``readings`` give (the first given, on a tie), when at least
    ``at_least`` of them give it: what a few crops of one place agree on."""
    best = Counter(readings).most_common(1)
    return best[0][0] if best and best[0][1] >= at_least else None


CJK = re.compile(r"[\u4e00-\u9fff·]+")  # Chinese characters, and the · of a name


def agreed_beside(
    page: Page,
    label: str,
    widths: Sequence[float],
    fits: Callable[[str], bool],
    keep: Callable[[str], str] = lambda text: "".join(CJK.findall(text)),
) -> str | None:
    """A value the detector missed beside ``label`` (a short word or a lone character set
    apart on the row): the place right of the label read from crops ``widths``
    line-heights wide (:func:`read_beside`), and what two readings that ``fits`` agree
    on (``keep`` of each reading: its Chinese unless told otherwise)."""
    readings = ((keep(text), score) for text, score in read_beside(page, label, widths))
    return agreed(found for found, score in readings if fits(found) and score >= 0.8)


# How much likelier (natural log) the image must make one correction than every other.
SETTLE_MARGIN = 3.0


def likeliest(scores: Mapping[str, float], margin: float, *, alone: bool = False) -> str | None:
    """The text ``scores`` (log-probabilities, :meth:`Page.score_texts`) make likelier
    than every other by ``margin``; with ``alone``, also a text scored alone; else None."""
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    if alone and len(ranked) == 1:
        return ranked[0]
    if len(ranked) < 2 or scores[ranked[0]] - scores[ranked[1]] < margin:
        return None
    return ranked[0]


def image_chooser(page: Page, lines: Sequence[Line]) -> places.Choose:
    """A chooser (:data:`places.Choose`) among corrections of the text read from
    ``lines`` (joined, spaces dropped), each changing one character: the line holding
    the change is scored against its image with each correction in place, and the one
    likelier than every other by :data:`SETTLE_MARGIN` is chosen (none without the
    image, or when the change cannot be placed in one line)."""

    def choose(read: str, options: Sequence[str]) -> str | None:
        parts = [re.sub(r"\s+", "", ln.text) for ln in lines]
        changed = {places.first_difference(read, o) for o in options
                   if len(o) == len(read) and o != read}  # fmt: skip
        if len(changed) != 1 or len(options) < 2 or not read.startswith("".join(parts)):
            return None
        i = changed.pop()
        ends = list(itertools.accumulate(len(part) for part in parts))
        k = next((k for k, end in enumerate(ends) if i < end), None)
        if k is None:
            return None  # the change is past the lines (in text the caller added)
        part, at = parts[k], i - (ends[k] - len(parts[k]))
        variants = {o: part[:at] + o[i] + part[at + 1 :] for o in options}
        scores = page.score_texts(lines[k], list(variants.values()))
        if not all(v in scores for v in variants.values()):
            return None
        ranked = sorted(options, key=lambda o: scores[variants[o]], reverse=True)
        margin = scores[variants[ranked[0]]] - scores[variants[ranked[1]]]
        return ranked[0] if margin >= SETTLE_MARGIN else None

    return choose
