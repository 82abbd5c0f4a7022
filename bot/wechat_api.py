"""Talking to the WeChat and WeCom APIs: tokens, pushes, media, menus.

wechatpy does the HTTP and the JSON; this module adds the policy the
platform asks for (``docs/wechat.md``):

- one access token per app shared by every process through Redis, fetched
  with ``stable_token`` (which does not invalidate other holders); inside
  WeChat Cloud Run (``WECHAT_CLOUDRUN``) none at all: its open API service
  takes calls without one;
- wechatpy clients with ``auto_retry=False``; on a bad token (40001, 40014,
  42001) we refresh once and retry once, never more;
- every failure becomes an :class:`ApiError` whose properties say what to
  do next (retry later, give up, record);
- every call, token fetches included, ends within ``HTTP_TIMEOUT`` seconds in
  all (:class:`DeadlineSession`), however slowly the other end answers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage
from wechatpy.work import WeChatClient as WeComClient

from bot.config import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
MSGMENU_NOT_ALLOWED = 40200
OUT_OF_WINDOW = 45015  # customer-service window closed, or the user unsubscribed
OUT_OF_COUNT = 45047  # too many customer-service messages since the user's last one
SYSTEM_BUSY = -1


class ApiError(Exception):
    """A WeChat API call that did not succeed. ``errcode`` is WeChat's, or
    ``-1`` for timeouts and connection errors, or ``-<HTTP status>`` for 5xx."""

    def __init__(self, errcode: int, errmsg: str, unanswered: bool = False) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.unanswered = unanswered

    def __reduce__(self):
        return (ApiError, (self.errcode, self.errmsg, self.unanswered))

    @property
    def transient(self) -> bool:
        """Worth retrying later with backoff: system busy, timeouts, 5xx."""
        return self.errcode == SYSTEM_BUSY or self.errcode <= -500

    # ``unanswered``: the request was sent but no answer came (read timeout): WeChat may
    # have carried it out. A push that ends so is not sent again (it would show twice).

    @property
    def bad_token(self) -> bool:
        return self.errcode in TOKEN_ERRORS

    @property
    def final(self) -> bool:
        """Retrying the same message cannot help: record it and stop."""
        return not self.transient and not self.bad_token


def _api_error(exc: BaseException) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, WeChatClientException):
        if exc.errcode is None:  # wechatpy's wrapper for an HTTP error status
            status = getattr(exc.response, "status_code", 500) or 500
            return ApiError(-int(status), f"HTTP {status}")
        return ApiError(int(exc.errcode), str(exc.errmsg))
    if isinstance(exc, requests.ReadTimeout):
        return ApiError(SYSTEM_BUSY, "network: ReadTimeout", unanswered=True)
    if isinstance(exc, requests.RequestException):
        return ApiError(SYSTEM_BUSY, f"network: {type(exc).__name__}")
    return ApiError(SYSTEM_BUSY, f"unreadable answer: {type(exc).__name__}")  # bad JSON


FAILURES = (ApiError, WeChatClientException, requests.RequestException, ValueError)


class DeadlineSession(requests.Session):
    """A requests session whose every call ends within ``total`` seconds, body included.

    requests' own ``timeout`` bounds each socket operation, so a server that
    answers a byte at a time could hold a call (and a worker) for ever, and a
    call made without one (wechatpy's ``gettoken``) could wait for ever. Here a
    call without a timeout gets ``total`` as one, and a timer shuts the socket
    down when ``total`` is spent: reading the body then fails at once.
    """

    def __init__(self, total: float) -> None:
        super().__init__()
        self.total = total

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        started = time.monotonic()
        kwargs["timeout"] = kwargs.get("timeout") or self.total
        stream = kwargs.get("stream", False)
        kwargs["stream"] = True  # the body is read below, under the timer
        res = super().send(request, **kwargs)
        timer = threading.Timer(max(0.0, self.total - (time.monotonic() - started)), _cut, [res])
        timer.daemon = True
        timer.start()
        close = res.close

        def close_and_disarm() -> None:
            timer.cancel()
            close()

        res.close = close_and_disarm  # type: ignore[method-assign]
        if not stream:
            try:
                res.content  # noqa: B018 - read it all now, as a non-streamed call does
            finally:
                timer.cancel()
        return res


def _cut(res: requests.Response) -> None:
    """Shut the response's socket down: a blocked read returns, the call fails."""
    sock = getattr(getattr(res.raw, "_connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _StableTokenClient(WeChatClient):
    """Official Account client that fetches tokens with ``cgi-bin/stable_token``."""

    def fetch_access_token(self) -> dict:
        res = self._http.post(
            f"{self.API_BASE_URL}stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": False,
            },
            timeout=self.timeout,
        )
        result = self._handle_result(res)  # raises WeChatClientException on errcode
        expires_in = int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result


class _CloudRunClient(WeChatClient):
    """Official Account client inside WeChat Cloud Run (微信云托管).

    Its open API service (开放接口服务) lets the container call WeChat's APIs with no
    ``access_token``: the platform vouches for the caller. ``access_token`` is None,
    which requests leaves out of the query, and no token is ever fetched.
    """

    @property
    def access_token(self) -> None:
        return None

    def fetch_access_token(self) -> dict:
        raise ApiError(41001, "no access token inside WeChat Cloud Run (open API service)")


class _WeComTokenClient(WeComClient):
    """WeCom client whose token URL follows ``WECOM_API_BASE``."""

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
        )


class _Api:
    """What both channels share: the call policy and media download."""

    client: WeChatClient | WeComClient

    def call(self, fn: Callable[[], T]) -> T:
        """Run one API call; on a bad token refresh once and retry once."""
        try:
            return fn()
        except FAILURES as exc:
            error = _api_error(exc)
        if not error.bad_token:
            raise error
        log.info("access token rejected (%s): refreshing once", error.errcode)
        self.client.session.delete(self.client.access_token_key)
        try:
            return fn()
        except FAILURES as exc:
            raise _api_error(exc) from None

    def download_media(self, media_id: str, limit: int) -> bytes:
        """The bytes of a temporary media file (``media/get``), at most ``limit`` of them.

        Streamed with requests rather than through wechatpy, which would read
        a file of any size into memory before we could refuse it.
        """

        def get() -> bytes:
            res = self.client._http.get(
                f"{self.client.API_BASE_URL}media/get",
                params={"access_token": self.client.access_token, "media_id": media_id},
                stream=True,
                timeout=self.client.timeout,
            )
            with res:
                if res.status_code >= 500:
                    raise ApiError(-res.status_code, f"HTTP {res.status_code}")
                kind = res.headers.get("Content-Type", "")
                if "json" in kind or "text/plain" in kind:  # WeChat's error answer
                    body = json.loads(read_limited(res, 64 * 1024) or b"{}")
                    raise ApiError(int(body.get("errcode", 40007)), body.get("errmsg", ""))
                return read_limited(res, limit)

        return self.call(get)

    def post_json(self, path: str, data: dict) -> dict:
        return self.call(lambda: self.client.post(path, data=data))


def fetch_url(url: str, limit: int, timeout: float) -> bytes:
    """Download a picture by URL (the PicUrl fallback), at most ``limit`` bytes.

    Redirects are refused, not followed: the URL was checked (``picture_url``),
    where a redirect would lead was not.
    """
    try:
        with (
            DeadlineSession(timeout) as http,
            http.get(url, stream=True, timeout=timeout, allow_redirects=False) as res,
        ):
            if res.is_redirect or 300 <= res.status_code < 400:
                raise ApiError(40007, f"redirect refused (HTTP {res.status_code})")
            if res.status_code != 200:
                raise ApiError(
                    -res.status_code if res.status_code >= 500 else 40007, f"HTTP {res.status_code}"
                )
            return read_limited(res, limit)
    except requests.RequestException as exc:
        raise _api_error(exc) from None


def read_limited(res: requests.Response, limit: int) -> bytes:
    """Read a streamed response, refusing anything larger than ``limit`` bytes."""
    declared = int(res.headers.get("Content-Length") or 0)
    if declared > limit:
        res.close()
        raise ApiError(40006, f"file too large ({declared} bytes)")
    chunks, size = [], 0
    for chunk in res.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            res.close()
            raise ApiError(40006, "file too large")
        chunks.append(chunk)
    return b"".join(chunks)


class OfficialApi(_Api):
    """Official Account (公众号) APIs the bot uses."""

    def __init__(self, settings: Settings, client: redis.Redis | None) -> None:
        """``client`` caches the access token for every process; None keeps it in this one
        (``ocrbot custom-menu sync`` without Redis: stable_token hands out the token the bot holds
        without invalidating it)."""
        session = MemoryStorage() if client is None else RedisStorage(client, prefix="ocrbot:token")
        token_client = _CloudRunClient if settings.wechat_cloudrun else _StableTokenClient
        self.client = token_client(
            settings.wechat_appid,
            settings.wechat_secret,
            session=session,
            timeout=settings.http_timeout,
            auto_retry=False,
        )
        self.client._http = DeadlineSession(settings.http_timeout)
        self.client.API_BASE_URL = settings.wechat_api_base.rstrip("/") + "/cgi-bin/"
        self.api_base = settings.wechat_api_base.rstrip("/")

    def send_text(self, user: str, text: str) -> None:
        self.post_json(
            "message/custom/send", {"touser": user, "msgtype": "text", "text": {"content": text}}
        )

    def send_msgmenu(self, user: str, head: str, items: list[tuple[str, str]], tail: str) -> None:
        menu = {
            "head_content": head,
            "list": [{"id": item_id, "content": text} for item_id, text in items],
            "tail_content": tail,
        }
        self.post_json(
            "message/custom/send", {"touser": user, "msgtype": "msgmenu", "msgmenu": menu}
        )

    def create_menu(self, menu: dict) -> None:
        self.post_json("menu/create", menu)

    def ocr(self, name: str, image: bytes, params: dict[str, str]) -> dict[str, Any]:
        """``POST cv/ocr/<name>`` with the image uploaded as multipart ``img``."""
        url = f"{self.api_base}/cv/ocr/{name}"
        return self.call(
            lambda: self.client.post(
                url, params=dict(params), files={"img": ("image.jpg", image, "image/jpeg")}
            )
        )


class WeComApi(_Api):
    """WeCom (企业微信) app APIs the bot uses."""

    def __init__(self, settings: Settings, client: redis.Redis) -> None:
        self.client = _WeComTokenClient(
            settings.wecom_corp_id,
            settings.wecom_secret,
            session=RedisStorage(client, prefix="ocrbot:token:wecom"),
            timeout=settings.http_timeout,
            auto_retry=False,
        )
        self.client._http = DeadlineSession(settings.http_timeout)  # gettoken had no timeout
        self.client.API_BASE_URL = settings.wecom_api_base.rstrip("/") + "/cgi-bin/"
        self.agent_id = settings.wecom_agent_id

    def _send(self, user: str, message: dict) -> dict:
        return self.post_json("message/send", {"touser": user, "agentid": self.agent_id, **message})

    def send_text(self, user: str, text: str) -> None:
        self._send(user, {"msgtype": "text", "text": {"content": text}})

    def send_button_card(
        self, user: str, task_id: str, title: str, desc: str, buttons: list[tuple[str, str]]
    ) -> None:
        """A ``template_card`` of type ``button_interaction``: one button per (key, text)."""
        card = {
            "card_type": "button_interaction",
            "main_title": {"title": title, "desc": desc},
            "task_id": task_id,
            "button_list": [{"text": text, "style": 1, "key": key} for key, text in buttons],
        }
        self._send(user, {"msgtype": "template_card", "template_card": card})
