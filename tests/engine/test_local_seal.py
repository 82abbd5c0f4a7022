"""Reading the round red seal: CTC lexicon scoring (checked against brute force) and
the seal reader on real RapidOCR inference over committed synthetic licences."""

from __future__ import annotations

import dataclasses
import itertools
import math

import cv2
import numpy as np
import pytest

from bot.devtools.synth import generate
from bot.ocr.base import DocType
from bot.ocr.local import ctc, load_models, reader, seal
from bot.ocr.local.extract.registry import EXTRACTORS
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
    reading, _ = seal.read_seals(models, img)  # as photographed, deblurred
    assert reading.name() == truth  # the strip alone tells
    assert reading.names[0][0] == truth
    assert abs(reading.length - len(truth)) <= seal.LENGTH_SLACK


def test_a_red_desk_outside_the_document_is_not_a_seal_nor_hides_one(models) -> None:
    """The desk is one red mark with the document a hole in it: the seal inside is still
    found, looked for in the whole image (as the detector does, to look without red ink
    where one is stamped) or in the document alone."""
    img, truth = _licence("scan")
    h, w = img.shape[:2]
    desk = np.zeros((h + 200, w + 200, 3), np.uint8)
    desk[:] = (40, 60, 170)  # BGR: a reddish-brown wooden desk
    desk[100 : 100 + h, 100 : 100 + w] = img
    document = np.array([[100, 100], [100 + w, 100], [100 + w, 100 + h], [100, 100 + h]])
    (on_desk,) = seal.find_seals(desk)  # the whole desk is "red": not a round mark
    (inside,) = seal.find_seals(desk, within=document)
    (alone,) = seal.find_seals(img)
    assert on_desk == inside
    assert math.dist((on_desk.cx, on_desk.cy), (alone.cx + 100, alone.cy + 100)) < 1
    assert {r.name() for r in seal.read_seals(models, desk, within=document)} == {truth}


def test_a_seal_the_document_s_outline_cuts_is_fitted_to_its_ring(models) -> None:
    """The document's outline is the hull of its text, and a seal stamped near the
    card's edge overhangs it: the ellipse is fitted to the ring left inside, not to the
    cut (a fit to the cut put the band off the characters, and the seal went unnamed)."""
    img, truth = _licence("scan")
    whole = seal.find_seals(img)[0]
    h, w = img.shape[:2]
    x = whole.cx - 0.8 * whole.radius  # through the ring's left part
    document = np.array([[x, 0], [w, 0], [w, h], [x, h]])
    cut = seal.find_seals(img, within=document)[0]
    assert math.dist((cut.cx, cut.cy), (whole.cx, whole.cy)) < 0.03 * whole.radius
    assert abs(cut.radius - whole.radius) < 0.03 * whole.radius
    assert min(cut.width, cut.height) / max(cut.width, cut.height) > 0.95
    assert {r.name() for r in seal.read_seals(models, img, within=document)} == {truth}


def _stamp(round_: bool, left: int) -> np.ndarray:
    """A red stamp on paper, its outline round or square, four by three characters
    (boxes) inside, ``left`` its left edge (below 0: the image cuts it)."""
    img = np.full((600, 800, 3), 250, np.uint8)
    red = (40, 40, 210)  # BGR
    if round_:
        cv2.circle(img, (left + 80, 280), 80, red, 6)
    else:
        cv2.rectangle(img, (left, 200), (left + 160, 360), red, 6)
    for row, col in itertools.product(range(3), range(4)):
        x, y = left + 22 + col * 32, 225 + row * 45
        cv2.rectangle(img, (x, y), (x + 22, y + 22), red, 3)
    return img


@pytest.mark.parametrize("left", [100, -20])
def test_a_square_stamp_is_no_seal(left: int) -> None:
    """A vehicle licence's stamp is square: an ellipse fits its hull, but does not
    trace it (seen on a real photo, where taking it for a seal changed what was read)."""
    assert seal.find_seals(_stamp(round_=False, left=left)) == []
    (found,) = seal.find_seals(_stamp(round_=True, left=left))
    assert math.dist((found.cx, found.cy), (left + 80, 280)) < 2
    assert abs(found.radius - 83) < 2  # the ring's outer edge: 80 + half its 6 px


