"""Inspection and control of the emulator, under ``/_emulator/`` (JSON).

Tests, the chat simulator and ``ocrbot dev`` use these to prepare a scene
(upload an image, can an OCR answer, queue a fault, move the clock), to act
as WeChat (``deliver``), and to look at what the bot did (``messages``,
``calls``). Mistakes in these requests are HTTP 400 with ``{"error": ...}``,
not WeChat errcodes: they are the tester's errors, not the bot's.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, request

from bot import callback
from bot.devtools.emulator.ocr import sniff_image_type
from bot.devtools.emulator.state import Fault, current_state
from bot.devtools.peer import message_from_dict

bp = Blueprint("emulator_control", __name__, url_prefix="/_emulator")


class ControlError(Exception):
    """A malformed control request (HTTP 400)."""


@bp.errorhandler(ControlError)
def _control_error(exc: ControlError) -> tuple[Response, int]:
    return jsonify({"error": str(exc)}), 400


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        raise ControlError("expected a JSON object")
    return body


def _pic_url(media_id: str) -> str:
    return f"{request.host_url}_emulator/pic/{media_id}"


@bp.post("/media")
def upload_media() -> Response:
    """Store an image (multipart ``media``): it gets a ``media_id`` and a ``pic_url``."""
    upload = request.files.get("media")
    if upload is None:
        raise ControlError("multipart field 'media' is required")
    data = upload.read()
    content_type = sniff_image_type(data) or upload.mimetype or "application/octet-stream"
    media_id = current_state().add_media(data, content_type, upload.filename or "")
    return jsonify(
        {
            "media_id": media_id,
            "pic_url": _pic_url(media_id),
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }
    )


@bp.get("/pic/<media_id>")
def picture(media_id: str) -> Response:
    """The image behind a ``PicUrl`` (plain bytes, like WeChat's picture CDN)."""
    media = current_state().get_media(media_id)
    if media is None:
        return Response("not found", status=404)
    return Response(media.data, content_type=media.content_type)


@bp.get("/messages")
def messages() -> Response:
    return jsonify(current_state().messages_for(request.args.get("touser")))


@bp.get("/calls")
def calls() -> Response:
    """Every API call in order; ``?after=SEQ`` for only those after ``seq`` SEQ."""
    try:
        after = int(request.args.get("after", 0))
    except ValueError as exc:
        raise ControlError("after must be a call's seq number") from exc
    return jsonify(current_state().list_calls(after))


@bp.post("/results")
def receive_result() -> tuple[Response, int]:
    """The operator's end of the result webhook (``ocrbot dev`` points the bot here).

    Checks ``X-Ocrbot-Signature`` with ``result_webhook_secret`` as an operator
    would (docs/integration.md), keeps what arrived for the simulator's debug
    drawer, and answers 200, or 400 for a bad or stale signature.
    """
    body = request.get_data()
    secret = current_state().knobs.result_webhook_secret
    header = request.headers.get(callback.SIGNATURE_HEADER, "")
    verified = bool(secret) and callback.verify(secret, header, body)
    try:
        event = json.loads(body)
    except ValueError:
        event = None
    kept = current_state().record_result(
        {
            "verified": verified,
            "event_id": event.get("event_id") if isinstance(event, dict) else None,
            "type": event.get("type") if isinstance(event, dict) else None,
            "event": event,
        }
    )
    if not verified:
        return jsonify({"error": "bad signature", "seq": kept["seq"]}), 400
    return jsonify({"received": kept["event_id"], "seq": kept["seq"]}), 200


@bp.get("/results")
def results() -> Response:
    """What the result webhook delivered; ``?after=SEQ`` for the newer ones only."""
    try:
        after = int(request.args.get("after", 0))
    except ValueError as exc:
        raise ControlError("after must be a result's seq number") from exc
    return jsonify(current_state().list_results(after))


def _simulator_origin() -> str:
    """The bot's own origin (``webhook_base``), where the chat simulator page is served."""
    parts = urlsplit(current_state().knobs.webhook_base or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@bp.before_request
def _refuse_other_pages() -> Response | None:
    """A browser's request from any page but the simulator's is refused before it acts.

    Browsers send ``Origin`` with every cross-origin POST, even the "simple" ones
    that skip the preflight, so checking it here (not only in the answer's CORS
    headers) keeps an arbitrary web page from delivering messages or queueing
    faults while real credentials may be loaded. No ``Origin``: tests, curl.
    """
    origin = request.headers.get("Origin")
    if origin is not None and origin != _simulator_origin():
        return Response("origin not allowed", status=403, content_type="text/plain")
    return None


@bp.after_request
def _allow_the_simulator(response: Response) -> Response:
    """The chat simulator's page lives on the bot's origin: let it, and only it, read here."""
    origin = request.headers.get("Origin")
    if origin is not None and origin == _simulator_origin():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Vary"] = "Origin"
    return response


@bp.post("/ocr")
def canned_ocr() -> Response:
    """Register the answer for one image: JSON ``sha256`` or multipart ``img``, plus
    ``response`` (the API's fields, or an error such as ``{"errcode": 101001}``) and
    optionally ``endpoint`` to answer only on ``/cv/ocr/<endpoint>``."""
    if request.files.get("img") is not None:
        sha256 = hashlib.sha256(request.files["img"].read()).hexdigest()
        try:
            response = json.loads(request.form.get("response", ""))
        except ValueError as exc:
            raise ControlError("form field 'response' must be JSON") from exc
        endpoint = request.form.get("endpoint")
    else:
        body = _json()
        sha256, response, endpoint = body.get("sha256"), body.get("response"), body.get("endpoint")
    if not isinstance(sha256, str) or len(sha256) != 64:
        raise ControlError("sha256 must be 64 hex characters")
    if not isinstance(response, dict):
        raise ControlError("response must be a JSON object")
    current_state().set_canned(sha256, response, endpoint or None)
    return jsonify({"sha256": sha256.lower(), "endpoint": endpoint or None})


@bp.post("/faults")
def faults() -> Response:
    """Queue a fault: the next ``count`` calls to ``path`` answer it.

    ``{"path": ..., "errcode": 45015}``, ``{"status": 500}``, ``{"delay": 6}``
    (then answered normally, or with the errcode/status given alongside),
    ``{"stall": 6}`` (carried out normally, a message sent, but answered late:
    a client that times out first does not know it worked).
    ``path`` is the path as called: WeCom's start with ``/wecom-api``.
    """
    body = _json()
    path = body.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ControlError("path must be an API path such as /cgi-bin/message/custom/send")
    try:
        fault = Fault(
            errcode=None if body.get("errcode") is None else int(body["errcode"]),
            errmsg=body.get("errmsg"),
            status=None if body.get("status") is None else int(body["status"]),
            delay=float(body.get("delay", 0)),
            stall=float(body.get("stall", 0)),
            count=int(body.get("count", 1)),
        )
    except (TypeError, ValueError) as exc:
        raise ControlError(f"bad fault: {exc}") from exc
    if fault.errcode is None and fault.status is None and not fault.delay and not fault.stall:
        raise ControlError("a fault needs errcode, status, delay or stall")
    current_state().add_fault(path, fault)
    return jsonify({"path": path, **vars(fault)})


@bp.post("/tokens/expire")
def expire_tokens() -> Response:
    return jsonify({"expired": current_state().expire_tokens()})


@bp.post("/clock")
def clock() -> Response:
    """Move the emulator's clock: ``{"advance": seconds}`` (token expiry, 48 h window, quota)."""
    try:
        seconds = float(_json().get("advance", 0))
    except (TypeError, ValueError) as exc:
        raise ControlError("advance must be a number of seconds") from exc
    return jsonify({"now": current_state().advance(seconds)})


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Response:
    """Read or change the behaviour knobs (``POST /_emulator/reset`` restores them)."""
    if request.method == "GET":
        return jsonify(current_state().knobs.knobs())
    try:
        return jsonify(current_state().update_knobs(_json()))
    except ValueError as exc:
        raise ControlError(str(exc)) from exc


@bp.post("/deliver")
def deliver() -> Response:
    """Act as WeChat: deliver a message to the bot's webhook and show the exchange.

    ``{"channel": "official"|"wecom"|"cloudrun", "mode": "plain"|"compat"|"safe"
    (cloudrun: "json"|"xml"),
    "message": {"type": "text", "from": USER, "content": ...}, "tries": 1,
    "concurrent": false}``; optional ``until_answered``, ``webhook_base``,
    ``timestamp``, ``bad_signature``. An image given by ``media_id`` alone gets its PicUrl.
    """
    body = _json()
    state = current_state()
    channel = body.get("channel", "official")
    try:
        peer = state.make_peer(channel, body.get("mode"), body.get("webhook_base"))
        spec = dict(body.get("message") or {})
        if spec.get("type") == "image" and spec.get("media_id") and not spec.get("pic_url"):
            spec["pic_url"] = _pic_url(spec["media_id"])
        message = message_from_dict(peer, spec)
        tries = int(body.get("tries", 1))
    except (TypeError, ValueError) as exc:
        raise ControlError(str(exc)) from exc
    if not 1 <= tries <= 10:
        raise ControlError("tries must be 1 to 10")
    delivery = peer.deliver(
        message,
        tries=tries,
        concurrent=bool(body.get("concurrent", False)),
        until_answered=bool(body.get("until_answered", False)),
        timestamp=body.get("timestamp"),
        bad_signature=bool(body.get("bad_signature", False)),
    )
    return jsonify({"channel": channel, "url": peer.url, **delivery.to_dict()})


@bp.post("/reset")
def reset() -> Response:
    current_state().reset()
    return jsonify({"reset": True})
