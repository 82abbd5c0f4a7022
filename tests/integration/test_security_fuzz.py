"""Bad input: a body that passes the signature check but is malformed is a 4xx, never a 5xx.

The known breakers each have a test (repeated, nested and attribute-carrying
MsgId/CreateTime, deeply nested AgentID and ToUserName, a text of thousands of
digits); then a fuzz run sends 10,000 mutated, correctly signed and encrypted
bodies through the Flask app in-process (real Redis) to /wechat in plaintext,
compatible and safe mode and to /wecom, and a smaller sample over real HTTP; then
/wxcloudrun (WeChat Cloud Run's unsigned push) in its JSON and XML formats.
``bench/fuzz.py`` is the longer run.
"""

from __future__ import annotations

import collections
import logging

import pytest
import requests
from cryptography.fernet import Fernet
from flask import Flask

from bot import create_app
from bot.config import Settings
from bot.devtools.fuzz import CHANNEL_MODES, CLOUDRUN_MODES, Fuzzer, to_xml
from bot.runtime import Runtime
from tests.fixtures.emulator import TEST_CREDENTIALS

IN_PROCESS_CASES = 10_000
CLOUDRUN_CASES = 4_000
HTTP_CASES = 400
PATHS = {"official": "/wechat", "wecom": "/wecom"}


def credentials(mode: str) -> dict:
    """The test credentials; a plaintext-mode account has no AES key."""
    return {**TEST_CREDENTIALS, **({"wechat_aes_key": ""} if mode == "plain" else {})}


def app_for(mode: str, redis_url: str) -> Flask:
    settings = Settings(
        **credentials(mode),
        redis_url=redis_url,
        data_key=Fernet.generate_key().decode(),
        wechat_api_base="http://127.0.0.1:9",  # never called: no job runs here
        wecom_api_base="http://127.0.0.1:9",
        log_level="WARNING",
    )
    return create_app(runtime=Runtime(settings))


def post(client, channel: str, query: dict, body: bytes):
    return client.post(PATHS[channel], query_string=query, data=body)


# --- the breakers found in review, one by one --------------------------------------


def fields_xml(**fields: str) -> bytes:
    base = {
        "ToUserName": "<![CDATA[gh_x]]>",
        "FromUserName": "<![CDATA[mallory]]>",
        "CreateTime": "1700000000",
        "MsgType": "<![CDATA[text]]>",
        "Content": "<![CDATA[hi]]>",
        "MsgId": "1234567890",
    }
    parts = [f"<{k}>{v}</{k.split(' ')[0]}>" for k, v in {**base, **fields}.items()]
    return ("<xml>" + "".join(parts) + "</xml>").encode()


DEEP = "<a>" * 3000 + "1" + "</a>" * 3000
BREAKERS = {
    "repeated MsgId": fields_xml(MsgId="1</MsgId><MsgId>2"),
    "nested CreateTime": fields_xml(CreateTime="<a>1</a><b>2</b>"),
    "MsgId with an attribute": fields_xml(**{"MsgId": "", 'MsgId id="1"': "5"}),
    "deep ToUserName": fields_xml(ToUserName=DEEP),
    "deep AgentID": fields_xml(AgentID=DEEP),
    "MsgId of 5000 digits": fields_xml(MsgId="9" * 5000),
    "repeated FromUserName": fields_xml(FromUserName="a</FromUserName><FromUserName>b"),
}


@pytest.mark.parametrize(
    ("name", "channel", "mode"),
    [
        (name, channel, mode)
        for name in BREAKERS
        for channel, mode in CHANNEL_MODES
        if name != "deep AgentID" or channel == "wecom"  # only WeCom reads the AgentID
    ],
)
def test_each_known_breaker_is_a_400(redis_url, name, channel, mode, caplog) -> None:
    fuzzer = Fuzzer(credentials(mode), channel, mode, seed=1)
    client = app_for(mode, redis_url).test_client()
    with caplog.at_level(logging.WARNING):
        res = post(client, channel, *fuzzer.seal(BREAKERS[name]))
    assert res.status_code == 400
    assert any("rejected" in r.getMessage() for r in caplog.records)  # and a log line


