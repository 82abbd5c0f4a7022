"""The emulator over real HTTP: every path, every error it promises, the control API."""

from __future__ import annotations

import hashlib
import io
import time
from typing import Any

import pytest
import requests
from PIL import Image, ImageDraw

from bot.devtools.emulator import EmulatorConfig, RunningEmulator
from tests.fixtures.emulator import TEST_CREDENTIALS, EchoWebhook, settings_for

C = TEST_CREDENTIALS
CUSTOM_SEND = "/cgi-bin/message/custom/send"
WECOM_SEND = "/wecom-api/cgi-bin/message/send"


def png(color: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def get(emu: RunningEmulator, path: str, **params: Any) -> dict[str, Any]:
    return requests.get(emu.url + path, params=params, timeout=10).json()


def post(emu: RunningEmulator, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
    return requests.post(emu.url + path, params=params, json=body, timeout=10).json()


def token(emu: RunningEmulator) -> str:
    answer = get(
        emu,
        "/cgi-bin/token",
        grant_type="client_credential",
        appid=C["wechat_appid"],
        secret=C["wechat_secret"],
    )
    return answer["access_token"]


def wecom_token(emu: RunningEmulator) -> str:
    answer = get(
        emu, "/wecom-api/cgi-bin/gettoken", corpid=C["wecom_corp_id"], corpsecret=C["wecom_secret"]
    )
    return answer["access_token"]


def send_text(emu: RunningEmulator, tok: str, user: str, text: str = "hi") -> int:
    body = {"touser": user, "msgtype": "text", "text": {"content": text}}
    return post(emu, CUSTOM_SEND, body, access_token=tok)["errcode"]


def upload(emu: RunningEmulator, data: bytes) -> dict[str, Any]:
    files = {"media": ("photo.png", data, "application/octet-stream")}
    return requests.post(emu.url + "/_emulator/media", files=files, timeout=10).json()


def ocr(emu: RunningEmulator, name: str, tok: str, data: bytes | None = None, **params) -> dict:
    files = {"img": ("img.png", data, "image/png")} if data is not None else None
    response = requests.post(
        f"{emu.url}/cv/ocr/{name}", params={"access_token": tok, **params}, files=files, timeout=60
    )
    return response.json()


def can(emu: RunningEmulator, data: bytes, response: dict, endpoint: str | None = None) -> None:
    body = {"sha256": hashlib.sha256(data).hexdigest(), "response": response}
    if endpoint:
        body["endpoint"] = endpoint
    assert requests.post(emu.url + "/_emulator/ocr", json=body, timeout=10).status_code == 200


def control(emu: RunningEmulator, path: str, body: Any = None) -> requests.Response:
    return requests.post(emu.url + "/_emulator" + path, json=body or {}, timeout=30)


# -- configuration -----------------------------------------------------------------------


def test_config_from_settings_and_bot_env(emulator: RunningEmulator) -> None:
    settings = settings_for(emulator)
    config = EmulatorConfig.from_settings(settings, "http://bot:8000")
    assert config.wechat_appid == C["wechat_appid"] and config.wecom_agent_id == 1000002
    assert config.webhook_base == "http://bot:8000"
    env = config.bot_env("http://emu:1/")
    assert env["WECHAT_API_BASE"] == "http://emu:1"
    assert env["WECOM_API_BASE"] == "http://emu:1/wecom-api"
    generated = EmulatorConfig.generate()
    assert len(generated.wechat_aes_key) == 43 and generated.wechat_appid.startswith("wx")
    assert generated.wechat_secret != EmulatorConfig.generate().wechat_secret


# -- Official Account tokens ---------------------------------------------------------------


def test_token_errors(emulator: RunningEmulator) -> None:
    base = {"grant_type": "client_credential", "appid": C["wechat_appid"]}
    assert get(emulator, "/cgi-bin/token", **base, secret="nope")["errcode"] == 40125
    assert get(emulator, "/cgi-bin/token", **{**base, "appid": "wxx"}, secret="s")["errcode"] == (
        40013
    )
    bad_grant = {**base, "grant_type": "password", "secret": C["wechat_secret"]}
    assert get(emulator, "/cgi-bin/token", **bad_grant)["errcode"] == 40002


def test_token_checks_missing_unknown_expired(emulator: RunningEmulator) -> None:
    assert send_text(emulator, "", "u") == 41001
    assert requests.post(emulator.url + CUSTOM_SEND, json={}, timeout=5).json()["errcode"] == 41001
    assert send_text(emulator, "not-a-token", "u") == 40001
    tok = token(emulator)
    assert send_text(emulator, tok, "u") == 0
    assert control(emulator, "/tokens/expire").json()["expired"] == 1
    assert send_text(emulator, tok, "u") == 42001


def test_token_lifetime_and_replacement_grace(emulator: RunningEmulator) -> None:
    first = token(emulator)
    second = token(emulator)
    assert first != second
    assert send_text(emulator, first, "u") == 0  # the old one stays valid 5 minutes
    control(emulator, "/clock", {"advance": 301})
    assert send_text(emulator, first, "u") == 40001  # replaced, not merely expired
    assert send_text(emulator, second, "u") == 0
    control(emulator, "/clock", {"advance": 7200})
    assert send_text(emulator, second, "u") == 42001


def test_token_ttl_is_configurable(emulator: RunningEmulator) -> None:
    control(emulator, "/settings", {"token_ttl": 60})
    answer = get(
        emulator,
        "/cgi-bin/token",
        grant_type="client_credential",
        appid=C["wechat_appid"],
        secret=C["wechat_secret"],
    )
    assert answer["expires_in"] == 60


def test_stable_token(emulator: RunningEmulator) -> None:
    body = {"grant_type": "client_credential", "appid": C["wechat_appid"], "secret": "x"}
    assert post(emulator, "/cgi-bin/stable_token", body)["errcode"] == 40125
    body["secret"] = C["wechat_secret"]
    first = post(emulator, "/cgi-bin/stable_token", body)
    again = post(emulator, "/cgi-bin/stable_token", body)
    assert first["access_token"] == again["access_token"] and first["expires_in"] == 7200
    token(emulator)  # /cgi-bin/token does not touch the stable token
    assert send_text(emulator, first["access_token"], "u") == 0
    forced = post(emulator, "/cgi-bin/stable_token", {**body, "force_refresh": True})
    assert forced["access_token"] != first["access_token"]
    assert send_text(emulator, first["access_token"], "u") == 0  # grace period
    control(emulator, "/clock", {"advance": 7200 - 200})
    renewed = post(emulator, "/cgi-bin/stable_token", body)  # last 5 minutes: a new one
    assert renewed["access_token"] != forced["access_token"]
    assert requests.post(emulator.url + "/cgi-bin/stable_token", data=b"{", timeout=5).json()[
        "errcode"
    ] == (47001)


# -- media ---------------------------------------------------------------------------------


def test_media_upload_get_and_pic_url(emulator: RunningEmulator) -> None:
    image = png()
    stored = upload(emulator, image)
    assert stored["sha256"] == hashlib.sha256(image).hexdigest()
    tok = token(emulator)
    response = requests.get(
        emulator.url + "/cgi-bin/media/get",
        params={"access_token": tok, "media_id": stored["media_id"]},
        timeout=5,
    )
    assert response.content == image
    assert response.headers["Content-Type"] == "image/png"
    assert "attachment" in response.headers["Content-disposition"]
    pic = requests.get(stored["pic_url"], timeout=5)
    assert pic.content == image and pic.headers["Content-Type"] == "image/png"
    missing = get(emulator, "/cgi-bin/media/get", access_token=tok, media_id="nope")
    assert missing["errcode"] == 40007
    assert requests.post(emulator.url + "/_emulator/media", timeout=5).status_code == 400


# -- customer-service messages -------------------------------------------------------------------


def test_custom_send_records_and_validates(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    assert send_text(emulator, tok, "openid-a", "你好") == 0
    image = upload(emulator, png())["media_id"]
    menu = {
        "touser": "openid-a",
        "msgtype": "msgmenu",
        "msgmenu": {"head_content": "哪种证件？", "list": [{"id": "1", "content": "身份证"}]},
    }
    assert post(emulator, CUSTOM_SEND, menu, access_token=tok)["errcode"] == 0
    pic = {"touser": "openid-a", "msgtype": "image", "image": {"media_id": image}}
    assert post(emulator, CUSTOM_SEND, pic, access_token=tok)["errcode"] == 0
    sent = requests.get(emulator.url + "/_emulator/messages?touser=openid-a", timeout=5).json()
    assert [m["body"]["msgtype"] for m in sent] == ["text", "msgmenu", "image"]
    assert sent[0]["channel"] == "official" and sent[0]["path"] == CUSTOM_SEND
    assert sent[0]["body"]["text"]["content"] == "你好" and sent[0]["at"] > 0
    errors = [
        ({"msgtype": "text", "text": {"content": "x"}}, 40003),
        ({"touser": "u", "msgtype": "text", "text": {"content": " "}}, 44004),
        ({"touser": "u", "msgtype": "image", "image": {"media_id": "nope"}}, 40007),
        ({"touser": "u", "msgtype": "sticker"}, 40008),
        ({"touser": "u", "msgtype": "msgmenu", "msgmenu": {"list": []}}, 40035),
    ]
    for body, code in errors:
        assert post(emulator, CUSTOM_SEND, body, access_token=tok)["errcode"] == code, body
    assert len(requests.get(emulator.url + "/_emulator/messages", timeout=5).json()) == 3


def test_msgmenu_not_allowed(emulator: RunningEmulator) -> None:
    control(emulator, "/settings", {"msgmenu_allowed": False})
    menu = {"touser": "u", "msgtype": "msgmenu", "msgmenu": {"list": [{"id": "1", "content": "a"}]}}
    answer = post(emulator, CUSTOM_SEND, menu, access_token=token(emulator))
    assert answer["errcode"] == 40200 and "rid:" in answer["errmsg"]


def test_window_counts_and_expires(emulator: RunningEmulator, echo_webhook: EchoWebhook) -> None:
    tok = token(emulator)
    peer = emulator.official_peer(webhook_base=echo_webhook.url)
    assert peer.deliver(peer.text("openid-w", "photo"), tries=3).status == 200
    assert [send_text(emulator, tok, "openid-w") for _ in range(6)] == [0] * 5 + [45047]
    peer.deliver(peer.text("openid-w", "again"))  # a new message: 5 more
    assert send_text(emulator, tok, "openid-w") == 0
    control(emulator, "/clock", {"advance": 48 * 3600 + 1})
    assert send_text(emulator, token(emulator), "openid-w") == 45015


def test_window_events(emulator: RunningEmulator, echo_webhook: EchoWebhook) -> None:
    tok = token(emulator)
    peer = emulator.official_peer(webhook_base=echo_webhook.url)
    peer.deliver(peer.click("openid-c", "MENU_OCR"))
    assert [send_text(emulator, tok, "openid-c") for _ in range(4)] == [0, 0, 0, 45047]
    peer.deliver(peer.text("openid-c", "hi"))
    peer.deliver(peer.unsubscribe("openid-c"))
    assert send_text(emulator, tok, "openid-c") == 45015


def test_strict_window(emulator: RunningEmulator, echo_webhook: EchoWebhook) -> None:
    tok = token(emulator)
    assert send_text(emulator, tok, "stranger") == 0  # lenient by default
    control(emulator, "/settings", {"strict_window": True})
    assert send_text(emulator, tok, "stranger") == 45015
    deliver = {
        "channel": "official",
        "webhook_base": echo_webhook.url,
        "message": {"type": "text", "from": "stranger", "content": "hello"},
    }
    assert control(emulator, "/deliver", deliver).status_code == 200
    assert send_text(emulator, tok, "stranger") == 0


# -- custom menu -------------------------------------------------------------------------------


def test_menu_create_and_get(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    assert get(emulator, "/cgi-bin/menu/get", access_token=tok)["errcode"] == 46003
    menu = {
        "button": [
            {"type": "click", "name": "识别证件", "key": "OCR"},
            {
                "name": "帮助",
                "sub_button": [{"type": "view", "name": "说明", "url": "https://example.com"}],
            },
        ]
    }
    assert post(emulator, "/cgi-bin/menu/create", menu, access_token=tok)["errcode"] == 0
    assert get(emulator, "/cgi-bin/menu/get", access_token=tok)["menu"] == menu
    leaf = {"type": "click", "name": "a", "key": "k"}
    bad = [
        ({"button": []}, 40016),
        ({"button": [leaf] * 4}, 40016),
        ({"button": [{**leaf, "type": "teleport"}]}, 40017),
        ({"button": [{**leaf, "name": "很长很长的菜单名字"}]}, 40018),
        ({"button": [{"type": "click", "name": "a"}]}, 40019),
        ({"button": [{"name": "p", "sub_button": [leaf] * 6}]}, 40023),
        ({"button": [{"type": "view", "name": "v", "url": "ftp://x"}]}, 40055),
    ]
    for body, code in bad:
        assert post(emulator, "/cgi-bin/menu/create", body, access_token=tok)["errcode"] == code


# -- OCR --------------------------------------------------------------------------------


FRONT = {"type": "Front", "name": "张三", "id": "110101199003071234", "gender": "男"}


def test_ocr_canned_by_upload_and_by_url(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    image = png("blue")
    can(emulator, image, FRONT)
    assert ocr(emulator, "idcard", tok, image) == {"errcode": 0, "errmsg": "ok", **FRONT}
    pic_url = upload(emulator, image)["pic_url"]
    by_url = ocr(emulator, "idcard", tok, img_url=pic_url)
    assert by_url["id"] == FRONT["id"] and by_url["errcode"] == 0


def test_ocr_canned_by_multipart_and_per_endpoint(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    image = png("green")
    registered = requests.post(
        emulator.url + "/_emulator/ocr",
        files={"img": ("a.png", image, "image/png")},
        data={"response": '{"number": "6222020200112233445"}', "endpoint": "bankcard"},
        timeout=5,
    ).json()
    assert registered["sha256"] == hashlib.sha256(image).hexdigest()
    assert ocr(emulator, "bankcard", tok, image)["number"] == "6222020200112233445"
    assert ocr(emulator, "idcard", tok, image)["errcode"] == 101001  # other endpoint: not canned
    can(emulator, image, {"errcode": 101001, "errmsg": "certificate not found"})
    assert ocr(emulator, "idcard", tok, image)["errcode"] == 101001
    bad = control(emulator, "/ocr", {"sha256": "abc", "response": {}})
    assert bad.status_code == 400


def test_ocr_image_errors(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    assert ocr(emulator, "idcard", tok, png("white"))["errcode"] == 101001  # engine off in tests
    assert ocr(emulator, "idcard", tok, b"definitely not an image")["errcode"] == 101002
    too_big = b"\x89PNG" + b"\0" * (2 * 1024 * 1024)
    assert ocr(emulator, "idcard", tok, too_big)["errcode"] == 40006
    unreachable = ocr(emulator, "comm", tok, img_url="http://127.0.0.1:9/nothing.jpg")
    assert unreachable["errcode"] == 101000
    missing = ocr(emulator, "comm", tok, img_url=emulator.url + "/_emulator/pic/nope")
    assert missing["errcode"] == 101000
    big_url = upload(emulator, too_big)["pic_url"]
    assert ocr(emulator, "comm", tok, img_url=big_url)["errcode"] == 40006
    assert ocr(emulator, "comm", tok)["errcode"] == 41005
    assert ocr(emulator, "idcard", "bad-token", png())["errcode"] == 40001
    unknown = requests.post(f"{emulator.url}/cv/ocr/passport", params={"access_token": tok})
    assert unknown.status_code == 404


def test_ocr_daily_quota(emulator: RunningEmulator) -> None:
    control(emulator, "/settings", {"ocr_daily_quota": 2})
    tok = token(emulator)
    image = png()
    can(emulator, image, {"number": "京A12345"})
    answers = [ocr(emulator, "platenum", tok, image)["errcode"] for _ in range(3)]
    assert answers == [0, 0, 101003]
    assert ocr(emulator, "bankcard", tok, image)["errcode"] == 0  # quota is per endpoint
    control(emulator, "/clock", {"advance": 24 * 3600})
    assert ocr(emulator, "platenum", token(emulator), image)["errcode"] == 0  # a new day


# -- WeCom --------------------------------------------------------------------------------


def test_wecom_tokens(emulator: RunningEmulator) -> None:
    path = "/wecom-api/cgi-bin/gettoken"
    assert get(emulator, path, corpid="ww-other", corpsecret=C["wecom_secret"])["errcode"] == 40013
    assert get(emulator, path, corpid=C["wecom_corp_id"], corpsecret="x")["errcode"] == 40001
    first = wecom_token(emulator)
    assert first == wecom_token(emulator)  # WeCom hands back the valid token
    body = {"touser": "zhangsan", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"}}
    assert post(emulator, WECOM_SEND, body, access_token=first)["errcode"] == 0
    unknown = post(emulator, WECOM_SEND, body, access_token=token(emulator))  # official token
    assert unknown["errcode"] == 40014 and "hint:" in unknown["errmsg"]
    assert post(emulator, WECOM_SEND, body)["errcode"] == 41001
    control(emulator, "/tokens/expire")
    assert post(emulator, WECOM_SEND, body, access_token=first)["errcode"] == 42001
    assert wecom_token(emulator) != first


def test_wecom_message_send(emulator: RunningEmulator) -> None:
    tok = wecom_token(emulator)
    text = {"touser": "a|b", "msgtype": "text", "agentid": 1000002, "text": {"content": "好"}}
    answer = post(emulator, WECOM_SEND, text, access_token=tok)
    assert answer["errcode"] == 0 and answer["msgid"] and answer["invaliduser"] == ""
    markdown = {**text, "touser": "a", "msgtype": "markdown", "markdown": {"content": "**x**"}}
    assert post(emulator, WECOM_SEND, markdown, access_token=tok)["errcode"] == 0
    sent = requests.get(emulator.url + "/_emulator/messages?touser=a", timeout=5).json()
    assert [(m["channel"], m["body"]["msgtype"]) for m in sent] == [
        ("wecom", "text"),
        ("wecom", "markdown"),
    ]
    assert len(requests.get(emulator.url + "/_emulator/messages?touser=b", timeout=5).json()) == 1
    errors = [
        ({**text, "agentid": 1}, 40056),
        ({**text, "touser": ""}, 81013),
        ({**text, "text": {"content": ""}}, 44004),
        ({**text, "msgtype": "mpnews"}, 40008),
        ({**text, "msgtype": "image", "image": {"media_id": "nope"}}, 40007),
    ]
    for body, code in errors:
        assert post(emulator, WECOM_SEND, body, access_token=tok)["errcode"] == code, body


def card(task_id: str) -> dict[str, Any]:
    return {
        "touser": "zhangsan",
        "msgtype": "template_card",
        "agentid": 1000002,
        "template_card": {
            "card_type": "button_interaction",
            "main_title": {"title": "哪种证件？"},
            "task_id": task_id,
            "button_list": [{"text": "身份证", "style": 1, "key": "idcard"}],
        },
    }


def test_wecom_template_cards(emulator: RunningEmulator, echo_webhook: EchoWebhook) -> None:
    tok = wecom_token(emulator)
    sent = post(emulator, WECOM_SEND, card("task-1"), access_token=tok)
    assert sent["errcode"] == 0 and sent["response_code"]
    assert post(emulator, WECOM_SEND, card("task-1"), access_token=tok)["errcode"] == 40058
    assert post(emulator, WECOM_SEND, card("bad task id!"), access_token=tok)["errcode"] == 40058
    no_buttons = card("task-2")
    no_buttons["template_card"]["button_list"] = []
    assert post(emulator, WECOM_SEND, no_buttons, access_token=tok)["errcode"] == 40058
    update_path = "/wecom-api/cgi-bin/message/update_template_card"
    update = {
        "userids": ["zhangsan"],
        "agentid": 1000002,
        "response_code": sent["response_code"],
        "button": {"replace_name": "已选择身份证"},
    }
    assert post(emulator, update_path, update, access_token=tok)["errcode"] == 0
    assert post(emulator, update_path, update, access_token=tok)["errcode"] == 40058  # used once
    # a tap delivered through the peer brings a fresh ResponseCode
    peer = emulator.wecom_peer(webhook_base=echo_webhook.url)
    tap = peer.template_card_event("zhangsan", "idcard", "task-1")
    assert peer.deliver(tap).reply["Content"] == "echo: unknown"  # wechatpy: UnknownMessage
    update["response_code"] = tap.fields["ResponseCode"]
    assert post(emulator, update_path, update, access_token=tok)["errcode"] == 0
    last = requests.get(emulator.url + "/_emulator/messages?touser=zhangsan", timeout=5).json()[-1]
    assert last["path"] == update_path


def test_wecom_media_get(emulator: RunningEmulator) -> None:
    image = png("yellow")
    media_id = upload(emulator, image)["media_id"]
    tok = wecom_token(emulator)
    response = requests.get(
        emulator.url + "/wecom-api/cgi-bin/media/get",
        params={"access_token": tok, "media_id": media_id},
        timeout=5,
    )
    assert response.content == image
    missing = get(emulator, "/wecom-api/cgi-bin/media/get", access_token=tok, media_id="x")
    assert missing["errcode"] == 40007


# -- faults, calls, deliver, reset -----------------------------------------------------------------


def test_faults(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    control(emulator, "/faults", {"path": CUSTOM_SEND, "errcode": 45009, "count": 2})
    assert [send_text(emulator, tok, "u") for _ in range(3)] == [45009, 45009, 0]
    control(emulator, "/faults", {"path": CUSTOM_SEND, "errcode": -1})
    assert send_text(emulator, tok, "u") == -1
    control(emulator, "/faults", {"path": CUSTOM_SEND, "status": 500})
    body = {"touser": "u", "msgtype": "text", "text": {"content": "x"}}
    failed = requests.post(emulator.url + CUSTOM_SEND, params={"access_token": tok}, json=body)
    assert failed.status_code == 500
    control(emulator, "/faults", {"path": "/cgi-bin/token", "errcode": 40001})
    answer = get(emulator, "/cgi-bin/token", grant_type="client_credential")
    assert answer["errcode"] == 40001
    control(emulator, "/faults", {"path": WECOM_SEND, "errcode": 42001})
    assert "hint:" in post(emulator, WECOM_SEND, {}, access_token="x")["errmsg"]
    assert control(emulator, "/faults", {"path": CUSTOM_SEND}).status_code == 400
    assert control(emulator, "/faults", {"path": "nope", "errcode": 1}).status_code == 400


def test_delay_fault(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    control(emulator, "/faults", {"path": CUSTOM_SEND, "delay": 0.4})
    started = time.monotonic()
    assert send_text(emulator, tok, "u") == 0  # slow, then answered normally
    assert time.monotonic() - started >= 0.4
    control(emulator, "/faults", {"path": CUSTOM_SEND, "delay": 1})
    with pytest.raises(requests.Timeout):
        requests.post(
            emulator.url + CUSTOM_SEND, params={"access_token": tok}, json={}, timeout=0.3
        )


def test_calls_log_hides_secrets(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    body = {"grant_type": "client_credential", "appid": C["wechat_appid"]}
    post(emulator, "/cgi-bin/stable_token", {**body, "secret": C["wechat_secret"]})
    send_text(emulator, "wrong", "u")
    ocr(emulator, "idcard", tok, png())
    calls = requests.get(emulator.url + "/_emulator/calls", timeout=5).json()
    assert [c["path"] for c in calls] == [
        "/cgi-bin/token",
        "/cgi-bin/stable_token",
        CUSTOM_SEND,
        "/cv/ocr/idcard",
    ]
    assert C["wechat_secret"] not in str(calls)
    assert calls[0]["query"] == {"grant_type": "client_credential", "appid": C["wechat_appid"]}
    assert [c["errcode"] for c in calls] == [0, 0, 40001, 101001]
    assert calls[3]["body"].startswith("img: ") and "sha256" in calls[3]["body"]
    assert all(c["ms"] >= 0 and c["status"] == 200 for c in calls)
    later = requests.get(emulator.url + "/_emulator/calls", params={"after": calls[1]["seq"]})
    assert [c["path"] for c in later.json()] == [CUSTOM_SEND, "/cv/ocr/idcard"]
    assert "Access-Control-Allow-Origin" not in later.headers  # no page is let in by default


def test_deliver_endpoint(emulator: RunningEmulator, echo_webhook: EchoWebhook) -> None:
    image = upload(emulator, png())
    answer = control(
        emulator,
        "/deliver",
        {
            "channel": "official",
            "mode": "compat",
            "webhook_base": echo_webhook.url,
            "message": {"type": "image", "from": "openid-d", "media_id": image["media_id"]},
            "tries": 2,
            "concurrent": True,
        },
    ).json()
    assert answer["status"] == 200 and answer["reply"]["Content"] == "echo: image"
    assert "<Encrypt>" in answer["request_body"] and "<PicUrl>" in answer["request_xml"]
    assert len(answer["attempts"]) == 2 and answer["elapsed_ms"] > 0
    received = echo_webhook.received
    assert len(received) == 2 and received[0]["message"].image == image["pic_url"]
    control(emulator, "/settings", {"webhook_base": echo_webhook.url})
    wecom = control(
        emulator,
        "/deliver",
        {"channel": "wecom", "message": {"type": "event", "event": "enter_agent", "from": "zs"}},
    ).json()
    assert wecom["reply"]["Content"] == "echo: event" and wecom["url"].endswith("/wecom")
    bad = control(emulator, "/deliver", {"channel": "sms", "message": {"type": "text"}})
    assert bad.status_code == 400


def test_reset_forgets_everything(emulator: RunningEmulator) -> None:
    tok = token(emulator)
    send_text(emulator, tok, "u")
    control(emulator, "/settings", {"msgmenu_allowed": False, "strict_window": True})
    assert control(emulator, "/settings", {"colour": "red"}).status_code == 400
    assert control(emulator, "/settings", {"strict_window": "no"}).status_code == 400
    assert control(emulator, "/settings", {"token_ttl": "soon"}).status_code == 400
    assert control(emulator, "/reset").json() == {"reset": True}
    assert requests.get(emulator.url + "/_emulator/messages", timeout=5).json() == []
    assert requests.get(emulator.url + "/_emulator/calls", timeout=5).json() == []
    assert send_text(emulator, tok, "u") == 40001
    knobs = requests.get(emulator.url + "/_emulator/settings", timeout=5).json()
    assert knobs["msgmenu_allowed"] is True and knobs["strict_window"] is False


def test_webhook_base_survives_reset(emulator: RunningEmulator, echo_webhook: EchoWebhook) -> None:
    emulator.set_webhook_base(echo_webhook.url)
    try:
        emulator.reset()
        peer = emulator.official_peer()
        assert peer.url == echo_webhook.url + "/wechat" and peer.mode == "safe"
        assert peer.deliver(peer.text("u", "hi")).reply["Content"] == "echo: hi"
    finally:
        emulator.set_webhook_base("")
    with pytest.raises(ValueError, match="webhook_base"):
        emulator.official_peer()


def test_local_engine_answers_uncanned_images(emulator: RunningEmulator) -> None:
    """The real offline engine behind the emulator (loads RapidOCR: a few seconds)."""
    image = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(image).text((10, 40), "HELLO WORLD 12345", fill="black")
    data = io.BytesIO()
    image.save(data, "PNG")
    control(emulator, "/settings", {"local_engine": True})
    answer = ocr(emulator, "comm", token(emulator), data.getvalue())
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok"
    assert isinstance(answer["items"], list) and answer["items"]
