"""The Official Account's custom menu: read from ``bot/custom_menu.toml``, checked, pushed.

The file is the one place the menu is defined; ``ocrbot custom-menu sync`` and the
admin command ``/menu sync`` push it with ``menu/create``. It is checked here
against WeChat's limits and against the keys the bot answers, so a typo is
an error on our side, not a dead button on the users' phones.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot import flows
from bot.ocr.base import DocType
from bot.wechat_api import OfficialApi

MENU_FILE = Path(__file__).with_name("custom_menu.toml")
EXPLAIN_KEYS = frozenset({"HELP", "PRIVACY"})  # answered by handlers/events.py
TOP_NAME_BYTES, SUB_NAME_BYTES, MAX_BUTTONS, MAX_SUBS = 16, 60, 3, 5


class MenuError(ValueError):
    """The menu file breaks one of WeChat's limits or names a key the bot does not answer."""


def load(path: Path = MENU_FILE) -> dict[str, Any]:
    """The menu as ``menu/create`` takes it (``{"button": [...]}``), checked."""
    with path.open("rb") as f:
        menu = tomllib.load(f)
    check(menu)
    return menu


def check(menu: dict[str, Any]) -> None:
    buttons = menu.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise MenuError(f"a menu has 1 to {MAX_BUTTONS} buttons")
    for button in buttons:
        _check_name(button, TOP_NAME_BYTES)
        subs = button.get("sub_button")
        if subs is None:
            _check_leaf(button)
            continue
        if not 1 <= len(subs) <= MAX_SUBS:
            raise MenuError(f"{button['name']}: 1 to {MAX_SUBS} sub-buttons")
        for sub in subs:
            _check_name(sub, SUB_NAME_BYTES)
            _check_leaf(sub)


def _check_name(button: dict[str, Any], limit: int) -> None:
    name = str(button.get("name", ""))
    if not name or len(name.encode()) > limit:
        raise MenuError(f"button name {name!r}: 1 to {limit} bytes")


def _check_leaf(button: dict[str, Any]) -> None:
    kind = button.get("type")
    if kind == "view":
        if not str(button.get("url", "")).startswith("http"):
            raise MenuError(f"{button['name']}: a view button needs an http(s) url")
        return
    if kind != "click":
        raise MenuError(f"{button['name']}: only click and view buttons are supported")
    key = str(button.get("key", ""))
    flow_keys = {f.key for f in flows.load()}
    if not (key in EXPLAIN_KEYS or key in flow_keys or doc_type_of(key) is not None):
        raise MenuError(
            f"{button['name']}: key {key!r} is neither OCR_<TYPE>, a flow's key "
            "(bot/flows.toml), HELP nor PRIVACY"
        )


def doc_type_of(key: str) -> DocType | None:
    if not key.startswith("OCR_"):
        return None
    try:
        return DocType(key.removeprefix("OCR_").lower())
    except ValueError:
        return None


def click_keys(menu: dict[str, Any]) -> list[str]:
    """Every click key in the menu, in order (for tests and ``ocrbot custom-menu show``)."""
    keys = []
    for button in menu["button"]:
        for leaf in button.get("sub_button") or [button]:
            if leaf.get("type") == "click":
                keys.append(leaf["key"])
    return keys


def sync(api: OfficialApi, path: Path = MENU_FILE) -> dict[str, Any]:
    """Push the menu file to WeChat; raises ``ApiError`` when WeChat refuses it."""
    menu = load(path)
    api.create_menu(menu)
    return menu
