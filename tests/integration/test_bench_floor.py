"""bench/floor_app.py, the least a safe-mode bot must do, measured beside the bot: it
answers a real encrypted message with an encrypted text reply and remembers the message
in a real Redis (else the bench would compare the bot with less than the floor)."""

from __future__ import annotations

import importlib
from urllib.parse import parse_qsl, urlsplit

import xmltodict
from wechatpy.crypto import WeChatCrypto

from bench.webhook import AES_KEY, APPID, TOKEN, make_messages


def test_the_floor_answers_with_an_encrypted_reply_and_remembers_the_message(
    monkeypatch, redis_url, redis
):
    for name, value in dict(
        REDIS_URL=redis_url, WECHAT_TOKEN=TOKEN, WECHAT_APPID=APPID, WECHAT_AES_KEY=AES_KEY
    ).items():
        monkeypatch.setenv(name, value)
    floor = importlib.import_module("bench.floor_app")
    target, body = make_messages(connections=1, per_connection=1, tag=3)[0][0]
    answer = floor.app.test_client().post(target, data=body)
    query = dict(parse_qsl(urlsplit(target).query))
    envelope = xmltodict.parse(answer.data)["xml"]
    xml = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        answer.data, envelope["MsgSignature"], envelope["TimeStamp"], query["nonce"]
    )
    assert xmltodict.parse(xml)["xml"]["MsgType"] == "text"
    assert len(redis.keys("floor:*")) == 1
