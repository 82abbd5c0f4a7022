"""bench/realset.py: the hashed truth, the scoring, and one real run on a synthetic photo
laid out as the development set is (no real photo is in the repository)."""

from __future__ import annotations

import json

from bench.realset import MANIFEST, KindScore, digest, main, norm, score_photo
from bot.devtools.synth import generate


def test_the_committed_manifest_holds_hashes_only() -> None:
    rows = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert len(rows) >= 90
    for row in rows:
        assert set(row) <= {"file", "kind", "source", "fields"}
        assert all(len(h) == 32 and int(h, 16) >= 0 for h in row["fields"].values())


def test_norm_ignores_width_spaces_and_date_separators_only() -> None:
    assert norm("valid_from", "2015.6.18", "drivinglicense") == "2015-06-18"
    assert norm("number", "6222 0212 3456", "bankcard") == "622202123456"
    assert norm("number", "京A·12345", "platenum") == "京A12345"
    assert norm("name", "张 三", "idcard") == "张三" != norm("name", "张四", "idcard")
    assert digest("name", "张三", "idcard") != digest("addr", "张三", "idcard")  # salted per field


def test_a_wrong_number_without_a_warning_is_counted() -> None:
    row = {"file": "x.jpg", "kind": "idcard",
           "fields": {"id": digest("id", "11010519491231002X", "idcard"),
                      "name": digest("name", "张三", "idcard")}}  # fmt: skip
    score = KindScore()
    score_photo(row, {"id": "110105194912310021", "name": "张三"}, [], score)
    score_photo(row, {"id": "110105194912310021", "name": "张三"}, ["校验未通过"], score)
    assert (score.right["name"], score.right["id"], score.total["id"]) == (2, 0, 2)
    assert score.silent == 1 and len(score.misses) == 2


def test_a_run_on_a_folder_of_photos(tmp_path, capsys) -> None:
    sample = generate("drivinglicense", seed=1, mode="scan")
    (tmp_path / "drivinglicense_a.jpg").write_bytes(sample.jpeg)
    truth = {k: sample.truth[k] for k in ("id_num", "birth_date", "car_class")}
    fields = {k: digest(k, v, "drivinglicense") for k, v in truth.items()}
    fields["name"] = digest("name", "不是这个名字", "drivinglicense")
    manifest = tmp_path / "manifest.json"
    rows = [{"file": "drivinglicense_a.jpg", "kind": "drivinglicense", "fields": fields},
            {"file": "missing.jpg", "kind": "drivinglicense", "fields": fields}]  # fmt: skip
    manifest.write_text(json.dumps(rows), encoding="utf-8")
    assert main([str(tmp_path), "--manifest", str(manifest)]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 not in" in out
    assert "drivinglicense" in out and "3/4" in out and "name 0/1" in out


def test_without_the_dev_set_it_says_so(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("REALSET_DIR", raising=False)
    assert main([str(tmp_path / "nowhere")]) == 0
    assert "skipped" in capsys.readouterr().out
