"""Logging for every process: one readable line, or one JSON object a line.

Each record carries the id of what it belongs to: ``request_id`` for a
webhook request (also sent back as ``X-Request-Id``), ``job_id`` inside an RQ
job. Every line, whoever logged it, goes through ``bot.masking.mask_text``
before it is written: no full ID or card number reaches a log even if some
code (ours or a library's) puts one in a message. The ids go in after it: ours
never hold a number, and a client's ``X-Request-Id`` is masked when it comes in.
That is the last line of defence, not the first: nothing should log fields in the
first place.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import IO

from flask import Flask, g, has_request_context, request
from rq import get_current_job

from bot.masking import mask_text

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s"
IDS_MARK = "\x00ids\x00"  # where the ids go, once the rest of the line is masked


def current_ids() -> dict[str, str]:
    """The request id and/or job id of the code running now."""
    ids = {}
    if has_request_context() and "request_id" in g:
        ids["request_id"] = g.request_id
    job = get_current_job()
    if job is not None:
        ids["job_id"] = job.id
    return ids


class IdsFilter(logging.Filter):
    """Attach ``request_id`` / ``job_id`` to every record (on the handler: all loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = current_ids()
        for name in ("request_id", "job_id"):
            setattr(record, name, ids.get(name, getattr(record, name, "")))
        shown = " ".join(f"{k}={v}" for k, v in ids.items())
        record.ids = f" [{shown}]" if shown else ""
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        # The ids go in after the masking: ours never hold a number (a client's request
        # id was masked when it came in), and a masked id no longer finds its lines.
        ids, record.ids = getattr(record, "ids", ""), IDS_MARK
        return mask_text(super().format(record)).replace(IDS_MARK, ids, 1)


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "request_id"?, "job_id"?, "exc"?}``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        line = {name: mask_text(value) for name, value in line.items()}
        for name in ("request_id", "job_id"):  # after the masking, as in TextFormatter
            if getattr(record, name, ""):
                line[name] = getattr(record, name)
        return json.dumps(line, ensure_ascii=False)


def make_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(IdsFilter())
    handler.ocrbot = True  # type: ignore[attr-defined]  # ours: replaced, not stacked
    return handler


def setup(log_level: str = "INFO", log_format: str = "text") -> None:
    """Configure the root logger once per process (called again: replaced, not doubled)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "ocrbot", False)]:
        root.removeHandler(old)
    root.addHandler(make_handler(log_format))
    root.setLevel(log_level.upper())


def new_id() -> str:
    """An id for a request or a worker, 16 characters of base32 (a-z, 2-7): a hex id can
    hold 13 digits in a row (a request id about once in 120), and the log masking then
    hides part of it as a card number."""
    return base64.b32encode(os.urandom(10)).decode().lower()


def init_app(app: Flask) -> None:
    """Give each request an id, in its log lines and in the ``X-Request-Id`` header."""

    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-Id", "")
        # A client's id is masked once, here: the logs and the echoed header then agree.
        g.request_id = mask_text(given[:64]) if given.isalnum() else new_id()

    @app.after_request
    def _echo_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-Id"] = g.request_id
        return response
