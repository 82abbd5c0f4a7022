"""peer.py: callbacks built, signed and encrypted like WeChat's, checked independently.

The official vectors pin the crypto to Tencent's own samples; the round trips
post to an echo webhook that verifies with wechatpy alone.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import xmltodict
from flask import Flask
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.messages import (
    ImageMessage,
    LinkMessage,
    LocationMessage,
    TextMessage,
    VideoMessage,
    VoiceMessage,
)
from wechatpy.work import parse_message as parse_work_message
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.devtools.peer import OfficialPeer, WeComPeer, message_from_dict
from tests.fixtures.emulator import TEST_CREDENTIALS, EchoWebhook, serve_app

C = TEST_CREDENTIALS

# Tencent's samples (docs/wechat.md)
OA_TOKEN, OA_KEY, OA_APPID = (
    "pamtest",
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "wxb11529c136998cb6",
)
OA_CIPHERTEXT = (
    "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
)
WC_TOKEN, WC_KEY, WC_CORP = (
    "QDG6eK",
    "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "wx5823bf96d3bd56c7",
)
WC_ECHOSTR = (
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)
WC_MESSAGE = Path(__file__).resolve().parents[1] / "data" / "vectors" / "wecom_message.txt"


def official(echo: EchoWebhook, mode: str = "safe", **kw) -> OfficialPeer:
    return OfficialPeer(
        echo.url + "/wechat", C["wechat_token"], C["wechat_appid"], C["wechat_aes_key"], mode, **kw
    )


def wecom(echo: EchoWebhook, **kw) -> WeComPeer:
    args = {**C, **kw}
    return WeComPeer(
        echo.url + "/wecom",
        args["wecom_token"],
        args["wecom_aes_key"],
        args["wecom_corp_id"],
        args["wecom_agent_id"],
    )


# -- known-good vectors --------------------------------------------------------------


def test_official_encryption_matches_tencent_sample() -> None:
    peer = OfficialPeer(
        "http://unused", OA_TOKEN, OA_APPID, OA_KEY, "safe", fixed_prefix="aaaabbbbccccdddd"
    )
    encrypt, _ = peer.encrypt("我是中文abcd123", "1409659813", "1372623149")
    assert encrypt == OA_CIPHERTEXT


def test_wecom_url_check_signature_matches_sample() -> None:
    peer = WeComPeer("http://unused", WC_TOKEN, WC_KEY, WC_CORP, 218)
    assert peer.signature("1409659589", "263014780", WC_ECHOSTR) == (
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
    )


def test_wecom_message_sample_signs_and_delivers() -> None:
    encrypt = WC_MESSAGE.read_text().strip()
    peer = WeComPeer("", WC_TOKEN, WC_KEY, WC_CORP, 218)
    assert peer.signature("1409659813", "1372623149", encrypt) == (
        "477715d11cdb4164915debcba66cb864d751f3e6"
    )
    creds = {**C, "wecom_token": WC_TOKEN, "wecom_aes_key": WC_KEY, "wecom_corp_id": WC_CORP}
    echo = EchoWebhook(creds, max_age=0).start()  # 2014 timestamps
    try:
        peer.url = echo.url + "/wecom"
        query = {
            "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
            "timestamp": "1409659813",
            "nonce": "1372623149",
        }
        body = (
            f"<xml><ToUserName><![CDATA[{WC_CORP}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
        )
        attempt = peer.deliver_raw(body, query)
        assert attempt.status == 200
        assert attempt.reply["Content"] == "echo: hello"
        message = echo.received[0]["message"]
        assert (message.source, message.id, message.agent) == (
            "mycreate",
            4561255354251345929,
            218,
        )
        # and our own url_check against the sample credentials round-trips
        check = peer.url_check("1616140317555161061")
        assert check.ok and check.answer == "1616140317555161061"
    finally:
        echo.stop()


# -- message builders ----------------------------------------------------------------------


def test_builders_produce_what_wechatpy_parses() -> None:
    peer = OfficialPeer("http://unused", "t", "wxapp")
    cases = [
        (peer.text("u1", "你好 ]]> <tag>"), TextMessage, {"content": "你好 ]]> <tag>"}),
        (peer.image("u1", "MID", "http://pic/1"), ImageMessage, {"image": "http://pic/1"}),
        (peer.voice("u1", "MID"), VoiceMessage, {"media_id": "MID", "format": "amr"}),
        (peer.video("u1", "MID", "TH"), VideoMessage, {"thumb_media_id": "TH"}),
        (peer.location("u1", 1.5, 2.5, 10, "here"), LocationMessage, {"label": "here"}),
        (peer.link("u1", "T", "D", "http://x"), LinkMessage, {"url": "http://x"}),
    ]
    for message, cls, attrs in cases:
        parsed = parse_message(message.to_xml())
        assert isinstance(parsed, cls)
        assert parsed.source == "u1" and parsed.target == "gh_emulator00001"
        assert abs(parsed.create_time.timestamp() - time.time()) < 5
        assert parsed.id == message.msg_id
        for name, value in attrs.items():
            assert getattr(parsed, name) == value
    click = parse_message(peer.click("u1", "MENU_ID").to_xml())
    assert (click.event, click.key) == ("click", "MENU_ID")
    assert parse_message(peer.subscribe("u1").to_xml()).event == "subscribe"
    assert parse_message(peer.unsubscribe("u1").to_xml()).event == "unsubscribe"


def test_wecom_builders_carry_agent_and_card_fields() -> None:
    peer = WeComPeer("http://unused", "t", C["wecom_aes_key"], "wwcorp", 1000002)
    text = parse_work_message(peer.text("zhangsan", "hi").to_xml())
    assert (text.agent, text.target, text.content) == (1000002, "wwcorp", "hi")
    assert parse_work_message(peer.enter_agent("zhangsan").to_xml()).event == "enter_agent"
    card = peer.template_card_event("zhangsan", "idcard", "task-1", response_code="RC1")
    raw = xmltodict.parse(card.to_xml())["xml"]
    assert raw["Event"] == "template_card_event" and raw["EventKey"] == "idcard"
    assert (raw["TaskId"], raw["CardType"], raw["ResponseCode"]) == (
        "task-1",
        "button_interaction",
        "RC1",
    )
    assert raw["AgentID"] == "1000002" and "MsgId" not in raw
    file = xmltodict.parse(peer.file("zhangsan", "MID", "a.pdf").to_xml())["xml"]
    assert (file["MsgType"], file["MediaId"], file["Title"]) == ("file", "MID", "a.pdf")


def test_msg_ids_are_unique_64_bit() -> None:
    peer = OfficialPeer("http://unused", "t", "wxapp")
    ids = [peer.text(f"u{i % 7}", "x").msg_id for i in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**64 for i in ids)


def test_message_from_dict() -> None:
    peer = WeComPeer("http://unused", "t", C["wecom_aes_key"], "wwcorp", 7)
    click = message_from_dict(peer, {"type": "event", "event": "CLICK", "from": "u", "key": "K"})
    assert (click.event, click.fields["EventKey"]) == ("CLICK", "K")
    card = message_from_dict(
        peer,
        {"type": "template_card_event", "from": "u", "key": "bankcard", "task_id": "t1"},
    )
    assert card.fields["TaskId"] == "t1" and card.fields["ResponseCode"]
    other = message_from_dict(peer, {"type": "event", "event": "LOCATION", "from": "u"})
    assert other.event == "LOCATION"
    with pytest.raises(ValueError, match="unknown message type"):
        message_from_dict(peer, {"type": "sticker", "from": "u"})
    with pytest.raises(ValueError, match="from"):
        message_from_dict(peer, {"type": "text", "content": "x"})
    with pytest.raises(ValueError, match="bad arguments"):
        message_from_dict(peer, {"type": "text", "from": "u", "colour": "red"})


# -- round trips with the echo webhook -------------------------------------------------------


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
def test_official_round_trip(echo_webhook: EchoWebhook, mode: str) -> None:
    peer = official(echo_webhook, mode)
    delivery = peer.deliver(peer.text("openid-1", "身份证"))
    assert delivery.status == 200
    assert delivery.reply["Content"] == "echo: 身份证"
    assert delivery.reply["ToUserName"] == "openid-1"
    sent = xmltodict.parse(delivery.request_body)["xml"]
    query = echo_webhook.received[0]["query"]
    assert query["openid"] == "openid-1"
    if mode == "plain":
        assert "Encrypt" not in sent and "encrypt_type" not in query
        assert delivery.reply_xml == delivery.body
    else:
        assert query["encrypt_type"] == "aes"
        expected = {"ToUserName", "Encrypt"} if mode == "safe" else {"Encrypt", "Content", "MsgId"}
        assert expected <= set(sent)
        if mode == "safe":
            assert set(sent) == {"ToUserName", "Encrypt"}
        # independently decrypt what the peer sent
        crypto = WeChatCrypto(C["wechat_token"], C["wechat_aes_key"], C["wechat_appid"])
        plain = crypto.decrypt_message(
            delivery.request_body, query["msg_signature"], query["timestamp"], query["nonce"]
        )
        assert plain == delivery.request_xml
        assert "<Encrypt>" in delivery.body  # the reply came encrypted, the peer opened it


def test_wecom_round_trip(echo_webhook: EchoWebhook) -> None:
    peer = wecom(echo_webhook)
    delivery = peer.deliver(peer.text("zhangsan", "hello"))
    assert delivery.status == 200 and delivery.reply["Content"] == "echo: hello"
    sent = xmltodict.parse(delivery.request_body)["xml"]
    assert set(sent) == {"ToUserName", "AgentID", "Encrypt"}
    query = echo_webhook.received[0]["query"]
    crypto = WorkCrypto(C["wecom_token"], C["wecom_aes_key"], C["wecom_corp_id"])
    plain = crypto.decrypt_message(
        delivery.request_body, query["msg_signature"], query["timestamp"], query["nonce"]
    )
    assert "<AgentID>1000002</AgentID>" in plain


def test_url_checks(echo_webhook: EchoWebhook) -> None:
    assert official(echo_webhook).url_check("echo-123").ok
    assert wecom(echo_webhook).url_check("987654321").answer == "987654321"
    bad = official(echo_webhook).url_check("echo-123", bad_signature=True)
    assert bad.status == 403 and not bad.ok
    assert wecom(echo_webhook).url_check(bad_signature=True).status == 403


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_rejections(echo_webhook: EchoWebhook, mode: str) -> None:
    peer = official(echo_webhook, mode)
    assert peer.deliver(peer.text("u", "x"), bad_signature=True).status == 403
    old = int(time.time()) - 3600
    assert peer.deliver(peer.text("u", "x"), timestamp=old).status == 403
    assert echo_webhook.received == []


def test_wrong_appid_and_corp_id_are_rejected(echo_webhook: EchoWebhook) -> None:
    stranger = OfficialPeer(
        echo_webhook.url + "/wechat", C["wechat_token"], "wxother", C["wechat_aes_key"], "safe"
    )
    assert stranger.deliver(stranger.text("u", "x")).status == 403
    other_corp = wecom(echo_webhook, wecom_corp_id="wwother")
    assert other_corp.deliver(other_corp.text("u", "x")).status == 403
    assert echo_webhook.received == []


def test_raw_body_is_signed_but_unparsable(echo_webhook: EchoWebhook) -> None:
    attempt = official(echo_webhook, "plain").deliver_raw("this is not xml")
    assert attempt.status == 400 and attempt.reply is None


def test_sequential_retries_repeat_the_message(echo_webhook: EchoWebhook) -> None:
    peer = official(echo_webhook)
    delivery = peer.deliver(peer.image("u", "MID", "http://pic"), tries=3)
    assert [a.status for a in delivery.attempts] == [200, 200, 200]
    ids = {r["message"].id for r in echo_webhook.received}
    nonces = {r["query"]["nonce"] for r in echo_webhook.received}
    assert ids == {delivery.message.msg_id} and len(nonces) == 3
    assert len(delivery.to_dict()["attempts"]) == 3


def test_concurrent_retries_overlap(echo_webhook: EchoWebhook) -> None:
    echo_webhook.delay = 0.3
    peer = wecom(echo_webhook)
    delivery = peer.deliver(peer.text("u", "x"), tries=3, concurrent=True)
    assert all(a.status == 200 for a in delivery.attempts)
    received = echo_webhook.received
    assert len(received) == 3 and len({r["message"].id for r in received}) == 1
    assert max(r["started"] for r in received) < min(r["ended"] for r in received)


def test_until_answered_retries_only_after_a_timeout(echo_webhook: EchoWebhook) -> None:
    peer = official(echo_webhook, timeout=0.2)
    answered = peer.deliver(peer.text("u", "x"), tries=3, until_answered=True)
    assert [a.status for a in answered.attempts] == [200]
    echo_webhook.delay = 0.4
    slow = peer.deliver(peer.text("u", "y"), tries=3, until_answered=True)
    assert [a.status for a in slow.attempts] == [None, None, None]
    assert all("Timeout" in a.error for a in slow.attempts)


def test_timeout_is_reported_not_raised(echo_webhook: EchoWebhook) -> None:
    echo_webhook.delay = 0.5
    peer = official(echo_webhook, timeout=0.1)
    delivery = peer.deliver(peer.text("u", "x"))
    assert delivery.status is None and "Timeout" in delivery.attempts[0].error


def test_unopenable_reply_is_reported() -> None:
    app = Flask("bad_replies")
    garbage = "<xml><Encrypt><![CDATA[bm90IGEgY2lwaGVy]]></Encrypt></xml>"
    app.add_url_rule("/encrypted", "encrypted", lambda: garbage, methods=["POST"])
    app.add_url_rule("/success", "success", lambda: "success", methods=["POST"])
    url, server = serve_app(app)
    try:
        peer = OfficialPeer(url + "/encrypted", "t", "wxapp", C["wechat_aes_key"], "safe")
        attempt = peer.deliver(peer.text("u", "x")).attempts[0]
        assert attempt.status == 200 and attempt.reply is None
        assert attempt.error.startswith("reply: ")
        plain = OfficialPeer(url + "/encrypted", "t", "wxapp")
        assert "no AES key" in plain.deliver(plain.text("u", "x")).attempts[0].error
        plain.url = url + "/success"
        quiet = plain.deliver(plain.text("u", "x"))
        assert quiet.body == "success" and quiet.reply is None and quiet.attempts[0].error is None
    finally:
        server.shutdown()
        server.server_close()


def test_plain_peer_refuses_encrypted_modes_without_key() -> None:
    with pytest.raises(ValueError, match="EncodingAESKey"):
        OfficialPeer("http://unused", "t", "wxapp", None, "safe")


def test_on_deliver_sees_each_message_once(echo_webhook: EchoWebhook) -> None:
    seen = []
    peer = official(echo_webhook, on_deliver=seen.append)
    message = peer.text("u", "x")
    peer.deliver(message, tries=2)
    assert seen == [message]
