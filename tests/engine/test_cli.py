"""The ``ocrbot recognize`` command, run as an operator would (a real process, real models)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.samples import find


def ocrbot(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # no Redis needed
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_recognize_json_one_object_a_line_masked_by_default() -> None:
    samples = [
        find("idcard", side="Front", mode="scan", rotation=0),
        find("platenum", mode="scan"),
        find("idcard", side="Back", mode="scan"),
    ]
    files = [s["path"] for s in samples]
    done = ocrbot("recognize", "--json", *map(str, files))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(f) for f in files]
    front, plate, back = lines
    expected = samples[0]["truth"]
    assert front["doc_type"] == "idcard" and front["type"] == "Front"
    assert (front["errcode"], front["errmsg"]) == (0, "ok")
    assert front["name"] == expected["name"]
    assert front["id"] == expected["id"][:3] + "*" * 11 + expected["id"][-4:]
    assert {c["name"] for c in front["checks"]} >= {"id_checksum"}
    assert isinstance(front["warnings"], list)
    assert plate["doc_type"] == "platenum"
    assert plate["number"] == samples[1]["truth"]["number"]
    assert back["type"] == "Back"


def test_recognize_unmasked_with_a_type() -> None:
    sample = find("idcard", side="Front", mode="scan", rotation=0)
    done = ocrbot("recognize", "--json", "--unmasked", "--type", "idcard", str(sample["path"]))
    assert done.returncode == 0, done.stderr
    [line] = [json.loads(x) for x in done.stdout.splitlines()]
    assert line["id"] == sample["truth"]["id"]


def test_recognize_reports_unreadable_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image")
    done = ocrbot("recognize", "--json", str(broken))
    assert done.returncode == 1
    [line] = [json.loads(x) for x in done.stdout.splitlines()]
    assert line["errcode"] == 101002 and line["failure"] == "bad_image"
