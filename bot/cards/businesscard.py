"""名片 (business card), read by the local engine only.

Fields: ``name``, ``title``, ``company``, ``department``, ``phones`` and
``emails`` (lists), ``address``, ``website``, ``fax``. Nothing is masked: a
business card is meant to be handed out.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.cards.common import Check, Fields, Spec

LABELS = {
    "name": "姓名",
    "title": "职位",
    "department": "部门",
    "company": "公司",
    "phones": "电话",
    "fax": "传真",
    "emails": "邮箱",
    "website": "网址",
    "address": "地址",
}

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# Landlines: area code and number, 7 to 12 digits in all, extension allowed.
_LANDLINE_DIGITS = range(7, 13)


def phone_ok(phone: str) -> bool:
    """A Chinese mobile (11 digits from 13x-19x), or a landline of 7-12 digits.

    ``+86``, spaces, dashes and brackets are allowed; an extension is ignored.
    """
    main = re.split(r"(?:转|ext\.?|x)", phone, flags=re.IGNORECASE)[0]
    digits = re.sub(r"[\s()（）\-+]", "", main)
    digits = digits.removeprefix("0086").removeprefix("86") if len(digits) > 11 else digits
    if not digits.isdigit():
        return False
    if len(digits) == 11 and digits.startswith("1"):
        return bool(_MOBILE_RE.fullmatch(digits))
    return len(digits) in _LANDLINE_DIGITS


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value or [] if str(v).strip()]


def checks(fields: Fields, today: date) -> list[Check]:
    found = []
    phones = _as_list(fields.get("phones"))
    if phones:
        bad = [p for p in phones if not phone_ok(p)]
        if bad:
            found.append(Check("phones", False, f"{len(bad)} 个电话号码格式不符，请核对"))
        else:
            found.append(Check("phones", True, "电话号码格式正确"))
    emails = _as_list(fields.get("emails"))
    if emails:
        bad = [e for e in emails if not _EMAIL_RE.fullmatch(e.strip())]
        if bad:
            found.append(Check("emails", False, f"{len(bad)} 个邮箱格式不符，请核对"))
        else:
            found.append(Check("emails", True, "邮箱格式正确"))
    return found


def mask(fields: Fields) -> dict[str, Any]:
    return dict(fields)


SPEC = Spec(labels=LABELS, checks=checks, mask=mask)
