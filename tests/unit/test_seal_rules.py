"""The round red seal's rules without a model: CTC lexicon scoring (checked against brute
force) and when a reading names a seal (tests/engine/test_local_seal.py reads real ones)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from bot.ocr.local import ctc, seal


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
