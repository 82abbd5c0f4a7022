"""docs/integration.md says what the code does: its snippet verifies our signatures,
its flow examples load, its retry schedule is the default one."""

from __future__ import annotations

import re
import time
import tomllib
from pathlib import Path

from bot import callback, flows
from bot.config import Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "integration.md").read_text("utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def test_the_python_snippet_verifies_the_bots_signatures() -> None:
    snippet = next(b for b in blocks("python") if "def verify" in b)
    scope: dict = {}
    exec(snippet, scope)  # noqa: S102 - our own documentation
    verify = scope["verify"]
    body = b'{"event_id":"evt_1","type":"document.confirmed"}'
    now = int(time.time())
    header = callback.sign("whsec_doc", body, now)
    assert verify("whsec_doc", header, body)
    assert not verify("whsec_other", header, body)
    assert not verify("whsec_doc", header, body + b" ")
    assert not verify("whsec_doc", callback.sign("whsec_doc", body, now - 301), body)
    assert callback.verify("whsec_doc", header, body)  # the bot's own check agrees


def test_the_flow_examples_load() -> None:
    examples = [b for b in blocks("toml") if "[[flow]]" in b]
    assert len(examples) == 2
    loaded = [f for text in examples for f in flows.parse(tomllib.loads(text))]
    assert [f.name for f in loaded] == ["开户", "租车", "过户", "对公开户"]
    assert flows.parse(tomllib.loads(examples[0])) == flows.load()  # the bundled file


def test_the_retry_schedule_is_the_default() -> None:
    intervals = Settings.model_fields["result_webhook_retry_intervals"].default
    assert len(intervals) + 1 == 12 and "twelve tries over about 5 hours" in DOC
    assert 4.5 * 3600 < sum(intervals) < 5.5 * 3600
