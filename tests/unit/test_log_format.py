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


def test_request_ids_we_make_survive_the_masking() -> None:
    """Every line is masked; an id that looks like part of a card number would not match
    the ``X-Request-Id`` the client saw."""
    ids = [logs.new_request_id() for _ in range(20000)]
    assert len(set(ids)) == len(ids) and all(len(i) == 16 and i.isalnum() for i in ids)
    assert [i for i in ids if mask_text(i) != i] == []
