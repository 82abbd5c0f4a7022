"""The chat simulator page: mounted only outside production, config embedded, samples shipped."""

from __future__ import annotations

import json
import re

import pytest
from cryptography.fernet import Fernet
from PIL import Image

from bot import create_app
from bot.config import Settings
from bot.devtools import simulator
from bot.ocr.base import DocType


def settings(**overrides) -> Settings:
    return Settings(
        wechat_token="tok",
        wechat_appid="wx1",
        wechat_aes_key="a" * 43,
        admin_users="boss,alice",
        emulator_url="http://127.0.0.1:9999/",
        redis_url="redis://127.0.0.1:1/0",  # never connected to by these tests
        **{"env": "development", **overrides},
    )


def embedded_config(html: str) -> dict:
    match = re.search(r'<script id="config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page embeds its config"
    return json.loads(match.group(1))


def test_page_is_served_in_development_with_its_config() -> None:
    client = create_app(settings()).test_client()
    page = client.get("/simulator/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    config = embedded_config(html)
    assert config["emulatorUrl"] == "http://127.0.0.1:9999"
    assert config["channels"] == {"official": True, "wecom": False}
    assert config["encrypted"] is True
    assert config["adminUser"] == "alice"  # the first admin, in a stable order
    assert "tok" not in json.dumps(config)  # ids and URLs only, never a credential
    assert client.get("/simulator/static/simulator.js").status_code == 200
    assert client.get("/simulator/static/simulator.css").status_code == 200


def test_page_is_never_mounted_in_production() -> None:
    app = create_app(settings(env="production", data_key=Fernet.generate_key().decode()))
    client = app.test_client()
    assert client.get("/simulator/").status_code == 404
    assert client.get("/simulator/samples/idcard-front.jpg").status_code == 404
    assert not any(rule.rule.startswith("/simulator") for rule in app.url_map.iter_rules())


@pytest.mark.parametrize("sample", simulator.samples(), ids=lambda s: s["file"])
def test_samples_ship_small_and_are_served(sample: dict) -> None:
    path = simulator.SAMPLES_DIR / sample["file"]
    DocType(sample["doc_type"])  # a known document type
    assert sample["label"]
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 1000
    assert path.stat().st_size < 200_000
    served = create_app(settings()).test_client().get(f"/simulator/samples/{sample['file']}")
    assert served.status_code == 200
    assert served.data == path.read_bytes()


def test_there_are_three_or_four_samples_and_an_id_card_front() -> None:
    files = [s["file"] for s in simulator.samples()]
    assert 3 <= len(files) <= 4
    assert "idcard-front.jpg" in files
