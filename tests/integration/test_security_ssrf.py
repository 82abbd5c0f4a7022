"""What the worker fetches: a message's PicUrl reaches WeChat's image servers only.

A sender chooses the PicUrl. Before, a bogus MediaId plus a PicUrl at
127.0.0.1 made the worker fetch it and answer with what it found. Each test
here points the PicUrl at a real listening socket that records every
connection, and asserts that nothing connected.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from rq.job import JobStatus

from bot.config import Settings
from bot.runtime import picture_url
from bot.wechat_api import ApiError, fetch_url
from handlers.results import MEDIA_GONE
from tests.integration.test_flow import FRONT, can, photo
from tests.integration.test_jobs import fault, texts


class Listener:
    """A TCP socket on 127.0.0.1 that records each connection and answers ``reply``."""

    def __init__(self, reply: bytes = b"") -> None:
        self.reply = reply
        self.connections: list[tuple[str, int]] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self.connections.append(peer)
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(self.reply)
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


PICTURE = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # what an internal service would leak


@pytest.fixture
def listener() -> Iterator[Listener]:
    ok = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n" % len(PICTURE)
    server = Listener(ok + PICTURE)
    yield server
    server.close()


def send_photo(bot, user: str, media_id: str, pic_url: str) -> None:
    peer = bot.official()
    peer.deliver(peer.click(user, "OCR_IDCARD"))
    peer.deliver(peer.image(user, media_id, pic_url))


def test_the_listener_records_a_connection(listener: Listener) -> None:
    """The control: fetched directly, the listener sees the worker's connection."""
    assert fetch_url(f"http://127.0.0.1:{listener.port}/x.png", 1000, 5) == PICTURE
    assert len(listener.connections) == 1


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{port}/pic.jpg",
        "https://127.0.0.1:{port}/pic.jpg",
        "http://localhost:{port}/pic.jpg",
        "http://[::ffff:127.0.0.1]:{port}/pic.jpg",
        "https://mmbiz.qpic.cn@127.0.0.1:{port}/pic.jpg",
        "http://mmbiz.qpic.cn.127.0.0.1.nip.io:{port}/pic.jpg",
        "http://2130706433:{port}/pic.jpg",
        "file:///etc/passwd#{port}",
    ],
)
def test_a_bogus_media_id_and_a_hostile_pic_url_cause_no_connection(
    make_bot, listener: Listener, template: str
) -> None:
    bot = make_bot()
    send_photo(bot, "mallory", "no-such-media", template.format(port=listener.port))
    bot.work()
    assert listener.connections == []
    assert texts(bot, "mallory") == [MEDIA_GONE]  # nothing about what the URL holds


def test_the_emulator_pictures_are_allowed_only_in_development(emulator) -> None:
    own = f"{emulator.url}/_emulator/pic/abc"
    dev = Settings(env="development", emulator_url=emulator.url)
    prod = Settings(env="production", emulator_url=emulator.url, data_key=_key())
    unset = Settings(env="", emulator_url=emulator.url)
    assert picture_url(own, dev) == own
    assert picture_url(own, prod) is None
    assert picture_url(own, unset) is None
    assert picture_url(f"{emulator.url}/elsewhere", dev) is None


def test_wechat_image_hosts_are_fetched_over_https() -> None:
    settings = Settings(env="production", data_key=_key())
    url = "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg"
    assert picture_url(url, settings) == "https://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg"
    assert picture_url("https://mmbiz.qpic.cn:8443/x", settings) is None
    assert picture_url("https://evil.example/x", settings) is None
    assert picture_url("https://mmbiz.qpic.cn.evil.example/x", settings) is None
    for private in ("http://10.0.0.8/p.jpg", "https://169.254.169.254/latest/meta-data/"):
        assert picture_url(private, settings) is None


def test_redirects_are_refused_not_followed(listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}/secret"
    redirect = b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % target.encode()
    redirector = Listener(redirect)
    try:
        with pytest.raises(ApiError):
            fetch_url(f"http://127.0.0.1:{redirector.port}/pic.jpg", 1000, 5)
        assert len(redirector.connections) == 1
        assert listener.connections == []
    finally:
        redirector.close()


def test_pic_url_is_no_fallback_for_a_picture_too_large(make_bot) -> None:
    """A failure the second source cannot help with ends the job without fetching."""
    bot = make_bot()
    image = photo(31)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    fault(bot, "/cgi-bin/media/get", count=1, errcode=40006)
    send_photo(bot, "u31", media_id, pic_url)
    bot.work()
    [job] = bot.runtime.queue.failed_job_registry.get_job_ids() or [None]
    assert job is not None
    assert texts(bot, "u31") == [MEDIA_GONE]


def test_pic_url_is_the_fallback_for_an_expired_media_id(make_bot) -> None:
    bot = make_bot()
    image = photo(32)
    can(bot, image, FRONT)
    media_id, pic_url = bot.upload(image)
    fault(bot, "/cgi-bin/media/get", count=1, errcode=40007)
    send_photo(bot, "u32", media_id, pic_url)
    bot.work()
    [job] = bot.runtime.queue.finished_job_registry.get_job_ids()
    assert bot.runtime.queue.fetch_job(job).get_status() == JobStatus.FINISHED
    assert "张三" in texts(bot, "u32")[0]


def _key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()
