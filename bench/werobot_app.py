"""WeRoBot beside the bot in bench/webhook.py, served by the same gunicorn settings.

WeRoBot (``pip install -e ".[bench]"``) in its encrypted (safe) mode with the bot's
token, EncodingAESKey and AppID: it checks both signatures, decrypts the message, keeps a
session per user in the bench's Redis (its ``RedisStorage``: one GET and one SET a
message, as a bot that remembers a photo must) and answers an image with an encrypted
text reply. The WSGI app is WeRoBot's own (``robot.wsgi``, on Bottle).
"""

import os
from typing import Any

import redis
from werobot import WeRoBot
from werobot.session.redisstorage import RedisStorage

robot = WeRoBot(
    token=os.environ["WECHAT_TOKEN"],
    APP_ID=os.environ["WECHAT_APPID"],
    ENCODING_AES_KEY=os.environ["WECHAT_AES_KEY"],
    SESSION_STORAGE=RedisStorage(redis.Redis.from_url(os.environ["REDIS_URL"])),
)


@robot.image
def photo(message: Any, session: dict[str, Any]) -> str:
    session["photo"] = message.img
    return "收到照片。请回复数字选择证件类型：1 身份证 2 银行卡 3 护照 4 驾驶证"


app = robot.wsgi
