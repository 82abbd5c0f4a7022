"""营业执照 (business licence): two label columns, values that wrap, a code with a check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import itertools
import re
from collections import Counter

from bot.numbers import TO_DIGIT, registration_valid, single_fix, uscc_fix, uscc_valid
from bot.ocr.local.extract import Result
from bot.ocr.local.extract.dates import find_dates
from bot.ocr.local.layout import (
    SETTLE_MARGIN,
    Value,
    agreed,
    clean,
    image_chooser,
    labelled_values,
    likeliest,
    lines_of,
    read_beside,
    red_ink,
    rows,
)
from bot.ocr.local.page import Line, Page, region
from bot.ocr.local.places import fix_division, fix_place_from, one_off

# The licence's paper repeats SCJDGL (市场监督管理) in pale letters: a value running over
# it reads it (or a piece of it at the edge) as part of the value.
_WATERMARK = re.compile(r"SCJDGL|SCJD|CJDGL|JDGL")

LABELS = {
    "reg_num": ["统一社会信用代码", "注册号"],
    "serial": ["编号"],
    "enterprise_name": ["名称"],
    "type_of_enterprise": ["类型"],
    "legal_representative": ["法定代表人", "负责人", "经营者", "执行事务合伙人", "投资人"],
    "business_scope": ["经营范围"],
    "registered_capital": ["注册资本", "出资额", "注册资金"],
    "paid_in_capital": ["实收资本"],
    "registered_date": ["成立日期", "注册日期"],
    "valid_period": ["营业期限", "经营期限", "合伙期限"],
    "address": ["住所", "营业场所", "经营场所", "主要经营场所"],
    "type_of_organization": ["组成形式"],
    "authority": ["登记机关"],
}
TEXT_KEYS = (
    "enterprise_name",
    "type_of_enterprise",
    "type_of_organization",
    "legal_representative",
    "business_scope",
    "registered_capital",
    "paid_in_capital",
    "address",
)
_STOP = r"^(登记机关|请于|国家企业信用|市场主体应当|\d{4}年\d{1,2}月\d{1,2}日$)"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def printed(date: dt.date, padded: bool = True) -> str:
    """Dates as the licence prints them (and the WeChat API returns them): 2014年10月27日
    on licences since 2015, 2008年3月5日 (``padded=False``) on older ones."""
    if not padded:
        return f"{date.year}年{date.month}月{date.day}日"
    return f"{date.year}年{date.month:02d}月{date.day:02d}日"


def _padded(text: str) -> bool:
    """Whether ``text`` prints its dates' months and days with two digits."""
    return not re.search(r"年\d月|月\d日", clean(text))


def balance(text: str) -> str:
    """Full-width parentheses, closed: the recognizer reads ）as ) and drops a final one."""
    text = text.replace("(", "（").replace(")", "）")
    if text.count("（") > text.count("）"):
        text += "）"
    return text


def _read_code(page: Page, values: dict, result: Result) -> str | None:
    lines: list[Line] = list(values["reg_num"].lines) if "reg_num" in values else []
    # A run longer than a code is another number (an older licence's 20-digit 证照编号),
    # whose 18-character pieces one changed character could make pass the check.
    lines += [
        ln
        for ln in page.lines
        if ln not in lines
        and re.search(r"[0-9A-Z]{15}", ln.text)
        and not re.search(r"[0-9A-Z]{19,}", re.sub(r"[\s·.\-]", "", ln.text).upper())
    ]
    first: str | None = None
    for ln in lines:
        code = uscc_fix(ln.text)
        if code is None:
            continue
        if uscc_valid(code):
            return code
        first = first or code
        for again, _ in page.reread_line(ln):
            fixed = uscc_fix(again)
            if fixed and uscc_valid(fixed):
                return fixed
        fixed = single_fix(code, uscc_valid, _USCC_CHARS)
        if fixed:
            return fixed
    old = _registration_number(page, values)
    if old:
        return old
    if first:
        result.warnings.append("统一社会信用代码校验未通过，请核对")
    return first


def _registration_number(page: Page, values: dict) -> str | None:
    """An older licence's 15-digit 注册号, which passes its check digit, from the
    注册号 value or a line naming it (the licence number beside it, 证照编号, is longer)."""
    texts = [values["reg_num"].text] if "reg_num" in values else []
    texts += [ln.text for ln in page.lines if "注册号" in ln.text]
    for text in texts:
        compact = re.sub(r"[\s·.\-]", "", text).translate(TO_DIGIT)
        for m in re.finditer(r"(?<![0-9A-Z])\d{15}(?![0-9A-Z])", compact):
            if registration_valid(m.group()):
                return m.group()
    return None


