"""Reading the round red seal: the seal reader on real RapidOCR inference over committed
synthetic licences (the scoring and naming rules are in tests/unit/test_seal_rules.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bot.ocr.local import load_models, seal
from bot.ocr.local.reader import decode
from tests.samples import SYNTH, find


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
