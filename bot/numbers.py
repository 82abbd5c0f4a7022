"""The rules of Chinese numbers, one home for cards, the engine and masking: ID numbers,
Luhn and USCC (on python-stdnum), VINs, plates; and the shapes a recognizer confuses
(O/0, I/1, B/8, S/5, Z/2, G/6), which a check digit lets the engine put right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date

from stdnum import luhn, numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_11_10

TO_DIGIT = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1",
     "Z": "2", "z": "2", "B": "8", "S": "5", "s": "5", "G": "6", "b": "6", "T": "7",
     "g": "9", "q": "9"}
)  # fmt: skip
TO_LETTER = str.maketrans({"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"})


def id_number(text: str) -> str | None:
    """A mainland ID number (18 characters) in ``text``, confusions fixed, or ``None``.

    Every 18-character window is tried (junk can be glued to the number's front, as in
    ``EEO`` + the number): one that passes the check digit wins, and among those (or, if
    none passes, among all) the one that needed the fewest confusions fixed, then the first.
    """
    t = re.sub(r"[\s·.\-]", "", text).upper()
    found: list[tuple[bool, int, int, str]] = []
    for m in re.finditer(r"(?=([0-9A-Z|]{18}))", t):
        cand = m.group(1)
        fixed = cand[:17].translate(TO_DIGIT) + cand[17].replace("K", "X").translate(TO_DIGIT)
        if fixed[:17].isdigit() and (fixed[17].isdigit() or fixed[17] == "X"):
            changed = sum(a != b for a, b in zip(cand, fixed, strict=True))
            found.append((not id_valid(fixed), changed, m.start(), fixed))
    return min(found)[3] if found else None


def id_valid(number: str) -> bool:
    """An 18-character ID number that is well formed: a county's region code, a real
    birth date and the right check digit.

    Not ``ric.is_valid``: it also wants the county's code in use in the birth year, but
    a number is given at registration, often years after birth. Someone born in 1987 in
    a county coded in 1993 (130432, 广平县) holds a genuine 130432 number that it refuses.
    """
    number = ric.compact(number)
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return False
    if "county" not in _any_era_place(number[:6]):
        return False  # no region has that code
    return number[17] == ric.calc_check_digit(number)


def id_birth_date(number: str) -> date:
    """The birth date an ID number holds (its 7th to 14th digits); ``number`` passes
    :func:`id_valid`."""
    return ric.get_birth_date(number)


def id_sex(number: str) -> str:
    """男 or 女, by an ID number's 17th digit (odd for men); ``number`` has 18 characters."""
    return "男" if int(number[16]) % 2 else "女"


def id_region(number: str) -> str | None:
    """The place an ID number's first six digits name (province, prefecture, county)."""
    number = ric.compact(number)
    try:
        info = ric.get_birth_place(number)
    except (ValidationError, KeyError):  # unknown code, or not in use in the birth year
        # (KeyError: python-stdnum 2.2 on a code that names only a province)
        info = _any_era_place(number[:6])
    if not info.get("county"):  # unknown, or only its province known: no real place
        return None
    county = re.sub(r"^\[[^\]]*\]", "", info.get("county", "").split(",")[0])
    parts = [info.get("province", ""), info.get("prefecture", ""), county]
    names: list[str] = []
    for part in parts:
        if part and part not in names:
            names.append(part)
    return "".join(names) or None


def _any_era_place(code: str) -> dict[str, str]:
    """The place for ``code`` ignoring when the code was in use (codes get retired)."""
    results = numdb.get("cn/loc").info(code)
    return {k: v for _part, props in results for k, v in props.items()}


def id_like(number: str) -> bool:
    """Whether a bare 15/18-character number reads as an ID number (for masking).

    18 characters: ends in X, or has a birth date where an ID has one (so an ID
    misread in one digit is still masked the ID way). 15 digits: old ID numbers.
    An 18-digit bank card without a date in that place is left to the card rule.
    """
    if len(number) == 15 or number[-1] in "Xx":
        return True
    digits = number[6:14]
    if not digits.isdigit() or not 1900 <= int(digits[:4]) <= 2100:
        return False
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True


def luhn_valid(number: str) -> bool:
    return number.isdigit() and 13 <= len(number) <= 19 and luhn.is_valid(number)


def uscc_valid(code: str) -> bool:
    return uscc.is_valid(code)


def registration_valid(number: str) -> bool:
    """A 15-digit 注册号 (business licences before the 2015 credit codes): its last digit
    is an ISO 7064 MOD 11,10 check digit (GB/T 17710)."""
    return len(number) == 15 and number.isdigit() and mod_11_10.is_valid(number)


def uscc_fix(text: str) -> str | None:
    """An 18-character unified social credit code in ``text``, confusions fixed.

    The code never uses I, O, S, V or Z; positions 3-8 are a region code (digits).
    The result may still fail its check character: callers check.
    """
    t = re.sub(r"[\s·.\-]", "", text).upper()
    for m in re.finditer(r"[0-9A-Z]{18}", t):
        cand = m.group(0)
        if uscc.is_valid(cand):
            return cand
        fixed = cand[:2] + cand[2:8].translate(TO_DIGIT) + cand[8:]
        return fixed.translate(str.maketrans({"O": "0", "I": "1", "S": "5", "Z": "2", "V": "U"}))
    return None


PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# Plate formats of GA 36-2018 (compact: no dot, no spaces): ordinary 7 characters; new
# energy 8 (small: D/F or A B C E G H J K first; large: 5 digits then D/F); 警 学 挂 领
# after 4; 港/澳 on 粤Z; 应急 after 4 digits; 使 with 6 digits. No I or O in serials.
_P = f"[{PROVINCES}]"
_AUTH = "[A-HJ-Z]"  # issuing authority letter (O is used for police in some provinces)
_S = "[A-HJ-NP-Z0-9]"  # serial character: no I, no O
_SMALL_NEW_ENERGY = "[DABCEFGHJK]"  # D/F and the 2019 additions