def _restore_edge_punctuation(page: Page, value: str, lines: tuple[Line, ...]) -> str:
    """Put back a 、/。/，/； the recognizer dropped at a wrapped line's end or start.

    A mark at the very edge of a line's box is lost when the crop ends at it. Each line
    that can be missing one has its two ends read again, side by side in one crop with
    paper beyond each (:meth:`Page.edge_texts`, half a line's time): a mark read there
    goes back where the two characters beside it agree with the line's own reading, at
    the line's own place in the value. Not at a line that already ends in a mark, nor
    at the start of one after a mark (two never stand together), nor at the value's
    start, nor after the statutory sentence's closing ） (nothing follows it). Print
    keeps marks off a line's start, but naive typesetting (and our generator) does not;
    a mark is put there only where no other box ends just before the line, whose last
    character the crop's widened start would take in."""
    olds = [clean(ln.text) for ln in lines]
    closed = [old.translate(_FULL_WIDTH)[-1:] in _MARK_SET for old in olds]
    wanted = [
        i
        for i, old in enumerate(olds)
        if old and old in value and not closed[i] and not (i == len(lines) - 1 and old[-1] in ")）")
    ]
    after_mark = {0} | {i + 1 for i, c in enumerate(closed) if c}
    put: dict[int, tuple[str, str]] = {}  # the line's index: a mark before it, after it
    for i, two in zip(wanted, page.edge_texts([lines[i] for i in wanted]), strict=True):
        old, two = olds[i], clean(two).translate(_FULL_WIDTH)
        if two[-1:] in _MARK_SET and two[:-1].endswith(old[-2:]):
            put[i] = ("", two[-1])
            after_mark.add(i + 1)
        elif (
            i not in after_mark
            and two[:1] in _MARK_SET
            and two[1:].startswith(old[:2])
            and not _boxed_before(page, lines[i])
        ):
            put[i] = (two[0], "")
    parts, cursor = [], 0
    for i, old in enumerate(olds):
        at = value.find(old, cursor) if old else -1
        if at < 0:
            continue
        before, after = put.get(i, ("", ""))
        parts.append(value[cursor:at] + before + old + after)
        cursor = at + len(old)
    return "".join(parts) + value[cursor:]


def _boxed_before(page: Page, line: Line) -> bool:
    """Whether another box on ``line``'s row ends within a line height before it (a row
    the detector cut in two)."""
    h = line.y1 - line.y0
    return any(
        other.box != line.box
        and other.x0 < line.x0
        and line.x0 - h <= other.x1 <= line.x0 + h / 2
        and min(other.y1, line.y1) - max(other.y0, line.y0) > h / 2
        for other in page.lines
    )


_FULL_WIDTH = str.maketrans({",": "，", ";": "；"})


_NAME_END = re.compile(r"(公司|厂|店|中心|合作社|事务所|经营部|商行)$")
# The kinds of business a licence's 类型 names (SAMR's list), with their qualifier.
_ORG_TYPE = re.compile(
    r"^(其他)?(一人有限责任公司|有限责任公司|股份有限公司|股份合作制|个人独资企业|(普通|有限)?合伙企业"
    r"|农民专业合作社|全民所有制|集体所有制|外商投资企业|外国企业|个体工商户)(（.*）?)?$"
)


_MARKS = "、，。；"
_MARK_SET = frozenset(_MARKS)  # (membership of a character; "" is in any string)
_LONG_RUN = re.compile(r"[\u4e00-\u9fff]{8,}")  # eight characters with no mark between


def _restore_inner_punctuation(page: Page, value: str, lines: tuple[Line, ...]) -> str:
    """Put back a 、 the recognizer skipped inside a line: small marks vanish on a
    small or turned photo. Where a line has a long unbroken run among the items (not
    in the closing 依法须经批准… sentence), the stretch from its first such run to its
    last is read again, a character and a half wider each side, from crops of its
    usual size (an enlarged one parts touching digits; a mark it does not need). A
    reading that two of the crops agree on, with the stretch's characters in order and
    more marks between them, replaces the stretch; the ends of the line are
    :func:`_restore_edge_punctuation`'s."""
    for ln in lines:
        items = value.partition("（依法")[0]  # the statutory closing sentence has no 、
        old = clean(ln.text)
        start = value.find(old)
        runs = list(_LONG_RUN.finditer(old[: max(0, len(items) - start)])) if start >= 0 else []
        if not runs:
            continue
        a, b = runs[0].start(), runs[-1].end()
        stretch = old[a:b]
        pattern = _with_marks_between(stretch)
        part = (max(0.0, (a - 1.5) / len(old)), min(1.0, (b + 1.5) / len(old)))
        votes: dict[str, int] = {}
        for again, score in page.reread_line(ln, part, enlarged=False):
            m = pattern.search(clean(again))
            if score >= 0.9 and m and _marks(m.group()) > _marks(stretch):
                votes[m.group()] = votes.get(m.group(), 0) + 1
        best = max(votes, key=lambda t: (votes[t], _marks(t)), default=None)
        if best is not None and votes[best] >= 2:
            value = value.replace(old, old[:a] + best + old[b:], 1)
    return value


