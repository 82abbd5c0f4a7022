"""What the bot remembers about one user between messages, and what a handler decides.

Plain values only: the handlers are pure functions from (Incoming, State,
Context) to Outcome; ``bot/store.py`` stores the State in Redis and
``bot/webhook.py`` carries the Outcome out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

from bot.flows import Flow
from bot.ocr.base import DocType


class Step(StrEnum):
    IDLE = "idle"
    AWAITING_TYPE = "awaiting_type"  # a photo waits for the user to say what it is
    AWAITING_PHOTO = "awaiting_photo"  # a type was chosen first; the next photo goes straight on
    IN_FLOW = "in_flow"  # a guided flow (``flow``) asks for its documents in turn


@dataclass(frozen=True)
class State:
    step: Step = Step.IDLE
    since: float = 0.0  # when this step began (epoch seconds)
    media_id: str = ""
    pic_url: str = ""
    doc_type: str = ""
    # The menu waiting for a tap: WeCom's card id, or the Official Account msgmenu's
    # token, the start of its items' ids (choice.menu_item_id).
    task_id: str = ""
    flow: str = ""  # IN_FLOW: the flow's name (bot/flows.toml)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> State:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["step"] = Step(known.get("step", Step.IDLE))
        return cls(**known)

    def expired(self, now: float, ttl: int) -> bool:
        return self.step is not Step.IDLE and now - self.since > ttl


IDLE = State()


@dataclass(frozen=True)
class Collected:
    """What the bot holds for the user and has not sent on (never the fields themselves)."""

    flow: str = ""  # the flow the documents belong to; "" for a single document
    doc_types: tuple[str, ...] = ()  # the documents collected so far (API names)
    confirming: bool = False  # complete, waiting for 确认 or 有误
    done: bool = False  # the flow ended and was sent on (nothing of it is kept)
    task_id: str = ""  # the confirmation buttons whose taps count (a card, a msgmenu)


@dataclass(frozen=True)
class Context:
    """What a handler may know about the world, handed in by the webhook."""

    now: float
    options: tuple[DocType, ...]  # the menu: the types the configured engine reads
    pending_ttl: int = 600  # seconds a pending photo (or a preselected type) stays valid
    is_admin: bool = False
    passive_results: bool = False  # results come back passively: 结果 fetches them
    blocked: bool = False  # an admin blocked this user: nothing is queued
    refusal_due: bool = False  # ... and today's one polite refusal has not been sent yet
    photo_retry_at: float = 0.0  # this photo is over the rate limit: when to try again
    collected: Collected = field(default_factory=Collected)
    flows: tuple[Flow, ...] = ()  # the guided flows on offer (bot/flows.toml)


@dataclass(frozen=True)
class Menu:
    """Ask which document a photo is. The channel decides how it looks:
    a numbered text, a msgmenu, or a WeCom card with buttons."""

    head: str
    options: tuple[DocType, ...]
    tail: str = "回复“取消”放弃"

    def as_text(self) -> str:
        lines = [self.head]
        lines += [f"{i}. {t.label}" for i, t in enumerate(self.options, 1)]
        lines.append(f"回复数字选择，{self.tail}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Recognize:
    """Queue a recognition of this image as this type."""

    doc_type: DocType
    media_id: str
    pic_url: str = ""
    flow: str = ""  # a step of this guided flow: the job checks the photo against the flow
    # When the photo arrived (epoch seconds), for "photo to answer" timing; not part of the ask.
    photo_at: float = field(default=0.0, compare=False)


@dataclass(frozen=True)
class Text:
    """Answer with this text (``""``: answer nothing, WeChat's ``success``)."""

    text: str = ""


@dataclass(frozen=True)
class TypeMenu:
    """Ask which document the photo is, as the channel shows menus best."""

    menu: Menu


@dataclass(frozen=True)
class CardUpdate:
    """WeCom: replace the tapped card's buttons with this text (the tap's only answer)."""

    text: str


@dataclass(frozen=True)
class StoredResult:
    """Answer with the result waiting for this user (passive reply mode, 结果)."""


@dataclass(frozen=True)
class AdminCommand:
    """An admin command, parsed and checked by ``handlers/admin.py``; its answer is the reply."""

    name: str  # stats, queue, retry, purge, engine, block, unblock, menu_sync, resend
    arg: str = ""


@dataclass(frozen=True)
class ConfirmPrompt:
    """Ask the user to confirm (确认) or reject (有误) what was read, with the channel's
    buttons where it has them; ``text`` leads the prompt. ``task_id``: the token of the
    dossier the prompt is about, which its buttons carry ("": the user's dossier now)."""

    text: str
    task_id: str = ""


# What the webhook answers: exactly one of these, read with one ``match``.
Answer = Text | TypeMenu | CardUpdate | StoredResult | AdminCommand | ConfirmPrompt

NOTHING = Text("")


@dataclass(frozen=True)
class Outcome:
    state: State = field(default_factory=State)
    answer: Answer = NOTHING
    recognize: Recognize | None = None
    submit: bool = False  # the user confirmed: send the collected documents to the operator
    discard: bool = False  # forget the collected documents (rejected, or a flow starts over)
    refused_command: str = ""  # a non-admin tried this admin command: logged, no arguments

    @property
    def text(self) -> str:
        """The text answer, ``""`` when the answer is something else (for tests and logs)."""
        return self.answer.text if isinstance(self.answer, Text) else ""


def step_to(step: Step, now: float, **changes: str) -> State:
    """A fresh state at ``step`` from ``now`` on (fields not given are cleared)."""
    return replace(IDLE, step=step, since=now, **changes)
