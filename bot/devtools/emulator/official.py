"""The Official Account API (``api.weixin.qq.com``): tokens, media, messages, menu, OCR.

Every answer is JSON with HTTP 200, errors included, as WeChat does; only
``media/get`` answers raw bytes on success.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from bot.devtools.emulator import ocr
from bot.devtools.emulator.state import current_state
from bot.devtools.emulator.wxcodes import WxError, error, json_body

bp = Blueprint("official_api", __name__)

_NO_TOKEN_NEEDED = {"official_api.token", "official_api.stable_token"}

MENU_TYPES = {
    "click",
    "view",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
    "media_id",
    "article_id",
    "article_view_limited",
    "miniprogram",
}
MENU_KEY_TYPES = {
    "click",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
}


@bp.before_request
def _check_token() -> Response | None:
    if request.endpoint in _NO_TOKEN_NEEDED:
        return None
    state = current_state()
    if state.knobs.cloudrun and "access_token" not in request.args:
        return None  # WeChat Cloud Run's open API service: the caller needs no token
    code = state.check_token("official", request.args.get("access_token"))
    return jsonify(error(code)) if code else None


# -- access tokens -------------------------------------------------------------


def _check_app(appid: str | None, secret: str | None) -> None:
    config = current_state().config
    if appid != config.wechat_appid:
        raise WxError(40013)
    if secret != config.wechat_secret:
        raise WxError(40125)


@bp.get("/cgi-bin/token")
def token() -> Response:
    """Each call mints a new token; the previous one stays valid 5 minutes."""
    if request.args.get("grant_type") != "client_credential":
        raise WxError(40002)
    _check_app(request.args.get("appid"), request.args.get("secret"))
    access_token, expires_in = current_state().issue_token("official", "token", reuse=False)
    return jsonify({"access_token": access_token, "expires_in": expires_in})


@bp.post("/cgi-bin/stable_token")
def stable_token() -> Response:
    """The same token while it is valid, unless ``force_refresh``; separate from /token's."""
    body = json_body()
    if body.get("grant_type") != "client_credential":
        raise WxError(40002)
    _check_app(body.get("appid"), body.get("secret"))
    access_token, expires_in = current_state().issue_token(
        "official", "stable", reuse=True, force=bool(body.get("force_refresh"))
    )
    return jsonify({"access_token": access_token, "expires_in": expires_in})


# -- media -----------------------------------------------------------------------


def media_response(media_id: str | None, *, wecom: bool = False) -> Response:
    """The stored bytes as WeChat serves them, or ``40007 invalid media_id``."""
    media = current_state().get_media(media_id or "")
    if media is None:
        return jsonify(error(40007, wecom=wecom))
    response = Response(media.data, content_type=media.content_type)
    response.headers["Content-disposition"] = f'attachment; filename="{media.filename}"'
    return response


@bp.get("/cgi-bin/media/get")
def media_get() -> Response:
    return media_response(request.args.get("media_id"))


# -- customer-service messages ------------------------------------------------------


def _check_custom_message(body: dict[str, Any]) -> None:
    state = current_state()
    msgtype = body.get("msgtype")
    if msgtype == "text":
        if not str((body.get("text") or {}).get("content") or "").strip():
            raise WxError(44004)
    elif msgtype == "image":
        if state.get_media(str((body.get("image") or {}).get("media_id") or "")) is None:
            raise WxError(40007)
    elif msgtype == "msgmenu":
        if not state.knobs.msgmenu_allowed:
            raise WxError(40200)
        menu = body.get("msgmenu") or {}
        items = menu.get("list")
        if not isinstance(items, list) or not items:
            raise WxError(40035, "invalid args, msgmenu.list is empty")
        if not all(isinstance(i, dict) and i.get("id") and i.get("content") for i in items):
            raise WxError(40035, "invalid args, msgmenu item needs id and content")
    else:
        raise WxError(40008)


@bp.post("/cgi-bin/message/custom/send")
def custom_send() -> Response:
    """Text, image or msgmenu; inside the user's 48 h window (45015) and count (45047)."""
    body = json_body()
    touser = body.get("touser")
    if not isinstance(touser, str) or not touser:
        raise WxError(40003)
    _check_custom_message(body)
    state = current_state()
    code = state.consume_send(touser)
    if code:
        raise WxError(code)
    state.record_message("official", request.path, touser, body)
    return jsonify(error(0))


# -- custom menu ------------------------------------------------------------------------


def _check_button(button: Any, *, max_name_bytes: int) -> None:
    if not isinstance(button, dict):
        raise WxError(40017)
    name = str(button.get("name") or "")
    if not name or len(name.encode()) > max_name_bytes:
        raise WxError(40018)
    subs = button.get("sub_button")
    if subs:  # a parent: only its children act
        if max_name_bytes != 16 or not isinstance(subs, list) or len(subs) > 5:
            raise WxError(40023)
        for sub in subs:
            _check_button(sub, max_name_bytes=60)
        return
    kind = button.get("type")
    if kind not in MENU_TYPES:
        raise WxError(40017)
    key = str(button.get("key") or "")
    if kind in MENU_KEY_TYPES and not 0 < len(key.encode()) <= 128:
        raise WxError(40019)
    if kind in ("view", "miniprogram") and not str(button.get("url") or "").startswith("http"):
        raise WxError(40055)


@bp.post("/cgi-bin/menu/create")
def menu_create() -> Response:
    """1 to 3 buttons, each a leaf or a parent of up to 5 (WeChat's limits)."""
    body = json_body()
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WxError(40016)
    for button in buttons:
        _check_button(button, max_name_bytes=16)
    current_state().set_menu(body)
    return jsonify(error(0))


@bp.get("/cgi-bin/menu/get")
def menu_get() -> Response:
    menu = current_state().get_menu()
    if menu is None:
        raise WxError(46003)
    return jsonify({"menu": menu})


# -- OCR ---------------------------------------------------------------------------------


@bp.post("/cv/ocr/<name>")
def ocr_endpoint(name: str) -> Response:
    """Quota, then the image (size, decoding), then canned / local engine / 101001."""
    state = current_state()
    if name not in ocr.ENDPOINTS:
        return Response("Not Found", status=404)
    if not state.take_ocr_quota(name):
        raise WxError(101003)
    try:
        data = ocr.read_image(request, state.config.fetch_timeout)
        ocr.check_decodable(data)
    except ocr.ImageRefused as exc:
        raise WxError(exc.errcode) from exc
    canned = state.canned_for(hashlib.sha256(data).hexdigest(), name)
    if canned is not None:
        return jsonify({"errcode": 0, "errmsg": "ok", **canned})
    engine = current_app.extensions["emulator_engine"].get() if state.knobs.local_engine else None
    if engine is None:
        raise WxError(101001)
    mode = request.args.get("type", "photo")
    return jsonify(
        ocr.recognize(engine, data, name, mode if mode in ("photo", "scan") else "photo")
    )
