"""The chat simulator page, ``/simulator``: the bot as a WeChat user sees it.

A phone-width chat in the browser. Everything it shows goes through the real
path: the page uploads the photo to the WeChat API emulator and asks it to
deliver the message (``POST /_emulator/deliver``); the emulator signs and
encrypts it like WeChat, the bot's webhook verifies, decrypts and answers,
the worker recognizes, and the emulator receives the pushed answer, which the
page polls (``/_emulator/messages``, ``/_emulator/calls``) and renders.

This module only serves the page, its static files and the bundled sample
documents; the page talks to the emulator directly (the emulator allows CORS
on ``/_emulator/*`` for the bot's own origin, its ``webhook_base``, and no
other). It is mounted by :func:`register` only under an explicit
``ENV=development``: the page lets anyone act as any user.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, render_template, send_from_directory

from bot.config import Settings

HERE = Path(__file__).parent
SAMPLES_DIR = HERE / "samples"

# Who the page sends as: a fresh user per page load, or the admin from ADMIN_USERS.
ACCOUNT_NAME = "证件识别助手"

bp = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
)


@cache
def samples() -> list[dict[str, str]]:
    """The bundled sample documents (``samples/samples.json``): label, file, doc_type."""
    return json.loads((SAMPLES_DIR / "samples.json").read_text(encoding="utf-8"))


def page_config(settings: Settings) -> dict[str, Any]:
    """What the page needs to know, embedded in it as JSON (no secrets: ids and URLs only)."""
    return {
        "emulatorUrl": settings.emulator_url.rstrip("/"),
        "accountName": ACCOUNT_NAME,
        "channels": {
            "official": settings.official_enabled,
            "wecom": settings.wecom_enabled,
        },
        "encrypted": bool(settings.wechat_aes_key),
        "plaintext": settings.wechat_allow_plaintext or not settings.wechat_aes_key,
        "adminUser": min(a.partition(":")[2] for a in settings.admins) if settings.admins else "",
        "menuStyle": settings.wechat_menu_style.value,
        "replyMode": settings.wechat_reply_mode.value,
        "samples": [
            {**sample, "url": f"/simulator/samples/{sample['file']}"} for sample in samples()
        ],
    }


@bp.get("/")
def page() -> str:
    from bot.webhook import rt  # the runtime of the app serving this request

    return render_template("simulator.html", config=page_config(rt().settings))


@bp.get("/samples/<path:name>")
def sample(name: str) -> Response:
    return send_from_directory(SAMPLES_DIR, name, max_age=3600)


def register(app: Flask, settings: Settings) -> bool:
    """Mount the page only when development was asked for (``ENV=development``, as
    ``ocrbot dev`` sets it), never by default; True when mounted."""
    if not settings.is_development:
        return False
    app.register_blueprint(bp)
    return True
