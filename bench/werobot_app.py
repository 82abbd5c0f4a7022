"""WeRoBot beside the bot in bench/webhook.py, served by the same gunicorn settings.

WeRoBot (``pip install -e ".[bench]"``) in its encrypted (safe) mode with the bot's
token, EncodingAESKey and AppID: it checks both signatures, decrypts the message, keeps a
session per user and answers an image with an encrypted text reply. The WSGI app is
WeRoBot's own (``robot.wsgi``, on Bottle).

``WEROBOT_SESSION`` says where the sessions are: ``redis`` (the default: its
``RedisStorage`` in the bench's Redis, one GET and one SET a message, as a bot that
remembers a photo must), ``sqlite`` (WeRoBot's default: one SQLite file, here in
``WEROBOT_SESSION_DIR``, that every worker shares) or ``off``.
"""

import os
from typing import Any

import redis
from werobot import WeRoBot
from werobot.session.redisstorage import RedisStorage
from werobot.session.sqlitestorage import SQLiteStorage


def session_storage(kind: str) -> Any:
    if kind == "redis":
        return RedisStorage(redis.Redis.from_url(os.environ["REDIS_URL"]))
    if kind == "sqlite":
        return SQLiteStorage(os.path.join(os.environ["WEROBOT_SESSION_DIR"], "session.sqlite3"))
    if kind == "off":
        return False
    raise ValueError(f"WEROBOT_SESSION must be redis, sqlite or off, not {kind!r}")


robot = WeRoBot(
    token=os.environ["WECHAT_TOKEN"],
    APP_ID=os.environ["WECHAT_APPID"],
    ENCODING_AES_KEY=os.environ["WECHAT_AES_KEY"],
    SESSION_STORAGE=session_storage(os.environ.get("WEROBOT_SESSION", "redis")),
)


@robot.image
def photo(message: Any, session: dict[str, Any] | None) -> str:
    if session is not None:
        session["photo"] = message.img
    return "收到照片。请回复数字选择证件类型：1 身份证 2 银行卡 3 护照 4 驾驶证"


app = robot.wsgi
