"""Every outgoing call ends in time: WeCom's gettoken (no timeout before), a dripping answer.

requests' timeout bounds each socket read, so a server that answers a byte at a
time could hold a worker for ever; wechatpy's WeCom ``gettoken`` had no timeout
at all. Each test runs a call against a real socket that misbehaves, in a
thread, and asserts it has ended long before the server would let it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from cryptography.fernet import Fernet

from bot import callback, jobs
from bot.config import Settings
from bot.wechat_api import ApiError, OfficialApi, WeComApi, fetch_url

GIVE_UP_AFTER = 20.0  # seconds; the servers below would hold a call for minutes


class Tarpit:
    """Accepts connections and then answers ``head`` and one body byte per ``drip`` seconds
    (``head=None``: never answers at all)."""

    def __init__(self, head: bytes | None, drip: float = 0.2) -> None:
        self.head, self.drip = head, drip
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                if self.head is not None:
                    conn.sendall(self.head)
                while not self.stop.wait(self.drip):
                    if self.head is not None:
                        conn.sendall(b" ")
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def ends(call: Callable[[], object]) -> BaseException | None:
    """Run ``call`` in a thread; the exception it ended with (None if it returned)."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GIVE_UP_AFTER)
    assert not thread.is_alive(), "the call was still waiting"
    return outcome[0]


@pytest.fixture
def silent() -> Iterator[Tarpit]:
    pit = Tarpit(None)
    yield pit
    pit.close()


@pytest.fixture
def dripping() -> Iterator[Tarpit]:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
    pit = Tarpit(head, drip=0.1)
    yield pit
    pit.close()


def settings(base: str) -> Settings:
    return Settings(
        wechat_api_base=base,
        wecom_api_base=base,
        wecom_corp_id="ww1",
        wecom_secret="s",
        wechat_appid="wx1",
        wechat_secret="s",
        http_timeout=1.0,
        data_key=Fernet.generate_key().decode(),
    )


def test_wecom_gettoken_against_a_silent_server_ends(redis, silent: Tarpit) -> None:
    api = WeComApi(settings(silent.url), redis)
    error = ends(lambda: api.send_text("u", "hi"))
    assert isinstance(error, ApiError) and error.transient


@pytest.mark.parametrize("make", [WeComApi, OfficialApi])
def test_a_token_answer_dripping_a_byte_at_a_time_ends(redis, dripping: Tarpit, make) -> None:
    api = make(settings(dripping.url), redis)
    error = ends(lambda: api.send_text("u", "hi"))
    assert isinstance(error, ApiError) and error.transient


def test_a_picture_dripping_a_byte_at_a_time_ends(dripping: Tarpit) -> None:
    error = ends(lambda: fetch_url(dripping.url + "/pic.jpg", 10_000_000, 1.0))
    assert isinstance(error, ApiError) and error.transient


def test_media_get_dripping_ends(redis) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n"
    pit = Tarpit(head, drip=0.1)
    try:
        api = OfficialApi(settings(pit.url), redis)
        api.client.session.set(api.client.access_token_key, "tok", 600)  # skip the token call
        error = ends(lambda: api.download_media("m1", 10_000_000))
    finally:
        pit.close()
    assert isinstance(error, ApiError) and error.transient


def test_a_result_webhook_receiver_dripping_a_byte_at_a_time_ends(
    make_bot, dripping: Tarpit
) -> None:
    """requests' timeout bounds each read only: the callback POST has a total deadline."""
    bot = make_bot(result_webhook_url=dripping.url, result_webhook_secret="s", http_timeout=1.0)
    event = {"event_id": callback.event_id_for("job-1"), "type": "document.confirmed"}
    callback.submit(bot.runtime, event)
    jobs.install(bot.runtime)
    error = ends(lambda: callback.send_event(event["event_id"]))
    assert isinstance(error, callback.DeliveryFailed) and error.status == -1
    assert bot.runtime.outbox.get(event["event_id"]) is not None  # kept for the retry
