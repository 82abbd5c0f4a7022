"""The WeCom app API (``qyapi.weixin.qq.com``), served under ``/wecom-api``.

Point ``WECOM_API_BASE`` at ``<emulator>/wecom-api``. WeCom differs from the
Official Account in small ways the emulator keeps: ``gettoken`` returns the
same token while it is valid, an unknown token is ``40014``, success bodies
carry ``errcode: 0``, and error messages end with a ``hint``.

Codes WeCom does not document for a case are the emulator's choice:
``40058`` (invalid parameter) for a bad or reused ``task_id``, a malformed
card, and an unknown or already used ``response_code``.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.devtools.emulator.config import WECOM_PREFIX
from bot.devtools.emulator.official import media_response
from bot.devtools.emulator.state import current_state
from bot.devtools.emulator.wxcodes import WxError, error, json_body

bp = Blueprint("wecom_api", __name__, url_prefix=WECOM_PREFIX)

TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
CARD_TYPES = {
    "text_notice",
    "news_notice",
    "button_interaction",
    "vote_interaction",
    "multiple_interaction",
}
INTERACTIVE_CARDS = CARD_TYPES - {"text_notice", "news_notice"}


@bp.before_request
def _check_token() -> Response | None:
    if request.endpoint == "wecom_api.gettoken":
        return None
    code = current_state().check_token("wecom", request.args.get("access_token"))
    return jsonify(error(code, wecom=True)) if code else None


@bp.get("/cgi-bin/gettoken")
def gettoken() -> Response:
    config = current_state().config
    if request.args.get("corpid") != config.wecom_corp_id:
        raise WxError(40013, "invalid corpid")
    if request.args.get("corpsecret") != config.wecom_secret:
        raise WxError(40001, "invalid secret")
    token, expires_in = current_state().issue_token("wecom", "gettoken", reuse=True)
    return jsonify({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": expires_in})


@bp.get("/cgi-bin/media/get")
def media_get() -> Response:
    return media_response(request.args.get("media_id"), wecom=True)


def _check_agent(body: dict[str, Any]) -> None:
    if str(body.get("agentid")) != str(current_state().config.wecom_agent_id):
        raise WxError(40056)


def _check_card(card: Any) -> bool:
    """Validate a template_card; True when it is interactive (answers a response_code)."""
    if not isinstance(card, dict) or card.get("card_type") not in CARD_TYPES:
        raise WxError(40058, "invalid parameter, card_type")
    if card["card_type"] not in INTERACTIVE_CARDS:
        return False
    task_id = str(card.get("task_id") or "")
    if not TASK_ID.match(task_id):
        raise WxError(40058, "invalid parameter, task_id")
    if card["card_type"] == "button_interaction":
        buttons = card.get("button_list")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6:
            raise WxError(40058, "invalid parameter, button_list")
        if not all(isinstance(b, dict) and b.get("text") and b.get("key") for b in buttons):
            raise WxError(40058, "invalid parameter, button needs text and key")
    if not current_state().claim_task_id(task_id):
        raise WxError(40058, "invalid parameter, task_id exists")
    return True


@bp.post("/cgi-bin/message/send")
def message_send() -> Response:
    """text, markdown, image or template_card to ``touser`` (``a|b``) of our agent."""
    body = json_body()
    _check_agent(body)
    users = [u for u in str(body.get("touser") or "").split("|") if u]
    if not users and not body.get("toparty") and not body.get("totag"):
        raise WxError(81013)
    state = current_state()
    msgtype = body.get("msgtype")
    answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "invaliduser": ""}
    if msgtype in ("text", "markdown"):
        if not str((body.get(msgtype) or {}).get("content") or "").strip():
            raise WxError(44004)
    elif msgtype == "image":
        if state.get_media(str((body.get("image") or {}).get("media_id") or "")) is None:
            raise WxError(40007)
    elif msgtype == "template_card":
        if _check_card(body.get("template_card")):
            answer["response_code"] = state.issue_response_code()
    else:
        raise WxError(40008)
    for user in users:
        state.record_message("wecom", request.path, user, body)
    answer["msgid"] = secrets.token_urlsafe(24)
    return jsonify(answer)


@bp.post("/cgi-bin/message/update_template_card")
def update_template_card() -> Response:
    """Update a card once per ``response_code`` (from message/send or a tap event)."""
    body = json_body()
    _check_agent(body)
    if not body.get("button") and not body.get("template_card"):
        raise WxError(40058, "invalid parameter, button or template_card")
    state = current_state()
    if not state.use_response_code(str(body.get("response_code") or "")):
        raise WxError(40058, "invalid parameter, response_code")
    for user in body.get("userids") or []:
        state.record_message("wecom", request.path, str(user), body)
    return jsonify({"errcode": 0, "errmsg": "ok", "invaliduser": []})
