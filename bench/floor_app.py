"""The floor of a safe-mode webhook in bench/webhook.py: the least any bot must do.

A Flask endpoint that does only what answering one encrypted WeChat message correctly
takes, with the bot's own channel code: check both signatures, decrypt and parse
(``OfficialChannel.parse``), one Redis round trip (a script that remembers the message
for WeChat's retries, ``SET NX`` with a TTL), a fixed text reply, encrypted
(``OfficialChannel.seal``). No state, no handlers, no metrics: what is left of the bot's
cost above this row is its own work.
"""

import redis
from flask import Flask, Response, request

from bot.channels.base import Reply, render_plain
from bot.channels.official import OfficialChannel
from bot.config import Settings

settings = Settings()  # the bench's environment: WECHAT_TOKEN, WECHAT_AES_KEY, ...
channel = OfficialChannel(settings)
remember = redis.Redis.from_url(settings.redis_url).register_script(
    "return redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1])"
)
app = Flask(__name__)


@app.post("/wechat")
def wechat() -> Response:
    parsed = channel.parse(request.args, request.get_data())
    msg = parsed.incoming
    remember(keys=[f"floor:{msg.dedupe_key}"], args=[300])
    xml = render_plain(msg, Reply("text", "请选择证件类型：\n1 身份证\n2 银行卡"))
    return Response(channel.seal(parsed, xml), mimetype="application/xml")
