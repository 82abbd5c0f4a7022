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
    settings.check_can_serve()
    runtime = runtime or Runtime(settings)
    runtime.flows  # noqa: B018 - a broken flows file stops the start, not the first message
    logs.setup(settings.log_level, settings.log_format)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["ocrbot"] = runtime
    app.extensions["ocrbot.channels"] = _channels(settings)

    from bot import metrics
    from bot.webhook import bp

    app.register_blueprint(bp)
    app.register_blueprint(metrics.bp)
    if settings.wechat_cloudrun:
        from bot import cloudrun

        app.register_blueprint(cloudrun.bp)  # WeChat Cloud Run's message push; never otherwise
    logs.init_app(app)

    if settings.is_development:  # dev code is imported only when development is asked for
        from bot.devtools import simulator

        simulator.register(app, settings)  # the chat simulator page: only under ENV=development
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
