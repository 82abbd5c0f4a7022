"""Place names of mainland China, from python-stdnum's division table (``cn/loc.dat``).

A driving licence's seal names the traffic police of a city, so it is one of a
few hundred strings: :mod:`bot.ocr.local.seal` reads it against that list. An
address starts with its province, city and county, so a character misread
there can be put right against the same table (:func:`fix_division`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Sequence
from functools import cache
from pathlib import Path

import stdnum

from bot.ocr.local.script import simplified

_ENTRY = re.compile(r"^(?:\[(\d{4})?-(\d{4})?\])?(.+)$")


def loc_dat() -> list[str]:
    """The lines of python-stdnum's division table, in simplified characters (it spells
    大兴安岭's districts in traditional ones: 松嶺區)."""
    text = (Path(stdnum.__file__).parent / "cn" / "loc.dat").read_text("utf-8")
    return simplified(text).splitlines()


def _names(value: str) -> list[str]:
    """Every name a loc.dat value has had: ``[-2009]襄樊市,[2010-]襄阳市`` gives both."""
    return [m.group(3) for part in value.split(",") if (m := _ENTRY.match(part.strip()))]


def _place_names(value: str) -> list[str]:
    """The names of a division that can appear in an address or an authority: not the
    placeholders that group a municipality's districts or a province's direct counties
    (市辖区, 县, 省直辖县级行政区划)."""
    return [n for n in _names(value) if n not in ("市辖区", "县") and "直辖" not in n]


def _current(value: str) -> str | None:
    """The name in force today from a loc.dat value such as ``[-2010]崇文区,[2010-]东城区``."""
    for part in value.split(","):
        m = _ENTRY.match(part.strip())
        if m and not m.group(2):
            return m.group(3)
    return None


MUNICIPALITIES = ("11", "12", "31", "50")  # Beijing, Tianjin, Shanghai, Chongqing


@cache
def prefectures() -> dict[str, tuple[str, str]]:
    """Region code -> (province, city) for every city that has its own traffic police.

    Four-digit codes are prefecture-level cities (and municipalities, with city '');
    six-digit ones are county-level units a province governs directly (湖北's 仙桃市).
    """
    provinces: dict[str, str] = {}
    direct: set[str] = set()  # prefecture codes that stand for "governed by the province"
    out: dict[str, tuple[str, str]] = {}
    province = ""
    for line in loc_dat():
        if m := re.match(r'^(\d{2}) province="([^"]+)"', line):
            province = m.group(1)
            provinces[province] = m.group(2)
            if province in MUNICIPALITIES:
                out[province + "00"] = (m.group(2), "")
        elif m := re.match(r'^  (\d{2})(\d{2}) county="([^"]+)"', line):
            prefecture, county, name = m.group(1), m.group(2), _current(m.group(3))
            if not name or prefecture == "00" or province in MUNICIPALITIES:
                continue
            if county == "00" and "直辖" in name:
                direct.add(province + prefecture)
            elif county == "00" and name.endswith(("市", "州", "盟", "地区")):
                out[province + prefecture] = (provinces[province], name)
            elif province + prefecture in direct and "直辖" not in name:
                out[province + prefecture + county] = (provinces[province], name)
    return out


@cache
def division_starts() -> dict[str, dict[str, tuple[int, ...]]]:
    """Province -> every way an address in it may begin: province + city + county,
    province + city, province + county (a municipality's district, a county-level
    city), with every name each has had (an old ID card keeps the old name). Each
    beginning maps to where its names end (the index of each name's last character).
    """
    out: dict[str, dict[str, tuple[int, ...]]] = {}
    provinces: list[str] = []
    cities: list[str] = []

    def add(*names: str) -> None:
        ends = tuple(itertools.accumulate(len(n) for n in names))
        out[names[0]]["".join(names)] = tuple(end - 1 for end in ends)

    for line in loc_dat():
        if m := re.match(r'^\d{2} province="([^"]+)"', line):
            provinces = _names(m.group(1))
            for province in provinces:
                out.setdefault(province, {})
                add(province)
        elif m := re.match(r'^  (\d{2})(\d{2}) county="([^"]+)"', line):
            if m.group(1) == "00":
                continue
            names = _place_names(m.group(3))
            for province in provinces:
                if m.group(2) == "00":
                    for city in names:
                        add(province, city)
                    continue
                for county in names:
                    add(province, county)
                    for city in cities:
                        add(province, city, county)
            if m.group(2) == "00":
                cities = names
    return out


# Picks among several corrections of a text (each one character changed), or None:
# given the text as read and the corrections (see layout.image_chooser).
Choose = Callable[[str, Sequence[str]], str | None]


def fix_division(address: str, choose: Choose | None = None) -> str:
    """``address`` with misread characters of its province, city and county put right
    (门源旧族自治县 -> 门源回族自治县), one at a time (网拉善盟辣济纳旗 takes two).

    A character is changed only when no longer known beginning matches as printed,
    exactly one does with that one character changed, and it is inside a name, not
    a name's last (天河路 is a street, not a misread 天河区). When several do (贞江区:
    four districts of 韶关 are one character away), ``choose`` may pick one.
    """
    for _ in range(3):  # province, city, county
        fixed = _fix_one(address, choose)
        if fixed == address:
            break
        address = fixed
    return address


