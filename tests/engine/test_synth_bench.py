"""bench/accuracy.py: its scoring, and one real run of the local engine on a plate."""

from __future__ import annotations

import json

from bench.accuracy import failure_lines, main, norm, run_one, score_fields
from bot.devtools.synth import generate
from bot.ocr.base import DocType


def test_norm_ignores_width_and_spaces_but_not_content():
    assert norm("有限责任公司（法人独资）") == norm("有限责任公司(法人独资)")
    assert norm("6222 0212 3456") == "622202123456"
    assert norm(["A<<B", "12"]) == "A<<B|12"
    assert norm("2015年01月01日") != norm("2015-01-01")


def test_missing_and_wrong_fields_count_as_misses():
    truth = {"number": "6222021234567890", "bank_name": "中国工商银行"}
    scores = {
        s.name: s for s in score_fields(DocType.BANKCARD, truth, {"number": "6222021234567890"})
    }
    assert scores["number"].exact and scores["number"].similarity == 1.0
    assert not scores["bank_name"].exact and scores["bank_name"].similarity == 0.0


def test_comm_is_scored_per_line():
    truth = {"items": [{"text": "第一行"}, {"text": "second line"}]}
    got = {"items": [{"text": "second line"}, {"text": "第一"}]}
    scores = score_fields(DocType.COMM, truth, got)
    assert [s.exact for s in scores] == [False, True]
    assert 0.5 < scores[0].similarity < 1.0


def test_an_unreadable_image_is_recorded_as_an_error():
    from bot.ocr.local.engine import LocalEngine

    sample = generate("platenum", seed=1, mode="scan")
    sample.jpeg = b"not an image at all"
    outcome = run_one(LocalEngine(), sample)
    assert outcome.error and outcome.error.startswith("read:")
    assert not any(s.exact for s in outcome.scores)
    fields = [line["field"] for line in failure_lines(outcome)]
    assert fields[:2] == ["_error", "_doc_type"] and "number" in fields


def test_one_real_run_prints_tables_and_writes_failures(tmp_path, capsys):
    failures = tmp_path / "failures.jsonl"
    args = ["--per-type", "1", "--types", "platenum", "--mode", "scan", "--seed", "7"]
    assert main([*args, "--failures", str(failures)]) == 0
    out = capsys.readouterr().out
    assert "platenum" in out and "platenum.number" in out and "mode / rotation" in out
    for line in failures.read_text("utf-8").splitlines():
        assert json.loads(line)["seed"] == 7
