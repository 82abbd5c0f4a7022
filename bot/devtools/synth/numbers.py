"""Document numbers with valid check digits: bank cards, VINs, plates, USCC, passports."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

# --- bank cards -------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    prefix: str
    bank: str
    card_type: str  # 借记卡 / 信用卡
    length: int


# Issuer prefixes of Chinese banks (public BIN tables), with the usual length.
BINS: tuple[Bin, ...] = (
    Bin("622202", "中国工商银行", "借记卡", 19),
    Bin("621226", "中国工商银行", "借记卡", 19),
    Bin("427020", "中国工商银行", "信用卡", 16),
    Bin("622848", "中国农业银行", "借记卡", 19),
    Bin("622845", "中国农业银行", "借记卡", 19),
    Bin("622836", "中国农业银行", "信用卡", 16),
    Bin("621700", "中国建设银行", "借记卡", 19),
    Bin("436742", "中国建设银行", "借记卡", 19),
    Bin("622700", "中国建设银行", "借记卡", 19),
    Bin("622166", "中国建设银行", "信用卡", 16),
    Bin("621661", "中国银行", "借记卡", 19),
    Bin("601382", "中国银行", "借记卡", 19),
    Bin("625908", "中国银行", "信用卡", 16),
    Bin("622262", "交通银行", "借记卡", 19),
    Bin("521899", "交通银行", "信用卡", 16),
    Bin("621799", "中国邮政储蓄银行", "借记卡", 19),
    Bin("622188", "中国邮政储蓄银行", "借记卡", 19),
    Bin("622588", "招商银行", "借记卡", 16),
    Bin("621483", "招商银行", "借记卡", 16),
    Bin("622575", "招商银行", "信用卡", 16),
    Bin("622909", "兴业银行", "借记卡", 18),
    Bin("622908", "兴业银行", "借记卡", 18),
    Bin("622521", "上海浦东发展银行", "借记卡", 16),
    Bin("622622", "中国民生银行", "借记卡", 16),
    Bin("622690", "中信银行", "信用卡", 16),
    Bin("622666", "中国光大银行", "借记卡", 16),
    Bin("622155", "平安银行", "信用卡", 16),
    Bin("622632", "华夏银行", "借记卡", 16),
)


def luhn_digit(body: str) -> str:
    """The Luhn check digit to append to ``body``."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and luhn_digit(number[:-1]) == number[-1]


def card_number(rng: random.Random, bin_: Bin) -> str:
    body = bin_.prefix + "".join(rng.choice(string.digits) for _ in range(bin_.length - 7))
    return body + luhn_digit(body)


