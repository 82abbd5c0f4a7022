"""WeChat Cloud Run (微信云托管): its message push to ``/wxcloudrun`` and its open API service.

The emulator plays Cloud Run (``cloudrun`` knob): it pushes the Official Account's messages
unsigned, as JSON or XML, with WeChat's ``x-wx-source`` header, and takes API calls that
carry no access token. Real HTTP both ways, a real Redis, RQ's SimpleWorker.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
import requests
from PIL import Image
from prometheus_client import REGISTRY

from bot.devtools.fuzz import to_xml
from bot.devtools.redis_server import free_port
from bot.incoming import Channel
from tests.integration.test_flow import FRONT, ID_NUMBER

NO_WEBHOOK_CREDENTIALS = {"wechat_token": "", "wechat_aes_key": "", "wechat_secret": ""}


def photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (200 + seed, 180, 160)).save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def cloudrun_bot(make_bot):
    """A bot configured as in Cloud Run: no token, AES key or secret; the emulator as Cloud Run."""
    bot = make_bot(wechat_cloudrun=True, **NO_WEBHOOK_CREDENTIALS)
    bot.emulator_post("settings", cloudrun=True)
    return bot


def push(url: str, body: str, source: bool = True, **headers: str) -> requests.Response:
    if source:
        headers["x-wx-source"] = "wx-cloudrun-push"
    return requests.post(f"{url}/wxcloudrun", data=body.encode(), headers=headers, timeout=10)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_idcard_end_to_end_with_no_access_token(cloudrun_bot, fmt: str) -> None:
    bot = cloudrun_bot
    peer = bot.emulator.cloudrun_peer(fmt, webhook_base=bot.url)
    image = photo(1)
    bot.emulator_post("ocr", sha256=hashlib.sha256(image).hexdigest(), response=FRONT)
    media_id, pic_url = bot.upload(image)

    first = peer.deliver(peer.image("alice", media_id, pic_url))
    assert first.status == 200, first.body
    reply = first.reply
    assert reply is not None and reply["MsgType"] == "text"
    assert "1. 身份证" in reply["Content"]
    assert (reply["ToUserName"], reply["FromUserName"]) == ("alice", bot.emulator.config.account_id)
    if fmt == "json":  # the reply in the request's format
        assert json.loads(first.body)["CreateTime"] > 0 and first.reply_xml is None
    else:
        assert first.body.startswith("<xml>") and first.reply_xml is not None

    chosen = peer.deliver(peer.text("alice", "1"))
    assert "正在识别身份证" in chosen.reply["Content"]
    assert bot.work() == 1

    [sent] = bot.messages("alice")
    answer = sent["body"]["text"]["content"]
    assert "张三" in answer and "110***********002X" in answer and ID_NUMBER not in answer

    calls = requests.get(f"{bot.emulator.url}/_emulator/calls", timeout=10).json()
    paths = [c["path"] for c in calls]
    assert paths == ["/cgi-bin/media/get", "/cv/ocr/idcard", "/cgi-bin/message/custom/send"]
    assert all("access_token" not in c["query"] and c["errcode"] == 0 for c in calls)


def test_a_retried_push_is_answered_once(cloudrun_bot) -> None:
    bot = cloudrun_bot
    peer = bot.emulator.cloudrun_peer("json", webhook_base=bot.url)
    media_id, pic_url = bot.upload(photo(2))
    peer.deliver(peer.click("bob", "OCR_IDCARD"))
    delivery = peer.deliver(peer.image("bob", media_id, pic_url), tries=3)
    replies = {a.reply["Content"] for a in delivery.attempts}
    assert len(replies) == 1 and "正在识别身份证" in replies.pop()
    assert len(bot.runtime.queue) == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_consoles_path_check_is_answered_success(cloudrun_bot, fmt: str) -> None:
    check = cloudrun_bot.emulator.cloudrun_peer(fmt, webhook_base=cloudrun_bot.url).path_check()
    assert check.ok and (check.status, check.answer) == (200, "success")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_without_wechats_header_are_refused(cloudrun_bot, fmt: str) -> None:
    bot = cloudrun_bot
    peer = bot.emulator.cloudrun_peer(fmt, webhook_base=bot.url)
    peer.source = False
    assert peer.path_check().status == 403
    refused = peer.deliver(peer.text("mallory", "1"))
    assert refused.status == 403
    assert bot.runtime.redis.keys("ocrbot:state:*") == []  # nothing was processed


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        '{"MsgType": "text", "Content": "hi"}',  # no FromUserName
        '{"FromUserName": "eve", "MsgType": "text", "CreateTime": "yesterday"}',
        "<xml><FromUserName>eve</Fro",
        "<xml></xml>",
        "hello",
        "",
    ],
)
def test_malformed_pushes_are_a_clean_400(cloudrun_bot, body: str) -> None:
    assert push(cloudrun_bot.url, body).status_code == 400


HOSTILE_TEXT = {
    "lone surrogate": "\ud800",
    "control character": "u\x01",
    "U+FFFE": "u\ufffe",
    "end of CDATA": "a]]>b",
}


@pytest.mark.parametrize("field", ["FromUserName", "ToUserName", "Content"])
@pytest.mark.parametrize("text", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_text_no_xml_can_carry_is_a_clean_400(cloudrun_bot, fmt, text, field) -> None:
    """It would go into Redis keys and back into the reply's XML: a 500 after processing."""
    fields = {"ToUserName": "gh_x", "FromUserName": "mallory", "MsgType": "text"}
    fields |= {"Content": "帮助", "CreateTime": "1700000000", "MsgId": "42", field: text}
    # JSON writes \ud800 as an escape (valid JSON); the XML splits ]]> over two CDATA sections.
    body = json.dumps(fields).encode() if fmt == "json" else to_xml(list(fields.items()))
    res = requests.post(
        f"{cloudrun_bot.url}/wxcloudrun", data=body, headers={"x-wx-source": "x"}, timeout=10
    )
    assert res.status_code == 400
    assert cloudrun_bot.runtime.redis.keys("ocrbot:*") == []  # nothing was processed


