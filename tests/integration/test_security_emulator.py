"""The dev emulator's control endpoints answer the simulator's page and no other page.

With ``Access-Control-Allow-Origin: *`` any web page a developer opened could drive
the emulator (deliver messages as any user, queue faults) while real credentials
may be loaded. A browser sends ``Origin`` with every cross-origin POST, even the
ones that skip the preflight, so a foreign origin is refused before anything acts.
"""

from __future__ import annotations

import requests

from bot.devtools.emulator import RunningEmulator

EVIL = "https://evil.example"


def test_a_foreign_page_cannot_deliver_or_read(emulator: RunningEmulator) -> None:
    emulator.set_webhook_base("http://127.0.0.1:8000")
    deliver = requests.post(
        f"{emulator.url}/_emulator/deliver",
        data='{"message": {"type": "text", "from": "victim", "content": "/stats"}}',
        headers={"Origin": EVIL, "Content-Type": "text/plain"},  # a "simple" request
        timeout=5,
    )
    assert deliver.status_code == 403
    assert "Access-Control-Allow-Origin" not in deliver.headers
    fault = requests.post(
        f"{emulator.url}/_emulator/faults",
        json={"path": "/cgi-bin/token", "errcode": -1},
        headers={"Origin": EVIL},
        timeout=5,
    )
    assert fault.status_code == 403
    assert emulator.state.take_fault("/cgi-bin/token") is None  # nothing was queued
    read = requests.get(f"{emulator.url}/_emulator/messages", headers={"Origin": EVIL}, timeout=5)
    assert read.status_code == 403 and "Access-Control-Allow-Origin" not in read.headers


def test_the_simulator_page_origin_is_allowed(emulator: RunningEmulator) -> None:
    emulator.set_webhook_base("http://127.0.0.1:8000")
    own = "http://127.0.0.1:8000"
    res = requests.get(f"{emulator.url}/_emulator/settings", headers={"Origin": own}, timeout=5)
    assert res.status_code == 200
    assert res.headers["Access-Control-Allow-Origin"] == own
    preflight = requests.options(
        f"{emulator.url}/_emulator/deliver",
        headers={"Origin": own, "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == own


def test_tests_and_tools_without_origin_still_work(emulator: RunningEmulator) -> None:
    res = requests.get(f"{emulator.url}/_emulator/settings", timeout=5)
    assert res.status_code == 200
    assert "Access-Control-Allow-Origin" not in res.headers
