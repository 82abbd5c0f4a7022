"""After a recognition: what the user is sent, and what the bot keeps for the operator.

The user always gets the masked answer (``bot.cards``). The full fields go one
of three ways:

- confirmation on (``CONFIRM_RESULTS``, default with a result webhook): into the
  user's encrypted dossier, and the answer asks 确认 / 有误;
- confirmation off, a result webhook set: straight into the outbox as a
  ``document.confirmed`` event;
- neither: nowhere (they leave the job's memory with the job).

In a guided flow the photo is judged against the flow's next document first
(``handlers/flow_checks.py``), and the flow's summary is what is confirmed.
"""

from __future__ import annotations

import logging
import secrets
import uuid

from redis import WatchError
from redis.client import Pipeline

from bot import callback, cards, metrics
from bot.cards import Check
from bot.dossier import Document, Dossier
from bot.flows import Flow, find
from bot.incoming import Channel
from bot.ocr.base import Recognition
from bot.runtime import Runtime
from handlers import flow_checks as flow_rules
from handlers.state import ConfirmPrompt, Text

log = logging.getLogger(__name__)


def after_recognition(
    rt: Runtime,
    channel: Channel,
    user: str,
    rec: Recognition,
    flow_name: str = "",
    job_id: str = "",
) -> Text | ConfirmPrompt:
    """Keep what the operator must get; return what the user is told now.

    ``job_id``: the recognition job's; its retry (after a failed push) keeps and sends
    nothing twice.
    """
    checks = cards.checks(rec.doc_type, rec.fields)
    flow = find(rt.flows, flow_name) if flow_name else None
    if flow is not None:
        return flow_step(rt, channel, user, flow, rec, checks, job_id)
    doc = document(rec, checks)
    answer = cards.render(rec)
    if rt.settings.confirm:
        dossier = Dossier(docs=[doc], confirming=True, task_id=new_task_id(channel))
        rt.dossiers.save(channel, user, dossier)
        return ConfirmPrompt(answer, dossier.task_id)
    event = callback.event_for(Dossier(docs=[doc]), channel, user, callback.event_id_for(job_id))
    callback.submit(rt, event)
    return Text(answer)


def flow_step(
    rt: Runtime,
    channel: Channel,
    user: str,
    flow: Flow,
    rec: Recognition,
    checks: list[Check],
    job_id: str = "",
) -> Text | ConfirmPrompt:
    """Judge a flow's photo: re-ask, ask for the next document, or sum up and confirm.

    The dossier is WATCHed from load to save: when another worker changed it meanwhile
    (another photo of the same flow), this photo is judged again on what that one left.
    """
    with rt.redis.pipeline() as pipe:
        while True:
            try:
                pipe.watch(rt.dossiers.name(channel, user))
                answer, event = flow_step_once(rt, channel, user, flow, rec, checks, job_id, pipe)
                pipe.execute()
            except WatchError:
                pipe.reset()
                log.info("two photos of one flow at once: judging this one again")
                continue
            if event is not None:
                metrics.CALLBACKS.labels(event["type"], "queued").inc()
            return answer


def flow_step_once(
    rt: Runtime,
    channel: Channel,
    user: str,
    flow: Flow,
    rec: Recognition,
    checks: list[Check],
    job_id: str,
    pipe: Pipeline,
) -> tuple[Text | ConfirmPrompt, dict | None]:
    """One try of :func:`flow_step`: reads on ``pipe`` (WATCHing), then writes in MULTI."""
    dossier = rt.dossiers.load(channel, user, client=pipe)
    pipe.multi()
    if dossier is not None and job_id and dossier.last_job == job_id:  # this job, retried
        again = dossier.last_reply
        return (ConfirmPrompt(again, dossier.task_id) if dossier.confirming else Text(again)), None
    if dossier is None or dossier.flow != flow.name or dossier.confirming or dossier.done:
        dossier = Dossier(flow=flow.name)
    collected = [(d.doc_type, d.fields) for d in dossier.docs]
    verdict = flow_rules.judge(flow, collected, rec, checks)
    if not verdict.accepted:
        return Text(verdict.text), None
    dossier.docs.append(document(rec, checks))
    dossier.last_job = job_id
    if len(dossier.docs) < len(flow.documents):
        dossier.last_reply = verdict.text
        rt.dossiers.save(channel, user, dossier, client=pipe)
        return Text(verdict.text), None
    dossier.checks = [check_dict(c) for c in verdict.cross_checks]
    summary = flow_rules.summary(flow, dossier.docs, verdict.cross_checks)
    dossier.last_reply = summary
    if rt.settings.confirm:
        dossier.confirming, dossier.task_id = True, new_task_id(channel)
        rt.dossiers.save(channel, user, dossier, client=pipe)
        return ConfirmPrompt(summary, dossier.task_id), None
    event = callback.event_for(dossier, channel, user, callback.event_id_for(job_id))
    queued = callback.submit(rt, event, pipeline=pipe)
    ended = Dossier(flow=flow.name, done=True, last_job=job_id, last_reply=summary)
    rt.dossiers.save(channel, user, ended, client=pipe)  # the flow has ended; no fields kept
    return Text(summary), (event if queued is not None else None)


def submit(
    rt: Runtime, channel: Channel, user: str, dossier: Dossier | None, pipe: Pipeline
) -> dict | None:
    """The user confirmed: queue on ``pipe`` (the conversation's MULTI) the dossier's event
    for the operator, if one listens, and the dossier's end. Returns the event queued.

    All in the transaction that saves the state: the documents leave the dossier only
    together with the event that carries them.
    """
    if dossier is None or not dossier.docs:
        return None
    event = callback.event_for(dossier, channel, user)  # a new event id
    # The event is kept first, the documents taken away after: a write Redis refuses
    # stops the rest, and no document is lost (store.CheckedWrite).
    queued = callback.submit(rt, event, pipeline=pipe, fresh=True)
    if dossier.flow:  # it has ended
        rt.dossiers.save(channel, user, Dossier(flow=dossier.flow, done=True), client=pipe)
    else:
        pipe.delete(rt.dossiers.name(channel, user))
    return event if queued is not None else None


def document(rec: Recognition, checks: list[Check]) -> Document:
    """What the operator gets for one recognition: the API's names, full values."""
    return Document(
        doc_type=rec.doc_type.value,
        fields=dict(rec.fields),
        checks=[check_dict(c) for c in checks],
        warnings=list(rec.warnings),
    )


def check_dict(check: Check) -> dict:
    return {"name": check.name, "ok": check.ok, "message": check.message}


def new_task_id(channel: Channel, card: str = "ok", previous: str = "") -> str:
    """What a tap on a menu must match: a WeCom card's task_id (``card``, then 32 hex
    digits), or the six digits that start an Official Account msgmenu's item ids
    (``confirm.item_id``, ``choice.menu_item_id``), never the ``previous`` menu's."""
    if channel is Channel.WECOM:
        return f"{card}-{uuid.uuid4().hex}"
    token = previous
    while token == previous:
        token = str(100_000 + secrets.randbelow(900_000))
    return token
