"""What the webhook refuses, and the known-good vectors from docs/wechat.md.

Every bad request gets a clean 4xx and is never processed: no state, no job.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
import requests
import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from bot.devtools.peer import OfficialPeer
from tests.fixtures.emulator import TEST_CREDENTIALS

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors"


def nothing_processed(bot) -> bool:
    keys = [k for k in bot.runtime.redis.keys("ocrbot:*") if not k.startswith(b"ocrbot:token")]
    return keys == [] and len(bot.runtime.queue) == 0 and len(bot.runtime.push_queue) == 0


# --- URL checks ---------------------------------------------------------------------


def test_official_url_check_echoes(make_bot) -> None:
    bot = make_bot()
    check = bot.official("plain").url_check("echo-123")
    assert check.ok and check.answer == "echo-123"


def test_official_url_check_with_bad_signature_is_403(make_bot) -> None:
    bot = make_bot()
    stamp = str(int(time.time()))
    res = requests.get(
        f"{bot.url}/wechat",
        params={"signature": "0" * 40, "timestamp": stamp, "nonce": "1", "echostr": "x"},
        timeout=5,
    )
    assert res.status_code == 403 and "x" not in res.text


def test_wecom_url_check_decrypts_echostr(make_bot) -> None:
    bot = make_bot()
    check = bot.wecom().url_check("wecom-echo-42")
    assert check.ok and check.answer == "wecom-echo-42"


def test_wecom_developer_guide_vectors(make_bot) -> None:
    """The worked example of WeCom's guide: URL check and a text message from mycreate."""
    bot = make_bot(
        wecom_token="QDG6eK",
        wecom_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        wecom_corp_id="wx5823bf96d3bd56c7",
        wecom_agent_id=218,
        signature_max_age=0,  # the vectors are from 2014
    )
    res = requests.get(
        f"{bot.url}/wecom",
        params={
            "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
            "timestamp": "1409659589",
            "nonce": "263014780",
            "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8"
            "TgAE7OaBO+FZXvnaqQ==",
        },
        timeout=5,
    )
    assert res.status_code == 200 and res.text == "1616140317555161061"

    encrypt = (VECTORS / "wecom_message.txt").read_text().strip()
    body = (
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    )
    res = requests.post(
        f"{bot.url}/wecom",
        params={
            "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
            "timestamp": "1409659813",
            "nonce": "1372623149",
        },
        data=body.encode(),
        timeout=5,
    )
    assert res.status_code == 200
    crypto = WeChatCrypto(
        "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
    )
    envelope = xmltodict.parse(res.text)["xml"]
    reply = crypto.decrypt_message(
        res.text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    assert "<ToUserName><![CDATA[mycreate]]></ToUserName>" in reply
    assert "请发送证件照片" in reply  # "hello" is not a document type
    assert bot.runtime.redis.exists("ocrbot:seen:wecom:mycreate:4561255354251345929")


def test_official_aes_vector_decrypts_with_the_same_library() -> None:
    """Tencent's Java sample: the fixed-prefix ciphertext opens to the known plaintext."""
    key = base64.b64decode("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=")

    cipher = (
        "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
    )
    assert PrpCrypto(key).decrypt(cipher, "wxb11529c136998cb6") == "我是中文abcd123"


def test_official_account_with_the_sample_credentials_accepts_safe_mode(make_bot) -> None:
    creds = {
        "wechat_token": "pamtest",
        "wechat_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "wechat_appid": "wxb11529c136998cb6",
    }
    bot = make_bot(**creds)
    peer = OfficialPeer(
        f"{bot.url}/wechat",
        creds["wechat_token"],
        creds["wechat_appid"],
        creds["wechat_aes_key"],
        "safe",
        fixed_prefix="aaaabbbbccccdddd",
    )
    delivery = peer.deliver(peer.text("user-1", "帮助"))
    assert delivery.status == 200
    assert "可识别" in delivery.reply["Content"]


# --- rejections ---------------------------------------------------------------------


def test_bad_signature_is_403(make_bot) -> None:
    bot = make_bot(wechat_aes_key="")  # a plaintext-mode account
    peer = bot.official("plain")
    delivery = peer.deliver(peer.text("u", "1"), bad_signature=True)
    assert delivery.status == 403
    assert nothing_processed(bot)


def test_bad_msg_signature_in_safe_mode_is_403(make_bot) -> None:
    bot = make_bot()
    peer = bot.official("safe")
    delivery = peer.deliver(peer.text("u", "帮助"), bad_signature=True)
    assert delivery.status == 403
    assert nothing_processed(bot)


def test_missing_signature_is_403(make_bot) -> None:
    bot = make_bot()
    res = requests.post(f"{bot.url}/wechat", data=b"<xml></xml>", timeout=5)
    assert res.status_code == 403


def test_old_timestamp_is_403_unless_the_check_is_off(make_bot) -> None:
    bot = make_bot()
    peer = bot.official("safe")
    old = int(time.time()) - 301
    assert peer.deliver(peer.text("u", "帮助"), timestamp=old).status == 403
    assert nothing_processed(bot)
    relaxed = make_bot(signature_max_age=0)
    delivery = relaxed.official("safe").deliver(peer.text("u", "帮助"), timestamp=old)
    assert delivery.status == 200 and "可识别" in delivery.reply["Content"]


def test_message_for_another_appid_is_403(make_bot) -> None:
    bot = make_bot()
    other = OfficialPeer(
        f"{bot.url}/wechat",
        TEST_CREDENTIALS["wechat_token"],
        "wxanotherapp000",
        TEST_CREDENTIALS["wechat_aes_key"],
        "safe",
    )
    assert other.deliver(other.text("u", "帮助")).status == 403
    assert nothing_processed(bot)


def test_message_encrypted_with_another_key_is_rejected(make_bot) -> None:
    bot = make_bot()
    other = OfficialPeer(
        f"{bot.url}/wechat",
        TEST_CREDENTIALS["wechat_token"],
        TEST_CREDENTIALS["wechat_appid"],
        "Z" * 43,
        "safe",
    )
    assert other.deliver(other.text("u", "帮助")).status in (400, 403)
    assert nothing_processed(bot)


def test_undecryptable_body_is_400(make_bot) -> None:
    bot = make_bot()
    peer = bot.official("safe")
    stamp, nonce = str(int(time.time())), "42"
    garbage = base64.b64encode(b"not a wechat ciphertext at all!!").decode()
    query = {
        "signature": peer.signature(stamp, nonce),
        "timestamp": stamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": peer.signature(stamp, nonce, garbage),
    }
    attempt = peer.deliver_raw(f"<xml><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>", query)
    assert attempt.status == 400
    assert nothing_processed(bot)


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName>",  # truncated
        b"not xml at all",
        b"<root><MsgType>text</MsgType></root>",  # not <xml>
        b"<xml><MsgType>text</MsgType><Content>hi</Content></xml>",  # no FromUserName
        b"<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><MsgId>x</MsgId></xml>",
        b"",
    ],
)
def test_malformed_xml_is_400(make_bot, body: bytes) -> None:
    bot = make_bot(wechat_aes_key="")  # a plaintext-mode account
    attempt = bot.official("plain").deliver_raw(body)
    assert attempt.status == 400
    assert nothing_processed(bot)


