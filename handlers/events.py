"""Events: subscribe / enter_agent greet, custom-menu clicks preselect a type."""

from __future__ import annotations

from bot.incoming import Incoming

from . import confirm, flows
from .choice import on_card_button, on_choice, parse_choice
from .confirm import CONFIRM_KEY, REJECT_KEY
from .help import PRIVACY, greeting, help_text
from .state import IDLE, Context, Outcome, State, Text

GREETING_EVENTS = {"subscribe", "enter_agent"}


def on_event(msg: Incoming, state: State, ctx: Context) -> Outcome:
    if msg.event in GREETING_EVENTS:
        return Outcome(state=state, answer=Text(greeting(ctx)))
    if msg.event == "unsubscribe":
        return Outcome(state=IDLE)
    if msg.event == "template_card_event" and msg.event_key in (CONFIRM_KEY, REJECT_KEY):
        return confirm.on_card(msg.event_key, msg.task_id, state, ctx)
    if msg.event == "template_card_event":
        return on_card_button(msg.event_key, msg.task_id, state, ctx)
    if msg.event == "click":
        return on_click(msg.event_key, state, ctx)
    return Outcome(state=state)  # views, location reports, ...: nothing to say


def on_click(key: str, state: State, ctx: Context) -> Outcome:
    """Custom-menu buttons: ``OCR_<TYPE>`` preselects, ``HELP`` and ``PRIVACY`` explain."""
    if key == "HELP":
        return Outcome(state=state, answer=Text(help_text(ctx)))
    if key == "PRIVACY":
        return Outcome(state=state, answer=Text(PRIVACY))
    flow = flows.flow_named(key, ctx) if key.startswith("FLOW_") else None
    if flow is not None:
        return flows.start(flow, state, ctx)
    doc_type = parse_choice(key, ctx.options) if key.startswith("OCR_") else None
    if doc_type is None:
        return Outcome(state=state, answer=Text("这个菜单暂不可用。"))
    return on_choice(doc_type, state, ctx)