# (kind shown to the user, pattern of the whole compact plate)
PLATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("普通车牌", f"{_P}{_AUTH}{_S}{{5}}"),
        ("新能源小型车", f"{_P}{_AUTH}{_SMALL_NEW_ENERGY}{_S}\\d{{4}}"),
        ("新能源大型车", f"{_P}{_AUTH}\\d{{5}}[DF]"),
        ("警车", f"{_P}{_AUTH}{_S}{{4}}警"),
        ("教练车", f"{_P}{_AUTH}{_S}{{4}}学"),
        ("挂车", f"{_P}{_AUTH}{_S}{{4}}挂"),
        ("领馆车", f"{_P}{_AUTH}{_S}{{4}}领"),
        ("港澳入出境车", f"粤Z{_S}{{4}}[港澳]"),
        ("应急救援车", f"{_P}{_AUTH}\\d{{4}}应急"),
        ("使馆车", "使\\d{6}|\\d{6}使"),
    )
)


# What stands between a plate's characters as written: spaces, dots, dashes.
PLATE_SEPARATORS = r"\s·•.\-－"


def plate_compact(plate: str) -> str:
    """``粤B·12345`` -> ``粤B12345`` (dots, spaces and dashes dropped, upper case)."""
    return re.sub(f"[{PLATE_SEPARATORS}]", "", plate).upper()


def plate_kind(plate: str) -> str | None:
    """The kind of plate ``plate`` is, or ``None`` when it fits no format."""
    plate = plate_compact(plate)
    for kind, pattern in PLATE_PATTERNS:
        if pattern.fullmatch(plate):
            return kind
    return None


# What the engine accepts when it corrects a reading (wider than PLATE_PATTERNS).
# Ordinary: province + letter + 5 characters (blue/yellow/...), the last may be 挂学警港澳领试超;
# or 6 in the new-energy formats only (as in PLATE_PATTERNS: D, F or a 2019 addition, a
# letter or digit and four digits; or five digits and D or F). Embassy plates start with 使;
# armed police WJ; military ones are left out.
PLATE = re.compile(
    rf"^([{PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳领试超]"
    rf"|[{PROVINCES}][A-HJ-NP-Z]({_SMALL_NEW_ENERGY}[A-HJ-NP-Z0-9][0-9]{{4}}|[0-9]{{5}}[DF])"
    rf"|使[0-9]{{6}}|[{PROVINCES}][0-9]{{6}}领|WJ[{PROVINCES}]?[0-9A-Z]{{5}})$"
)
_PLATE_CHARS = re.compile(rf"[{PROVINCES}A-Z0-9挂学警港澳领使试超]")


def plate_candidates(text: str) -> Iterable[str]:
    """Plate spellings to try for a reading, most literal first."""
    # 警 is 敬 over 言: a plate turned on its side may come back with the two apart.
    text = text.replace("敬言", "警")
    # A letter the recognizer read with a mark (Ü for U, É for E): its base letter.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    raw = "".join(_PLATE_CHARS.findall(text.upper().replace("·", "").replace("•", "")))
    yield raw
    if len(raw) >= 3:
        head, tail = raw[:2], raw[2:]
        # The second character is always a letter; I and O never appear in plates.
        yield head[0] + head[1].translate(TO_LETTER) + tail.replace("O", "0").replace("I", "1")


def plate_fix(text: str) -> str | None:
    """A well-formed plate number from ``text``, or ``None``."""
    for cand in plate_candidates(text):
        if PLATE.match(cand):
            return cand
    return None


# ISO 3779 check digit (position 9): letter values and position weights.
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str | None:
    """The check digit a 17-character VIN should carry at position 9, or ``None``
    when ``vin`` is not 17 valid characters (I, O and Q are never used)."""
    vin = vin.strip().upper()
    if len(vin) != 17 or any(c not in _VIN_VALUES for c in vin):
        return None
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


# Shapes the recognizer mixes up, both ways.
CONFUSABLE: dict[str, str] = {
    "0": "OD8", "O": "0DQ", "D": "0O", "Q": "O0", "1": "I7", "I": "1L", "7": "1", "8": "B30",
    "B": "8", "5": "S6", "S": "5", "2": "Z", "Z": "2", "6": "G58", "G": "6", "3": "8",
    "M": "N", "N": "M", "U": "V", "V": "UW", "W": "V", "4": "A", "A": "4",
}  # fmt: skip


def single_fix(
    text: str, is_valid: Callable[[str], bool], allowed: str | None = None, *, strict: bool = False
) -> str | None:
    """The one reading that differs from ``text`` by a single confusable character and
    passes ``is_valid``; ``None`` when there is none or several (no guessing).

    Among several, a lone candidate that swaps a digit for a letter or back (O/0, I/1,
    the recognizer's usual slip) is preferred to swaps within a class (Q/O), unless
    ``strict`` (a code whose letters and digits mix freely, such as a VIN's serial).
    """
    found: dict[str, bool] = {}
    for i, ch in enumerate(text):
        for alt in CONFUSABLE.get(ch, ""):
            if allowed is not None and alt not in allowed:
                continue
            cand = text[:i] + alt + text[i + 1 :]
            if is_valid(cand):
                found[cand] = ch.isdigit() != alt.isdigit()
    if len(found) == 1:
        return next(iter(found))
    if strict:
        return None
    across = [cand for cand, swaps_class in found.items() if swaps_class]
    return across[0] if len(across) == 1 else None
