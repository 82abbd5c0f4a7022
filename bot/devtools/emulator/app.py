"""A WeChat and WeCom API server for tests and ``ocrbot dev``.

WeChat's servers cannot be reached from here, so the bot is pointed at this
emulator instead::

    WECHAT_API_BASE = <emulator url>
    WECOM_API_BASE  = <emulator url>/wecom-api

It answers like WeChat, errors included (HTTP 200 with ``{"errcode", "errmsg"}``),
keeps everything in memory, and can play WeChat towards the bot's webhook
(``POST /_emulator/deliver``). With the ``cloudrun`` knob it also plays WeChat Cloud Run:
Official Account calls without an access token are accepted (its open API service), and
messages are pushed to the bot's ``/wxcloudrun`` (channel ``cloudrun``). The modules behind it:

- ``official``: ``/cgi-bin/...`` and ``/cv/ocr/...`` (Official Account)
- ``wecom``: ``/wecom-api/cgi-bin/...`` (WeCom app)
- ``control``: ``/_emulator/...`` inspection and control
- ``state``: the memory and its rules; ``ocr``: image intake; ``wxcodes``: error codes
- ``peer``: building, signing and posting callbacks with wechatpy

Every API call first meets the fault queue (``POST /_emulator/faults``), then
the access-token check, then the endpoint, and is logged for ``/_emulator/calls``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from bot.devtools.emulator import control as emulator_control
from bot.devtools.emulator import official as emulator_official
from bot.devtools.emulator import wecom as emulator_wecom
from bot.devtools.emulator.config import WECOM_PREFIX, EmulatorConfig
from bot.devtools.emulator.ocr import LocalEngineHolder
from bot.devtools.emulator.state import EmulatorState, current_state
from bot.devtools.emulator.wxcodes import WxError, error
from bot.devtools.peer import CloudRunPeer, Mode, OfficialPeer, WeComPeer

log = logging.getLogger(__name__)

SECRET_PARAMS = frozenset({"secret", "corpsecret"})
SUMMARY_CHARS = 500

__all__ = [
    "WECOM_PREFIX",
    "EmulatorConfig",
    "RunningEmulator",
    "create_emulator_app",
    "run_in_thread",
    "serve",
]


def create_emulator_app(config: EmulatorConfig) -> Flask:
    """The emulator as a Flask app; its state is ``app.extensions["emulator"]``."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # WeChat answers UTF-8 Chinese, not \\u escapes
    app.json.sort_keys = False
    app.extensions["emulator"] = EmulatorState(config)
    app.extensions["emulator_engine"] = LocalEngineHolder()
    app.register_blueprint(emulator_official.bp)
    app.register_blueprint(emulator_wecom.bp)
    app.register_blueprint(emulator_control.bp)
    app.before_request(_start_and_apply_faults)
    app.after_request(_record_call)
    app.register_error_handler(WxError, _wx_error)
    return app


def _is_api_call() -> bool:
    return not request.path.startswith("/_emulator/")


def _wx_error(exc: WxError) -> Response:
    return jsonify(error(exc.errcode, exc.errmsg, wecom=request.blueprint == "wecom_api"))


def _start_and_apply_faults() -> Response | None:
    """Start the call's clock; answer a queued fault for this path, if any."""
    g.started = time.perf_counter()
    if not _is_api_call():
        return None
    fault = current_state().take_fault(request.path)
    if fault is None:
        return None
    g.stall = fault.stall
    if fault.delay:
        time.sleep(fault.delay)
    if fault.status is not None:
        return Response("emulated server error", status=fault.status, content_type="text/plain")
    if fault.errcode is not None:
        wecom = request.path.startswith(WECOM_PREFIX + "/")
        return jsonify(error(fault.errcode, fault.errmsg, wecom=wecom))
    return None  # a pure delay or stall: answer normally


