"""The custom menu file: WeChat's limits, keys the bot answers, ``ocrbot custom-menu sync``."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import handlers
from bot import custom_menu, flows
from bot.cli import main
from bot.incoming import Channel, Incoming, Kind
from bot.ocr import readable_types
from handlers.state import IDLE, Context, Step
from tests.fixtures.emulator import TEST_CREDENTIALS


def test_the_menu_file_has_type_help_and_privacy_buttons() -> None:
    keys = custom_menu.click_keys(custom_menu.load())
    assert {"OCR_IDCARD", "OCR_BANKCARD", "HELP", "PRIVACY"} <= set(keys)
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("key", custom_menu.click_keys(custom_menu.load()))
def test_every_button_is_answered_by_the_handlers(key: str) -> None:
    ctx = Context(now=1_700_000_000.0, options=readable_types(["local"]), flows=flows.load())
    click = Incoming(Channel.OFFICIAL, "u", Kind.EVENT, "event", event="click", event_key=key)
    out = handlers.handle(click, IDLE, ctx)
    assert "暂不可用" not in out.text
    if key.startswith("OCR_"):
        assert out.state.step is Step.AWAITING_PHOTO
        assert out.state.doc_type == key.removeprefix("OCR_").lower()
    elif key.startswith("FLOW_"):
        assert out.state.step is Step.IN_FLOW and "请发送身份证正面" in out.text
    else:
        assert out.text


def broken(change) -> dict:
    data = copy.deepcopy(custom_menu.load())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: m["button"].append(m["button"][0]), "1 to 3 buttons"),
        (lambda m: m["button"][0].update(name="证件识别和更多东西"), "bytes"),
        (lambda m: m["button"][0]["sub_button"].append({"type": "click"}), "sub-buttons"),
        (lambda m: m["button"][2]["sub_button"][0].update(key="OCR_DIPLOMA"), "OCR_DIPLOMA"),
        (lambda m: m["button"][2]["sub_button"][0].update(type="scancode_push"), "only click"),
        (lambda m: m["button"][2]["sub_button"][0].update(type="view", url="ftp://x"), "url"),
    ],
)
def test_mistakes_in_the_file_are_caught_before_wechat_sees_them(change, problem: str) -> None:
    with pytest.raises(custom_menu.MenuError, match=problem):
        custom_menu.check(broken(change))


def cli_env(emulator, redis_url: str) -> dict[str, str]:
    env = {k.upper(): str(v) for k, v in TEST_CREDENTIALS.items()}
    return {**env, "WECHAT_API_BASE": emulator.wechat_api_base, "REDIS_URL": redis_url}


def test_ocrbot_menu_sync_pushes_the_file(make_bot, emulator, redis_url: str) -> None:
    result = CliRunner().invoke(main, ["custom-menu", "sync"], env=cli_env(emulator, redis_url))
    assert result.exit_code == 0, result.output
    assert "menu synced: 3 buttons, 12 click keys" in result.output
    official = make_bot().runtime.official
    assert official.call(lambda: official.client.get("menu/get"))["menu"] == custom_menu.load()


SYNC_AND_LIST_DEV_MODULES = """
import sys
from bot.cli import main
main(["custom-menu", "sync"], standalone_mode=False)
print("dev modules:", sorted(m for m in sys.modules if m.startswith(("bot.devtools", "tests"))))
"""


def test_ocrbot_menu_sync_without_redis_starts_no_redis_server(emulator) -> None:
    """No REDIS_URL: the token is fetched for this run; no redis-server, no dev code loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS_")}
    env |= {k.upper(): str(v) for k, v in TEST_CREDENTIALS.items()}
    env["WECHAT_API_BASE"] = emulator.wechat_api_base
    result = subprocess.run(
        [sys.executable, "-c", SYNC_AND_LIST_DEV_MODULES],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "menu synced: 3 buttons, 12 click keys" in result.stdout
    assert "dev modules: []" in result.stdout


def test_ocrbot_menu_sync_refuses_a_bad_file(tmp_path: Path, emulator, redis_url: str) -> None:
    bad = tmp_path / "custom_menu.toml"
    bad.write_text('[[button]]\nname = "x"\ntype = "click"\nkey = "NOPE"\n', encoding="utf-8")
    env = cli_env(emulator, redis_url)
    result = CliRunner().invoke(main, ["custom-menu", "sync", "--file", str(bad)], env=env)
    assert result.exit_code == 1 and "NOPE" in result.output


def test_ocrbot_menu_show_prints_the_json_menu_create_takes() -> None:
    result = CliRunner().invoke(main, ["custom-menu", "show"])
    assert result.exit_code == 0
    assert json.loads(result.output) == custom_menu.load()