def _with_marks_between(text: str) -> re.Pattern[str]:
    """``text``'s characters in order, a mark allowed between two that are not marks."""
    joins = [f"[{_MARKS}]?" if {ch, nxt}.isdisjoint(_MARK_SET) else ""
             for ch, nxt in zip(text, text[1:], strict=False)]  # fmt: skip
    return re.compile("".join(re.escape(ch) + j for ch, j in zip(text, [*joins, ""], strict=True)))


def _restore_colons(lines: tuple[Line, ...], value: str) -> str:
    """Put back the ：inside a scope (研发、产销：五金制品) that :func:`clean` drops: each
    colon the recognizer read between two characters goes back between the same four
    characters on either side, where the value holds them once."""
    for ln in lines:
        raw = re.sub(r"\s+", "", ln.text).replace(":", "：")
        for i, ch in enumerate(raw):
            if ch != "：":
                continue
            before, after = clean(raw[:i])[-4:], clean(raw[i + 1 :])[:4]
            if before and after and value.count(before + after) == 1:
                value = value.replace(before + after, f"{before}：{after}")
    return value


# The statutory sentence that closes every scope since 2014, word for word.
STATUTORY = "依法须经批准的项目，经相关部门批准后方可开展经营活动"


def _statutory(value: str) -> str:
    """The closing sentence is fixed text: a reading of it with a few characters wrong
    (依法频经批准, 终营活动) is put right; the scope's own items are left alone."""
    m = re.search(r"(?<=[（(【])([^（(【]{20,32}?)(?=[。.]?[)）】]?$)", value)
    if m is None or m.group(1) == STATUTORY:
        return value
    inner = m.group(1).replace(",", "，")
    if difflib.SequenceMatcher(None, inner, STATUTORY, autojunk=False).ratio() >= 0.85:
        return value[: m.start(1)] + STATUTORY + value[m.end(1) :]
    return value


def _marks(text: str) -> int:
    return sum(text.count(m) for m in _MARKS)


def _below(page: Page, line: Line) -> Line | None:
    """The line printed right under ``line``, starting in its column."""
    h = line.height
    under = [ln for ln in page.lines if ln is not line and abs(ln.x0 - line.x0) < h
             and line.y1 - 0.3 * h < ln.cy and ln.y0 - line.y1 < 0.8 * h]  # fmt: skip
    return min(under, key=lambda ln: ln.y0, default=None)


def _name_beside_capital(page: Page) -> tuple[str, Line] | None:
    """The name when its 名称 label went unseen: on the licence it shares a row with
    注册资本, left of it, and reads like a business name, maybe wrapping onto the line
    below (…物流有 / 限公司). With the name's last line."""
    for row in rows(page.lines):
        label = next((ln for ln in row.lines if clean(ln.text).startswith("注册资本")), None)
        if label is None:
            continue
        lefts = [ln for ln in row.lines if ln.x1 <= label.x0 + 2]
        left = "".join(clean(ln.text) for ln in lefts)
        if lefts and _NAME_END.search(left):
            return left, lefts[-1]
        more = _below(page, lefts[-1]) if lefts else None
        if more is not None and _NAME_END.search(left + clean(more.text)):
            return left + clean(more.text), more
    return None


def _kind_below_name(page: Page, last: Line) -> str | None:
    """The 类型 value when its label went unseen: the kind of business printed under the
    name, in its column (on one or two lines)."""
    kind = ""
    line: Line | None = last
    for _ in range(2):
        line = _below(page, line) if line is not None else None
        if line is None:
            return None
        kind += clean(line.text)
        if _ORG_TYPE.match(balance(kind)):
            return balance(kind)
    return None


def _split_name(name: Value) -> tuple[str, str | None]:
    """The name's text, and the kind of business when its 类型 label went unseen: the
    kind sits below the name in the same column, so it reads as the name wrapping. A
    name that already ends like one, followed by a whole kind of business, is two."""
    text = balance(name.text)
    for i in range(1, len(name.lines)):
        tail = balance("".join(clean(ln.text) for ln in name.lines[i:]))
        head = text[: -len(tail)]
        if text.endswith(tail) and _NAME_END.search(head) and _ORG_TYPE.match(tail):
            return head, tail
    return name.text, None


