"""Settings: what refuses to start, and what the environment names mean."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from bot import create_app
from bot.config import Settings


def test_production_without_data_key_is_a_startup_error(monkeypatch) -> None:
    monkeypatch.setenv("ENV", "production")
    monkeypatch.delenv("DATA_KEY", raising=False)
    with pytest.raises(ValidationError, match="DATA_KEY is required in production"):
        Settings()
    with pytest.raises(ValidationError):
        create_app()


def test_production_with_data_key_uses_it(monkeypatch) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("DATA_KEY", key)
    settings = Settings()
    token = settings.fernet.encrypt(b"x")
    assert Fernet(key.encode()).decrypt(token) == b"x"


def test_development_generates_a_key() -> None:
    settings = Settings(env="development", data_key="")
    assert settings.fernet.decrypt(settings.fernet.encrypt(b"y")) == b"y"


def test_environment_names_are_the_documented_ones(monkeypatch) -> None:
    monkeypatch.setenv("WECHAT_APPID", "wxapp")
    monkeypatch.setenv("WECOM_AGENT_ID", "1000002")
    monkeypatch.setenv("OCR_ENGINE", "wechat,local")
    monkeypatch.setenv("ADMIN_USERS", "a, b,,c")
    monkeypatch.setenv("SIGNATURE_MAX_AGE", "0")
    settings = Settings()
    assert settings.wechat_appid == "wxapp" and settings.wecom_agent_id == 1000002
    assert settings.engine_chain == ("wechat", "local")
    assert settings.admins == frozenset({"official:a", "official:b", "official:c"})
    assert settings.signature_max_age == 0


@pytest.mark.parametrize("engine", ["tesseract", "", "local,cloud"])
def test_unknown_engines_are_refused_at_startup(engine: str) -> None:
    with pytest.raises(ValidationError):
        Settings(ocr_engine=engine)


def test_aes_key_must_have_43_characters() -> None:
    with pytest.raises(ValidationError):
        Settings(wechat_aes_key="short")


def test_malformed_data_key_is_a_startup_error() -> None:
    with pytest.raises(ValidationError):
        Settings(data_key="not-a-fernet-key")