def test_huge_body_is_413(make_bot) -> None:
    bot = make_bot(wechat_aes_key="")  # a plaintext-mode account
    body = b"<xml><Content>" + b"a" * (bot.settings.max_body_bytes + 1) + b"</Content></xml>"
    attempt = bot.official("plain").deliver_raw(body)
    assert attempt.status == 413
    assert nothing_processed(bot)


def test_encrypted_request_without_aes_key_is_400(make_bot) -> None:
    bot = make_bot(wechat_aes_key="")
    peer = OfficialPeer(
        f"{bot.url}/wechat",
        TEST_CREDENTIALS["wechat_token"],
        TEST_CREDENTIALS["wechat_appid"],
        TEST_CREDENTIALS["wechat_aes_key"],
        "safe",
    )
    assert peer.deliver(peer.text("u", "帮助")).status == 400


def test_wecom_message_for_another_agent_is_403(make_bot) -> None:
    bot = make_bot(wecom_agent_id=999)
    peer = bot.wecom()
    assert peer.deliver(peer.text("u", "帮助")).status == 403
    assert nothing_processed(bot)


def test_wecom_bad_signature_is_403(make_bot) -> None:
    bot = make_bot()
    peer = bot.wecom()
    assert peer.deliver(peer.text("u", "帮助"), bad_signature=True).status == 403


def test_unconfigured_channel_is_404(make_bot) -> None:
    bot = make_bot(wecom_token="")
    res = requests.post(f"{bot.url}/wecom", data=b"<xml/>", timeout=5)
    assert res.status_code == 404


def test_healthz_checks_redis(make_bot) -> None:
    bot = make_bot()
    res = requests.get(f"{bot.url}/healthz", timeout=5)
    assert res.status_code == 200 and res.json()["redis"] == "ok"
    broken = make_bot(redis_url="redis://127.0.0.1:1/0")
    res = requests.get(f"{broken.url}/healthz", timeout=5)
    assert res.status_code == 503


def test_entity_expansion_is_refused(make_bot) -> None:
    """A "billion laughs" body: refused by the parser's amplification limit, quickly."""
    bot = make_bot(wechat_aes_key="")  # a plaintext-mode account
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e0 "lol">{entities}]>'
        "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName>"
        "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&e9;</Content>"
        "<MsgId>1</MsgId></xml>"
    )
    started = time.monotonic()
    attempt = bot.official("plain").deliver_raw(body.encode())
    assert attempt.status == 400
    assert time.monotonic() - started < 2
    assert nothing_processed(bot)