def _split_period(period: Value) -> tuple[str, str | None]:
    """The period's text, and the address when its 住所 label went unseen: the address
    sits below 营业期限 in the same column, so it reads as the period wrapping. The
    period ends on the line that ends its second date or 长期 (a period that wraps
    mid-date, ``...至2065年02月1`` + ``4日``, is one period)."""
    for i in range(1, len(period.lines)):
        head = "".join(clean(ln.text) for ln in period.lines[:i])
        if re.search(r"至.*(\d日|长期)$", head):
            return head, "".join(clean(ln.text) for ln in period.lines[i:])
    return period.text, None


# What people stamp or write across a copy they send (仅供存档, 仅供办理开户使用,
# 再复印无效, 与原件一致): never part of the licence, often read as a value running on.
# A line this many times the median line's height is a stamp's or the title's, not print:
# a copy stamp's words stand 2.1-6.6 times as tall as the median line, print 1.6 at most.
OVERSIZED = 1.9
_COPY_MARK = re.compile(r"^(仅供.{0,16}|.{0,6}复印(件)?无效|与原件(一致|相符)|.{0,12}他用无效)$")


def _oversized(lines: list[Line]) -> list[Line]:
    """Lines far taller than the print: the title, and a copy stamp's large words across
    the text (turned, a piece of one stands taller still). Every value of a licence is
    printed in one size, so such a line is never part of one; but a date is print,
    however tall its box (a stamp's strokes boxed with it: 复印无效 across 成立日期)."""
    if len(lines) < 5:
        return []
    median = _median_height(lines)
    return [ln for ln in lines if ln.height > OVERSIZED * median and not find_dates(ln.text)]


def _median_height(lines: list[Line]) -> float:
    heights = sorted(ln.height for ln in lines)
    return heights[len(heights) // 2] if heights else 0.0


_LABEL_TEXTS = {name for names in LABELS.values() for name in names}


PRINT_MAX = 1.6  # print stands at most this many times the median line's height


def _print(line: Line, median: float) -> bool:
    """Whether a line in red reads as the licence's print under a stamp: a label (its
    value boxed with it or not), or a value's line with its marks (、，。（）), or a long
    line of print's height. A stamp's words and a seal's arc have no marks; a long
    stamp (仅供办理银行开户使用他用无效, misread past :data:`_COPY_MARK`) stands taller
    than print. A sum of money, or a date alone, is print. Where a large stamp covers a
    line its red is most of the line's dark tone."""
    text = clean(line.text)
    if text.startswith(tuple(_LABEL_TEXTS)) or re.search(r"[、，。；（）()]", text):
        return True  # a label, its value boxed with it or not (法定代表人何然新)
    if _MONEY.search(text) or (_DATE_ONLY.fullmatch(text) and find_dates(text)):
        return True  # a stamp says what a copy is for, not how much or when
    return len(text) >= 12 and line.height <= PRINT_MAX * median


# A sum of money as the licence prints its capital (壹仟零伍拾万元整, 500万元人民币), and a
# line that is a date or a period and nothing else (a dated stamp says more).
_MONEY = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿\d.]{2,}万?元")
_DATE_ONLY = re.compile(r"[\d年月日至起长期.\-/]{8,}")


def _under_stamp(page: Page, value: Value, stamps: list[Line]) -> str:
    """A value's next line that a stamp across the copy hid from the detector: when a
    stamp covers the place under the value's last line, that place is read again (red
    ink turned to paper) and what it says with confidence continues the value."""
    last = max(value.lines, key=lambda ln: ln.y1, default=None)
    if last is None:
        return value.text
    h = last.height
    x0 = value.x
    x1 = max(ln.x1 for ln in value.lines)
    y0, y1 = last.y1 + 0.05 * h, last.y1 + 1.15 * h
    below = region(x0, y0, x1, y1)
    if not any(st.overlaps(below) for st in stamps):
        return value.text
    taken = [ln for ln in page.lines if ln.cy > y0 and ln.cy < y1 and x0 - h < ln.x0 < x1]
    if taken:  # the line is there: nothing hidden
        return value.text
    readings = [(t, sc) for t, sc in page.reread_line(below) if sc >= 0.9]
    best = max(readings, key=lambda r: (r[1], len(r[0])), default=None)
    if best is None or len(clean(best[0])) < 2:
        return value.text
    return value.text + clean(best[0])


