"""The log formats on their own: text lines mask numbers; setup does not stack handlers
(tests/integration/test_logs.py follows a whole run's logs)."""

from __future__ import annotations

import io
import logging

from bot import logs

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