def _record_call(response: Response) -> Response:
    """Log the call for ``/_emulator/calls``: secrets left out, bodies summarized.

    A stalling fault waits here: the call was carried out, its answer comes late.
    """
    if not _is_api_call():
        return response
    errcode = None
    if response.mimetype == "application/json":
        answer = response.get_json(silent=True)
        if isinstance(answer, dict):
            errcode = answer.get("errcode", 0)
    elif response.status_code == 200:
        errcode = 0
    current_state().record_call(
        {
            "method": request.method,
            "path": request.path,
            "query": {k: v for k, v in request.args.items() if k not in SECRET_PARAMS},
            "body": _summary(),
            "status": response.status_code,
            "errcode": errcode,
            "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
        }
    )
    if g.get("stall"):
        time.sleep(g.stall)
    return response


def _summary() -> str:
    """A short description of the request body: uploads by size and hash, JSON truncated."""
    if request.files:
        parts = []
        for name, upload in request.files.items():
            upload.stream.seek(0)
            data = upload.stream.read()
            parts.append(f"{name}: {len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()}")
        return "; ".join(parts)
    raw = request.get_data(cache=True)
    if not raw:
        return ""
    try:
        body: Any = json.loads(raw)
    except ValueError:
        return f"{len(raw)} bytes"
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in SECRET_PARAMS}
    text = json.dumps(body, ensure_ascii=False)
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


# -- serving ---------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's access log without the query string: it carries secrets and tokens."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("%s %s -> %s", self.command, self.path.split("?", 1)[0], code)


def _make_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    return make_server(host, port, app, threaded=True, request_handler=_QuietHandler)


@dataclass
class RunningEmulator:
    """An emulator serving from a background thread (tests, ``ocrbot dev``)."""

    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread
    url: str

    @property
    def state(self) -> EmulatorState:
        return self.app.extensions["emulator"]

    @property
    def config(self) -> EmulatorConfig:
        return self.state.config

    @property
    def wechat_api_base(self) -> str:
        return self.url

    @property
    def wecom_api_base(self) -> str:
        return self.url + WECOM_PREFIX

    def bot_env(self) -> dict[str, str]:
        """The environment a bot needs to talk to this emulator."""
        return self.config.bot_env(self.url)

    def official_peer(
        self, mode: Mode | None = None, webhook_base: str | None = None
    ) -> OfficialPeer:
        """A peer to the bot's ``/wechat`` whose deliveries open the 48 h window."""
        peer = self.state.make_peer("official", mode, webhook_base)
        assert isinstance(peer, OfficialPeer)
        return peer

    def cloudrun_peer(self, format: str = "json", webhook_base: str | None = None) -> CloudRunPeer:
        """WeChat Cloud Run pushing to the bot's ``/wxcloudrun`` in ``json`` or ``xml``."""
        peer = self.state.make_peer("cloudrun", format, webhook_base)
        assert isinstance(peer, CloudRunPeer)
        return peer

    def wecom_peer(self, webhook_base: str | None = None) -> WeComPeer:
        peer = self.state.make_peer("wecom", None, webhook_base)
        assert isinstance(peer, WeComPeer)
        return peer

    def set_webhook_base(self, url: str) -> None:
        """Where the bot listens (``/wechat``, ``/wecom`` below it); survives :meth:`reset`."""
        self.config.webhook_base = url
        self.state.update_knobs({"webhook_base": url})

    def reset(self) -> None:
        """Forget everything (``POST /_emulator/reset``); settings back to the config's."""
        self.state.reset()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def run_in_thread(
    config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator:
    """Start the emulator on a daemon thread (``port=0``: a free port); returns at once."""
    app = create_emulator_app(config)
    server = _make_server(app, host, port)
    thread = threading.Thread(target=server.serve_forever, name="wechat-emulator", daemon=True)
    thread.start()
    return RunningEmulator(app, server, thread, f"http://{host}:{server.server_port}")


def serve(config: EmulatorConfig, host: str = "127.0.0.1", port: int = 8090) -> None:
    """Serve in the foreground until interrupted (``ocrbot emulator --port N``)."""
    app = create_emulator_app(config)
    server = _make_server(app, host, port)
    url = f"http://{host}:{server.server_port}"
    print(f"WeChat API emulator on {url}")
    print(f"  WECHAT_API_BASE={url}")
    print(f"  WECOM_API_BASE={url}{WECOM_PREFIX}")
    if config.webhook_base:
        print(f"  delivering to {config.webhook_base}/wechat and /wecom")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
