"""机动车驾驶证 (driver's licence), main page.

Licences of every issue are in wallets: older ones print 有效起始日期 and a duration
(有效期限 6年, 10年, 长期), from which ``valid_to`` is computed; newer ones print the
period (``2015-06-18 至 2021-06-18``). The 副页 is often photographed beside the main
page: it repeats 证号 and 姓名, so its lines are set apart
(:func:`~bot.ocr.local.layout.two_pages`); its 请于…前…换领 date, when read, must agree
with ``valid_to``.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from bot.numbers import id_birth_date, id_number, id_sex, id_valid
from bot.ocr.local.extract import Result
from bot.ocr.local.extract.dates import find_dates, iso
from bot.ocr.local.layout import (
    CJK,
    ENGLISH_SUBLABEL,
    Value,
    agreed_beside,
    clean,
    image_chooser,
    labelled_values,
    line_under,
    lines_of,
    read_beside,
    rows,
    two_pages,
)
from bot.ocr.local.page import Line, Page, region
from bot.ocr.local.places import (
    fix_division,
    nearest_seal,
    one_off,
    police_seal_of,
    police_seals,
)

LABELS = {
    "id_num": ["证号"],
    "name": ["姓名"],
    "sex": ["性别"],
    "nationality": ["国籍"],
    "address": ["住址"],
    "birth_date": ["出生日期"],
    "issue_date": ["初次领证日期", "初次领证"],
    "car_class": ["准驾车型"],
    "valid_from": ["有效起始日期", "有效起始"],
    "valid": ["有效期限", "有效期至"],
}
# Latin letters before an address's province: the English sub-label's ink (住址TE, Add.).
_LATIN_START = re.compile(r"^[A-Za-z.:\s]+(?=[\u4e00-\u9fff])")
_AS_LETTER = {"8": "B", "3": "B", "0": "D", "O": "D", "4": "A", "G": "C", "6": "C"}
_AS_DIGIT = {"I": "1", "L": "1", "|": "1", "Z": "2", "S": "5", "O": "0"}
_NUMBERED = {"A": "123", "B": "12", "C": "123456"}
# The order classes are printed in (a bare A, B or C is a digit lost: it keeps its place).
_CLASS_ORDER = ("A1", "A2", "A3", "A", "B1", "B2", "B", "C1", "C2", "C3", "C4", "C5", "C6", "C",
                "D", "E", "F", "M", "N", "P")  # fmt: skip
# Labels printed on the main page only, and on the 副页 only (证号 and 姓名 are on both).
MAIN_LABELS = ("准驾车型", "出生日期", "初次领证", "有效期限", "住址", "国籍", "性别")
BACK_LABELS = ("副页", "档案编号", "记录")
# The main page's title (…机动车驾驶证; the 副页's goes on, …驾驶证副页): what tells the
# main page beside its 副页 when a blurred photo lost all its small labels.
MAIN_TITLE = "机动车驾驶证"
_WHOLE_DATE = re.compile(r"\d{4}\D\d{2}\D\d{2}")
_CUT_DATE = re.compile(r"^\d{4}\D\d{2}\D\d$")  # its last digit past the box
# 请于YYYY年MM月DD日前…: the date ends at 前, or at 日 when a blur took 前 (请于…19日新共).
_RENEW_BY = re.compile(r"请于(.{8,11}?日|.{8,14}?(?=前))")
NUMBER_WARNING = "证号校验未通过，请核对"
SEAL_FIXED_WARNING = "印章文字按已知名称更正，请核对"
_NAME = r"[\u4e00-\u9fff·]{2,6}"  # a holder's name, as the detector boxes it alone
_SEAL = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:公安局|公安厅)[\u4e00-\u9fff]*(?:支队|大队|管理局|管理所|总队|局)"
)


def car_class(text: str) -> str:
    """准驾车型 such as ``C1``, ``A2D`` or ``D``: letters A-F, M, N, P, the first three
    followed by a digit. A letter's place never holds a digit and back (B2 read as 32).
    Classes are printed in their standard order, so a digit taken for a letter that
    breaks the order (a seal's stroke read as ``0`` before ``C1``) is dropped, as is a
    digit taken for A, B or C with no digit of its own after it (``3C1``)."""
    t = re.sub(r"[^0-9A-Z|]", "", text.upper())
    out: list[tuple[str, bool]] = []  # (class, whether its letter was a guess)
    i = 0
    while i < len(t):
        letter = t[i] if t[i] in "ABCDEFMNP" else _AS_LETTER.get(t[i])
        if letter is None:
            i += 1
            continue
        guessed = letter != t[i]
        digit = _AS_DIGIT.get(t[i + 1], t[i + 1]) if i + 1 < len(t) else ""
        if letter in _NUMBERED and digit and digit in _NUMBERED[letter]:
            out.append((letter + digit, guessed))
            i += 2
        else:
            if not (guessed and letter in _NUMBERED):  # 3 for a B with no digit: a stroke
                out.append((letter, guessed))
            i += 1
    if not _in_order([c for c, _ in out]):
        sure = [c for c, guessed in out if not guessed]
        if sure and _in_order(sure):
            return "".join(sure)
    return "".join(c for c, _ in out)


def _in_order(classes: list[str]) -> bool:
    ranks = [_CLASS_ORDER.index(c) for c in classes]
    return ranks == sorted(set(ranks))


def _class_beside_label(page: Page) -> str | None:
    """A lone class letter (``D``) is easily missed by the detector, above all under the
    seal: read the place right of the 准驾车型 label directly, from a few crops, and vote.
    The seal may also take the label's first characters (``驾车型``): its end still tells
    where the class is printed."""
    for label in ("准驾车型", "驾车型", "车型"):
        readings = read_beside(page, label, (3.0, 4.5))
        if readings:
            return _vote_class(readings)
    return None


def _vote_class(readings: list[tuple[str, float]]) -> str | None:
    """The class that readings of one place (a few crops, one upscaled) agree on."""
    votes: dict[str, float] = {}
    for text, score in readings:
        if _LOWER.search(text):  # a capital misread with a stroke beside it
            continue
        found = car_class(text) if len(clean(text)) <= _CLASS_CHARS else ""
        if found:
            votes[found] = votes.get(found, 0.0) + score
    best = max(votes, key=lambda k: votes[k], default=None)
    return best if best is not None and votes[best] >= 1.5 else None


# Classes are printed in capitals: a small letter whose capital looks otherwise (p for
# D with the seal's ring beside it, after the red is removed) is not a reading of one.
# Small c, o, s, z look like their capitals, and l and i are a 1 (Cl, ci for C1).
_LOWER = re.compile(r"[abd-hjkmnpqrt-y]")
_CLASS_CHARS = 6  # the longest class list printed (A2D, B1C1M...) in characters, about


@dataclasses.dataclass
class _Below:
    """The value column under 出生日期, where the seal hides labels: 初次领证日期 is
    the next row, 准驾车型 the one after (then 有效起始日期 or 有效期限)."""

    issue: Line | None  # the line read on the row under the birth date
    car_class: Line | None  # the line read on the row after it
    class_box: Line | None  # where the class is printed, to read when nothing was
    start: Line | None = None  # a lone whole date on the row after the class's
    duration: Line | None = None  # a lone 6年, 10年 or 长期 below, in the column


def _birth_by_number(lines: list[Line], number: str | None) -> Value | None:
    """出生日期 unread (small print): the one line that is the birth date the licence
    number (the holder's ID number) holds, whatever its label, so that the rows the
    labels lost are told by their places (the address above it, the dates below)."""
    if not number or not id_valid(number):
        return None
    born = id_birth_date(number)
    found = [ln for ln in lines if find_dates(ln.text) == [born]]
    if not found:  # a blurred digit (2005-04-27 for 2005-01-27, 1610120): the number's;
        # not in the year's first three (1995-07-19 for 1975-07-19 is the issue date)
        found = [ln for ln in lines if one_off(t := clean(ln.text), iso(born))
                 and t[:3] == iso(born)[:3]]  # fmt: skip
    return Value(iso(born), 0, found[0].x0, (found[0],)) if len(found) == 1 else None


def _below_birth(lines: list[Line], values: dict[str, Value]) -> _Below | None:
    """The rows under the birth date, told by their place when the seal took their
    labels: rows are evenly spaced, so the first row down is the issue date and the
    second the class; the validity rows (a labelled 有效… line, a 至 or a duration) end
    them. ``None`` without the birth date's line to measure from."""
    birth = values.get("birth_date")
    if birth is None or not birth.lines or not find_dates(birth.text):
        return None
    top = birth.lines[-1]
    h, x = top.height, birth.x
    validity = {ln for key in ("valid_from", "valid") if key in values for ln in values[key].lines}
    durations = [
        ln for ln in lines if ln.cy > top.y1 and re.fullmatch(r"(6|10)年|长期", clean(ln.text))
    ]
    ends = [ln.y0 for ln in lines if ln.cy > top.y1 and (
        ln in validity or clean(ln.text).startswith("有效") or "至" in ln.text)]  # fmt: skip
    end = min(ends + [ln.y0 for ln in durations], default=top.y1 + 4 * h)
    column = [ln for ln in lines if top.y1 - 0.2 * h < ln.cy < end and abs(ln.x0 - x) < 1.5 * h]
    down = rows(column)
    first = down[0].lines[0] if down else None
    if first is not None and first.cy - top.cy > 1.8 * h:  # that is two rows down
        first = None
    issue = first if first is not None and find_dates(first.text) else None
    pitch = issue.cy - top.cy if issue is not None else 1.15 * h
    want = top.cy + 2 * pitch  # the class row's centre
    near = [r.lines for r in down if abs(r.lines[0].cy - want) < 0.45 * pitch]
    # The seal's own characters (察支队) may be boxed first on the row: the class is Latin.
    near = [[ln for ln in row if re.search(r"[A-Za-z]", ln.text)] or row for row in near]
    # The line starting where the column's values start (a seal's KH, left of it, is first).
    first_near = min(near[0], key=lambda ln: abs(ln.x0 - x)) if near else None
    klass = first_near if first_near is not None and not find_dates(first_near.text) else None
    box = None
    if klass is None and want + 0.25 * h <= end:  # its centre above the validity rows
        # (no lower than the validity rows: their digits would vote as classes)
        box = region(x - 0.3 * h, want - 0.6 * h, x + 4.5 * h, min(want + 0.6 * h, end))
    # An older issue's 有效起始日期 row follows the class's: a whole date alone there.
    after = [r.lines[0] for r in down if abs(r.lines[0].cy - want - pitch) < 0.45 * pitch]
    start = after[0] if len(after) == 1 and _WHOLE_DATE.fullmatch(clean(after[0].text)) else None
    # Or 有效起始日期's date shares the last row with the duration right of it (1610120).
    # Not a newer issue's 起 至 长期, whose 至 stands between them.
    shared = [(ln, d) for d in durations for ln in lines if abs(ln.x0 - x) < 1.5 * h
              and abs(ln.cy - d.cy) < 0.5 * h and d.x0 > ln.x1
              and _WHOLE_DATE.fullmatch(clean(ln.text))
              and not any("至" in o.text for o in lines if abs(o.cy - d.cy) < 0.5 * h)]  # fmt: skip
    if start is None and len(shared) == 1:
        start, beside = shared[0]
        durations = [beside]
    durations = [ln for ln in durations if abs(ln.x0 - x) < 1.5 * h or (start, ln) in shared]
    duration = durations[0] if len(durations) == 1 else None
    return _Below(issue, klass, box, start, duration)


def _date_between(page: Page, above: Value | None, below: Value | None) -> list[date]:
    """The 初次领证日期 row is the one between 出生日期 and 准驾车型; the seal is stamped
    over its label, which may go unread. Its date is then the only one between them."""
    if above is None or below is None or not above.lines or not below.lines:
        return []
    top = max(ln.y1 for ln in above.lines)
    bottom = min(ln.y0 for ln in below.lines)
    x = min(ln.x0 for ln in above.lines) - above.lines[0].height
    found = [
        d for ln in page.lines if top <= ln.cy <= bottom and ln.x0 >= x for d in find_dates(ln.text)
    ]
    return found if len(found) == 1 else []


def _seal(page: Page, values: dict, result: Result) -> str | None:
    """The issuing detachment: a printed line naming it (scans of reissued licences);
    the rows of the square seal real cards stamp (:func:`_seal_in_rows`), warned when
    put right to a name the holder's city does not confirm; or the name on a round red
    seal (:mod:`bot.ocr.local.seal`), weighed against the detachment of the city in the
    holder's address, which is where a licence is issued."""
    for ln in page.lines:
        m = _SEAL.search(clean(ln.text))
        if m and not (values.get("address") and ln in values["address"].lines):
            return m.group(0)
    expected = police_seal_of(result.fields.get("address", ""))
    if printed := _seal_in_rows(page.lines, lines_of(values)):
        name, as_read = printed
        home = expected or ""
        usual = as_read and name in police_seals()
        if name != home and not (usual or (as_read and _seal_city(name) == _seal_city(home))):
            # Put right to a known name the address does not confirm (a seal of a city
            # since renamed, 襄樊, is one character from another's), or a rarer ending as
            # read for another city (交巡警察支队 is one from 交通警察支队).
            result.warnings.append(SEAL_FIXED_WARNING)
        return name
    readings = page.seal_readings(1)
    if expected is not None and readings and readings[0].name(expected) == expected:
        # The seal as photographed names the address's detachment: the deblurred view
        # is not read (on 120 licences, 87 decided so, each as both views decided).
        return expected
    readings = page.seal_readings()
    named = {name for r in readings if (name := r.name(expected))}
    # A view that keeps the address's detachment among its runners-up has not outweighed
    # the address: no other view's name is given over it (print crossing a seal made its
    # deblurred view read another city sure-looking, the address's close behind).
    doubted = any(expected in (name for name, _ in r.names[1:]) for r in readings)
    overruled = doubted and expected not in named
    if len(named) == 1 and not overruled:
        return named.pop()  # the seal's views (as photographed, deblurred) do not disagree
    result.warnings.append("印章文字未能识别")
    return None


def _number_in_doubt(number: str) -> bool:
    """Whether a licence number read is no valid ID number: one failing its check, or
    cut short (blurred out, or past an edge). An old 15-digit ID number has no check
    digit to fail (as ID cards say); an empty one is no number."""
    return bool(number) and not id_valid(number) and not re.fullmatch(r"\d{15}", number)


def _seal_city(seal: str) -> str:
    """The province and city a detachment's seal names (all before its 公安)."""
    return seal.split("公安")[0]


def _seal_in_rows(lines: list[Line], taken: set[Line]) -> tuple[str, bool] | None:
    """The detachment a square seal names in rows of upright characters (河北省承德 /
    市公安局交 / 通警察支队), as every real card prints it, and whether it was read as
    printed: lines stacked close under each other, their starts or middles aligned, that
    together spell a known seal (or one character off from exactly one). The detector
    boxes those rows like any print."""
    free = [ln for ln in lines if ln not in taken]

    def under(above: Line, ln: Line) -> bool:
        h = above.height
        aligned = abs(ln.x0 - above.x0) < h or abs(ln.cx - above.cx) < h
        return aligned and above.cy < ln.y0 and ln.y0 - above.y1 < h

    for first in free:
        chain, text = [first], clean(first.text)
        while below := [ln for ln in free if under(chain[-1], ln)]:
            chain.append(min(below, key=lambda ln: ln.y0))  # the next row, the nearest
            text += clean(chain[-1].text)
            if name := nearest_seal(text):
                return name, name == text
    return None


def _add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def _validity(starts: list[date], period: str) -> tuple[date | None, date | str | None]:
    """``valid_from`` and ``valid_to`` from the 有效起始日期 dates and the 有效期限 text:
    two dates (``2015-06-18 至 2021-06-18``), one date, or a duration from the start
    (``6年``, ``10年``, ``长期``) on older licences."""
    ends = find_dates(period)
    whole = len(ends) >= 2 or (len(ends) == 1 and "长期" in period)  # 起 至 止|长期
    start = starts[0] if starts else (ends.pop(0) if whole else None)
    if ends:
        return start, ends[-1]
    if "长期" in period:
        return start, "长期"
    years = re.search(r"(?<!\d)(6|10)\s*年", period)
    if start is not None and years:
        return start, _add_years(start, int(years.group(1)))
    return start, None


def _start_left_of_period(page: Page, lines: list[Line]) -> list[date]:
    """On older licences 有效起始日期 and 有效期限 share the last row, or 有效起始日期 is the
    row above; the seal covers the first label, which goes unread: the one date left of
    有效期限 on its row, else the one in the value column on the row above, is the start.
    A date cut at the label's edge (``2012-06-1``, its last digit under 有效期限's box) is
    read again: the one whole date the crops give that begins as read is the start."""
    label = next((ln for ln in lines if clean(ln.text).startswith("有效期限")), None)
    if label is None:
        return []
    h = label.height
    row = [ln for ln in lines if abs(ln.cy - label.cy) < 0.8 * h and ln.x1 <= label.x0 + h]
    if not row:
        row = [ln for ln in lines if 0.6 * h < label.cy - ln.cy < 1.8 * h
               and label.x1 - h < ln.x0 < label.x1 + 3 * h]  # fmt: skip
    # Whole dates only: the licence prints them padded, and one cut at the edge
    # (2011-06-2) is not 2011-06-02.
    found = [d for ln in row if _WHOLE_DATE.search(ln.text) for d in find_dates(ln.text)]
    cut = [ln for ln in row if _CUT_DATE.search(clean(ln.text))]
    if not found and len(cut) == 1:
        read = clean(cut[0].text)
        again = {clean(text) for text, _ in page.reread_line(cut[0])}
        whole = {t for t in again if t.startswith(read) and _WHOLE_DATE.fullmatch(t)}
        found = find_dates(whole.pop()) if len(whole) == 1 else []
    return found if len(found) == 1 else []


def _renew_by(back: Page | None) -> date | None:
    """The date a 副页 asks the holder to renew by (请于2021年06月18日前…换领)."""
    if back is None:
        return None
    m = _RENEW_BY.search(clean(back.text))
    dates = find_dates(m.group(1)) if m else []
    return dates[0] if dates else None


def _whole_numbers(lines: list[Line]) -> list[Line]:
    """The lines that are a whole licence number (18 characters) passing its check."""
    return [ln for ln in lines if (n := id_number(ln.text)) and id_valid(n)
            and len(re.sub(r"\W", "", ln.text)) == 18]  # fmt: skip


def _number_on_back(back: Page | None) -> str | None:
    """The licence number the 副页 beside repeats, when one line there is a valid one."""
    found = {id_number(ln.text) for ln in _whole_numbers(back.lines)} if back else set()
    return found.pop() if len(found) == 1 else None


# A main page's number read this many characters off the 副页's is another holder's,
# likelier than a blur's (1580146 read five off): the 副页's is given, warned.
BACK_NUMBER_OFF = 6


def _nationality_beside_label(page: Page) -> str | None:
    """国籍's value at the row's end, a word of two characters or more."""
    return agreed_beside(page, "国籍", (3.5, 4.5), lambda found: len(found) >= 2)


_LEFT_LABELS = ("证号", "姓名", "住址")  # the two-character labels of the left column


def _garbled_labels(lines: list[Line]) -> list[Line]:
    """Labels a blurred photo garbled in one character: 性别 followed by its value
    (``性制男``, also run on through 国籍 and its value: ``性制男国籍中国``) or alone on
    姓名's row past the name (``性制``), 国籍 short of a character between the sex and
    the nationality (``性别男国中国``, ``性制男国中国``) or misread in one right of 性别
    (``国箱``), and a two-character label of the left column, where the other labels
    are, that no line spells right (``住效``), keeping the character in its place."""
    texts = {clean(ln.text) for ln in lines}
    left = [ln.x0 for ln in lines if clean(ln.text) in (*_LEFT_LABELS, "出生日期")]
    nation = any("国籍" in t for t in texts)
    sexes = [ln for ln in lines if clean(ln.text).startswith("性")]

    def sex_row(ln: Line) -> bool:
        return any(abs(ln.cy - s.cy) < 0.5 * ln.height and s.x1 < ln.x0 for s in sexes)

    named = [ln for ln in lines if clean(ln.text) == "姓名"]

    def past_name(ln: Line) -> bool:  # on 姓名's row, past where a name is printed
        return any(abs(ln.cy - n.cy) < 0.5 * ln.height and ln.x0 > n.x1 + 2 * n.height
                   for n in named)  # fmt: skip

    out = []
    for ln in lines:
        t = clean(ln.text)
        if m := re.fullmatch(r"性[^别男女]?([男女])(国籍[\u4e00-\u9fff]{2,})?", t):
            ln = ln.with_text("性别" + m.group(1) + (m.group(2) or ""))  # 性制男(国籍中国)
        elif re.fullmatch(r"性[^别男女]", t) and "性别" not in texts and past_name(ln):
            ln = ln.with_text("性别")  # 性制, its value boxed apart
        elif not nation and (m := re.fullmatch(r"性.?([男女])[国籍]([\u4e00-\u9fff]{2,})", t)):
            ln = ln.with_text(f"性别{m.group(1)}国籍{m.group(2)}")  # 性别男国中国: 籍 lost
        elif not nation and len(t) == 2 and (t[0] == "国") != (t[1] == "籍") and sex_row(ln):
            ln = ln.with_text("国籍")  # 国箱, right of 性别 on its row
        elif len(t) == 2 and left and min(abs(ln.x0 - x) for x in left) < ln.height:
            fits = [
                lab
                for lab in _LEFT_LABELS
                if lab not in texts and (t[0] == lab[0]) != (t[1] == lab[1])
            ]
            if len(fits) == 1:
                ln = ln.with_text(fits[0])
        out.append(ln)
    return out


@dataclasses.dataclass
class _NameRow:
    name: str  # the 姓名 value without what belongs to 性别 and 国籍
    sex: str  # a lone 男 or 女 printed on the row ("" when none)
    nationality: str | None  # 中国 printed at the row's end, when its label went astray


# A line this many of its heights right of the name on the name's row is another column
# (性别, 国籍), whatever it reads: a name is printed as one word.
NAME_GAP = 3.0


def _name_row(lines: list[Line], values: dict[str, Value]) -> _NameRow:
    """姓名, 性别 and 国籍 share a row. When the values are printed a little below the
    labels (the printer out of register with the form), 性别 and 国籍 fall in the row
    above and the 姓名 value runs on through ``男`` and ``中国``: the lines from the 性别
    label's column on (or, the label unread, a lone 男 or 女 set apart from the name)
    are not the name."""
    value = values.get("name")
    if value is None or not value.lines:
        return _NameRow(value.text if value else "", "", None)
    label = next((ln for ln in lines if clean(ln.text).startswith("性别")), None)
    named = next((ln for ln in lines if clean(ln.text).startswith("姓名")), None)
    first = value.lines[0]
    h = first.height
    others: list[Line] = []
    if named is not None and clean(first.text) in ("男", "女") and first.x0 - named.x1 > 4 * h:
        others.append(first)  # the name itself unread: this is the 性别 column
    for prev, ln in zip(value.lines, value.lines[1:], strict=False):
        if label is not None:
            apart = ln.x0 >= label.x0 - 0.3 * label.height
        else:  # a lone 男 or 女 set apart, or anything far apart (国籍 misread, 国箱)
            gap = ln.x0 - prev.x1
            apart = (clean(ln.text) in ("男", "女") and gap > 1.5 * h) or gap > NAME_GAP * h
        if apart or others:
            others.append(ln)
    name = clean(value.text)
    for ln in reversed(others):
        tail = clean(ln.text)
        if tail and name.endswith(tail):  # ("" would cut the whole name: name[:-0])
            name = name[: -len(tail)]
    # With the 性别 label unread, the lines beside the name on its row are the row's
    # other columns too (性别's and 国籍's values), for those values alone: never cut
    # from the name (李中国 is a name). Boxed as one (女中国), or with 国籍 garbled
    # (国箱 中国), the nationality ends them.
    beside = [] if label is not None else [
        ln for ln in lines
        if ln not in value.lines and ln.x0 > first.x1 and abs(ln.cy - first.cy) < 0.5 * h
    ]  # fmt: skip
    words = ["".join(CJK.findall(ln.text)) for ln in others + beside]
    sex = next((w[0] for w in words if w in ("男", "女", "男中国", "女中国")), "")
    nation = "中国" if any(w.endswith("中国") for w in words) else None
    return _NameRow(name, sex, nation)


def _name_off_row(lines: list[Line]) -> Value | None:
    """The name printed out of register, off its label's row (a scan fed askew: the
    values a row's third low, or high), so that 姓名's value on the row is empty: the one
    line of Chinese in the name's column, starting just right of the label, within a
    label's height and a half up or down (the next rows are farther)."""
    label = next((ln for ln in lines if clean(ln.text) == "姓名"), None)
    if label is None:
        return None
    h = label.height
    sex = next((ln for ln in lines if clean(ln.text).startswith("性别")), None)
    end = sex.x0 if sex is not None and sex.x0 > label.x1 else label.x1 + 8 * h
    found = [
        ln for ln in lines
        if ln is not label and label.x1 - 0.5 * h <= ln.x0 <= label.x1 + 3 * h and ln.x1 <= end
        and abs(ln.cy - label.cy) < 1.5 * h and CJK.fullmatch(t := clean(ln.text))
        and len(t) >= 2 and not any(lab in t for names in LABELS.values() for lab in names)
    ]  # fmt: skip
    if len(found) != 1:
        return None
    return Value(found[0].text, 0, found[0].x0, (found[0],))


def _duration_beside_label(page: Page) -> str | None:
    """An older issue's 有效期限 value, short and set apart (``6年``), goes unboxed as a
    lone 男 or a class letter does: the place right of the label, read from two crops
    that agree on a duration."""

    def fits(found: str) -> bool:
        return re.fullmatch(r"(6|10)年|长期", found) is not None

    return agreed_beside(page, "有效期限", (3.0, 4.0), fits, keep=clean)


def _sex_beside_label(page: Page) -> str | None:
    """性别's value, one character set apart on the row: 男 or 女."""
    return agreed_beside(page, "性别", (2.5, 3.2), lambda found: found in ("男", "女"))


def _main_titles(lines: list[Line]) -> list[Line]:
    """The lines that are the main page's title (…机动车驾驶证); not the 副页's boxed in
    two, its 副页 right after it on the row."""
    backs = [ln for ln in lines if clean(ln.text).startswith("副页")]

    def cut_short(title: Line) -> bool:
        h = title.height
        return any(abs(b.cy - title.cy) < h and -h < b.x0 - title.x1 < 2 * h for b in backs)

    titles = [ln for ln in lines if clean(ln.text).endswith(MAIN_TITLE)]
    return [title for title in titles if not cut_short(title)]


def _back_alone(page: Page, titles: list[Line]) -> bool:
    """The 副页 photographed alone: its own labels and title, none of the main page's,
    nor its title (``titles``: :func:`_main_titles`)."""
    text = clean(page.text)
    own = "副页" in text or "档案编号" in text
    return own and not any(label in text for label in MAIN_LABELS) and not titles


def _read_back(page: Page) -> Result:
    """What a 副页 alone says: 证号 and 姓名 as on the main page, 档案编号 (``file_no``),
    and the date it asks the holder to renew by, the end of validity (``valid_to``)."""
    labels = {"id_num": ["证号"], "name": ["姓名"], "file_no": ["档案编号"]}
    lines = [ln for ln in page.lines if not ENGLISH_SUBLABEL.match(ln.text.strip())]
    values = labelled_values(lines, labels)
    result = Result()
    if "id_num" in values:
        number = id_number(values["id_num"].text) or re.sub(r"\W", "", values["id_num"].text)
        if _number_in_doubt(number):
            result.warnings.append(NUMBER_WARNING)
        result.put("id_num", number)
    if "name" in values:
        result.put("name", "".join(CJK.findall(values["name"].text)))
    if "file_no" in values:
        result.put("file_no", re.sub(r"\D", "", values["file_no"].text))
    renew_by = _renew_by(page)
    result.put("valid_to", iso(renew_by) if renew_by else None)
    return result


def _name_under_number(lines: list[Line], values: dict[str, Value]) -> Value | None:
    """姓名's value when its label went unread with the others (a small licence beside
    its 副页, turned): the one line of a name's few Chinese characters on the row under
    the number's, starting where the number starts. On the real form the number sits
    centred, over 性别 (its label read with its value, 性别男): then the name is the one
    such line left of it on its row."""
    number = values.get("id_num")
    if number is None:
        return None
    name = line_under(lines, number, _NAME)
    if name is not None and clean(name.text).startswith(("性别", "国籍")):
        taken = lines_of(values)
        left = [
            ln
            for ln in lines
            if ln not in taken
            and 0 <= name.x0 - ln.x1 < 6 * name.height  # the 姓名 column, not a page beside
            and abs(ln.cy - name.cy) < 0.5 * name.height
            and re.fullmatch(_NAME, clean(ln.text))
            and not clean(ln.text).startswith(("姓名", "性别", "国籍"))
        ]
        name = left[0] if len(left) == 1 else None
    return Value(clean(name.text), number.row + 1, name.x0, (name,)) if name is not None else None


def _address_unlabelled(lines: list[Line], values: dict[str, Value]) -> Value | None:
    """住址's value when its small label went unread (a blurred photo): the rows between
    the name's and the birth date's, each from a line starting where the name starts
    and on through the lines that follow it closely (a 副页 beside the page is apart),
    when they begin with a province and a city of today (an address's first words;
    nothing else printed there does)."""
    name, birth = values.get("name"), values.get("birth_date")
    if name is None or birth is None or not name.lines or not birth.lines:
        return None
    top, bottom, h = name.lines[0], birth.lines[0], name.lines[0].height
    picked: list[Line] = []
    for row in rows(ln for ln in lines if top.y1 < ln.cy < bottom.y0):
        run = next((i for i, ln in enumerate(row.lines) if abs(ln.x0 - name.x) < 1.5 * h), None)
        if run is None:
            continue
        picked.append(row.lines[run])
        for ln in row.lines[run + 1 :]:
            if ln.x0 - picked[-1].x1 > 1.5 * h:
                break
            picked.append(ln)
    text = _LATIN_START.sub("", "".join(clean(ln.text) for ln in picked))
    if not picked or police_seal_of(fix_division(text)) is None:
        return None
    return Value(text, name.row + 1, min(ln.x0 for ln in picked), tuple(picked))


def extract(page: Page) -> Result:
    text = clean(page.text)
    # The title and 证号 are the first to go when a photo is cropped tight at the top.
    if not ("驾驶证" in text or ("准驾车型" in text and ("证号" in text or "初次领证" in text))):
        return Result()
    titles = _main_titles(page.lines)
    if _back_alone(page, titles):
        return _read_back(page)
    back = None

    def main_page(ln: Line) -> bool:
        return ln in titles or any(label in clean(ln.text) for label in MAIN_LABELS)

    split = two_pages(page.lines, main_page, BACK_LABELS)
    if split is not None and all(ln in titles for ln in split[0]):
        return _read_back(page)  # a 副页 whose own 副页 went unread: the title is all
    if split is not None:  # the 副页 beside or below: read the main page alone
        page, back = (dataclasses.replace(page, lines=part).levelled() for part in split)
    lines = [ln for ln in page.lines if not ENGLISH_SUBLABEL.match(ln.text.strip())]
    lines = _garbled_labels(lines)
    values = labelled_values(lines, LABELS, multiline=["address"], stop=r"出生|日期|\d{4}-")
    result = Result()
    # 证号 printed white on a dark box goes unread, or its number, printed out of register
    # with the form, falls in the row below the label's.
    if "id_num" not in values or not clean(values["id_num"].text):
        whole = _whole_numbers(lines)
        if len(whole) == 1:
            values["id_num"] = Value(whole[0].text, 0, whole[0].x0, (whole[0],))
    if "id_num" in values:
        number = id_number(values["id_num"].text) or re.sub(r"\W", "", values["id_num"].text)
        if len(number) == 18 and not id_valid(number):
            for ln in values["id_num"].lines:
                for again, _ in page.reread_line(ln):
                    fixed = id_number(again)
                    if fixed and id_valid(fixed):
                        number = fixed
            # The 副页 beside repeats it, printed larger: a blur that garbled the main
            # page's often leaves the 副页's whole.
            if not id_valid(number) and (repeated := _number_on_back(back)) is not None:
                if sum(a != b for a, b in zip(number, repeated, strict=True)) > BACK_NUMBER_OFF:
                    result.warnings.append("证号取自副页，与正页不符，请核对")
                number = repeated
        if _number_in_doubt(number):
            result.warnings.append(NUMBER_WARNING)
        result.put("id_num", number)
    # The name, out of register like the number, falls off its label's row.
    if "name" in values and not "".join(CJK.findall(values["name"].text)):
        values["name"] = _name_off_row(lines) or values["name"]
    if "name" not in values and (found := _name_under_number(lines, values)) is not None:
        values["name"] = found
    row = _name_row(lines, values)
    if "name" in values:
        result.put("name", "".join(CJK.findall(row.name)))
    sex = values["sex"].text if "sex" in values else ""
    sex = sex if "男" in sex or "女" in sex else row.sex
    result.put("sex", "男" if "男" in sex else "女" if "女" in sex else "")
    if "nationality" in values:
        result.put("nationality", "".join(CJK.findall(values["nationality"].text)))
    if "nationality" not in result.fields:
        result.put("nationality", row.nationality)
    sex_text = "".join(CJK.findall(values["sex"].text)) if "sex" in values else ""
    if "nationality" not in result.fields and sex_text.endswith("中国"):
        result.put("nationality", "中国")  # 性别's value ran on through 国籍 garbled (女国箱中国)
    if "nationality" not in result.fields and "国籍" in text:
        result.put("nationality", _nationality_beside_label(page))
    if "sex" not in result.fields and "性别" in text:
        result.put("sex", _sex_beside_label(page))
    number = result.fields.get("id_num")
    if "sex" not in result.fields and number and id_valid(number):
        result.put("sex", id_sex(number))  # the licence number is the holder's ID number
    if "birth_date" not in values and (born := _birth_by_number(lines, number)) is not None:
        values["birth_date"] = born
    if "address" not in values and (found := _address_unlabelled(lines, values)) is not None:
        values["address"] = found
    if "address" in values:
        address = values["address"]
        # An address starts with its province: Latin letters before it are the English
        # sub-label's ink boxed with 住址 (住址TE).
        text = _LATIN_START.sub("", address.text)
        result.put("address", fix_division(text, image_chooser(page, address.lines)))
    below = _below_birth(lines, values)
    for key, label in (("birth_date", "出生日期"), ("issue_date", "初次领证日期")):
        dates = find_dates(values[key].text) if key in values else []
        if not dates:  # cut short under the seal: read the place itself
            dates = next(
                (d for t, _ in read_beside(page, label, (7.0,)) if (d := find_dates(t))), []
            )
        if not dates and key == "issue_date":
            dates = _date_between(page, values.get("birth_date"), values.get("car_class"))
        if not dates and key == "issue_date" and below is not None and below.issue is not None:
            dates = find_dates(below.issue.text)
        if dates:
            result.put(key, iso(dates[0]))
    if "car_class" in values:
        result.put("car_class", car_class(values["car_class"].text))
    if "car_class" not in result.fields:
        result.put("car_class", _class_beside_label(page))
    if "car_class" not in result.fields and below is not None:  # its label under the seal
        if below.car_class is not None:
            result.put("car_class", _vote_class([(below.car_class.text, 2.0)]))
        elif below.class_box is not None:  # the letters missed too: read their place
            result.put("car_class", _vote_class(page.reread_line(below.class_box)))
    starts = find_dates(values["valid_from"].text) if "valid_from" in values else []
    period = values["valid"].text if "valid" in values else ""
    if not period:  # label missed: the period is the one line with two dates and 至
        period = next((ln.text for ln in page.lines if "至" in ln.text), "")
    if not period and below is not None and below.duration is not None:
        period = below.duration.text  # an older issue's duration, its label garbled
    if "valid" in values and not clean(period):
        period = _duration_beside_label(page) or ""
    if not starts and "valid_from" not in values and below is not None and below.start:
        starts = find_dates(below.start.text)  # its label under the seal, its row kept
    if not starts and "valid" in values and len(find_dates(period)) < 2:
        # 有效起始日期 under the seal: its date is left of 有效期限, on the same row. Not
        # when the period prints both its dates (起 至): a stray date there (a 副页 laid
        # to the left) must not replace the start.
        starts = _start_left_of_period(page, lines)
    valid_from, valid_to = _validity(starts, period)
    renew_by = _renew_by(back)
    if valid_to is None and renew_by is not None:
        valid_to = renew_by
    elif isinstance(valid_to, date) and renew_by is not None and renew_by != valid_to:
        result.warnings.append("有效期限与副页换领日期不一致，请核对")
    result.put("valid_from", iso(valid_from) if valid_from else None)
    result.put("valid_to", iso(valid_to) if isinstance(valid_to, date) else valid_to)
    result.put("official_seal", _seal(page, values, result))
    order = list(LABELS) + ["valid_to", "official_seal"]
    result.fields = {k: result.fields[k] for k in order if k in result.fields}
    return result
