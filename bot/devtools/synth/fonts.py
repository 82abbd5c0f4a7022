"""Find the system's CJK fonts and hand them out by role.

The generator never ships fonts: it uses what fontconfig knows. Several
families per role give the offline engine a variety of glyph shapes to read.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

FONT_PACKAGES = (
    "fonts-noto-cjk fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming"
)

# role -> family names in order of preference (fontconfig family[0] spelling).
ROLES: dict[str, tuple[str, ...]] = {
    "sans": ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei"),
    "sans_bold": ("Noto Sans CJK SC:Bold", "WenQuanYi Zen Hei", "Noto Sans CJK SC"),
    "serif": ("Noto Serif CJK SC", "AR PL UMing CN"),
    "serif_bold": ("Noto Serif CJK SC:Bold", "Noto Serif CJK SC", "AR PL UMing CN"),
    "kai": ("AR PL UKai CN",),
    # Digits and Latin: the ID number, card numbers, the passport MRZ.
    "mono": (
        "OCR-B",
        "OCRB",
        "DejaVu Sans Mono",
        "Liberation Mono",
        "Noto Sans Mono CJK SC",
        "WenQuanYi Micro Hei Mono",
        "WenQuanYi Zen Hei Mono",
    ),
}


_MONO_ONLY = ("DejaVu Sans Mono", "Liberation Mono", "OCR-B", "OCRB")


class FontsMissing(RuntimeError):
    """No CJK font is installed: nothing can be rendered."""


@dataclass(frozen=True)
class FontSpec:
    """One face of one font file (``index`` selects the face in a .ttc)."""

    path: str
    index: int
    family: str
    style: str

    @property
    def key(self) -> str:
        return f"{self.family}:{self.style}"


def _fc_list(pattern: str) -> list[FontSpec]:
    if not shutil.which("fc-list"):
        return []
    fmt = "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n"
    out = subprocess.run(
        ["fc-list", pattern, "--format", fmt], capture_output=True, text=True, check=False
    ).stdout
    specs = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and Path(parts[0]).suffix.lower() in (".ttf", ".ttc", ".otf", ".otc"):
            specs.append(FontSpec(parts[0], int(parts[1] or 0), parts[2], parts[3]))
    return specs


@cache
def installed() -> dict[str, FontSpec]:
    """All usable faces, keyed ``"Family:Style"`` and also ``"Family"`` (regular face)."""
    zh = _fc_list(":lang=zh")
    if not zh:
        raise FontsMissing(
            "no CJK font found (`fc-list :lang=zh` lists nothing); "
            f"install the Debian packages: apt-get install {FONT_PACKAGES}"
        )
    faces: dict[str, FontSpec] = {}
    for spec in zh + _fc_list(":spacing=mono"):
        faces.setdefault(spec.key, spec)
        if spec.style.lower() in ("regular", "book", "light", "medium"):
            faces.setdefault(spec.family, spec)
    return faces


def candidates(role: str) -> list[FontSpec]:
    """The installed faces for ``role``, best first."""
    faces = installed()
    found = [faces[name] for name in ROLES[role] if name in faces]
    if not found and role != "mono":  # none of ours: any CJK regular face will do
        found = [f for k, f in faces.items() if k == f.family and f.family not in _MONO_ONLY]
    if not found:  # mono: any CJK face still draws digits
        found = candidates("sans")
    return found


def pick(rng: random.Random, role: str) -> FontSpec:
    """A face for ``role``, chosen by ``rng`` so a seed always gives the same fonts."""
    return rng.choice(candidates(role))


@cache
def load(spec: FontSpec, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(spec.path, size=size, index=spec.index)


def draws(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """Whether ``font`` puts ink down for ``char`` (some map a character to an empty
    glyph: WenQuanYi Micro Hei has no ℃, and the truth must not claim one)."""
    left, top, right, bottom = font.getbbox(char)
    return right > left and bottom > top
