"""Place names of mainland China, from python-stdnum's division table (``cn/loc.dat``).

Used to snap a doubtful reading onto a real name: a seal's issuing authority
is one of a few hundred strings, so the closest one (when close enough) is a
correction, not a guess.
"""

from __future__ import annotations

import difflib
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


@cache
def prefectures() -> dict[str, tuple[str, str]]:
    """Four-digit region code -> (province, prefecture-level city; '' for municipalities)."""
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    provinces: dict[str, str] = {}
    out: dict[str, tuple[str, str]] = {}
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r'^(\d{2}) province="([^"]+)"', line):
            province = m.group(1)
            provinces[province] = m.group(2)
            out[province + "00"] = (m.group(2), "")
        elif (m := re.match(r'^  (\d{2})00 county="([^"]+)"', line)) and m.group(1) != "00":
            name = _current(m.group(2))
            if name and name.endswith(("市", "州", "盟", "地区")) and "直辖" not in name:
                out[province + m.group(1)] = (provinces[province], name)
    return out


def police_seals() -> list[str]:
    """Every ``<province><city>公安局交通警察支队`` (the driving-licence seal)."""
    return sorted({f"{p}{c}公安局交通警察支队" for p, c in prefectures().values()})


def snap(
    text: str, choices: list[str], *, prior: str | None = None, cutoff: float = 0.6
) -> str | None:
    """The choice closest to ``text`` if its similarity reaches ``cutoff``.

    ``prior`` (a choice known likely, e.g. from the holder's address) gets a small
    bonus, enough to break near-ties and no more.
    """
    best, best_score = None, 0.0
    for choice in choices:
        score = difflib.SequenceMatcher(None, text, choice, autojunk=False).ratio()
        if choice == prior:
            score += 0.1
        if score > best_score:
            best, best_score = choice, score
    return best if best_score >= cutoff else None