def _fix_one(address: str, choose: Choose | None) -> str:
    exact, near = 0, {}
    for province, starts in division_starts().items():
        if _differences(address, province) > 1:
            continue
        for start, ends in starts.items():
            diff = _differences(address, start)
            if diff == 0:
                exact = max(exact, len(start))
            elif diff == 1 and _deep(province, start) and not _zone_at(address, ends):
                near[start] = ends
    near = {start: ends for start, ends in near.items() if len(start) > exact}
    # The longest beginnings: a shorter one with the same change says less.
    widest = [s for s in near if not any(o != s and o.startswith(s) for o in near)]
    fixes = sorted(
        {
            start + address[len(start) :]
            for start in widest
            if first_difference(address, start) not in near[start]  # not a name's last character
        }
    )
    if not fixes:  # no name one character off inside it
        return _fix_long_name(address, exact)
    if len(widest) == 1:
        return fixes[0]
    if len(fixes) > 1 and choose is not None:
        return choose(address, fixes) or address
    return address  # two different fixes: leave it as read


def _deep(province: str, start: str) -> bool:
    """Whether a beginning is long enough to be put right by one character: a province,
    city and county (eight characters or more), or a municipality and its district
    (重庆市钢梁区 -> 重庆市铜梁区), which names no city: the province that is a city."""
    return len(start) >= 8 or (province.endswith("市") and len(start) >= 6)


# Zones a city's addresses name where a district would stand, which are no division:
# one character from a district of many a city (高新区 and 高淳区, 高陵区, 高坪区).
ZONES = frozenset({"高新区", "经开区", "开发区", "保税区", "新区", "园区", "工业园区"})


def _zone_at(address: str, ends: tuple[int, ...]) -> bool:
    """Whether ``address`` names a zone where a beginning (its names ending at ``ends``)
    has its last name."""
    return address[_last_name_start(ends) : ends[-1] + 1] in ZONES


def _last_name_start(ends: tuple[int, ...]) -> int:
    """Where a beginning's last name starts (``ends``: where each of its names ends)."""
    return ends[-2] + 1 if len(ends) > 1 else 0


# A name this long (a minority autonomous county's: 连南瑶族自治县) is known with two of
# its characters misread, when the beginning before it is read right.
LONG_NAME = 6


def _fix_long_name(address: str, exact: int) -> str:
    """``address`` with two misread characters of the name after its longest beginning
    read right put back (广东省清远市连南域疾自治县 -> …连南瑶族自治县): when exactly one
    known name of :data:`LONG_NAME` characters or more follows that beginning, as read,
    two characters off, its last character as read. With no beginning read right, the
    province itself, one or two characters off (广西社源自治区 -> 广西壮族自治区; a
    province alone is too short for :func:`_fix_one`), its first and last as read."""
    if exact == 0:
        fits = {
            p for p in division_starts()
            if len(p) >= LONG_NAME and len(address) >= len(p)
            and 1 <= _differences(address, p) <= 2
            and address[0] == p[0] and address[len(p) - 1] == p[-1]
        }  # fmt: skip
    else:
        fits = {
            start
            for province, starts in division_starts().items()
            if address.startswith(province)
            for start, ends in starts.items()
            if _last_name_start(ends) == exact
            and len(start) - exact >= LONG_NAME
            and len(address) >= len(start)
            and address[:exact] == start[:exact]
            and _differences(address, start) == 2
            and address[len(start) - 1] == start[-1]
        }
    if len(fits) != 1:
        return address
    start = fits.pop()
    return start + address[len(start) :]


@cache
def place_names() -> frozenset[str]:
    """Every name a province, city or county has had (市辖区 and the like left out)."""
    out: set[str] = set()
    for line in loc_dat():
        if m := re.match(r'^\d{2} province="([^"]+)"', line):
            out.update(_names(m.group(1)))
        elif m := re.match(r'^  \d{4} county="([^"]+)"', line):
            out.update(_place_names(m.group(1)))
    return frozenset(out)


# A company's place is put right only when this long: three characters (安顺市) share
# two with many a trade name and word (广百市场, 东风市场 for 广州市, 东方市).
PLACE_MIN = 4


def fix_place_from(name: str, address: str) -> str:
    """``name`` (a company's: place, trade name, trade, form) with one misread character
    of the place it begins with put right from ``address``, which names that place
    (红河哈尼族葬族自治州鑫宏商贸 beside an address in 红河哈尼族彝族自治州). Only a
    place of :data:`PLACE_MIN` characters or more that the address names, one character
    off the name's beginning and not in its last (县, 州 end a place; the trade name
    follows), and only when exactly one such place fits and the beginning as read is
    no place at all (a branch keeps its parent's place: 湖南省建工集团…郑州分公司 at an
    address in 河南省)."""
    named = [p for p in place_names() if len(p) >= 3 and p in address]
    if any(name.startswith(p) for p in named):
        return name
    fits = {p for p in named if len(p) >= PLACE_MIN
            and one_off(name[: len(p)], p) and name[len(p) - 1] == p[-1]}  # fmt: skip
    if len(fits) != 1:
        return name
    place = fits.pop()
    if name[: len(place)] in place_names():
        return name
    return place + name[len(place) :]