@pytest.mark.parametrize(("channel", "mode"), CHANNEL_MODES, ids=lambda v: str(v))
def test_a_reply_of_thousands_of_digits_is_no_menu_number(redis_url, channel, mode) -> None:
    """Python refuses int() of more than 4300 digits: the choice parser must not try."""
    fuzzer = Fuzzer(credentials(mode), channel, mode, seed=2)
    client = app_for(mode, redis_url).test_client()
    head = fuzzer.valid()[:3]  # one user for both messages
    agent = [("AgentID", str(TEST_CREDENTIALS["wecom_agent_id"]))] if channel == "wecom" else []
    photo = [*head, ("MsgType", "image"), ("MediaId", "m1"), ("MsgId", "77"), *agent]
    digits = [*head, ("MsgType", "text"), ("Content", "9" * 5000), ("MsgId", "78"), *agent]
    assert post(client, channel, *fuzzer.seal(to_xml(photo))).status_code == 200
    assert post(client, channel, *fuzzer.seal(to_xml(digits))).status_code == 200


# --- fuzzing -------------------------------------------------------------------------


def healthy(client, fuzzer: Fuzzer, channel: str) -> bool:
    health = client.get("/healthz")
    answer = post(client, channel, *fuzzer.seal(fuzzer.text("帮助")))
    return health.status_code == 200 and answer.status_code == 200 and len(answer.data) > 50


def test_ten_thousand_mutated_signed_bodies_give_no_5xx(redis_url) -> None:
    per_mode = IN_PROCESS_CASES // len(CHANNEL_MODES)
    seen: dict[str, collections.Counter] = {}
    for channel, mode in CHANNEL_MODES:
        client = app_for(mode, redis_url).test_client()
        fuzzer = Fuzzer(credentials(mode), channel, mode, seed=12)
        counts = seen[f"{channel}/{mode}"] = collections.Counter()
        for _ in range(per_mode):
            counts[post(client, channel, *fuzzer.case()).status_code] += 1
        assert healthy(client, fuzzer, channel)
    assert sum(sum(c.values()) for c in seen.values()) >= 10_000
    assert {k: [s for s in c if s >= 500] for k, c in seen.items()} == {k: [] for k in seen}
    for counts in seen.values():  # the mutations reach both the refusals and the handlers
        assert counts[400] > per_mode // 4 and counts[200] > per_mode // 20


def test_mutated_bodies_over_real_http_give_no_5xx(make_bot) -> None:
    bot = make_bot()
    plain = make_bot(wechat_aes_key="")
    statuses: collections.Counter = collections.Counter()
    with requests.Session() as http:
        for channel, mode in CHANNEL_MODES:
            target = plain if mode == "plain" else bot
            fuzzer = Fuzzer(credentials(mode), channel, mode, seed=34)
            for _ in range(HTTP_CASES // len(CHANNEL_MODES)):
                query, body = fuzzer.case()
                res = http.post(target.url + PATHS[channel], params=query, data=body, timeout=10)
                statuses[res.status_code] += 1
    assert sum(statuses.values()) == HTTP_CASES
    assert [s for s in statuses if s >= 500] == []
    assert requests.get(f"{bot.url}/healthz", timeout=5).status_code == 200


def test_mutated_cloud_run_pushes_give_no_5xx(redis_url) -> None:
    """/wxcloudrun trusts WeChat's header instead of a signature: the body is all the rest."""
    settings = Settings(
        wechat_cloudrun=True,
        wechat_appid=TEST_CREDENTIALS["wechat_appid"],
        redis_url=redis_url,
        data_key=Fernet.generate_key().decode(),
        wechat_api_base="http://127.0.0.1:9",  # never called: no job runs here
        log_level="WARNING",
    )
    client = create_app(runtime=Runtime(settings)).test_client()
    source = {"x-wx-source": "wx-cloudrun-push"}
    seen: dict[str, collections.Counter] = {}
    for channel, fmt in CLOUDRUN_MODES:
        fuzzer = Fuzzer({}, channel, fmt, seed=56)
        counts = seen[fmt] = collections.Counter()
        for _ in range(CLOUDRUN_CASES // len(CLOUDRUN_MODES)):
            _, body = fuzzer.case()
            counts[client.post("/wxcloudrun", data=body, headers=source).status_code] += 1
        _, hello = fuzzer.seal(fuzzer.text("帮助"))
        answer = client.post("/wxcloudrun", data=hello, headers=source)
        assert answer.status_code == 200 and "帮助" not in answer.text and len(answer.text) > 50
    assert {k: [s for s in c if s >= 500] for k, c in seen.items()} == {"json": [], "xml": []}
    for counts in seen.values():  # the mutations reach both the refusals and the handlers
        per_format = CLOUDRUN_CASES // len(CLOUDRUN_MODES)
        assert counts[400] > per_format // 4 and counts[200] > per_format // 20
    assert client.get("/healthz").status_code == 200
