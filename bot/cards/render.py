"""The chat reply for one recognition.

Layout, short lines for a phone::

    【身份证 正面】
    姓名：张三
    身份证号：110***********1234

    ✅ 身份证号校验位正确
    ℹ️ 号码归属地：北京市东城区

    ⚠️ 图片有些模糊          <- the engine's warnings

WeChat refuses text messages over 2048 bytes; the reply stays under
``MAX_BYTES`` by dropping field (or text) lines from the end with a note saying
how many were left out. Checks and warnings are kept: they are the point.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.cards.common import Check, Fields, text_value
from bot.cards.specs import checks, mask, spec_for
from bot.masking import mask_text
from bot.ocr.base import DocType, Recognition

MAX_BYTES = 2000
# One field value is cut after this many characters (经营范围 runs to hundreds).
MAX_VALUE_CHARS = 120
# Fields that are for machines, never shown.
HIDDEN = frozenset(
    {
        "type",
        "img_size",
        "card_position_front",
        "card_position_back",
        "cert_position",
        "mrz",  # the passport's machine-readable lines: they spell the number
        "mrz_valid",
        "errcode",
        "errmsg",
    }
)


def render(rec: Recognition, *, masked: bool = True, today: date | None = None) -> str:
    """The text sent to the user for ``rec``: title, fields, checks, warnings."""
    spec = spec_for(rec.doc_type)
    fields = display(rec.doc_type, rec.fields, masked=masked)
    title = spec.title(rec.fields) if spec.title else rec.doc_type.label

    if spec.lines:
        body = [_cut(line) for line in spec.lines(fields)]
        more_note = "……还有 {n} 行未显示"
    else:
        body = field_lines(spec.labels, fields)
        more_note = "……还有 {n} 项未显示"
    if not body:
        body = ["（没有识别到内容）"]

    found = checks(rec.doc_type, rec.fields, today=today)
    tail = check_lines(found)
    said = {c.message for c in found}  # an engine warning a check already gives
    warnings = [advised(mask_text(w) if masked else w) for w in rec.warnings if w not in said]
    if warnings:
        tail += ["", *(f"⚠️ {w}" for w in warnings)]
    return fit([f"【{title}】"], body, tail, more_note)


def display(doc_type: DocType, fields: Fields, *, masked: bool = True) -> dict[str, Any]:
    """The fields as the user reads them: masked, and codes in words (``white`` -> 白色)."""
    shown = mask(doc_type, fields) if masked else dict(fields)
    for name, words in spec_for(doc_type).values.items():
        value = shown.get(name)
        if isinstance(value, str) and value.strip().upper() in words:
            shown[name] = words[value.strip().upper()]
        elif isinstance(value, str) and value.strip().lower() in words:
            shown[name] = words[value.strip().lower()]
    return shown


# What to do about each engine warning: the user reads both.
ADVICE: tuple[tuple[str, str], ...] = (
    ("分辨率过低", "请靠近一些、对焦清晰后重拍"),
    ("模糊", "请在光线充足处拿稳手机、对焦清晰后重拍"),
    ("超出画面", "请把整张证件拍进画面，四角完整"),
    ("印章", "请让印章清晰可见后重拍"),
    ("有效期限", "请拍清证件上的有效期限"),
    ("校验未通过", "请对照证件核对；不符时请在光线充足、避免反光处重拍"),
    ("不一致", "请对照证件核对；不符时请重拍"),
    ("格式不符", "请对照证件核对；不符时请重拍"),
)


def advised(warning: str) -> str:
    """``图片模糊`` -> ``图片模糊，请在光线充足处拿稳手机、对焦清晰后重拍``."""
    for needle, advice in ADVICE:
        if needle in warning:
            return f"{warning.removesuffix('，请核对')}，{advice}"
    return warning


def field_lines(labels: Mapping[str, str], fields: Mapping[str, Any]) -> list[str]:
    """``标签：值`` for each field present, labelled ones in display order first,
    then any extras the engine added (as 其他: the operator gets their names)."""
    lines = []
    extras = [name for name in fields if name not in labels and name not in HIDDEN]
    for name in [*labels, *extras]:
        value = fields.get(name)
        if isinstance(value, Mapping) or (
            isinstance(value, list) and any(isinstance(v, Mapping) for v in value)
        ):
            continue  # positions and other structures
        text = text_value(value)
        if text:
            lines.append(f"{labels.get(name, '其他')}：{_cut(text)}")
    return lines


def check_lines(found: list[Check]) -> list[str]:
    return ["", *(f"{c.icon} {c.message}" for c in found)] if found else []


def _cut(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(lines: list[str]) -> int:
    return len("\n".join(lines).encode())


def fit(head: list[str], body: list[str], tail: list[str], more_note: str) -> str:
    """Join the parts, dropping body lines from the end until under ``MAX_BYTES``."""
    if _size(head + body + tail) <= MAX_BYTES:
        return "\n".join(head + body + tail)
    for keep in range(len(body) - 1, -1, -1):
        lines = [*head, *body[:keep], more_note.format(n=len(body) - keep), *tail]
        if _size(lines) <= MAX_BYTES:
            return "\n".join(lines)
    # Even the checks and warnings alone are too long: cut at a character boundary.
    text = "\n".join([*head, *tail])
    return text.encode()[: MAX_BYTES - 3].decode(errors="ignore") + "…"
