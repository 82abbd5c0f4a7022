"""DATA_KEY rotation on what Redis holds: old values read, new ones written with the new key."""

from __future__ import annotations

from cryptography.fernet import Fernet

from bot.config import Settings


def test_data_key_rotation_reads_old_values_and_writes_with_the_new_key(redis) -> None:
    from bot.store import Vault

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    Vault(redis, Settings(data_key=old).fernet).put("k", {"media_id": "M"}, 60)
    rotated = Vault(redis, Settings(data_key=f"{new},{old}").fernet)
    assert rotated.get("k") == {"media_id": "M"}
    rotated.put("k2", "v", 60)
    assert Fernet(new.encode()).decrypt(redis.get("k2")) == b'"v"'
    assert Vault(redis, Settings(data_key=new).fernet).get("k") is None  # old key dropped
