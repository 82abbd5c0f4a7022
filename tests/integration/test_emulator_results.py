"""The emulator's result-webhook receiver: what ``ocrbot dev`` shows in the debug drawer.

The bot, the emulator and the worker are real; the receiver is the emulator's
``/_emulator/results``, which checks each signature with the operator's secret.
"""

from __future__ import annotations

import requests

from bot.callback import sign
from bot.devtools.emulator.config import RESULTS_PATH
from tests.integration.test_callback import send_idcard
from tests.integration.test_flow import ID_NUMBER

SECRET = "whsec_emulator_test"


def results(bot) -> list[dict]:
    res = requests.get(f"{bot.emulator.url}/_emulator/results", timeout=10)
    res.raise_for_status()
    return res.json()


def test_a_confirmed_document_arrives_verified_at_the_emulator(make_bot, emulator) -> None:
    emulator_bot = make_bot_with_receiver(make_bot, emulator)
    peer = emulator_bot.official("safe")
    send_idcard(emulator_bot, peer, "ivy", 40)
    peer.deliver(peer.text("ivy", "确认"))
    emulator_bot.work()
    [arrived] = results(emulator_bot)
    assert arrived["verified"] is True and arrived["type"] == "document.confirmed"
    assert arrived["event"]["fields"]["id"] == ID_NUMBER  # the drawer shows what the operator gets


def test_a_bad_signature_is_refused_and_shown_as_such(make_bot, emulator) -> None:
    bot = make_bot_with_receiver(make_bot, emulator)
    body = b'{"event_id":"evt_x","type":"document.confirmed"}'
    url = bot.emulator.url + RESULTS_PATH
    forged = requests.post(
        url, data=body, headers={"X-Ocrbot-Signature": sign("wrong", body, 1)}, timeout=10
    )
    assert forged.status_code == 400
    stale = requests.post(
        url, data=body, headers={"X-Ocrbot-Signature": sign(SECRET, body, 1)}, timeout=10
    )
    assert stale.status_code == 400  # right key, but outside the replay window
    assert [r["verified"] for r in results(bot)] == [False, False]


def make_bot_with_receiver(make_bot, emulator):
    """A bot whose results go to the emulator, which checks them with ``SECRET``."""
    bot = make_bot(
        result_webhook_url=emulator.url + RESULTS_PATH,
        result_webhook_secret=SECRET,
        result_webhook_retry_intervals=[0],
    )
    bot.emulator_post("settings", result_webhook_secret=SECRET)
    return bot