# An address's end wrapped alone onto the next line: a number's last digits, 号, 室 (not
# letters alone: a piece of the paper's SCJDGL read in a blank is no address).
_ADDRESS_END = re.compile(r"\d{1,3}[A-Z]?[号室楼层栋幢座]?|[A-Z]?[号室楼层栋幢座]")


def _lone_end(page: Page, value: Value) -> str:
    """The end of an address wrapped alone onto the next line (…9号楼237 / 9): a
    character set apart goes unboxed, as a lone 男 does. When the value's last line runs
    to its column's right edge and nothing is boxed under its start, that place is read,
    and an address's end that its three crops agree on continues the value."""
    last = max(value.lines, key=lambda ln: ln.y1, default=None)
    if last is None:
        return value.text
    h, x = last.height, value.x  # where the value's lines start (its label may be boxed too)
    right = max((ln.x1 for ln in page.lines if abs(ln.x0 - x) < h), default=last.x1)
    if last.x1 < right - h:  # it ends short of the column's edge: nothing wrapped
        return value.text
    box = region(x - 0.3 * h, last.y1 + 0.1 * h, x + 3.5 * h, last.y1 + 1.4 * h)
    if any(ln.overlaps(box) for ln in page.lines):
        return value.text
    end = agreed((clean(t) for t, _ in page.reread_line(box, enlarged=False)), at_least=3)
    return value.text + end if end and _ADDRESS_END.fullmatch(end) else value.text


# A person's name is read again when its line was read less surely than this.
NAME_SURE = 0.96
# A person's name: two to four characters, or a minority name with its middle dot (a
# partnership's 执行事务合伙人 may be a company, which is not voted on).
_PERSON = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,10}(·[\u4e00-\u9fff]{1,10})+")


def _name_by_crops(page: Page, value: Value) -> str:
    """A person's name (法定代表人) as most readings of its line give it. A name has no
    dictionary to settle a character, and on a blurred photo the box's edge decides
    one (晶 or 品, 涵 or 漏): read less surely than :data:`NAME_SURE`, the line is read
    again from four crops, and of those readings and the first, the name of the same
    length that more give than any other (two at least) is the name; else the first
    reading stands."""
    line = value.lines[-1] if value.lines else None
    name, read = clean(value.text), clean(line.text) if line else ""
    if line is None or line.score >= NAME_SURE or not read.endswith(name):
        return value.text
    if not _PERSON.fullmatch(name):
        return value.text
    label = read[: len(read) - len(name)]  # the label boxed with the name, if it was
    again = [clean(text) for text, _ in page.reread_line(line)]
    names = [t[len(label) :] for t in again if t.startswith(label) and len(t) == len(read)]
    ranked = Counter([name, *names]).most_common(2)
    if not ranked or ranked[0][1] < 2 or (len(ranked) == 2 and ranked[1][1] == ranked[0][1]):
        return value.text
    return ranked[0][0]


def _past_gap(value: Value) -> list[Line]:
    """Lines of a value's first row printed past a wide gap (over three lines' height):
    the licence's other column (an address's piece beside the scope, when 住所 went
    unread), never the value, which is printed in one run."""
    first = sorted((ln for ln in value.lines if ln.y0 < value.lines[0].cy < ln.y1),
                   key=lambda ln: ln.x0)  # fmt: skip
    for a, b in zip(first, first[1:], strict=False):
        if b.x0 - a.x1 > 3 * a.height:
            return first[first.index(b) :]
    return []


def _trim(value: Value, away: list[Line]) -> Value:
    text = value.text
    for ln in away:
        text = text.replace(clean(ln.text), "", 1)
    return Value(text, value.row, value.x, tuple(ln for ln in value.lines if ln not in away),
                 value.x_end)  # fmt: skip


def _address_below_period(page: Page, values: dict[str, Value]) -> list[Line]:
    """The address when its 住所 label went unread: the licence prints it below 营业期限,
    in the same column, up to 登记机关. The lines starting where the period's value
    starts, each within a line of the one above, not part of another value."""
    period = values.get("valid_period")
    if period is None or not period.lines:
        return []
    taken = lines_of(values)
    last = max(period.lines, key=lambda ln: ln.y1)
    h, bottom = last.height, last.y1
    found: list[Line] = []
    for ln in sorted(page.lines, key=lambda ln: ln.y0):
        if ln in taken or ln.cy < bottom or abs(ln.x0 - period.x) > 1.5 * h:
            continue
        text = clean(ln.text)
        if ln.y0 - bottom > 1.2 * h or re.search(_STOP, text) or text in _LABEL_TEXTS:
            break
        found.append(ln)
        bottom = ln.y1
    return found


