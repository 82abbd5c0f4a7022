"""Guided flows: which documents a customer must send, read from ``bot/flows.toml``.

An operator lists, per flow, the documents in the order they are asked for::

    [[flow]]
    name = "开户"                      # shown to the user, and sent in the callback
    key = "FLOW_OPEN_ACCOUNT"         # a custom-menu click key that starts it (optional)
    keywords = ["开户"]                # words that start it in a chat (optional)
    documents = ["idcard:front", "idcard:back", "bankcard"]

A document is a type's API name (``idcard``, ``bankcard``, ``drivinglicense``,
``driving``, ``bizlicense``, ``platenum``, ``passport``...), and for the ID
card its side (``idcard:front``, ``idcard:back``). The file is checked when it
is loaded, so a typo is an error at start-up, not a flow that cannot end.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.ocr.base import DocType

FLOWS_FILE = Path(__file__).with_name("flows.toml")
SIDES = {"front": "正面", "back": "背面"}
KEY_PREFIX = "FLOW_"
MAX_DOCUMENTS = 8


class FlowError(ValueError):
    """The flows file names an unknown document, repeats a name, or breaks a limit."""


@dataclass(frozen=True)
class Ask:
    """One document a flow asks for."""

    doc_type: DocType
    side: str = ""  # idcard only: "front" or "back"; "" accepts either

    @property
    def label(self) -> str:
        return self.doc_type.label + SIDES.get(self.side, "")

    @classmethod
    def parse(cls, text: str) -> Ask:
        name, _, side = text.strip().lower().partition(":")
        try:
            doc_type = DocType(name)
        except ValueError:
            raise FlowError(f"unknown document {text!r}") from None
        if doc_type in (DocType.AUTO, DocType.COMM):
            raise FlowError(f"{text!r}: a flow asks for a document, not {name}")
        if side and (doc_type is not DocType.IDCARD or side not in SIDES):
            raise FlowError(f"{text!r}: only idcard has a side (front or back)")
        return cls(doc_type, side)


@dataclass(frozen=True)
class Flow:
    name: str
    documents: tuple[Ask, ...]
    key: str = ""
    keywords: tuple[str, ...] = ()

    def plan(self) -> str:
        """``身份证正面 → 身份证背面 → 银行卡``"""
        return " → ".join(a.label for a in self.documents)


def parse(data: dict[str, Any]) -> tuple[Flow, ...]:
    flows = []
    for entry in data.get("flow", []):
        name = str(entry.get("name", "")).strip()
        if not name:
            raise FlowError("every flow needs a name")
        documents = tuple(Ask.parse(str(d)) for d in entry.get("documents", []))
        if not 1 <= len(documents) <= MAX_DOCUMENTS:
            raise FlowError(f"{name}: 1 to {MAX_DOCUMENTS} documents")
        key = str(entry.get("key", "")).strip()
        if key and not key.startswith(KEY_PREFIX):
            raise FlowError(f"{name}: a menu key starts with {KEY_PREFIX}")
        keywords = tuple(str(k).strip() for k in entry.get("keywords", []) if str(k).strip())
        flows.append(Flow(name, documents, key, keywords))
    words = [w for f in flows for w in {f.name, *f.keywords, f.key} if w]
    if len(set(words)) != len(words):
        raise FlowError("flow names, keys and keywords must be unique")
    return tuple(flows)


def load(path: Path | str = FLOWS_FILE) -> tuple[Flow, ...]:
    with Path(path).open("rb") as f:
        return parse(tomllib.load(f))


@cache
def load_cached(path: str) -> tuple[Flow, ...]:
    """The flows of ``path``, read once per process."""
    return load(path or FLOWS_FILE)


def find(flows: tuple[Flow, ...], name: str) -> Flow | None:
    return next((f for f in flows if f.name == name), None)
