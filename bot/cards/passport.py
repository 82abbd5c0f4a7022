"""护照 (passport), read by the local engine only, from the machine-readable zone.

Fields (named after the MRZ): ``number``, ``surname``, ``given_names``,
``nationality`` and ``country`` (ICAO three-letter codes), ``birth_date``,
``sex`` (``M``/``F``), ``expiry_date``, and ``mrz_valid`` (whether every MRZ
check digit matched). The number is masked (first 2 and last 2 kept).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.cards.common import Check, Fields, Spec, date_checks, expiry_check, parse_date
from bot.masking import mask_passport

LABELS = {
    "surname": "姓",
    "given_names": "名",
    "sex": "性别",
    "nationality": "国籍",
    "birth_date": "出生日期",
    "number": "护照号",
    "country": "签发国",
    "expiry_date": "有效期至",
}

SEXES = {"M": "男", "F": "女", "X": "未注明", "<": "未注明"}

# ICAO 9303 three-letter codes of the passports most often shown here; others stay a code.
COUNTRIES = {
    "CHN": "中国",
    "HKG": "中国香港",
    "MAC": "中国澳门",
    "TWN": "中国台湾",
    "USA": "美国",
    "GBR": "英国",
    "CAN": "加拿大",
    "AUS": "澳大利亚",
    "NZL": "新西兰",
    "JPN": "日本",
    "KOR": "韩国",
    "PRK": "朝鲜",
    "SGP": "新加坡",
    "MYS": "马来西亚",
    "THA": "泰国",
    "VNM": "越南",
    "PHL": "菲律宾",
    "IDN": "印度尼西亚",
    "IND": "印度",
    "PAK": "巴基斯坦",
    "RUS": "俄罗斯",
    "MNG": "蒙古",
    "KAZ": "哈萨克斯坦",
    "D": "德国",
    "FRA": "法国",
    "ITA": "意大利",
    "ESP": "西班牙",
    "PRT": "葡萄牙",
    "NLD": "荷兰",
    "CHE": "瑞士",
    "BRA": "巴西",
    "MEX": "墨西哥",
    "ZAF": "南非",
    "EGY": "埃及",
    "NGA": "尼日利亚",
    "ARE": "阿联酋",
    "SAU": "沙特阿拉伯",
    "TUR": "土耳其",
}

# Many countries refuse entry on a passport with less than six months left.
SIX_MONTHS_DAYS = 183


def checks(fields: Fields, today: date) -> list[Check]:
    found: list[Check] = []
    if "mrz_valid" in fields:
        if fields["mrz_valid"] is True:
            found.append(Check("mrz", True, "机读码校验通过"))
        else:
            found.append(Check("mrz", False, "机读码校验未通过，可能识别有误"))
    found += date_checks(
        fields, LABELS, real=("birth_date", "expiry_date"), past=("birth_date",), today=today
    )
    end = parse_date(fields.get("expiry_date"))
    if end:
        expiry = expiry_check(end, today, what="护照")
        found.append(expiry)
        if expiry.ok and (end - today).days < SIX_MONTHS_DAYS:
            found.append(Check("six_months", None, "有效期不足6个月，部分国家不准入境"))
    return found


def mask(fields: Fields) -> dict[str, Any]:
    masked = dict(fields)
    masked.pop("mrz", None)
    if masked.get("number"):
        masked["number"] = mask_passport(str(masked["number"]))
    return masked


SPEC = Spec(
    labels=LABELS,
    checks=checks,
    mask=mask,
    values={"sex": SEXES, "nationality": COUNTRIES, "country": COUNTRIES},
)
