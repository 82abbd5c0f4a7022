"""What is shown: no ID, card or passport number, VIN or MRZ line reaches the chat unmasked.

Every recorded recognizer output (tests/data/recorded, extracted again and as its
truth), every committed synthetic sample and fresh synthetic documents of every
type are rendered as the chat answer, and no truth number may appear in it.
Plate numbers are the one exception: reading a plate is the feature, and a
plate is public on the road.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot import cards
from bot.devtools.synth.generator import generate, supported_types
from bot.masking import mask_text
from bot.ocr.base import DocType, Recognition
from bot.ocr.local.extract.registry import EXTRACTORS
from bot.ocr.local.page import Page
from tests import samples

RECORDED = Path(__file__).parents[1] / "data" / "recorded"
SECRET_FIELDS = ("id", "number", "id_num", "vin")
FRESH_SEEDS = range(900, 903)


def secrets_of(doc_type: DocType, truth: dict[str, Any]) -> list[str]:
    """The numbers of ``truth`` that must never be shown whole."""
    found = [
        str(truth[name])
        for name in SECRET_FIELDS
        if truth.get(name) and not (doc_type is DocType.PLATENUM and name == "number")
    ]
    return found + [str(line) for line in truth.get("mrz", [])]


def leaks(text: str, secrets: list[str]) -> list[str]:
    compact = re.sub(r"\s", "", text)
    return [s for s in secrets if s in text or re.sub(r"\s", "", s) in compact]


def recorded() -> list[tuple[str, DocType, dict[str, Any], Recognition]]:
    out = []
    for path in sorted(RECORDED.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        doc_type, truth = DocType(data["source"]["doc_type"]), data["truth"]
        read = EXTRACTORS[doc_type](Page.from_json(data["page"]))
        shown = Recognition(doc_type, read.fields, "local", list(read.warnings))
        out.append((f"{path.stem}:read", doc_type, truth, shown))
        out.append((f"{path.stem}:truth", doc_type, truth, Recognition(doc_type, truth, "test")))
    return out


def committed_synth() -> list[tuple[str, DocType, dict[str, Any], Recognition]]:
    out = []
    for entry in samples.entries():
        doc_type, truth = DocType(entry["doc_type"]), entry["truth"]
        out.append((entry["file"], doc_type, truth, Recognition(doc_type, truth, "test")))
    return out


CASES = recorded() + committed_synth()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_no_number_reaches_the_chat_unmasked(case) -> None:
    _, doc_type, truth, recognition = case
    text = cards.render(recognition)
    assert leaks(text, secrets_of(doc_type, truth)) == []
    assert "<<" not in text  # no MRZ line, not even a misread one


@pytest.mark.parametrize("doc_type", supported_types(), ids=lambda d: d.value)
def test_fresh_synthetic_documents_of_every_type(doc_type: DocType) -> None:
    for seed in FRESH_SEEDS:
        sample = generate(doc_type, seed=seed, mode="scan")
        text = cards.render(Recognition(doc_type, sample.truth, "test"))
        assert leaks(text, secrets_of(doc_type, sample.truth)) == [], seed


def test_every_type_is_covered() -> None:
    covered = {doc_type for _, doc_type, _, _ in CASES}
    assert set(supported_types()) <= covered
    assert any(secrets_of(d, t) for _, d, t, _ in CASES if d is DocType.PASSPORT)


def test_the_passport_answer_shows_no_mrz_and_a_masked_number() -> None:
    truth = next(t for _, d, t, _ in CASES if d is DocType.PASSPORT)
    text = cards.render(Recognition(DocType.PASSPORT, {**truth, "mrz_valid": True}, "test"))
    assert cards.mask_passport(truth["number"]) in text
    assert truth["number"] not in text
    assert not any(line[5:20] in text for line in truth["mrz"])


def test_mask_text_masks_passport_numbers_and_mrz_lines() -> None:
    line1 = "POCHNPAN<<QIUJUN<<<<<<<<<<<<<<<<<<<<<<<<<<<<"
    line2 = "EQ31123932CHN6710152M2808288OKQJQMNX<<<<<<76"
    text = mask_text(f"read {line1}\n{line2}; passport E12345678, EA1234567 and G1234567.")
    for secret in (line1, line2, "E12345678", "EA1234567", "G1234567", "6710152", "QIUJUN"):
        assert secret not in text
    assert "E1*****78" in text and "EA*****67" in text


def test_mask_text_leaves_ordinary_words_and_codes_alone() -> None:
    text = "USCC 91110000600037341L, plate 京A12345, order A123, version 2026-11-30"
    assert mask_text(text) == text
