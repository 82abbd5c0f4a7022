"""The OCR endpoints' rules: taking the image in, and where the answer comes from.

Answer order for an accepted image: a canned answer registered for its
sha256 (``POST /_emulator/ocr``), else the offline engine when
``bot.ocr.local`` is installed, else ``101001 certificate not found``.

Size limit: WeChat refuses images of 2 MB and more. Its documentation names
no code for that case; the emulator answers ``40006 invalid meida size``
(WeChat's code, and spelling, for an oversized media file).
"""

from __future__ import annotations

import io
import logging
import threading
from typing import Any

import requests
from flask import Request
from PIL import Image

from bot.ocr.base import DocType, Engine, Failure, OcrError

log = logging.getLogger(__name__)

ENDPOINTS = ("idcard", "bankcard", "drivinglicense", "driving", "bizlicense", "platenum", "comm")
MAX_IMAGE_BYTES = 2 * 1024 * 1024

# How an engine's failure reads in the API's codes.
_FAILURE_CODES = {
    Failure.NO_DOCUMENT: 101001,
    Failure.CONFIG: 101001,  # the engine does not read this type: nothing found
    Failure.BAD_IMAGE: 101002,
    Failure.QUOTA: 101003,
}


class ImageRefused(Exception):
    """The request's image cannot be used; ``errcode`` is what WeChat answers."""

    def __init__(self, errcode: int, detail: str = "") -> None:
        super().__init__(detail or str(errcode))
        self.errcode = errcode


def read_image(request: Request, fetch_timeout: float) -> bytes:
    """The image of an OCR call: multipart ``img``, else fetched from ``img_url``."""
    upload = request.files.get("img")
    if upload is not None:
        data = upload.read(MAX_IMAGE_BYTES + 1)
    elif request.args.get("img_url"):
        data = _fetch(request.args["img_url"], fetch_timeout)
    else:
        raise ImageRefused(41005, "no img and no img_url")
    if len(data) >= MAX_IMAGE_BYTES:
        raise ImageRefused(40006, f"{len(data)} bytes or more")
    if not data:
        raise ImageRefused(101002, "empty image")
    return data


def _fetch(url: str, timeout: float) -> bytes:
    """Download like WeChat does: anything but a 2xx answer is ``101000``."""
    try:
        with requests.get(url, timeout=timeout, stream=True) as response:
            if not response.ok:
                raise ImageRefused(101000, f"img_url answered {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_IMAGE_BYTES:
                    break
            return b"".join(chunks)
    except requests.RequestException as exc:
        raise ImageRefused(101000, f"img_url unreachable: {type(exc).__name__}") from exc


def check_decodable(data: bytes) -> None:
    """Raise ``101002`` unless Pillow can read the image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception as exc:  # Pillow raises many types for bad data; all mean the same here
        raise ImageRefused(101002, f"undecodable: {type(exc).__name__}") from exc


def sniff_image_type(data: bytes) -> str | None:
    """The image's MIME type as Pillow recognizes it, or None."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return Image.MIME.get(image.format or "")
    except Exception:  # not an image Pillow knows: the caller falls back
        return None


class LocalEngineHolder:
    """``bot.ocr.local.LocalEngine``, imported and built on first use, once.

    ``get()`` returns None when the module is not installed (it is optional for
    the emulator); any other failure to build it propagates.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._missing = False

    def get(self) -> Engine | None:
        with self._lock:
            if self._engine is None and not self._missing:
                try:
                    from bot.ocr.local import LocalEngine
                except ImportError as exc:
                    log.info("emulator OCR: no local engine (%s); un-canned images get 101001", exc)
                    self._missing = True
                    return None
                self._engine = LocalEngine()
            return self._engine


def recognize(engine: Engine, data: bytes, endpoint: str, mode: str) -> dict[str, Any]:
    """The engine's answer in the API's shape (``errcode``, ``errmsg`` and the fields)."""
    try:
        result = engine.recognize(data, DocType(endpoint), mode=mode)
    except OcrError as exc:
        code = exc.errcode or _FAILURE_CODES.get(exc.failure, -1)
        return {"errcode": code, "errmsg": str(exc)}
    return {"errcode": 0, "errmsg": "ok", **result.fields}
