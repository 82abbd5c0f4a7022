"""Place names of mainland China, from python-stdnum's division table (``cn/loc.dat``).

A driving licence's seal names the traffic police of a city, so it is one of a
few hundred strings: :mod:`bot.ocr.local.seal` reads it against that list.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import stdnum

_ENTRY = re.compile(r"^(?:\[(\d{4})?-(\d{4})?\])?(.+)$")


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
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    provinces: dict[str, str] = {}
    direct: set[str] = set()  # prefecture codes that stand for "governed by the province"
    out: dict[str, tuple[str, str]] = {}
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
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
def police_seals() -> tuple[str, ...]:
    """Every ``<province><city>公安局交通警察支队`` (the driving-licence seal)."""
    return tuple(sorted({f"{p}{c}公安局交通警察支队" for p, c in prefectures().values()}))