def _read_dates(page: Page, value: Value, want: int) -> str:
    """The value's text, read again when it holds fewer than ``want`` real dates (a
    blurred 07 read as 00, 至 as 生): the reading that most crops agree on, when two or
    more do, among those holding more dates. A one-line value only."""
    have = len(find_dates(value.text))
    if "长期" in value.text:  # a period without end (起 至长期) prints one date
        want = min(want, 1)
    if have >= want or len(value.lines) != 1:
        return value.text
    if _CUT_DATE.search(clean(value.text)):
        day = _day_below(page, value.lines[0])
        if len(find_dates(value.text + day)) > have:  # a day the month has
            return value.text + day
    votes: dict[tuple, list[str]] = {}
    for again, _ in page.reread_line(value.lines[0]):
        if len(found := find_dates(again)) > have:
            votes.setdefault(tuple(found), []).append(again)
    best = max(votes.values(), key=len, default=[])
    return best[0] if len(best) >= 2 else value.text


# A date read whole, to its 日: a crop cut in its day (2018年09月0) spells another.
_WHOLE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def _founded_beside(page: Page) -> str | None:
    """成立日期's date when none was boxed beside it (a stamp across it, 1590246): the
    place right of the label read from crops (:func:`_whole_date_agreed`)."""
    for label in LABELS["registered_date"]:
        readings = [text for text, score in read_beside(page, label, (5.5, 6.5, 7.5))
                    if score >= 0.8]  # fmt: skip
        if (found := _whole_date_agreed(readings)) is not None:
            return found
    return None


def _whole_date_agreed(readings: list[str]) -> str | None:
    """The whole date (to its 日) two readings or more spell, as printed."""
    whole = [m.group(0) for text in readings if (m := _WHOLE_DATE.search(clean(text)))]
    found = agreed((d, _padded(text)) for text in whole for d in find_dates(text)[:1])
    return printed(*found) if found is not None else None


# A period wrapped after its end's month (…至2061年12月): its day is on the next line.
_CUT_DATE = re.compile(r"至\d{4}年\d{1,2}月$")


def _day_below(page: Page, line: Line) -> str:
    """The day (17日) that a period wrapped after its month prints at the next line's
    start, when the detector missed that line (a stamp's strokes across it): the place
    is read, and a day that two crops agree on is given; else nothing."""
    h = line.height
    box = region(line.x0 - 0.3 * h, line.y1 + 0.1 * h, line.x0 + 3.5 * h, line.y1 + 1.4 * h)
    day = agreed(clean(t) for t, _ in page.reread_line(box)) or ""
    return day if re.fullmatch(r"\d{1,2}日", day) else ""


_NUMERALS = "零壹贰叁肆伍陆柒捌玖"


_UNITS = "拾佰仟"
_AMOUNT = re.compile(r"(?:币|^)([^币]{1,8}?)(?=万元)")  # the amount of 万元, after 人民币


@functools.cache
def _amounts() -> frozenset[str]:
    """1 to 9999 in financial numerals as written: 贰仟, 壹佰伍拾, 贰仟零伍拾."""
    out = set()
    for n in range(1, 10000):
        words, zero = "", False
        for digit, unit in zip(f"{n:04d}", ("仟", "佰", "拾", ""), strict=True):
            if digit == "0":
                zero = bool(words)
                continue
            words += ("零" if zero else "") + _NUMERALS[int(digit)] + unit
            zero = False
        out.add(words)
    return frozenset(out)


def _numerals(page: Page, value: str, lines: tuple[Line, ...]) -> str:
    """An amount of 万元 written in financial numerals with one or two characters that
    are neither numerals nor 拾佰仟 (拥 for 捌, 式纤 for 贰仟): each such character
    replaced by every numeral and unit that leaves an amount as written (1 to 9999),
    the line scored against its image with each (CTC), and the likeliest by
    :data:`SETTLE_MARGIN` over the next taken; else the amount is left as read.
    Amounts in digits are left, and amounts of 亿."""
    if re.search(r"\d", value):
        return value  # written in digits (100万元, 300余万元: 余 is no misread numeral)
    m = _AMOUNT.search(value)
    if m is None:
        return value
    amount = m.group(1)
    bad = [i for i, ch in enumerate(amount) if ch not in _NUMERALS + _UNITS]
    if not 1 <= len(bad) <= 2 or any(amount[i] in "人民币亿万" for i in bad):
        return value  # (亿 and 万 are amounts of their own; a lost 币 is no numeral)
    options = set()
    for chars in itertools.product(_NUMERALS + _UNITS, repeat=len(bad)):
        fixed = list(amount)
        for i, ch in zip(bad, chars, strict=True):
            fixed[i] = ch
        if (option := "".join(fixed)) in _amounts():
            options.add(option)
    line = next((ln for ln in lines if amount in re.sub(r"\s+", "", ln.text)), None)
    if line is None or not options:
        return value
    raw = re.sub(r"\s+", "", line.text)
    variants = {raw.replace(amount, option, 1): option for option in options}
    best = likeliest(page.score_texts(line, list(variants)), SETTLE_MARGIN)
    if best is None:
        return value  # (one amount alone the image cannot weigh against another)
    return value[: m.start(1)] + variants[best] + value[m.end(1) :]


