"""wechat-ocr-bot: the Flask application factory."""

from __future__ import annotations

from flask import Flask

from bot import logs
from bot.config import Settings
from bot.incoming import Channel
from bot.runtime import Runtime


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """The web app. ``settings`` default to the environment; nothing happens at import."""
    settings = settings or (runtime.settings if runtime else Settings())
    runtime = runtime or Runtime(settings)
    logs.setup(settings.log_level, settings.log_format)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["ocrbot"] = runtime
    app.extensions["ocrbot.channels"] = _channels(settings)

    from bot import metrics
    from bot.webhook import bp

    app.register_blueprint(bp)
    app.register_blueprint(metrics.bp)
    logs.init_app(app)

    if not settings.is_production:  # dev code is never imported in production
        from bot.devtools import simulator

        simulator.register(app, settings)  # the chat simulator page
    return app


def _channels(settings: Settings) -> dict:
    from bot.channels.official import OfficialChannel
    from bot.channels.wecom import WeComChannel

    channels: dict = {}
    if settings.official_enabled:
        channels[Channel.OFFICIAL] = OfficialChannel(settings)
    if settings.wecom_enabled:
        channels[Channel.WECOM] = WeComChannel(settings)
    return channels
