"""名片 (business card): name, title, company, phones, e-mails, address."""

from __future__ import annotations

import re

from bot.ocr.local.extract import Result
from bot.ocr.local.layout import clean, rows
from bot.ocr.local.page import Line, Page
from bot.ocr.local.places import fix_division

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d[-\s]?\d{4}[-\s]?\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[-\s]?\d{7,8})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_TITLE = re.compile(
    r"(董事长|总经理|副总经理|经理|总监|主管|工程师|总裁|董事|主任|顾问|设计师|专员|合伙人|"
    r"律师|会计师|教授|医师|店长|代表|助理|CEO|CTO|CFO|Manager|Director|Engineer)"
)
_COMPANY = re.compile(r"(公司|集团|有限|工作室|事务所|研究院|研究所|中心|银行|医院|大学|学院)$")
_ADDRESS = re.compile(r"^(地址|Add|ADD|Address)[:：]?")
_ADDR_WORDS = re.compile(r"(省|市|区|县|路|街|号|大厦|室)")
_LABEL = re.compile(
    r"^(电话|手机|座机|Tel|TEL|Mob|M|T|Fax|传真|邮箱|E-?mail|Email|网址|Web)[:：.]?", re.I
)
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def _lower_l(email: str) -> str:
    """An upper-case I in an otherwise lower-case address is an l misread (lwang@...)."""
    local, _, domain = email.partition("@")
    if "I" in local and local.replace("I", "").islower():
        local = local.replace("I", "l")
    return f"{local}@{domain}"


def is_prose(text: str) -> bool:
    """A long line that is no card field (a sentence, a paragraph's line)."""
    t = clean(text)
    return len(t) > 22 and not (_ADDRESS.match(t) or _LABEL.match(t) or _EMAIL.search(t))


def _beside(page: Page, label: Line) -> Line | None:
    """The line right of ``label`` on its row, nearest it."""
    row = [ln for ln in page.lines if ln.x0 > label.x0 and ln is not label
           and abs(ln.cy - label.cy) < 0.5 * label.height]  # fmt: skip
    return min(row, key=lambda ln: ln.x0, default=None)


def _continuation(page: Page, first: Line, left: float | None = None) -> str:
    """The rest of a wrapped address: lines just below, starting under it (or under its
    label boxed apart, from ``left``), unlabelled."""
    text, last = "", first
    start = first.x0 if left is None else min(left, first.x0)
    for ln in page.lines:
        if ln.cy <= last.cy or ln is first:
            continue
        gap = ln.y0 - last.y1
        aligned = start - first.height <= ln.x0 <= first.x1
        t = clean(ln.text)
        if 0 <= gap + 0.3 * ln.height < 1.2 * ln.height and aligned:
            if _LABEL.match(t) or _EMAIL.search(t) or _COMPANY.search(t):
                break
            text, last = text + t, ln
        elif ln.y0 > last.y1 + 1.2 * ln.height:
            break
    return text


def extract(page: Page) -> Result:
    result = Result()
    phones: list[str] = []
    emails: list[str] = []
    for ln in page.lines:
        t = ln.text
        found = [_lower_l(e) for e in _EMAIL.findall(t)]
        emails += [e for e in found if e not in emails]
        if _EMAIL.search(t):
            continue
        for m in _MOBILE.findall(t) + _LANDLINE.findall(t):
            number = re.sub(r"\s", "", m)
            if number not in phones:
                phones.append(number)
    names = []
    # A name printed with wide spacing may come back in pieces (董 | 晶霞): a row of
    # nothing but pieces that together read as a name is one.
    pieces: set[Line] = set()
    for row in rows(page.lines):
        if len(row.lines) > 1 and _NAME.match(row.text):
            names.append((row.height, row.text))
            pieces.update(row.lines)
    for ln in page.lines:
        if ln in pieces:
            continue
        t = clean(ln.text)
        if _TITLE.search(t) and "title" not in result.fields:
            # "张三 销售经理": a name may share the line with the title.
            words = ln.text.split()
            if len(words) == 2 and _NAME.match(words[0]):
                names.append((ln.height * 1.2, words[0]))
                result.put("title", words[1])
            else:
                result.put("title", t)
        elif _COMPANY.search(t) and "company" not in result.fields:
            result.put("company", t)
        elif _ADDRESS.match(t) and "address" not in result.fields:
            # 地址： boxed apart from its value (1630364): the value is the line beside it.
            rest = _ADDRESS.sub("", t)
            first = ln if rest else _beside(page, ln) or ln
            head = rest if first is ln else clean(first.text)
            result.put("address", head + _continuation(page, first, ln.x0))
        elif _NAME.match(t) and not _LABEL.match(t):
            names.append((ln.height, t))
    if "address" not in result.fields:
        for ln in page.lines:
            t = clean(ln.text)
            if len(_ADDR_WORDS.findall(t)) >= 2 and not _COMPANY.search(t) and not _LABEL.match(t):
                result.put("address", t)
                break
    if "address" in result.fields:  # a Chinese address's division, as everywhere
        result.put("address", fix_division(result.fields["address"]))
    if names:
        result.put("name", max(names)[1])
    result.put("phones", phones)
    result.put("emails", emails)
    if not (set(result.fields) & {"phones", "emails"}) or len(result.fields) < 2:
        return Result()
    order = ["name", "title", "company", "phones", "emails", "address"]
    result.fields = {k: result.fields[k] for k in order if k in result.fields}
    return result
