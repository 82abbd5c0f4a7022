"""``POST /wxcloudrun``: WeChat Cloud Run's message push (``bot/channels/cloudrun.py``).

Mounted only with ``WECHAT_CLOUDRUN=true``; otherwise the path does not exist. A message
takes the same way as one on ``/wechat`` (``webhook.answer``: retries dropped, handlers,
passive reply), only its envelope differs.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, abort, request

from bot import metrics, webhook
from bot.channels.base import Rejected
from bot.channels.cloudrun import CloudRunChannel

log = logging.getLogger(__name__)

PATH = "/wxcloudrun"

bp = Blueprint("cloudrun", __name__)
channel = CloudRunChannel()


@bp.post(PATH)
def push() -> Response:
    started = time.monotonic()
    body = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before we read it
    try:
        pushed = channel.parse(request.headers, body)
    except Rejected as rejected:
        log.warning("cloudrun request rejected (%s): %s", rejected.status, rejected.reason)
        metrics.WEBHOOK_REQUESTS.labels("cloudrun", "rejected").inc()
        abort(rejected.status, rejected.reason)
    if pushed.parsed is None:
        log.info("Cloud Run checked the message-push path (%s)", pushed.format)
        return Response("success", mimetype="text/plain")
    xml = webhook.answer(pushed.parsed, "cloudrun", started)
    text, mimetype = channel.render(pushed, xml)
    return Response(text, mimetype=mimetype)