def group_card_number(number: str) -> str:
    """Printed grouping: 4-4-4-4[-n]; 19 digits are often 6-13 on older debit cards."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


# --- vehicles ---------------------------------------------------------------

PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Province code (first two digits of a region code) -> plate abbreviation.
_PROVINCE_CODES = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45)
_PROVINCE_CODES += (46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65)
PLATE_PROVINCES = {
    str(code): abbr
    for code, abbr in zip(
        _PROVINCE_CODES,
        "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新",
        strict=True,
    )
}
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
PLATE_CHARS = PLATE_LETTERS + string.digits


@dataclass(frozen=True)
class Plate:
    number: str  # as the API returns it: no separator dot
    color: str  # 蓝 / 黄 / 绿 / 白 / 黄绿


def plate(rng: random.Random, kind: str | None = None, province: str | None = None) -> Plate:
    """A plate of ``kind``: blue, yellow, green (new energy), police, coach or trailer."""
    kind = (
        kind
        or rng.choices(
            ("blue", "yellow", "green", "police", "coach", "trailer"), weights=(50, 15, 20, 5, 5, 5)
        )[0]
    )
    prov = rng.choice(PROVINCE_ABBR)
    prov = PLATE_PROVINCES.get(province or "", prov)  # the owner's province when known
    city = rng.choice(PLATE_LETTERS[:12])
    if kind == "green":
        # Small new-energy cars: D/F + 5 (mostly digits); large: 5 digits + D/F.
        if rng.random() < 0.8:
            tail = rng.choice("DF") + rng.choice(PLATE_CHARS) + _digits(rng, 4)
            return Plate(prov + city + tail, "绿")
        return Plate(prov + city + _digits(rng, 5) + rng.choice("DF"), "黄绿")
    body = "".join(rng.choice(PLATE_CHARS) for _ in range(2)) + _digits(rng, 3)
    if kind == "blue":
        return Plate(prov + city + body, "蓝")
    if kind == "yellow":
        return Plate(prov + city + body, "黄")
    if kind == "police":
        return Plate(prov + city + _digits(rng, 4) + "警", "白")
    if kind == "coach":
        return Plate(prov + city + _digits(rng, 4) + "学", "黄")
    if kind == "trailer":
        return Plate(prov + city + _digits(rng, 4) + "挂", "黄")
    raise ValueError(f"unknown plate kind {kind!r}")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def plate_valid(number: str) -> bool:
    """The formats made above (also what a reader may check)."""
    if len(number) not in (7, 8) or number[0] not in PROVINCE_ABBR:
        return False
    if number[1] not in PLATE_LETTERS and not (number[1] == "O" and len(number) == 7):
        return False  # O: some provinces' police, on plain blue plates
    tail = number[2:]
    if len(number) == 8:
        return (tail[0] in "DF" and tail[2:].isdigit()) or (tail[:5].isdigit() and tail[5] in "DF")
    if tail[-1] in "警学挂":
        return tail[:-1].isdigit() and number[1] != "O"
    return all(c in PLATE_CHARS for c in tail)


_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
# World manufacturer identifiers of Chinese plants, with a plausible brand and model prefix.
MAKERS = (
    ("LSV", "大众汽车牌", "SVW71"),
    ("LFV", "一汽大众牌", "FV71"),
    ("LGB", "东风日产牌", "DFL71"),
    ("LHG", "广汽本田牌", "HG71"),
    ("LVS", "福特牌", "CAF71"),
    ("LSG", "别克牌", "SGM71"),
    ("LGW", "长城牌", "CC64"),
    ("LB3", "吉利牌", "MR71"),
    ("LC0", "比亚迪牌", "BYD71"),
    ("LJ1", "江淮牌", "HFC71"),
    ("LDC", "东风雪铁龙牌", "DC71"),
    ("LFM", "丰田牌", "TV71"),
)


def vin_check_digit(vin: str) -> str:
    """ISO 3779 / GB 16735 check digit (position 9) of a 17-character VIN."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def vin_valid(vin: str) -> bool:
    return len(vin) == 17 and all(c in VIN_CHARS for c in vin) and vin[8] == vin_check_digit(vin)


def vin(rng: random.Random, wmi: str, year: int) -> str:
    years = "ABCDEFGHJKLMNPRSTVWXY123456789"  # model-year codes from 2010
    vds = "".join(rng.choice(VIN_CHARS) for _ in range(5))
    year_code = years[(year - 2010) % len(years)]
    serial = rng.choice(VIN_CHARS[:23]) + _digits(rng, 6)
    draft = f"{wmi}{vds}0{year_code}{serial}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def engine_number(rng: random.Random) -> str:
    prefix = "".join(rng.choice(PLATE_LETTERS) for _ in range(rng.randint(0, 3)))
    return prefix + "".join(rng.choice(PLATE_CHARS) for _ in range(rng.randint(6, 8) - len(prefix)))


# --- companies --------------------------------------------------------------


def uscc_number(rng: random.Random, region_code: str, kind: str | None = None) -> str:
    """统一社会信用代码: 91 (enterprise), region, 9-character organisation code, check."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org = "".join(rng.choice(alphabet) for _ in range(9))
    kind = kind or rng.choice(("91", "91", "91", "92", "93"))  # company, sole trader, co-op
    body = f"{kind}{region_code}{org}"
    return body + uscc.calc_check_digit(body)


def registration_number(rng: random.Random, region_code: str) -> str:
    """The 15-digit 注册号 of licences before 2015: the registering office's region
    code, eight digits, and an ISO 7064 MOD 11,10 check digit (GB/T 17710)."""
    body = region_code + _digits(rng, 8)
    return body + mod_11_10.calc_check_digit(body)


# --- passports --------------------------------------------------------------


def passport_number(rng: random.Random) -> str:
    """Chinese e-passport numbers: E or EA-EZ... here E + 8 digits or E + letter + 7 digits."""
    if rng.random() < 0.6:
        return "E" + _digits(rng, 8)
    return "E" + rng.choice(PLATE_LETTERS) + _digits(rng, 7)
