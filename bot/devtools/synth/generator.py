"""``generate()``: one synthetic document image with its ground truth."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image

from bot.ocr.base import DocType

from . import photo
from .docs import (
    Doc,
    bankcard,
    bizlicense,
    businesscard,
    comm,
    idcard,
    licences,
    passport,
    plate,
)

MODES = ("photo", "scan")
SCAN_QUALITY = 85

# doc type -> its make(data, style, side, **variant) -> Doc (variant: see _VARIANTS)
_MAKERS = {
    DocType.IDCARD: idcard.make,
    DocType.BANKCARD: bankcard.make,
    DocType.DRIVINGLICENSE: licences.make_drivinglicense,
    DocType.DRIVING: licences.make_driving,
    DocType.BIZLICENSE: bizlicense.make,
    DocType.PLATENUM: plate.make,
    DocType.PASSPORT: passport.make,
    DocType.BUSINESSCARD: businesscard.make,
    DocType.COMM: comm.make,
}


def supported_types() -> tuple[DocType, ...]:
    return tuple(_MAKERS)


@dataclass
class Sample:
    """One generated image and its truth.

    ``truth`` holds the fields as the WeChat OCR API names them (plus the
    extras listed in the package docstring, such as ``authority``). ``meta`` says how the
    image was made: ``doc_type``, ``side``, ``mode``, ``rotation``, ``seed``,
    ``quality``, fonts and photo parameters.
    """

    image: Image.Image
    jpeg: bytes
    truth: dict[str, Any]
    doc_type: DocType
    meta: dict[str, Any]

    @property
    def side(self) -> str | None:
        return self.meta.get("side")

    @property
    def rotation(self) -> int:
        return int(self.meta.get("rotation", 0))


def _rngs(seed: int, doc_type: DocType) -> tuple[random.Random, random.Random, random.Random]:
    """Three independent streams: content, look, and photo conditions."""
    return tuple(
        random.Random(f"{seed}:{doc_type.value}:{part}") for part in ("data", "style", "photo")
    )  # type: ignore[return-value]


def generate(
    doc_type: DocType | str,
    *,
    seed: int,
    mode: str = "photo",
    side: str | None = None,
    rotation: int | None = None,
    framing: str | None = None,
    seal: str | None = None,
) -> Sample:
    """Make one document of ``doc_type``, deterministic from ``seed``.

    ``mode`` is ``scan`` (the flat document, sharp) or ``photo`` (on a
    background, tilted, lit unevenly, sometimes turned by a quarter).
    ``side`` picks the ID card side (``Front``/``Back``), the vehicle licence's
    pages (``Front``: main page, ``Both``: with the 副页, ``Back``: the 副页 alone) or
    the driver's licence's (``Back``: the 副页 alone); random when None.
    ``rotation`` forces the quarter turn of a photo (0/90/180/270). ``framing`` forces
    how a plate photo is framed (see :func:`plate_framing`); ``seal`` a driver's
    or vehicle licence's seal, ``square`` or ``round`` (see :func:`seal_square`).
    """
    doc_type = DocType(doc_type)
    if doc_type not in _MAKERS:
        raise ValueError(f"no synthetic generator for {doc_type.value!r}")
    if mode not in MODES:
        raise ValueError(f"mode is one of {MODES}, not {mode!r}")
    if framing is not None and (doc_type is not DocType.PLATENUM or framing not in FRAMINGS):
        raise ValueError(f"framing is one of {tuple(FRAMINGS)}, for plate photos only")
    if seal is not None and (doc_type not in _LICENCES or seal not in SEALS):
        raise ValueError(f"seal is one of {SEALS}, for driver's and vehicle licences only")
    framing = framing or plate_framing(seed)
    if doc_type is DocType.DRIVINGLICENSE and side is None:
        side = licence_side(seed)
    data, style, cond = _rngs(seed, doc_type)
    variant = _VARIANTS[doc_type](seed) if doc_type in _VARIANTS else {}
    if seal is not None:
        variant["square_seal"] = seal == "square"
    doc: Doc = _MAKERS[doc_type](data, style, side, **variant)
    meta: dict[str, Any] = {
        "doc_type": doc_type.value,
        "side": doc.side,
        "mode": mode,
        "seed": seed,
        **doc.info,
    }
    if mode == "scan":
        if rotation:
            raise ValueError("scans are upright: rotation applies to photos only")
        image = _flatten(doc.image)
        meta.update(rotation=0, quality=SCAN_QUALITY)
    elif doc_type is DocType.PLATENUM and framing == "tight":
        image = photo.tight_crop(doc.image, cond)
        faded = plate_faded(seed)
        if faded:  # last, from its own stream: every other draw stays as it was
            image = photo.fade(image, random.Random(f"{seed}:platenum:fade"))
        if rotation:  # only when asked: a crop comes from a plate detector, upright
            image = image.rotate(rotation, expand=True)
        meta.update(rotation=rotation or 0, framing="tight", quality=cond.randint(70, 95),
                    faded=faded)  # fmt: skip
    elif doc_type is DocType.PLATENUM and framing == "scene" and on_road(seed, doc):
        image, box = photo.road_camera(doc.image, random.Random(f"{seed}:platenum:camera"))
        fill = (box[2] - box[0]) / image.width
        meta.update(framing="scene", road=True, plate_box=box, cast=plate_cast(seed))
        if rotation:  # only when asked: a road camera's frame is upright
            image = image.rotate(rotation, expand=True)
        meta.update(rotation=rotation or 0, fill=round(fill, 3), quality=cond.randint(60, 90))
    else:
        scene = doc_type is DocType.PLATENUM and framing == "scene"
        fill = cond.uniform(0.12, 0.25) if scene else None
        angle = card_angle(seed) if doc_type is DocType.BANKCARD else None
        image, params = photo.photograph(doc.image, cond, rotation=rotation, fill=fill, angle=angle)
        if doc_type is DocType.PLATENUM:
            meta["framing"] = "scene" if scene else "held"
            meta["road"] = False
            meta["cast"] = plate_cast(seed)
        meta.update(
            rotation=params.rotation,
            tilt=params.tilt,
            fill=params.fill,
            blur=params.blur,
            noise=params.noise,
            background=params.background,
            quality=cond.randint(60, 90),
        )
    if meta.get("cast"):  # last, from its own stream: every other draw stays as it was
        image = photo.green_cast(image, random.Random(f"{seed}:platenum:cast"))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=meta["quality"])
    return Sample(image=image, jpeg=buf.getvalue(), truth=doc.truth, doc_type=doc_type, meta=meta)


FRAMINGS = {"held": 50, "tight": 25, "scene": 25}
BACK_ALONE = 0.1  # driver's licences photographed as their 副页 alone
ANGLED = 0.25  # bank card photos of a card lying at an angle on a desk
FADED = 0.25  # tight plate crops washed out to low contrast
CAST = 0.2  # plate photos (held or in a scene) in green-tinted light
ROAD = 0.4  # plate scenes framed by a road camera over a car's front
PALE_LABELS = 0.2  # ID card fronts whose labels glare or wear washed out
OUT_OF_REGISTER = 0.2  # driver's licences whose values were printed off the form's rows
ONE_ROW = 0.5  # older driver's licences with 有效起始日期 and 有效期限 on one row
SQUARE_SEAL = 0.5  # licences with the real cards' square seal (else a round one)
SEALS = ("square", "round")


def _id_front_variant(seed: int) -> dict[str, float]:
    return {"fade": label_fade(seed)}


def seal_square(seed: int, doc_type: DocType = DocType.DRIVINGLICENSE) -> bool:
    """Whether a driver's or vehicle licence's seal is square, its name in rows, stamped
    left of three rows' labels, as every real card prints it (half of them); the others
    keep the round seal the generator drew first: a harder case for the reader (red ink
    across print, a name on an arc), which the suite and the earlier measurements stand
    on. Its own stream: the others draw as before."""
    return random.Random(f"{seed}:{doc_type.value}:seal").random() < SQUARE_SEAL


def _licence_variant(seed: int) -> dict[str, float]:
    return {
        "shift": print_shift(seed),
        "one_row": validity_one_row(seed),
        "square_seal": seal_square(seed),
    }


def _vehicle_variant(seed: int) -> dict[str, float]:
    return {"square_seal": seal_square(seed, DocType.DRIVING)}


# Variants a maker draws from its own seed stream (keyword arguments of its make).
_VARIANTS: dict[DocType, Callable[[int], dict[str, float]]] = {
    DocType.IDCARD: _id_front_variant,
    DocType.DRIVINGLICENSE: _licence_variant,
    DocType.DRIVING: _vehicle_variant,
}
_LICENCES = (DocType.DRIVINGLICENSE, DocType.DRIVING)  # the documents with a seal


def card_angle(seed: int) -> float | None:
    """A bank card lying at 12-30 degrees either way on a desk, shot from the side (one
    photo in four), else None (held up, a few degrees). Its own stream."""
    rng = random.Random(f"{seed}:bankcard:angle")
    if rng.random() >= ANGLED:
        return None
    return rng.choice((-1, 1)) * rng.uniform(12, 30)


def print_shift(seed: int) -> float:
    """How far (in rows) a driver's licence's values sit below their labels: the values
    are printed on a pre-printed form, and one card in five is fed out of register, the
    values 0.1-0.2 of a row low (else 0). Its own stream: the others draw as before."""
    rng = random.Random(f"{seed}:drivinglicense:register")
    return rng.uniform(0.1, 0.2) if rng.random() < OUT_OF_REGISTER else 0.0


def validity_one_row(seed: int) -> bool:
    """Whether an older-issue driver's licence prints 有效起始日期 and 有效期限 on one row
    (half of them, as on real cards: ``有效起始日期 2012-06-18 有效期限 6年``; the others a
    row each). Newer issues ignore it. Its own stream: the others draw as before."""
    return random.Random(f"{seed}:drivinglicense:validity").random() < ONE_ROW


def label_fade(seed: int) -> float:
    """How far an ID card front's pale blue labels are washed out towards the card: one
    front in five has them taken by glare or wear (55-80 %; the black values stay), the
    others are printed as new (0). Its own stream: the others draw as before."""
    rng = random.Random(f"{seed}:idcard:labels")
    return rng.uniform(0.55, 0.8) if rng.random() < PALE_LABELS else 0.0


def licence_side(seed: int) -> str | None:
    """A driver's licence's 副页 photographed alone (one time in ten: it repeats 证号 and
    姓名, and must not pass for the main page), else the main page (with the 副页 beside
    it or not, as the look decides). Its own stream: the others draw as before."""
    rng = random.Random(f"{seed}:drivinglicense:side")
    return "Back" if rng.random() < BACK_ALONE else None


def plate_framing(seed: int) -> str:
    """How a plate photo is framed, as people send them: the plate held up filling the
    photo, the plate alone cropped tight to its edges (about 100 x 30 px), or a whole car
    or street where the plate is small. Its own stream: the others draw as before."""
    rng = random.Random(f"{seed}:platenum:framing")
    return rng.choices(list(FRAMINGS), weights=list(FRAMINGS.values()))[0]


def plate_on_road(seed: int) -> bool:
    """A plate in a scene seen by a road camera over the car's front (two in five: see
    ``photo.road_camera``), else a plate somewhere in a street photo. Its own stream."""
    return random.Random(f"{seed}:platenum:road").random() < ROAD


def on_road(seed: int, doc: Doc) -> bool:
    """A road camera sees a car's front: its plate has one row (two-row plates are
    lorries' and buses' rear plates)."""
    return plate_on_road(seed) and doc.info.get("rows") != 2


def plate_faded(seed: int) -> bool:
    """A tight plate crop washed out to low contrast (one in four: road-camera crops of
    real plates often are, and the detector then finds no text). Its own stream."""
    return random.Random(f"{seed}:platenum:faded").random() < FADED


def plate_cast(seed: int) -> bool:
    """A plate photographed in green-tinted light (one in five: car parks under trees, as
    in real sets). Its own stream."""
    return random.Random(f"{seed}:platenum:cast").random() < CAST


def _flatten(img: Image.Image) -> Image.Image:
    """A scan: the document on white, at most MAX_SIDE px on its long side."""
    if img.mode == "RGBA":
        white = Image.new("RGB", img.size, (255, 255, 255))
        white.paste(img, (0, 0), img)
        img = white
    return photo.shrink(img.convert("RGB"))
