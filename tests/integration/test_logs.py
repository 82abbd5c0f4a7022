"""Structured logs: one JSON object a line with its request or job id; never a full number."""

from __future__ import annotations

import io
import json
import logging

from bot import logs
from bot.cards import mask_text
from tests.integration.test_flow import CARD_NUMBER, FRONT, ID_NUMBER, can, luhn_complete, photo


def test_a_full_run_logs_json_with_ids_and_no_full_numbers(make_bot, caplog) -> None:
    bot = make_bot(log_format="json", admin_users="admin1")
    stream = io.StringIO()
    ours = logs.make_handler("json", stream)
    root = logging.getLogger()
    root.addHandler(ours)
    card = luhn_complete(CARD_NUMBER[:15])
    try:
        with caplog.at_level(logging.DEBUG):  # everything, every library, unformatted
            official = bot.official("safe")
            image = photo(31)
            can(bot, image, FRONT)
            media_id, pic_url = bot.upload(image)
            official.deliver(official.image("olga", media_id, pic_url))
            official.deliver(official.text("olga", "1"))
            official.deliver(official.text("admin1", "/stats"))
            wecom = bot.wecom()
            image = photo(32)
            can(bot, image, {"errcode": 0, "errmsg": "ok", "number": card})
            media_id, _ = bot.upload(image)
            wecom.deliver(wecom.click("pavel", "OCR_BANKCARD"))
            wecom.deliver(wecom.image("pavel", media_id))
            assert bot.work() == 2
            logging.getLogger("test").warning("a careless line: %s %s", ID_NUMBER, card)
    finally:
        root.removeHandler(ours)

    answers = [m["body"]["text"]["content"] for m in bot.messages("olga") + bot.messages("pavel")]
    assert "张三" in answers[0] and card[-4:] in answers[1]  # the run did recognize both
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) > 10 and all({"ts", "level", "logger", "message"} <= set(x) for x in lines)
    assert any(x.get("request_id") and "admin command /stats" in x["message"] for x in lines)
    assert any(x.get("job_id") for x in lines)
    careless = [x["message"] for x in lines if x["logger"] == "test"]
    assert careless == [mask_text(f"a careless line: {ID_NUMBER} {card}")]
    assert careless[0].startswith("a careless line: 110***********002X 6222 ")

    everything = stream.getvalue() + "\n".join(
        r.getMessage() for r in caplog.records if r.name != "test"
    )
    for number in (ID_NUMBER, card):
        assert number not in everything
        assert number not in everything.replace(" ", "")


def test_each_request_gets_an_id_in_the_header(make_bot) -> None:
    import requests

    bot = make_bot()
    first = requests.get(f"{bot.url}/healthz", timeout=5).headers["X-Request-Id"]
    second = requests.get(f"{bot.url}/healthz", timeout=5).headers["X-Request-Id"]
    assert first != second and len(first) == 16
    given = requests.get(f"{bot.url}/healthz", headers={"X-Request-Id": "lb42"}, timeout=5)
    assert given.headers["X-Request-Id"] == "lb42"
    # A client's id that holds an ID number is masked once, as it comes in: the logs
    # (which write ids unmasked) and the echoed header agree and hold no number.
    hostile = {"X-Request-Id": "11010519491231002X"}
    masked = requests.get(f"{bot.url}/healthz", headers=hostile, timeout=5)
    assert masked.headers["X-Request-Id"] == "110***********002X"


def test_worker_names_survive_the_masking(redis) -> None:
    """RQ names a worker with 32 hex digits and writes the name in most of its log lines;
    one in 45 held a run of digits that every log line's masking took for a card number."""
    from rq import Queue

    from bot import jobs
    from bot.masking import mask_text

    queue = Queue("names", connection=redis)
    names = [jobs.Worker([queue], connection=redis).name for _ in range(2000)]
    assert len(set(names)) == len(names)
    assert [n for n in names if mask_text(n) != n] == []
