"""What the reader spends on an image: the size the detector sees it at, and which lines
it reads twice. The time itself is measured in ``bench/ocr.py`` (ours against plain
RapidOCR); these tests pin the rules that keep it there. Real models, no mocks."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bot.devtools.synth import generate
from bot.ocr.base import DocType
from bot.ocr.local import LocalEngine, models, reader, seal
from bot.ocr.local.models import Models, crop_quad, det_size


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


def test_the_detector_sizes_an_image_as_rapidocr_does() -> None:
    """Short side at least 736, sides rounded to multiples of 32, never made smaller."""
    assert det_size(736, 938, 736) == (928, 736)
    assert det_size(540, 856, 736) == (1152, 736)  # a card scan is enlarged
    assert det_size(1004, 1280, 736) == (1280, 992)  # a large photo is left alone


def test_a_long_narrow_image_is_enlarged_like_any_other() -> None:
    """Capping the long side at ``WORK_SIDE`` would halve a plate scan's detector time
    (880 x 280 goes at 2,304 x 736), but a real driver's licence cropped to 722 x 266
    then lost its name, sex and nationality: small print needs the enlargement."""
    assert det_size(280, 880, 736) == (2304, 736)
    assert det_size(266, 722, 736) == (1984, 736)


def test_the_detector_finds_the_boxes_rapidocr_finds(engine: LocalEngine) -> None:
    """``Models.detect`` runs RapidOCR's detector with its own preprocessing (normalised
    in float32): the boxes are RapidOCR's own, within a pixel."""
    for doc_type in (DocType.IDCARD, DocType.BIZLICENSE):
        image = reader.rescale(reader.decode(generate(doc_type, seed=7, mode="photo").jpeg))
        ours = engine.models.detect(image.image)
        theirs = engine.models.det(image.image).boxes
        assert ours is not None and ours.shape == theirs.shape
        assert np.abs(ours.astype(int) - theirs.astype(int)).max() <= 1


def test_crops_read_in_short_runs_come_back_in_their_own_order(engine: LocalEngine) -> None:
    """A page's lines are read narrowest first, ``REC_BATCH`` at a time (a fifth faster
    than RapidOCR's runs of six): each text comes back at its crop's place, and reads as
    that crop does alone."""
    work = reader.rescale(reader.decode(generate(DocType.IDCARD, seed=7, mode="scan").jpeg))
    boxes = engine.models.detect(work.image)
    assert boxes is not None
    crops = [crop_quad(work.image, q) for q in boxes]
    crops.sort(key=lambda c: -c.shape[1] / c.shape[0])  # widest first: the reverse order
    assert len(crops) > 2 * models.REC_BATCH
    texts, scores = engine.models.recognize(crops, models.REC_BATCH)
    alone = [engine.models.recognize([c]) for c in crops]
    assert texts == [t[0] for t, _ in alone]
    assert scores == pytest.approx([s[0] for _, s in alone], abs=0.02)
    assert len({len(t) for t in texts}) > 2  # lines of many lengths, in their order


def test_only_lines_read_unsurely_are_read_again_without_red_ink(engine: LocalEngine) -> None:
    """A seal's red ink garbles the print it crosses, so those lines are read again with
    the red turned to paper; a line already read at ``SURE_SCORE`` or better is not (it
    never read differently), but the red-free image is still made for later re-reads."""
    work = reader.rescale(
        reader.decode(generate(DocType.DRIVINGLICENSE, seed=500000, mode="scan").jpeg)
    )
    boxes = reader.detect(engine.models, work.image)
    upright, quads = reader.turn(work.image, boxes, reader.orient(engine.models, work.image, boxes))
    crops = [crop_quad(upright, q) for q in quads]
    inked = [i for i, c in enumerate(crops) if seal.red_share(c) > seal.RED_SHARE]
    # A piece of the seal's own text has nothing left once the red is paper: the reader
    # keeps it out of the page (``_seal_characters``); the print the red crosses is what
    # is read again.
    seals = seal.find_seals(upright, within=reader._document(quads))
    own = reader._seal_characters(seals, quads, crops)
    printed = [i for i in inked if i not in own]
    assert len(printed) >= 3  # the case this test is about

    unsure_texts, unsure = ["?"] * len(crops), [0.5] * len(crops)
    reader._without_red_ink(engine.models, upright, quads, crops, unsure_texts, unsure)
    assert all(unsure_texts[i] != "?" for i in printed)  # read again, the new reading won
    assert max(unsure[i] for i in printed) > reader.SURE_SCORE  # it would beat a sure reading

    sure_texts, sure = ["?"] * len(crops), [reader.SURE_SCORE] * len(crops)
    clean = reader._without_red_ink(engine.models, upright, quads, crops, sure_texts, sure)
    assert sure_texts == ["?"] * len(crops)  # not read again
    assert clean is not upright and seal.red_share(clean) < seal.red_share(upright)


class _Counted(Models):
    """The real models, counting the crops the recognizer is given and noting the size
    (height, width) of each image the detector is given."""

    read: list[int]
    detected: list[tuple[int, int]]

    def recognize(
        self, crops: list[np.ndarray], run: int | None = None
    ) -> tuple[list[str], list[float]]:
        self.read.append(len(crops))
        return super().recognize(crops, run)

    def detect(self, img: np.ndarray) -> np.ndarray | None:
        self.detected.append(img.shape[:2])
        return super().detect(img)


def _counted(models: Models) -> _Counted:
    counted = _Counted(models.ocr, models.det, models.cls, models.rec)
    object.__setattr__(counted, "read", [])
    object.__setattr__(counted, "detected", [])
    return counted