def test_a_licence_s_seal_at_the_card_s_edge_is_named(models) -> None:
    """A scan whose seal, shifted left, overhangs the hull of the text and whose ring
    the table's lines break: both views read the seal's name whole."""
    sample = generate(DocType.DRIVINGLICENSE, seed=1360105, mode="scan")
    page = reader.read(models, decode(sample.jpeg))
    truth = sample.truth["official_seal"]
    assert len(truth) == 22  # 新疆维吾尔自治区阿克苏地区…: the longest kind of name
    assert [r.names[0][0] for r in page.seal_readings()] == [truth, truth]
    assert EXTRACTORS[DocType.DRIVINGLICENSE](page).fields["official_seal"] == truth


def test_an_illegible_seal_names_nothing(models) -> None:
    img, _ = _licence("scan")
    blurred = cv2.GaussianBlur(img, (0, 0), 2)
    assert seal.find_seals(blurred)  # still a seal: its text is what is gone
    for reading in seal.read_seals(models, blurred):  # as photographed, deblurred
        assert reading.name() is None
        assert reading.name(expected=reading.names[0][0]) is None  # too poor a fit


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


def test_a_name_of_another_length_than_the_strip_is_not_given() -> None:
    """On a poorly legible strip a short name of the province can outscore the seal's
    long one; the recognizer's own read of the strip says how long the name is."""
    xinjiang = "新疆维吾尔自治区北屯市公安局交通警察支队"  # 20 characters
    read = seal.SealReading(((xinjiang, -2.8 * 20),), share=1.0, length=24)  # of 26
    assert read.name() is None
    assert read.name(expected=xinjiang) is None
    fits = dataclasses.replace(read, length=20 + seal.LENGTH_SLACK)
    assert fits.name() == xinjiang and fits.name(expected=xinjiang) == xinjiang


def test_a_blurred_photo_s_seal_is_named_from_its_deblurred_view(models) -> None:
    """A blur of 1.22 px: the strip as photographed falls short; deblurred, it reads."""
    sample = generate(DocType.DRIVINGLICENSE, seed=700043, mode="photo")
    assert sample.meta["blur"] > 1.2
    page = reader.read(models, decode(sample.jpeg))
    photographed, sharpened = page.seal_readings()
    truth = sample.truth["official_seal"]
    assert photographed.name(truth) is None
    assert sharpened.name(truth) == truth
    got = EXTRACTORS[DocType.DRIVINGLICENSE](page).fields
    assert got["official_seal"] == truth


def test_a_seal_photographed_as_the_address_says_is_not_deblurred(models) -> None:
    """The seal as photographed names the address's detachment: that settles it, and
    the deblurred view (a quarter of the seal's time) is not read. Asked for later, it
    is read then, and each view only once."""
    sample = generate(DocType.DRIVINGLICENSE, seed=700014, mode="photo")
    truth = sample.truth["official_seal"]
    page = reader.read(models, decode(sample.jpeg))
    assert EXTRACTORS[DocType.DRIVINGLICENSE](page).fields["official_seal"] == truth
    assert len(page.stamps) == 1 and page.stamps[0].name(truth) == truth
    page = reader.read(models, decode(sample.jpeg))
    page.stamps = None
    (photographed,) = page.seal_readings(1)
    deblurred = page.seal_readings()[1]
    again = page.seal_readings()
    assert again[0] is photographed and again[1] is deblurred  # each read once
    assert deblurred.name(truth) == truth


def test_the_views_of_a_seal_that_disagree_name_nothing(models) -> None:
    """The photographed view names another city than the address's; the deblurred one
    names the address's: no name. The other way round, the photographed view agreeing
    with the address settles it (the deblurred view is not asked)."""
    sample = generate(DocType.DRIVINGLICENSE, seed=700014, mode="photo")
    page = reader.read(models, decode(sample.jpeg))
    truth = sample.truth["official_seal"]
    other = seal.SealReading(((JIUJIANG, -2.0 * len(JIUJIANG)),), share=1.0)
    photographed, deblurred = page.seal_readings()
    page.stamps = [other, deblurred]
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](page).fields
    assert page.stamps[1].name(truth) == truth and page.stamps[0].name(truth) == JIUJIANG
    assert "official_seal" not in fields
    page.stamps = [photographed, other]
    assert EXTRACTORS[DocType.DRIVINGLICENSE](page).fields["official_seal"] == truth


def test_seal_readings_round_trip_through_json() -> None:
    reading = _reading((NANCHANG, -12.5), (JIUJIANG, -20.25), share=0.999)
    assert seal.SealReading.from_json(reading.to_json()) == reading
    measured = seal.SealReading(reading.names, reading.share, length=15)
    assert seal.SealReading.from_json(measured.to_json()) == measured
