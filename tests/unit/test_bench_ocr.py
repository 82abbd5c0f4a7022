"""bench/ocr.py's helpers: which development-set photos it times, and its rows."""

from __future__ import annotations

from pathlib import Path

from bench.ocr import _rows, real_photos
from bench.realset import MANIFEST, rows_of
from bot.ocr.base import DocType


def test_real_photos_are_the_manifest_s_files_found_with_their_kinds(tmp_path: Path) -> None:
    plates = rows_of(MANIFEST, ["platenum"])[:2]
    card = rows_of(MANIFEST, ["bankcard"])[0]
    for row in [*plates, card]:
        (tmp_path / row["file"]).write_bytes(b"not a photo, never decoded here")
    found = real_photos(tmp_path, [DocType.PLATENUM])
    assert [(t, mode) for t, mode, _ in found] == [(DocType.PLATENUM, "photo")] * 2
    assert len(real_photos(tmp_path, [DocType.PLATENUM, DocType.BANKCARD])) == 3
    assert real_photos(tmp_path / "elsewhere", [DocType.PLATENUM]) == []


def test_the_rows_end_with_all_images_together() -> None:
    times = {"idcard": ([1.0, 2.0], [1.5, 2.5]), "platenum": ([0.5], [0.4])}
    rows = _rows(times)
    assert [name for name, _ in rows] == ["idcard", "platenum", "all"]
    assert rows[-1][1] == ([1.0, 2.0, 0.5], [1.5, 2.5, 0.4])
