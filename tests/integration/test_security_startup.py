"""ENV unset is not a silent development mode; the simulator must be asked for; bad keys are said.

Before, with ENV unset and no DATA_KEY, each process made up its own key: the web
app and the worker could not read each other's data, and nothing said so.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot import create_app
from bot.config import ConfigError, Settings
from bot.store import Vault
from tests.fixtures.emulator import TEST_CREDENTIALS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    for name in ("ENV", "DATA_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("credential", sorted(k for k in TEST_CREDENTIALS if k != "wecom_agent_id"))
def test_the_app_refuses_a_credential_without_data_key(credential: str) -> None:
    settings = Settings(**{credential: TEST_CREDENTIALS[credential]})
    with pytest.raises(ConfigError, match="DATA_KEY is unset"):
        create_app(settings)


@pytest.mark.parametrize(
    "setting",
    [
        {"wechat_cloudrun": True},  # a Cloud Run deploy has no token, secret or AES key
        {"result_webhook_url": "https://ops.example/hook", "result_webhook_secret": "s"},
    ],
    ids=["cloudrun", "result-webhook"],
)
def test_cloud_run_or_a_result_webhook_without_data_key_is_refused(setting: dict) -> None:
    with pytest.raises(ConfigError, match="DATA_KEY is unset"):
        create_app(Settings(**setting))


def test_the_worker_refuses_to_start_too(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ENV", "DATA_KEY")}
    env |= {"WECHAT_TOKEN": "tok", "REDIS_URL": "redis://127.0.0.1:1/0", "OCR_ENGINE": "wechat"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "worker", "--burst"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "DATA_KEY is unset" in done.stderr


def test_explicit_development_or_a_key_or_no_channel_starts() -> None:
    key = Fernet.generate_key().decode()
    assert create_app(Settings(wechat_token="tok", env="development"))
    assert create_app(Settings(wechat_token="tok", data_key=key))
    assert create_app(Settings())  # nothing configured: nothing to lose


def test_the_simulator_is_mounted_only_when_development_is_asked_for() -> None:
    key = Fernet.generate_key().decode()
    unset = create_app(Settings(wechat_token="tok", data_key=key)).test_client()
    assert unset.get("/simulator/").status_code == 404
    dev = create_app(Settings(wechat_token="tok", env="development")).test_client()
    assert dev.get("/simulator/").status_code == 200


def test_a_value_that_does_not_decrypt_is_logged(redis, caplog) -> None:
    Vault(redis, Settings(data_key=Fernet.generate_key().decode()).fernet).put(
        "ocrbot:state:official:u1", {"step": "x"}, 60
    )
    other = Vault(redis, Settings(data_key=Fernet.generate_key().decode()).fernet)
    with caplog.at_level(logging.WARNING):
        assert other.get("ocrbot:state:official:u1") is None
    [record] = [r for r in caplog.records if "does not decrypt" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "u1" not in record.getMessage()  # which kind of value, not whose


def test_a_popped_value_that_does_not_decrypt_is_logged_too(redis, caplog) -> None:
    """A passive result (or any value taken with ``pop``) under another DATA_KEY."""
    Vault(redis, Settings(data_key=Fernet.generate_key().decode()).fernet).put(
        "ocrbot:result:official:u2:job", "答案", 60
    )
    other = Vault(redis, Settings(data_key=Fernet.generate_key().decode()).fernet)
    with caplog.at_level(logging.WARNING):
        assert other.pop("ocrbot:result:official:u2:job") is None
    [record] = [r for r in caplog.records if "does not decrypt" in r.getMessage()]
    assert "result" in record.getMessage() and "u2" not in record.getMessage()
    assert not redis.exists("ocrbot:result:official:u2:job")
