"""The parts a process builds once: settings, Redis, stores, API clients, the engine.

The web process never touches ``engine`` (no models in the web dynos); a
worker builds it at start-up (``worker.py``) so that no job pays for loading.
"""

from __future__ import annotations

import logging
from functools import cached_property
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.connection import parse_url
from redis.sentinel import Sentinel
from rq import Queue

from bot import flows
from bot.arrival import Arrivals
from bot.callback import Outbox
from bot.config import ReplyMode, Settings
from bot.dossier import Dossiers
from bot.flows import Flow
from bot.incoming import Channel
from bot.limits import Blocks, Quota, QuotaGuard, RateLimit, Usage
from bot.ocr import ENGINE_TYPES, Chain, check_chain, readable_types
from bot.ocr.base import DocType, Engine, Failure
from bot.replays import Replays
from bot.store import ENGINE_KEY, CheckedWrite, Deliveries, Results, States, Vault
from bot.wechat_api import ApiError, OfficialApi, WeComApi, fetch_url

log = logging.getLogger(__name__)

# media/get failures the PicUrl (WeChat's image server, no token needed) can help with: an
# invalid or expired media id, WeChat's rate limit, and transient and token failures too.
# Not 40006: too large is the same picture from either source.
PIC_URL_FALLBACK = frozenset({40007, 45009})


def picture_url(url: str, settings: Settings) -> str | None:
    """``url`` as it may be fetched (https, an allowed host, port 443), or None.

    Under explicit development the emulator's own picture URLs pass as they are.
    """
    if settings.is_development and settings.emulator_url:
        own = settings.emulator_url.rstrip("/") + "/_emulator/pic/"
        if url.startswith(own) and "/.." not in url and "@" not in url:
            return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if (
        parts.scheme not in ("http", "https")
        or host not in settings.pic_hosts
        or port not in (None, 443)
        or parts.username is not None
        or parts.password is not None
    ):
        return None
    return urlunsplit(("https", host, parts.path, parts.query, ""))


def connect(settings: Settings) -> redis.Redis:
    """A Redis client from ``REDIS_URL``, or the current master through Sentinel."""
    if not settings.redis_sentinels:
        return redis.Redis.from_url(settings.redis_url)
    given = parse_url(settings.redis_url) if settings.redis_url else {}
    options = {k: v for k, v in given.items() if k in ("db", "username", "password")}
    sentinels = []
    for address in settings.redis_sentinels.split(","):
        host, _, port = address.strip().rpartition(":")
        sentinels.append((host, int(port)))
    sentinel = Sentinel(sentinels, socket_timeout=settings.http_timeout)
    return sentinel.master_for(settings.redis_sentinel_master, **options)