def test_other_messages_get_a_hint_and_silent_events_success(cloudrun_bot) -> None:
    base = {"ToUserName": "gh_x", "FromUserName": "frank", "CreateTime": 1}
    voice = push(cloudrun_bot.url, json.dumps({**base, "MsgType": "voice", "MsgId": 7}))
    assert voice.headers["Content-Type"].startswith("application/json")
    assert "照片" in voice.json()["Content"]
    left = push(cloudrun_bot.url, json.dumps({**base, "MsgType": "event", "Event": "unsubscribe"}))
    assert (left.status_code, left.text) == (200, "success")


def test_redis_away_is_a_503_counted_as_cloud_runs(make_bot) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    bot = make_bot(wechat_cloudrun=True, redis_url=dead, **NO_WEBHOOK_CREDENTIALS)

    def redis_down() -> float:
        labels = {"channel": "cloudrun", "outcome": "redis-down"}
        return REGISTRY.get_sample_value("ocrbot_webhook_requests_total", labels) or 0.0

    before = redis_down()
    message = {"ToUserName": "gh_x", "FromUserName": "uma", "CreateTime": 1, "MsgType": "text"}
    res = push(bot.url, json.dumps({**message, "Content": "帮助", "MsgId": 9}))
    assert res.status_code == 503  # WeChat tries again
    assert redis_down() - before == 1


def test_off_by_default_and_the_signed_webhook_stays_closed(make_bot, cloudrun_bot) -> None:
    plain = make_bot()  # WECHAT_CLOUDRUN unset
    assert push(plain.url, '{"action": "CheckContainerPath"}').status_code == 404
    # In Cloud Run there is no WECHAT_TOKEN: /wechat, which would trust an empty token's
    # signature, does not exist.
    assert (
        requests.post(f"{cloudrun_bot.url}/wechat", data=b"<xml/>", timeout=10).status_code == 404
    )


def test_the_emulators_control_api_pushes_as_cloud_run(cloudrun_bot) -> None:
    bot = cloudrun_bot
    shown = bot.emulator_post(
        "deliver",
        channel="cloudrun",
        mode="xml",
        webhook_base=bot.url,
        message={"type": "text", "from": "gina", "content": "帮助"},
    )
    assert shown["url"] == f"{bot.url}/wxcloudrun" and shown["status"] == 200
    assert shown["reply"]["MsgType"] == "text"
    assert bot.runtime.states.load(Channel.OFFICIAL, "gina") is not None


def test_an_admin_syncs_the_menu_from_inside_cloud_run(make_bot) -> None:
    bot = make_bot(wechat_cloudrun=True, admin_users="ivy", **NO_WEBHOOK_CREDENTIALS)
    bot.emulator_post("settings", cloudrun=True)
    peer = bot.emulator.cloudrun_peer("json", webhook_base=bot.url)
    answer = peer.deliver(peer.text("ivy", "/menu sync")).reply["Content"]
    assert answer.startswith("菜单已同步"), answer
    menu = requests.get(f"{bot.emulator.url}/cgi-bin/menu/get", timeout=10).json()
    assert menu["menu"]["button"]


def test_outside_cloud_run_the_emulator_wants_a_token(emulator) -> None:
    menu = f"{emulator.url}/cgi-bin/menu/get"
    assert requests.get(menu, timeout=10).json()["errcode"] == 41001
    emulator.state.update_knobs({"cloudrun": True})
    assert requests.get(menu, timeout=10).json()["errcode"] == 46003  # past the token: no menu
    bad = requests.get(menu, params={"access_token": "forged"}, timeout=10).json()
    assert bad["errcode"] == 40001  # a token given is still checked


def test_the_bot_outside_cloud_run_still_fetches_a_stable_token(make_bot) -> None:
    bot = make_bot()
    bot.runtime.official.send_text("hank", "hi")
    calls = requests.get(f"{bot.emulator.url}/_emulator/calls", timeout=10).json()
    assert [c["path"] for c in calls] == ["/cgi-bin/stable_token", "/cgi-bin/message/custom/send"]
    assert calls[1]["query"]["access_token"]
