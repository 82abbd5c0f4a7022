"""居民身份证: the front (人像面) and the back (国徽面)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.numbers import id_number, id_sex, id_valid
from bot.ocr.local.extract import Result
from bot.ocr.local.extract.dates import compact, find_dates
from bot.ocr.local.layout import (
    CJK,
    Row,
    Value,
    agreed_beside,
    clean,
    image_chooser,
    labelled_values,
    rows,
)
from bot.ocr.local.page import Line, Page, region
from bot.ocr.local.places import fix_authority, fix_division

FRONT_LABELS = {
    "name": ["姓名"],
    "gender": ["性别"],
    "nationality": ["民族"],
    "birth": ["出生"],
    "addr": ["住址"],
    "id": ["公民身份号码", "身份号码", "公民身份"],
}
BACK_LABELS = {"authority": ["签发机关"], "valid": ["有效期限", "有效期"]}
_ID_ROW = r"\d{12,}|公民身份|身份号码"
_DIGIT_RUN = re.compile(r"\d{8}")  # eight digits in a row: a piece of an ID number
MAX_NAME = 15  # characters: long ethnic names written with ·
# The 56 ethnic groups as an ID card prints them (GB/T 3304, without 族).
ETHNIC_GROUPS = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶",
    "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水",
    "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南",
    "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂",
    "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip


def side(page: Page) -> str | None:
    """``Front``, ``Back`` or ``None``, from the labels present."""
    text = clean(page.text)
    front = sum(lab in text for lab in ("姓名", "性别", "民族", "出生", "住址", "公民身份号码"))
    back = sum(lab in text for lab in ("签发机关", "有效期限", "居民身份证", "中华人民共和国"))
    if front >= 2 and front >= back:
        return "Front"
    if back >= 2:
        return "Back"
    number = id_number(text)
    if number and (front or _holder_printed(page, number)):
        return "Front"
    return None


# Words of a driver's licence, which also prints its holder's ID number, sex and birth.
_LICENCE_WORDS = ("驾驶证", "证号", "国籍", "准驾", "初次领证", "有效起始", "有效期限")


def _holder_printed(page: Page, number: str) -> bool:
    """Whether the page prints what a valid ID number says of its holder, away from the
    number: the sex (a line 男 or 女) or the birth year. A front whose pale labels a
    blurred photo lost is told so. Not a page with a licence's words or more than one
    date (a front prints the birth date only), nor the number's own line or a piece of
    it (a long run of digits)."""
    text = clean(page.text)
    dated = sum(bool(find_dates(ln.text)) for ln in page.lines)
    if not id_valid(number) or any(w in text for w in _LICENCE_WORDS) or dated > 1:
        return False
    texts = [t for ln in page.lines if not _DIGIT_RUN.search(t := clean(ln.text))]
    return id_sex(number) in texts or any(number[6:10] in t for t in texts)


def extract(page: Page) -> Result:
    found = side(page)
    if found == "Front":
        return front(page)
    if found == "Back":
        return back(page)
    return Result()


def _repair_id(number: str, birth: str | None) -> str | None:
    """A failing ID number made valid by the printed birth date (digits 7-14).

    Nothing weaker: with a mod-11 check, trying single-digit swaps would now and
    then "repair" a misread into someone else's valid number.
    """
    if birth and number[6:14] != birth:
        fixed = number[:6] + birth + number[14:]
        if id_valid(fixed):
            return fixed
    return None


def _read_id(
    page: Page, lines: tuple[Line, ...], result: Result, birth: str | None = None
) -> str | None:
    """The ID number, re-read from the image while its check digit fails."""
    candidates = [ln for ln in lines if re.search(r"\d{6}", ln.text)]
    candidates += [
        ln for ln in page.lines if ln not in candidates and re.search(r"\d{12}", ln.text)
    ]
    first: str | None = None
    for ln in candidates:
        number = id_number(ln.text)
        if number and id_valid(number):
            return number
        first = first or number
        for text, _score in page.reread_line(ln):
            again = id_number(text)
            if again and id_valid(again):
                return again
    if first:
        repaired = _repair_id(first, birth)
        if repaired:
            return repaired
        result.warnings.append("身份证号码校验未通过，请核对")
    return first


_TAIL = re.compile(r"[\u4e00-\u9fff0-9A-Z-]{1,4}")
TAIL_SCORE = 0.9


def _address_tail(page: Page, addr: Value) -> str | None:
    """The address's last few characters, when the detector missed them: a line of
    one or two characters (``1`` of ``6号楼541``) is easily passed over. Looked for
    only where the address's last line runs to the column's end and nothing was read
    in the place of the next line."""
    lines = [ln for ln in addr.lines if ln.x1 > addr.x]
    if not lines:
        return None
    last, h = lines[-1], lines[-1].height
    if last.x1 < max(ln.x1 for ln in lines) - 1.5 * h:
        return None  # the last line stops short: the address ends there
    pitch = lines[-1].y0 - lines[-2].y0 if len(lines) > 1 else 1.2 * h
    x0, x1, y0, y1 = addr.x - 0.2 * h, addr.x + 4 * h, last.y0 + pitch, last.y1 + pitch
    middle = region(x0, (y0 + y1) / 2 - 0.25 * h, x1, (y0 + y1) / 2 + 0.25 * h)
    if any(middle.overlaps(ln) for ln in page.lines):
        return None  # the next line was read: it is not part of the address
    box = region(x0, y0 - 0.1 * h, x1, y1)
    best = max(page.reread_line(box), key=lambda c: c[1], default=("", 0.0))
    text = clean(best[0])
    return text if best[1] >= TAIL_SCORE and _TAIL.fullmatch(text) else None


def ethnic_group(text: str) -> str:
    """The 民族 as read, put right when it is no group's name but one is near: a
    character doubled (``汉汉``, the recognizer's stutter on a wide glyph), or one
    character of a longer name misread when no other name fits."""
    text = text.removesuffix("族")
    if text in ETHNIC_GROUPS or not text:
        return text
    undoubled = re.sub(r"(.)\1+", r"\1", text)
    if undoubled in ETHNIC_GROUPS:
        return undoubled
    near = [g for g in ETHNIC_GROUPS if len(g) == len(text) > 1
            and sum(a != b for a, b in zip(g, text, strict=True)) == 1]  # fmt: skip
    return near[0] if len(near) == 1 else text


@dataclass
class Unlabelled:
    """The front's values found by their place (``by_rows``), for labels that went unread."""

    name: str = ""
    gender: str = ""
    nationality: str = ""
    addr: str = ""
    addr_lines: list[Line] = field(default_factory=list)


def by_rows(page: Page) -> Unlabelled:
    """The front's values by their place, when their labels went unread.

    The labels print in pale blue beside the black values, and glare or wear takes them
    (姓名 unread, 性别 read as 拉别, 住址 gone). The rows keep their order: 姓名; 性别
    and 民族; 出生; 住址 on one to three rows; 公民身份号码. The values start in one
    column, where the birth year starts; each row's text left of it is a label.
    """
    found = Unlabelled()
    grid = rows(page.lines)
    at = next((i for i, row in enumerate(grid)
               if find_dates(row.text) and not re.search(r"\d{15}", row.text)), None)  # fmt: skip
    number = id_number(clean(page.text))
    if at is None and number and id_valid(number):
        # 年 月 日 print pale like the labels, and can go with them: the birth row is
        # the one holding the year the ID number gives.
        at = next((i for i, row in enumerate(grid)
                   if number[6:10] in row.text and not _DIGIT_RUN.search(row.text)
                   and not re.search(_ID_ROW, row.text)), None)  # fmt: skip
    if at is None:
        return found
    birth, h = grid[at], grid[at].height
    column = birth.char_x(re.search(r"\d", birth.text).start()) - 0.6 * h  # type: ignore[union-attr]

    def values(row: Row) -> str:
        return "".join(c for i, c in enumerate(row.text) if row.char_x(i) >= column)

    def next_to(upper: Row, lower: Row) -> bool:
        return lower.y0 - upper.y1 < 2 * h

    if at >= 1 and next_to(grid[at - 1], birth):
        sex_row = values(grid[at - 1])
        found.gender = next((c for c in sex_row if c in "男女"), "")
        if found.gender:
            after = sex_row.split("民族" if "民族" in sex_row else found.gender)[-1]
            # What is left of a half-read label (民 of 民族): no group's name starts so.
            group = ethnic_group("".join(CJK.findall(after)).lstrip("民族"))
            found.nationality = group if group in ETHNIC_GROUPS else ""
        if at >= 2 and next_to(grid[at - 2], grid[at - 1]):
            # (the label's last character can reach the column: the 名 of 姓名)
            name = "".join(CJK.findall(values(grid[at - 2]))).removeprefix("名")
            labels = any(lab in name for labs in FRONT_LABELS.values() for lab in labs)
            found.name = name if 2 <= len(name) <= MAX_NAME and not labels else ""
    upper = birth
    for row in grid[at + 1 :]:
        if re.search(_ID_ROW, row.text) or not next_to(upper, row):
            break
        found.addr += values(row)
        found.addr_lines += [ln for ln in row.lines if ln.x1 > column]
        upper = row
    return found


def front(page: Page) -> Result:
    values = labelled_values(page, FRONT_LABELS, multiline=["addr"], stop=_ID_ROW)
    result = Result()
    result.put("type", "Front")
    placed = by_rows(page) if not FRONT_LABELS.keys() <= values.keys() else Unlabelled()
    if "name" in values:
        result.put("name", "".join(CJK.findall(values["name"].text)))
    else:
        result.put("name", placed.name)
    births = find_dates(values["birth"].text) if "birth" in values else []
    birth = compact(births[0]) if births else None
    number = _read_id(page, values["id"].lines if "id" in values else (), result, birth)
    gender = values["gender"].text if "gender" in values else placed.gender
    gender = "男" if "男" in gender else "女" if "女" in gender else ""
    if not gender and number and id_valid(number):
        gender = id_sex(number)
    if "nationality" in values:
        nationality = ethnic_group("".join(CJK.findall(values["nationality"].text)))
    else:
        nationality = placed.nationality
    if nationality not in ETHNIC_GROUPS:  # a lone 汉 or 白 set apart can go unboxed
        # Both crops wide enough for the longest group (柯尔克孜): a narrower one would
        # read 土 of 土家, itself a group.
        beside = agreed_beside(page, "民族", (5.5, 7.0), lambda g: g in ETHNIC_GROUPS)
        nationality = beside or nationality
    result.put("nationality", nationality)
    if "addr" in values:
        addr = values["addr"]
        text = re.sub(r"\s+", "", addr.text) + (_address_tail(page, addr) or "")
        result.put("addr", fix_division(text, image_chooser(page, addr.lines)))
    elif placed.addr:
        result.put("addr", fix_division(placed.addr, image_chooser(page, placed.addr_lines)))
    result.put("id", number)
    result.put("gender", gender)
    if number and id_valid(number) and birth and birth != number[6:14]:
        result.warnings.append("出生日期与身份证号码不一致")
    # Keep the WeChat order: type, name, id, addr, gender, nationality.
    order = ["type", "name", "id", "addr", "gender", "nationality"]
    result.fields = {k: result.fields[k] for k in order if k in result.fields}
    return result


def _valid_date(text: str) -> str | None:
    """``YYYYMMDD-YYYYMMDD`` or ``YYYYMMDD-长期`` from the printed validity period."""
    dates = find_dates(text)
    if not dates:
        return None
    if "长期" in text or (len(dates) == 1 and re.search(r"长|期", text[-3:])):
        return f"{compact(dates[0])}-长期"
    if len(dates) >= 2:
        return f"{compact(dates[0])}-{compact(dates[1])}"
    return None


def back(page: Page) -> Result:
    values = labelled_values(page, BACK_LABELS)
    result = Result()
    result.put("type", "Back")
    valid = _valid_date(values["valid"].text) if "valid" in values else None
    if valid is None:
        for ln in page.lines:
            valid = _valid_date(clean(ln.text))
            if valid:
                break
    result.put("valid_date", valid)
    if "authority" in values:
        authority = "".join(CJK.findall(values["authority"].text))
        result.put(
            "authority", fix_authority(authority, image_chooser(page, values["authority"].lines))
        )
    if valid is None:
        result.warnings.append("未能读出有效期限")
    return result
