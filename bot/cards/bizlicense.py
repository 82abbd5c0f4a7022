"""营业执照 (business licence): the fields of the WeChat OCR ``bizlicense`` API.

``reg_num`` is the 18-character unified social credit code (统一社会信用代码)
on licences since 2015, a 15-digit registration number on older ones. Credit
codes are public, so nothing here is masked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.cn import uscc

from bot.cards.common import (
    Check,
    Fields,
    Spec,
    date_checks,
    expiry_check,
    find_dates,
    is_long_term,
)
from bot.numbers import registration_valid, uscc_valid

LABELS = {
    "enterprise_name": "名称",
    "reg_num": "信用代码",
    "serial": "证照编号",
    "type_of_enterprise": "类型",
    "type_of_organization": "组成形式",
    "legal_representative": "法定代表人",
    "registered_capital": "注册资本",
    "paid_in_capital": "实收资本",
    "registered_date": "成立日期",
    "valid_period": "营业期限",
    "address": "住所",
    "business_scope": "经营范围",
}


def uscc_check(code: str) -> Check:
    code = uscc.compact(code)
    if len(code) == 15 and code.isdigit():  # 2015年前的注册号: GB/T 17710 check digit
        if registration_valid(code):
            return Check("uscc", True, "15位旧注册号校验通过")
        return Check("uscc", False, "15位旧注册号校验未通过，可能识别有误")
    if uscc_valid(code):
        return Check("uscc", True, "统一社会信用代码校验通过")
    return Check("uscc", False, "统一社会信用代码校验未通过，可能识别有误")


def period_check(period: str, today: date) -> Check | None:
    """营业期限 is free text (``2015年01月01日至长期``): 长期, or its last date."""
    if is_long_term(period):
        return expiry_check(None, today, what="营业期限", long_term=True)
    dates = find_dates(period)
    if len(dates) >= 2:
        return expiry_check(dates[-1], today, what="营业期限")
    return None


def checks(fields: Fields, today: date) -> list[Check]:
    found: list[Check] = []
    if fields.get("reg_num"):
        found.append(uscc_check(str(fields["reg_num"])))
    found += date_checks(
        fields, LABELS, real=("registered_date",), past=("registered_date",), today=today
    )
    if fields.get("valid_period"):
        period = period_check(str(fields["valid_period"]), today)
        if period:
            found.append(period)
    return found


def mask(fields: Fields) -> dict[str, Any]:
    return dict(fields)


SPEC = Spec(labels=LABELS, checks=checks, mask=mask)