def test_small_print_far_off_is_detected_again_at_full_size(engine: LocalEngine) -> None:
    """A vehicle licence beside its 副页, far off on a desk (seed 1240036, 1280 x 992):
    shrunk to a 736 short side, its boxes are small (``SMALL_PRINT``) and labels such
    as 发动机号码 and 注册日期 are lost with their values. The detector looks again at full
    size, and they are read."""
    sample = generate(DocType.DRIVING, seed=1240036, mode="photo", seal="round")
    work = reader.rescale(reader.decode(sample.jpeg))
    models = _counted(engine.models)
    reader.detect(models, work.image)
    assert models.detected == [(736, 950), work.image.shape[:2]]
    fields = engine.recognize(sample.jpeg, DocType.DRIVING).fields
    for key in ("engine_num", "register_date", "file_no"):
        assert fields[key] == sample.truth[key]


def test_a_page_on_its_side_with_print_of_a_usual_size_is_detected_once(
    engine: LocalEngine,
) -> None:
    """A business licence photographed on its side, its print 34 px high: the detector
    finds its boxes running down the photo (none missed upright on 139 such photos but a
    600 px copy's), so the page is not detected again once turned (``SIDE_PRINT``); a
    600 px copy's small print is (``test_a_page_on_its_side_is_boxed_again_once_upright``)."""
    sample = generate(DocType.BIZLICENSE, seed=1500000, mode="photo", rotation=90)
    work = reader.rescale(reader.decode(sample.jpeg))
    models = _counted(engine.models)
    page = reader.read(models, work.image)
    assert page.rotation in (90, 270) and len(page.lines) > 20
    assert len(models.detected) == 1
    small = reader.rescale(
        reader.decode(generate(DocType.BIZLICENSE, seed=882016, mode="photo").jpeg)
    )
    models = _counted(engine.models)
    assert reader.read(models, small.image).rotation == 270
    assert len(models.detected) == 2


def test_a_box_beside_a_tilted_line_is_not_covered_by_it() -> None:
    """A page on its side boxed again upright adds the boxes the old ones do not cover.
    On a tilted photo a long line's bounding rectangle spans the small print beside it
    (a bank card's VALID THRU beside its number, seed 1320022, found so; that card's
    print is too large to be boxed again now, ``SIDE_PRINT``): coverage is measured on
    the boxes themselves."""
    t = np.radians(20)
    along, across = np.array([np.cos(t), np.sin(t)]), np.array([-np.sin(t), np.cos(t)])
    line = np.array([[0, 0], 400 * along, 400 * along + 40 * across, 40 * across], np.float32)
    small = np.array([[40, 80], [100, 80], [100, 100], [40, 100]], np.float32)
    x0, y0 = line.min(axis=0)
    x1, y1 = line.max(axis=0)
    assert x0 <= 40 and x1 >= 100 and y0 <= 80 and y1 >= 100  # inside its rectangle
    assert reader._covered(small, line) == 0.0
    assert reader._covered(line, line) == pytest.approx(1.0)
    assert reader._covered(small, small + [30, 0]) == pytest.approx(0.5)


def test_a_box_is_as_high_as_its_shorter_side_whichever_way_it_lies() -> None:
    """Before orientation a page on its side has its lines running down: their height
    is the boxes' shorter side, not the side from their first corner to their last."""
    across = np.array([[[0, 0], [100, 0], [100, 10], [0, 10]]] * 3, dtype=np.float32)
    # The detector starts every box at its top-left corner and goes clockwise.
    down = np.array([[[0, 0], [10, 0], [10, 100], [0, 100]]] * 3, dtype=np.float32)
    assert reader._box_height(across) == reader._box_height(down) == 10.0


def test_a_document_that_fills_the_photo_is_detected_once_shrunk(engine: LocalEngine) -> None:
    """Print large enough shrunk (seed 1240049: a vehicle licence's main page filling
    the photo) is not looked at again: the detector sees the photo once, at a 736 short
    side."""
    work = reader.rescale(reader.decode(generate(DocType.DRIVING, seed=1240049, mode="photo").jpeg))
    models = _counted(engine.models)
    reader.detect(models, work.image)
    assert len(models.detected) == 1 and min(models.detected[0]) == reader.DET_SIDE


def test_an_upright_plate_is_read_once_for_its_orientation_and_its_text(
    engine: LocalEngine,
) -> None:
    """Too few lines for the classifier: the recognizer says which way round a plate
    reads. Read surely as it stands (``ORIENT_SURE``), it is not read turned as well,
    and that reading is the page's: the plate's line is read once in all."""
    work = reader.rescale(reader.decode(generate(DocType.PLATENUM, seed=900000, mode="scan").jpeg))
    models = _counted(engine.models)
    page = reader.read(models, work.image)
    assert page.rotation == 0 and len(page.lines) == 1
    assert page.lines[0].score >= reader.ORIENT_SURE  # the case this test is about
    assert models.read == [1]


def test_an_upside_down_plate_is_still_turned(engine: LocalEngine) -> None:
    """Read as it stands, a plate upside down is unsure: it is read turned too, and
    turned upright."""
    image = reader.decode(generate(DocType.PLATENUM, seed=900000, mode="scan").jpeg)
    work = reader.rescale(cv2.rotate(image, cv2.ROTATE_180))
    models = _counted(engine.models)
    page = reader.read(models, work.image)
    assert page.rotation == 180
    assert page.lines[0].score >= reader.ORIENT_SURE
    assert models.read == [1, 1, 1]  # as it stands, turned, then upright for the page
