"""What a user has sent and not yet confirmed: the documents, full and unmasked, encrypted.

A recognition job adds the document it read (``bot/collect.py``); the user's
确认 moves the dossier into the outbox (``bot/callback.py``), 有误 or 取消 of a
flow drops it. One key per user, Fernet-encrypted with ``DATA_KEY``, with a
TTL: unconfirmed documents are forgotten on their own.

The handlers never see the fields: the webhook hands them a :class:`Collected`
(which flow, which types, whether a confirmation is awaited).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.incoming import Channel
from bot.store import Client, Vault, key
from handlers.state import Collected


@dataclass
class Document:
    """One recognized document as the operator receives it: the API's names, full values."""

    doc_type: str
    fields: dict[str, Any]
    checks: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Dossier:
    flow: str = ""  # "" for a single document
    docs: list[Document] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)  # across documents (flows)
    confirming: bool = False  # complete: waits for the user's 确认 or 有误
    done: bool = False  # a flow that ended and was sent on: no documents kept
    task_id: str = ""  # the confirmation buttons whose taps count (collect.new_task_id)
    last_job: str = ""  # the recognition job that last changed it, and what it told the user:
    last_reply: str = ""  # a retry of that job (its push failed) repeats, never re-counts

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Dossier:
        docs = [Document(**d) for d in data.get("docs", [])]
        return cls(
            flow=data.get("flow", ""),
            docs=docs,
            checks=list(data.get("checks", [])),
            confirming=bool(data.get("confirming")),
            done=bool(data.get("done")),
            task_id=data.get("task_id", ""),
            last_job=data.get("last_job", ""),
            last_reply=data.get("last_reply", ""),
        )

    def view(self) -> Collected:
        return Collected(
            flow=self.flow,
            doc_types=tuple(d.doc_type for d in self.docs),
            confirming=self.confirming,
            done=self.done,
            task_id=self.task_id,
        )


class Dossiers:
    """One encrypted, expiring key per user (``ocrbot:dossier:<channel>:<user>``)."""

    def __init__(self, vault: Vault, ttl: int) -> None:
        self.vault = vault
        self.ttl = ttl

    @staticmethod
    def name(channel: Channel, user: str) -> str:
        return key("dossier", channel.value, user)

    def load(self, channel: Channel, user: str, client: Client | None = None) -> Dossier | None:
        data = self.vault.get(self.name(channel, user), client)
        return Dossier.from_dict(data) if isinstance(data, dict) else None

    def decode(self, channel: Channel, user: str, token: bytes | None) -> Dossier | None:
        """The dossier from its stored token, read elsewhere (``bot/arrival.py``)."""
        data = self.vault.open(self.name(channel, user), token)
        return Dossier.from_dict(data) if isinstance(data, dict) else None

    def save(
        self, channel: Channel, user: str, dossier: Dossier, client: Client | None = None
    ) -> None:
        self.vault.put(self.name(channel, user), dossier.to_dict(), self.ttl, client)

    def view(self, channel: Channel, user: str) -> Collected:
        dossier = self.load(channel, user)
        return dossier.view() if dossier else Collected()