def _kind_beside_label(page: Page, values: dict[str, Value]) -> str | None:
    """The 类型 value when the detector boxed its label but not the value: the place
    right of the label, in the name's column up to the next line on the row, is read
    again; a reading that is a kind of business (SAMR's list) is taken."""
    label = next((ln for ln in page.lines if clean(ln.text) in ("类型", "类", "型")), None)
    name = values.get("enterprise_name")
    if label is None or name is None or not name.lines:
        return None
    h = label.height
    row = [ln for ln in page.lines if abs(ln.cy - label.cy) < 0.5 * h]
    start = max([name.x] + [ln.x1 for ln in row if clean(ln.text) in ("类型", "类", "型")])
    right = [ln.x0 for ln in row if ln.x0 > start]
    end = min(right, default=max(ln.x1 for ln in name.lines) + 4 * h)
    box = region(start + 0.1 * h, label.y0 - 0.1 * h, end - 0.2 * h, label.y1 + 0.1 * h)
    kinds = [(balance(clean(t)), sc) for t, sc in page.reread_line(box) if sc >= 0.8]
    kinds = [(k, sc) for k, sc in kinds if _ORG_TYPE.match(k)]
    return max(kinds, key=lambda k: k[1])[0] if kinds else None


# The first characters of the labels: a column of them boxed as one line is labels.
_LABEL_STARTS = frozenset(name[0] for name in _LABEL_TEXTS if len(name) >= 2)


def _stacked_labels(lines: list[Line]) -> list[Line]:
    """A tall narrow line of labels' first characters (名类住: the detector reading down
    the column of the spaced labels 名 称, 类 型, 住 所 on a photo turned on its side)
    parted into a line a character, each its share of the height: the rows then read
    名 | 称南充市…, and their labels are found."""
    out = []
    for ln in lines:
        text = clean(ln.text)
        if len(text) < 2 or ln.height < 1.5 * ln.width or not set(text) <= _LABEL_STARTS:
            out.append(ln)
            continue
        step = ln.height / len(text)
        for i, char in enumerate(text):
            y0, y1 = ln.y0 + i * step, ln.y0 + (i + 1) * step
            box = ((ln.x0, y0), (ln.x1, y0), (ln.x1, y1), (ln.x0, y1))
            out.append(dataclasses.replace(ln, text=char, box=box, orig=None))
    return out