def first_difference(a: str, b: str) -> int:
    """Where ``a`` and ``b`` first differ (they do, within the shorter)."""
    return next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)


def _differences(text: str, start: str) -> int:
    """Characters in which ``text`` begins differently from ``start`` (2 when shorter)."""
    if len(text) < len(start):
        return 2
    return sum(a != b for a, b in zip(text, start, strict=False))


@cache
def id_authorities() -> frozenset[str]:
    """Every 签发机关 an ID card can print, with every name each place has had: a
    district's ``<city>公安局<district>分局`` (a municipality's name for the city) and a
    county's or county-level city's ``<county>公安局``."""
    out: set[str] = set()
    cities: list[str] = []
    municipality = False
    for line in loc_dat():
        if m := re.match(r'^(\d{2}) province="([^"]+)"', line):
            municipality = m.group(1) in MUNICIPALITIES
            cities = _names(m.group(2)) if municipality else []
        elif m := re.match(r'^  (\d{2})(\d{2}) county="([^"]+)"', line):
            if m.group(1) == "00":
                continue
            names = _place_names(m.group(3))
            if m.group(2) == "00":  # a prefecture: the city of the districts that follow
                if not municipality:
                    cities = names
                continue
            for county in names:
                if county.endswith("区") and cities:  # 神农架林区 has no city
                    out.update(f"{city}公安局{county}分局" for city in cities)
                else:
                    out.add(f"{county}公安局")
    return frozenset(out)


def fix_authority(text: str, choose: Choose | None = None) -> str:
    """``text`` (an ID card's 签发机关) with one misread character put right
    (亭糊区 -> 亭湖区), when it is no known authority and exactly one known authority is
    that one character away; when several are (峰城区: 峄城区 and 薛城区), ``choose``
    may pick one."""
    return nearest_known(text, id_authorities(), choose)


def one_off(read: str, known: str) -> bool:
    """Whether ``read`` is ``known`` with one character misread."""
    return len(read) == len(known) and sum(a != b for a, b in zip(read, known, strict=True)) == 1


def nearest_known(text: str, known: Collection[str], choose: Choose | None = None) -> str:
    """``text`` when it is one of ``known``; else the one known text a character away
    from it (:func:`one_off`); when several are, the one ``choose`` picks; else ``text``."""
    if text in known:
        return text
    near = sorted(k for k in known if one_off(text, k))
    if len(near) == 1:
        return near[0]
    if len(near) > 1 and choose is not None:
        return choose(text, near) or text
    return text


@cache
def police_seals() -> tuple[str, ...]:
    """Every ``<province><city>公安局交通警察支队`` (the driving-licence seal)."""
    return tuple(sorted({f"{p}{c}公安局交通警察支队" for p, c in prefectures().values()}))


# How a seal names the traffic police after its city: the usual name (police_seals), and
# the others real licences print (交巡警, the traffic and patrol police; a municipality's
# 公安交通管理局; a 总队).
SEAL_SUFFIXES = (
    "公安局交通警察支队",
    "公安局交巡警察支队",
    "公安局公安交通管理局",
    "公安局交通警察总队",
)


@cache
def police_seal_forms() -> frozenset[str]:
    """Every ``<province><city>`` with each of :data:`SEAL_SUFFIXES`."""
    return frozenset(f"{p}{c}{end}" for p, c in prefectures().values() for end in SEAL_SUFFIXES)


def nearest_seal(text: str) -> str | None:
    """The detachment ``text`` names: a known seal (:func:`police_seal_forms`) as read,
    or the one known seal a character away from it (one misread, lost or read twice),
    the usual name (:func:`police_seals`) first; else None (also when two are a
    character away)."""
    if text in police_seal_forms():
        return text
    if "公" not in text and "安" not in text:  # every name has 公安: one edit leaves one
        return None
    for names in (_by_length(police_seals()), _by_length(police_seal_forms())):
        near = [
            n for size in (-1, 0, 1) for n in names.get(len(text) + size, ()) if one_edit(text, n)
        ]
        if near:
            return near[0] if len(near) == 1 else None
    return None


@cache
def _by_length(names: Collection[str]) -> dict[int, tuple[str, ...]]:
    """``names`` by their length, sorted (a read is compared with those a character
    longer or shorter only)."""
    out: dict[int, list[str]] = {}
    for name in sorted(names):
        out.setdefault(len(name), []).append(name)
    return {size: tuple(group) for size, group in out.items()}


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by changing, adding or dropping one character."""
    if len(a) == len(b):
        return one_off(a, b)
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


def police_seal_of(address: str) -> str | None:
    """The seal of the traffic police of the city ``address`` is in (None when it does
    not begin with a province and city of today): where a licence is issued."""
    starts = [p + c for p, c in prefectures().values() if address.startswith(p + c)]
    return f"{max(starts, key=len)}公安局交通警察支队" if starts else None
