"""The parts a process builds once: settings, Redis, stores, API clients, the engine.

The web process never touches ``engine`` (no models in the web dynos); a
worker builds it at start-up (``worker.py``) so that no job pays for loading.
"""

from __future__ import annotations

import logging
from functools import cached_property

import redis
from rq import Queue

from bot.config import ReplyMode, Settings
from bot.conversation import Deliveries, Results, States, Vault
from bot.incoming import Channel
from bot.ocr import ENGINE_TYPES, build_engine, readable_types
from bot.ocr.base import DocType, Engine
from bot.wechat_api import ApiError, OfficialApi, WeComApi, fetch_url

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, client: redis.Redis | None = None) -> None:
        self.settings = settings
        self.redis = client or redis.Redis.from_url(settings.redis_url)

    # --- storage -------------------------------------------------------------
    @cached_property
    def vault(self) -> Vault:
        return Vault(self.redis, self.settings.fernet)

    @cached_property
    def states(self) -> States:
        # The key outlives the pending photo so that a late choice gets "expired", not "send one".
        return States(self.vault, ttl=max(self.settings.state_ttl * 6, 3600))

    @cached_property
    def results(self) -> Results:
        return Results(self.vault, ttl=self.settings.result_ttl)

    @cached_property
    def deliveries(self) -> Deliveries:
        return Deliveries(self.vault)

    # --- queues --------------------------------------------------------------
    @cached_property
    def queue(self) -> Queue:
        """Recognitions: slow, CPU-bound."""
        return Queue(self.settings.queue_name, connection=self.redis)

    @cached_property
    def push_queue(self) -> Queue:
        """Menus and other quick pushes: workers take these first."""
        return Queue(f"{self.settings.queue_name}-push", connection=self.redis)

    @property
    def queues(self) -> list[Queue]:
        return [self.push_queue, self.queue]

    # --- WeChat --------------------------------------------------------------
    @cached_property
    def official(self) -> OfficialApi:
        return OfficialApi(self.settings, self.redis)

    @cached_property
    def wecom(self) -> WeComApi:
        return WeComApi(self.settings, self.redis)

    def api(self, channel: Channel) -> OfficialApi | WeComApi:
        return self.official if channel is Channel.OFFICIAL else self.wecom

    def passive_results(self, channel: Channel) -> bool:
        """Results are answered passively (no customer-service API): Official Account only."""
        return channel is Channel.OFFICIAL and self.settings.wechat_reply_mode is ReplyMode.PASSIVE

    def download(self, channel: Channel, media_id: str, pic_url: str = "") -> bytes:
        """The user's photo: ``media/get`` first, the message's PicUrl as fallback."""
        limit = self.settings.max_image_bytes
        try:
            return self.api(channel).download_media(media_id, limit)
        except ApiError as error:
            if not pic_url:
                raise
            log.info("media/get failed (%s); trying PicUrl", error.errcode)
            try:
                return fetch_url(pic_url, limit, self.settings.http_timeout)
            except ApiError:
                raise error from None

    # --- OCR -----------------------------------------------------------------
    @property
    def menu_types(self) -> tuple[DocType, ...]:
        return readable_types(self.settings.engine_chain)

    @cached_property
    def engine(self) -> Engine:
        return build_engine(self.settings.engine_chain, self.engine_factories())

    def engine_factories(self) -> dict:
        def local() -> Engine:
            from bot.ocr.local import LocalEngine  # imported here: the web never loads models

            return LocalEngine()

        def wechat() -> Engine:
            from bot.ocr.wechat import WeChatEngine

            return WeChatEngine(self.official)

        factories = {"local": local, "wechat": wechat}
        assert factories.keys() == ENGINE_TYPES.keys()
        return factories
