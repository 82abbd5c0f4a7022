"""The log formats on their own: text lines mask numbers; setup does not stack handlers
(tests/integration/test_logs.py follows a whole run's logs)."""

from __future__ import annotations

import io
import logging

from bot import logs
from bot.masking import mask_text

ID_NUMBER = "11010519491231002X"  # a valid test number (check digit X)


def test_text_format_carries_ids_and_masks_too() -> None:
    stream = io.StringIO()
    log = logging.getLogger("ocrbot.test.text")
    log.addHandler(logs.make_handler("text", stream))
    log.propagate = False
    try:
        log.warning("number %s", ID_NUMBER)
    finally:
        log.propagate = True
    line = stream.getvalue()
    assert "WARNING ocrbot.test.text: number 110***********002X" in line
    assert ID_NUMBER not in line


def test_setup_replaces_its_own_handler_instead_of_stacking() -> None:
    root = logging.getLogger()
    level = root.level
    try:
        logs.setup("INFO", "json")
        logs.setup("WARNING", "text")
        ours = [h for h in root.handlers if getattr(h, "ocrbot", False)]
        assert len(ours) == 1 and isinstance(ours[0].formatter, logs.TextFormatter)
        assert root.level == logging.WARNING
    finally:
        root.setLevel(level)


def test_ids_we_make_survive_the_masking() -> None:
    """Every line is masked; an id that looks like part of a card number would not match
    the ``X-Request-Id`` the client saw."""
    ids = [logs.new_id() for _ in range(20000)]
    assert len(set(ids)) == len(ids) and all(len(i) == 16 and i.isalnum() for i in ids)
    assert [i for i in ids if mask_text(i) != i] == []


def test_ids_are_written_as_they_are_and_the_message_is_masked() -> None:
    """An RQ job id (a uuid) can hold four groups of four digits, which the masking takes
    for a card number: the ids go into the line after the masking, in both formats."""
    job_id = "56ac0e8e-1543-4027-9572-1539f1d4c01e"
    assert mask_text(job_id) != job_id  # what happened to it before
    for log_format in ("text", "json"):
        stream = io.StringIO()
        handler = logs.make_handler(log_format, stream)
        record = logging.LogRecord(
            "ocrbot.test", logging.WARNING, __file__, 1, "n %s", (ID_NUMBER,), None
        )
        record.job_id, record.request_id, record.ids = job_id, "", f" [job_id={job_id}]"
        stream.write(handler.formatter.format(record))
        line = stream.getvalue()
        assert job_id in line and ID_NUMBER not in line and "110***********002X" in line
