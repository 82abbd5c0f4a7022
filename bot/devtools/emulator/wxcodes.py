"""WeChat and WeCom error codes the emulator answers, with their usual messages.

The messages follow what the real APIs say (typos included: "meida"), so a
log line from the emulator reads like one from production. Only the codes
matter to the bot; the messages are for humans.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from flask import request

WECOM_ERROR_DOC = "https://open.work.weixin.qq.com/devtool/query?e="

ERRMSG: dict[int, str] = {
    -1: "system error",
    0: "ok",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40006: "invalid meida size",  # sic: WeChat's spelling; used for the OCR 2 MB limit too
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40023: "invalid sub button size",
    40035: "invalid args",
    40055: "invalid button url domain",
    40056: "invalid agentid",
    40058: "invalid parameter",
    40125: "invalid appsecret",
    40200: "invalid msgmenu, account is not allowed to send msgmenu",
    41001: "access_token missing",
    41005: "media data missing",
    42001: "access_token expired",
    44002: "empty post data",
    44004: "empty content",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    46003: "menu no exist",
    47001: "data format error",
    81013: "user & party & tag all invalid",
    101000: "invalid image url",
    101001: "certificate not found",
    101002: "invalid image data",
    101003: "not enough market quota",
}


def error(code: int, errmsg: str | None = None, *, wecom: bool = False) -> dict[str, Any]:
    """WeChat's error body, with the request id suffix the real APIs add."""
    if code == 0:
        return {"errcode": 0, "errmsg": "ok"}
    message = errmsg or ERRMSG.get(code, "error")
    rid = secrets.token_hex(6)
    if wecom:
        hint = f"{int(time.time() * 1000)}{rid}"
        message = f"{message}, hint: [{hint}], more info at {WECOM_ERROR_DOC}{code}"
    else:
        message = f"{message} rid: {rid}"
    return {"errcode": code, "errmsg": message}


class WxError(Exception):
    """Answer this WeChat errcode; raised anywhere in a route, rendered by the app."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg


def json_body() -> dict[str, Any]:
    """The request's JSON object whatever its Content-Type (wechatpy posts bytes).

    An empty body is ``44002``, anything but a JSON object ``47001``, as WeChat answers.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise WxError(44002)
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise WxError(47001) from exc
    if not isinstance(body, dict):
        raise WxError(47001)
    return body
