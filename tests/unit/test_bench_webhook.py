"""bench/webhook.py's helpers: the production gunicorn options it reads from scripts/web,
the messages it sends (each one distinct, each one a valid safe-mode message) and the
CPU it reads from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

from bench.webhook import (
    AES_KEY,
    APPID,
    TOKEN,
    cpu_seconds,
    make_messages,
    median_of,
    production_gunicorn,
)
from bench.webhook import Result as Row

ROOT = Path(__file__).resolve().parents[2]


def test_the_production_options_are_those_of_scripts_web_without_bind_or_app():
    options = production_gunicorn((ROOT / "scripts" / "web").read_text())
    assert options[:2] == ["--worker-class", "gthread"]
    assert options[options.index("--workers") + 1] == "2"  # WEB_CONCURRENCY's default
    assert "--threads" in options
    assert not any(o.startswith(("--bind", "-b", "0.0.0.0")) for o in options)
    assert not any(":" in o for o in options)  # neither the bind address nor the app


def test_a_changed_script_changes_the_options():
    script = (
        '#!/bin/sh\nset -eu\nexec gunicorn --workers "${WEB_CONCURRENCY:-4}" \\\n'
        "    --bind=0.0.0.0:8000 -k gevent 'bot:create_app()'\n"
    )
    assert production_gunicorn(script) == ["--workers", "4", "-k", "gevent"]


def test_every_message_is_distinct_and_opens_with_the_accounts_key():
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    made = make_messages(connections=3, per_connection=4, tag=2)
    assert [len(mine) for mine in made] == [4, 4, 4]
    ids, users, pairs = set(), set(), set()
    for target, body in (m for mine in made for m in mine):
        url = urlsplit(target)
        query = dict(parse_qsl(url.query))
        assert url.path == "/wechat" and query["encrypt_type"] == "aes"
        check_signature(TOKEN, query["signature"], query["timestamp"], query["nonce"])
        xml = crypto.decrypt_message(
            body, query["msg_signature"], query["timestamp"], query["nonce"]
        )
        message = xmltodict.parse(xml)["xml"]
        assert message["MsgType"] == "image" and message["FromUserName"] == query["openid"]
        assert "\n" not in target + body  # wrk's files: one line each
        ids.add(message["MsgId"])
        users.add(message["FromUserName"])
        pairs.add((query["timestamp"], query["nonce"]))
    assert len(ids) == len(users) == len(pairs) == 12
    warm_up = make_messages(connections=3, per_connection=4, tag=1)
    assert not {t for mine in warm_up for t, _ in mine} & {t for mine in made for t, _ in mine}


def test_rounds_give_the_median_rate_and_add_up_requests_and_errors():
    rows = [
        Row(requests=1000, seconds=10, p50_ms=5, p99_ms=20, errors=0, ran_out=False),
        Row(requests=3000, seconds=10, p50_ms=2, p99_ms=90, errors=1, ran_out=False),
        Row(requests=2000, seconds=10, p50_ms=3, p99_ms=30, errors=0, ran_out=True),
    ]
    row = median_of(rows)
    assert round(row.rps) == 200 and (row.p50_ms, row.p99_ms) == (3, 30)
    assert (row.requests, row.errors, row.ran_out) == (6000, 1, True)


def test_the_cpu_of_a_process_tree_counts_its_busy_children():
    # A sleeping child whose own child burns 0.3 s of CPU, as gunicorn's master and workers.
    tree = subprocess.Popen(
        [sys.executable, "-c", SLEEPER_OVER_A_BURNER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert tree.stdout.readline().strip() == "burnt"
        assert cpu_seconds(tree.pid) >= 0.25
    finally:
        os.killpg(tree.pid, signal.SIGKILL)
        tree.wait()
        tree.stdout.close()


SLEEPER_OVER_A_BURNER = r"""
import os, subprocess, sys, time
os.setpgrp()
burn = (
    "import time\n"
    "end = time.process_time() + 0.3\n"
    "while time.process_time() < end: pass\n"
    "print('burnt', flush=True)\n"
    "time.sleep(60)\n"
)
burner = subprocess.Popen([sys.executable, "-c", burn], stdout=subprocess.PIPE, text=True)
print(burner.stdout.readline().strip(), flush=True)
time.sleep(60)
"""