def extract(page: Page) -> Result:
    text = clean(page.text)
    if not ("营业执照" in text or "统一社会信用代码" in text):
        return Result()
    page = dataclasses.replace(page, lines=_stacked_labels(page.lines))
    # A stamp read in pieces (案使用) is not a mark's whole text: its red ink tells it,
    # or, pale or grey, its size.
    big = _oversized(page.lines)
    median = _median_height(page.lines)
    marks = [
        ln
        for ln in page.lines
        if _COPY_MARK.match(clean(ln.text)) or ln in big or (red_ink(ln) and not _print(ln, median))
    ]
    if marks:
        page = dataclasses.replace(page, lines=[ln for ln in page.lines if ln not in marks])
    values = labelled_values(
        page, LABELS, multiline=[k for k in LABELS if k != "reg_num"], stop=_STOP
    )
    for key, value in values.items():
        if away := _past_gap(value):
            values[key] = _trim(value, away)
    stamps = [ln for ln in marks if red_ink(ln)]
    if "address" in values:
        address = values["address"]
        text = _under_stamp(page, address, stamps) if stamps else address.text
        if text == address.text:  # no line hidden under a stamp: a lone end, maybe
            text = _lone_end(page, address)
        values["address"] = dataclasses.replace(address, text=text)
    result = Result()
    result.put("reg_num", _read_code(page, values, result))
    if "serial" in values:
        serial = re.sub(r"[^0-9A-Z]", "", _WATERMARK.sub("", values["serial"].text.upper()))
        result.put("serial", serial)
        if re.search(r"[A-Z]", serial):  # its digits run into a piece of the watermark
            result.warnings.append("证照编号可能混入底纹字母，请核对")
    if "legal_representative" in values:
        person = values["legal_representative"]
        values["legal_representative"] = dataclasses.replace(
            person, text=_name_by_crops(page, person)
        )
    texts = {key: _WATERMARK.sub("", value.text) for key, value in values.items()}
    name_end: Line | None = None  # the name's last line
    if "enterprise_name" not in values:
        found = _name_beside_capital(page)
        if found:
            texts["enterprise_name"], name_end = found
    elif "type_of_enterprise" not in values:
        name, kind = _split_name(values["enterprise_name"])
        if kind:
            texts["enterprise_name"], texts["type_of_enterprise"] = name, kind
    missing = name_end is not None and "type_of_enterprise" not in texts
    if missing and (kind := _kind_below_name(page, name_end)):
        texts["type_of_enterprise"] = kind
    if not texts.get("type_of_enterprise"):
        kind = _kind_beside_label(page, values)
        if kind:
            texts["type_of_enterprise"] = kind
    for key in TEXT_KEYS:
        if key in texts:
            value = balance(texts[key])
            if key == "type_of_enterprise":  # the thin 一 of 一人有限责任公司 goes unread
                value = re.sub(r"^[-—]?人有限责任公司", "一人有限责任公司", value)
                # A type ends at its bracket: a character after it is a stamp's (…独资）估)
                value = re.sub(r"(?<=[）)])[\u4e00-\u9fff]$", "", value)
                value = re.sub(r"(?<=[\u4e00-\u9fff])[·•](?=[\u4e00-\u9fff])", "、", value)
            if key in ("registered_capital", "paid_in_capital"):  # financial numerals
                value = re.sub(r"参(?=[佰仟拾万亿])", "叁", value)
                value = _numerals(page, value, values[key].lines) if key in values else value
            if key == "business_scope":  # 、 between items is often read as a middle dot
                value = _restore_edge_punctuation(page, value, values[key].lines)
                value = _restore_inner_punctuation(page, value, values[key].lines)
                value = _restore_colons(values[key].lines, value)
                # The statutory closing sentence is in parentheses: a lost （ is put back.
                value = balance(re.sub(r"(?<![（(【])依法(?=.{1,3}批准)", "（依法", value))
                value = _statutory(value)
                value = re.sub(r"(?<=[\u4e00-\u9fff])[·•](?=[\u4e00-\u9fff])", "、", value)
                value = re.sub(r"[·•](?=（依法)", "。", value)
                # The items end with 。 before the statutory closing sentence.
                value = re.sub(r"(?<=[\u4e00-\u9fff])（依法", "。（依法", value)
            if key == "address":
                value = fix_division(value, image_chooser(page, values[key].lines))
            result.put(key, value)
    if "valid_period" in values:
        values["valid_period"] = dataclasses.replace(
            values["valid_period"], text=_read_dates(page, values["valid_period"], 2)
        )
    if "registered_date" in values:
        founded = values["registered_date"].text
        dates = find_dates(_read_dates(page, values["registered_date"], 1))
        padded = _padded(founded)
        if not dates and "valid_period" in values:
            # Most licences are founded the day their period starts: a date one
            # character off that start is that start.
            start = find_dates(values["valid_period"].text)[:1]
            if start and one_off(clean(founded), printed(start[0], padded)):
                dates = start
        result.put("registered_date", printed(dates[0], padded) if dates else None)
    if "registered_date" not in result.fields:
        result.put("registered_date", _founded_beside(page))
    if "address" not in values and (below := _address_below_period(page, values)):
        address = "".join(clean(ln.text) for ln in below)
        result.put("address", fix_division(address, image_chooser(page, below)))
    if "valid_period" in values:
        period, address = _split_period(values["valid_period"])
        if address and "address" not in result.fields:
            result.put("address", fix_division(address))
        dates = find_dates(period)
        padded = _padded(period)
        if len(dates) >= 2:
            start, end = printed(dates[0], padded), printed(dates[1], padded)
            result.put("valid_period", f"{start}至{end}")
        elif dates and "长期" in period:
            result.put("valid_period", f"{printed(dates[0], padded)}至长期")
        else:
            result.put("valid_period", period)
    name, address = result.fields.get("enterprise_name"), result.fields.get("address")
    if name and address:  # a company's name begins with a place its address names
        result.put("enterprise_name", fix_place_from(name, address))
    result.put("img_size", {"w": page.orig_size[0], "h": page.orig_size[1]})
    if len(result.fields) <= 1:
        return Result()
    return result