class Runtime:
    def __init__(self, settings: Settings, client: redis.Redis | None = None) -> None:
        self.settings = settings
        if client is not None:
            self.redis = client

    @cached_property
    def redis(self) -> redis.Redis:
        """Connected on first use: ``ocrbot recognize`` with the local engine needs none."""
        return connect(self.settings)

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
        # A claim outlives a healthy first try, not WeChat's next retry (5 s later).
        return Deliveries(self.vault, lease=self.settings.wechat_reply_window * 0.9)

    @cached_property
    def replays(self) -> Replays:
        return Replays(self.settings.signature_max_age)

    @cached_property
    def arrivals(self) -> Arrivals:
        """A message's round trip (``bot/arrival.py``); one per process: it keeps the guesses."""
        return Arrivals(self)

    @cached_property
    def checked_write(self) -> CheckedWrite:
        """A message's second round trip after a wrong guess: its writes, if what it read is
        unchanged."""
        return CheckedWrite(self.redis)

    @cached_property
    def dossiers(self) -> Dossiers:
        """Documents waiting for the user's 确认, or a flow's documents so far."""
        return Dossiers(self.vault, ttl=max(self.settings.state_ttl * 6, 3600))

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.vault, keep=self.settings.result_webhook_keep)

    @property
    def flows(self) -> tuple[Flow, ...]:
        return flows.load_cached(self.settings.flows_file)

    # --- guard rails and usage (bot/limits.py) ----------------------------------
    @cached_property
    def blocks(self) -> Blocks:
        return Blocks(self.redis)

    @cached_property
    def rate_limit(self) -> RateLimit:
        return RateLimit(
            self.redis, self.settings.rate_limit_photos, self.settings.rate_limit_window
        )

    @cached_property
    def quota(self) -> Quota:
        return Quota(self.redis, self.settings.wechat_ocr_daily_quota)

    @cached_property
    def usage(self) -> Usage:
        return Usage(self.redis)

    # --- queues --------------------------------------------------------------
    @cached_property
    def queue(self) -> Queue:
        """Recognitions: slow, CPU-bound."""
        return Queue(self.settings.queue_name, connection=self.redis)

    @cached_property
    def push_queue(self) -> Queue:
        """Menus and other quick pushes: workers take these first."""
        return Queue(f"{self.settings.queue_name}-push", connection=self.redis)

    @cached_property
    def callback_queue(self) -> Queue:
        """Result-webhook deliveries: after the chat's work, never in its way."""
        return Queue(f"{self.settings.queue_name}-callback", connection=self.redis)

    @property
    def queues(self) -> list[Queue]:
        return [self.push_queue, self.queue, self.callback_queue]

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
        """The user's photo: ``media/get`` first, the message's PicUrl as fallback.

        The PicUrl is a second source only for failures it can help with, and
        only when it points at WeChat's image servers (:func:`picture_url`):
        anything else in it is the sender's choice, never connected to.
        """
        limit = self.settings.max_image_bytes
        try:
            return self.api(channel).download_media(media_id, limit)
        except ApiError as error:
            helps = error.transient or error.bad_token or error.errcode in PIC_URL_FALLBACK
            if not pic_url or not helps:
                raise
            url = picture_url(pic_url, self.settings)
            if url is None:
                log.warning("PicUrl not fetched: not one of PIC_URL_HOSTS over https")
                raise
            log.info("media/get failed (%s); trying PicUrl", error.errcode)
            try:
                return fetch_url(url, limit, self.settings.http_timeout)
            except ApiError:
                raise error from None

    # --- OCR -----------------------------------------------------------------
    def menu_types(self, stored: bytes | None) -> tuple[DocType, ...]:
        """The types the chain in force reads (``stored``: ENGINE_KEY's value, as a
        message's arrival found or guessed it: ``bot/arrival.py``)."""
        return readable_types(self.chain_from(stored))

    def engine_chain(self) -> tuple[str, ...]:
        """The chain in force for every process: the one ``/engine`` chose, else OCR_ENGINE.

        Kept in Redis without expiry, so it survives restarts of the bot and is
        forgotten only with Redis itself.
        """
        return self.chain_from(self.redis.get(ENGINE_KEY))

    def chain_from(self, stored: bytes | None) -> tuple[str, ...]:
        """The chain in force, given ENGINE_KEY's value."""
        if stored:
            try:
                return check_chain(stored.decode().split(","))
            except ValueError:
                log.warning("ignoring an unknown engine chain in Redis: %r", stored)
        return self.settings.engine_chain

    def set_engine_chain(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Switch every worker to ``names`` from its next job on (ValueError if unknown)."""
        chain = check_chain(names)
        self.redis.set(ENGINE_KEY, ",".join(chain))
        return chain

    def current_engine(self) -> Engine:
        """The engine for the chain in force; each engine is built once per process."""
        return self.engine_for(self.engine_chain())

    @cached_property
    def engine(self) -> Engine:
        """The OCR_ENGINE chain, whatever Redis says (the CLI's ``recognize``)."""
        return self.engine_for(self.settings.engine_chain)

    def engine_for(self, names: tuple[str, ...]) -> Engine:
        engines = [self._built(name) for name in check_chain(names)]
        return engines[0] if len(engines) == 1 else Chain(engines, self._fallback)

    @cached_property
    def _engines(self) -> dict[str, Engine]:
        return {}

    def _built(self, name: str) -> Engine:
        if name not in self._engines:
            self._engines[name] = self.engine_factories()[name]()
        return self._engines[name]

    def _fallback(self, engine: str, failure: Failure) -> None:
        self.usage.count(f"fallback:{engine}:{failure.value}")

    def engine_factories(self) -> dict:
        def local() -> Engine:
            from bot.ocr.local import LocalEngine, load_models  # the web never loads models

            return LocalEngine(load_models(threads=self.settings.ocr_threads))

        def wechat() -> Engine:
            from bot.ocr.wechat import WeChatEngine

            return QuotaGuard(WeChatEngine(self.official), self.quota)

        factories = {"local": local, "wechat": wechat}
        assert factories.keys() == ENGINE_TYPES.keys()
        return factories
