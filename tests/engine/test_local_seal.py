"""Reading the round red seal: CTC lexicon scoring (checked against brute force) and
the seal reader on real RapidOCR inference over committed synthetic licences."""

from __future__ import annotations

import itertools
import math

import cv2
import numpy as np
import pytest

from bot.ocr.local import ctc, load_models, seal
from bot.ocr.local.reader import decode
from tests.samples import SYNTH, find


def _brute_force(probs: np.ndarray, text: str, characters: str) -> float:
    """log P(text) by summing over every frame labelling that collapses to ``text``."""
    total = 0.0
    for path in itertools.product(range(len(characters)), repeat=len(probs)):
        collapsed = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        if "".join(characters[k] for k in collapsed if k != ctc.BLANK) == text:
            total += math.prod(probs[t, k] for t, k in enumerate(path))
    return math.log(total)


def test_lexicon_log_probs_equal_the_sum_over_alignments() -> None:
    characters = "_ab"  # index 0 is the blank
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(3), size=5)
    texts = ["a", "ab", "aa", "ba", "aba"]
    lexicon = ctc.Lexicon.build(texts, characters)
    got = lexicon.log_probs(probs[None])[0]
    want = [_brute_force(probs, t, characters) for t in texts]
    assert np.allclose(got, want)


def test_lexicon_refuses_characters_the_recognizer_lacks() -> None:
    with pytest.raises(ValueError, match="猫"):
        ctc.Lexicon.build(["猫局"], "_局")


@pytest.fixture(scope="module")
def models():
    return load_models()


def _licence(mode: str) -> tuple[np.ndarray, str]:
    entry = find("drivinglicense", mode=mode)
    return decode((SYNTH / entry["file"]).read_bytes()), entry["truth"]["official_seal"]


@pytest.mark.parametrize("mode", ["scan", "photo"])
def test_the_seal_is_read_as_its_authority(models, mode: str) -> None:
    img, truth = _licence(mode)
    (reading,) = seal.read_seals(models, img)
    assert reading.name() == truth  # the strip alone tells
    assert reading.names[0][0] == truth


def test_a_red_desk_outside_the_document_is_not_a_seal(models) -> None:
    img, truth = _licence("scan")
    h, w = img.shape[:2]
    desk = np.zeros((h + 200, w + 200, 3), np.uint8)
    desk[:] = (40, 60, 170)  # BGR: a reddish-brown wooden desk
    desk[100 : 100 + h, 100 : 100 + w] = img
    document = np.array([[100, 100], [100 + w, 100], [100 + w, 100 + h], [100, 100 + h]])
    assert seal.find_seals(desk) == []  # the whole desk is "red": no round mark in it
    assert [r.name() for r in seal.read_seals(models, desk, within=document)] == [truth]


def test_an_illegible_seal_names_nothing(models) -> None:
    img, _ = _licence("scan")
    blurred = cv2.GaussianBlur(img, (0, 0), 2)
    assert seal.find_seals(blurred)  # still a seal: its text is what is gone
    (reading,) = seal.read_seals(models, blurred)
    assert reading.name() is None
    assert reading.name(expected=reading.names[0][0]) is None  # too poor a fit to agree with


def test_no_seal_no_name(models) -> None:
    entry = find("bankcard", mode="scan")
    assert seal.read_seals(models, decode((SYNTH / entry["file"]).read_bytes())) == []


# 南昌 and 九江 share their province: told apart by two characters.
NANCHANG, JIUJIANG, SHANGHAI = (
    f"{city}公安局交通警察支队" for city in ("江西省南昌市", "江西省九江市", "上海市")
)


def _reading(*names: tuple[str, float], share: float) -> seal.SealReading:
    return seal.SealReading(names, share)


def test_a_clear_strip_names_its_seal_whatever_the_address() -> None:
    clear = _reading((NANCHANG, -0.5 * len(NANCHANG)), share=0.9999)
    assert clear.name() == NANCHANG
    assert clear.name(expected=NANCHANG) == NANCHANG
    # The holder moved from 上海: the strip beats 上海 by more than CONTRADICTION,
    # since 上海 is not among the names kept.
    assert clear.name(expected=SHANGHAI) == NANCHANG


def test_an_uncertain_strip_is_named_when_it_agrees_with_the_address() -> None:
    unsure = _reading((NANCHANG, -2.5 * len(NANCHANG)), (JIUJIANG, -2.6 * len(NANCHANG)),
                      share=0.99)  # fmt: skip
    assert unsure.name() is None  # on its own: not sure enough
    assert unsure.name(expected=NANCHANG) == NANCHANG
    assert unsure.name(expected=JIUJIANG) is None  # the address's city is a close second
    poor = _reading((NANCHANG, (seal.MIN_CHAR_LOGP_AGREED - 0.1) * len(NANCHANG)), share=1.0)
    assert poor.name(expected=NANCHANG) is None  # agreement needs a fit all the same


def test_a_strip_that_barely_beats_the_address_names_nothing() -> None:
    """Print over the two characters that tell 南昌 from 九江: a sure-looking read."""
    close = _reading((JIUJIANG, -30.0), (NANCHANG, -30.0 - seal.CONTRADICTION + 1), share=1.0)
    assert close.name() == JIUJIANG  # without an address it would be given
    assert close.name(expected=NANCHANG) is None


def test_seal_readings_round_trip_through_json() -> None:
    reading = _reading((NANCHANG, -12.5), (JIUJIANG, -20.25), share=0.999)
    assert seal.SealReading.from_json(reading.to_json()) == reading
