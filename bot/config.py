"""Settings from the environment, in one place.

Every setting has a description: ``docs/configuration.md`` is generated from
this class (``ocrbot config-docs``), so the two cannot drift.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property

from cryptography.fernet import Fernet, MultiFernet
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.incoming import Channel, scoped


class MenuStyle(StrEnum):
    TEXT = "text"
    MSGMENU = "msgmenu"


class ReplyMode(StrEnum):
    PUSH = "push"  # answer later with the customer-service / app message API
    PASSIVE = "passive"  # answer only passively, inside WeChat's retry window


class ConfigError(ValueError):
    """The settings cannot run the bot (raised at startup, never later)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    env: str = Field(
        "",
        description="`production` or `development`. Production refuses to start without "
        "`DATA_KEY` or with `SIGNATURE_MAX_AGE=0`. Development must be asked for (`ocrbot "
        "dev` does): only then is the chat simulator mounted. Unset is neither: the web app "
        "and the worker refuse to start when a channel credential is set and `DATA_KEY` is "
        "not (each process would make up its own key and could not read the other's data).",
    )

    # Official Account
    wechat_appid: str = Field("", description="Official Account AppID (开发 → 基本配置).")
    wechat_secret: str = Field("", description="Official Account AppSecret.")
    wechat_token: str = Field("", description="Token entered in the server configuration.")
    wechat_aes_key: str = Field(
        "",
        description="EncodingAESKey (43 characters). Empty: plaintext mode only. Set: "
        "plaintext requests are refused (403) unless `WECHAT_ALLOW_PLAINTEXT` is on.",
    )
    wechat_allow_plaintext: bool = Field(
        False,
        description="Accept plaintext requests (no `encrypt_type`, or `raw`) although "
        "`WECHAT_AES_KEY` is set: only while switching the account between plaintext and "
        "safe mode. Risk: a plaintext request's `signature` covers the token, timestamp and "
        "nonce, never the body, so one query string seen in an access log lets anyone post "
        "any body as any openid (an admin's included) until the timestamp is too old. "
        "Turn it off again as soon as the account is in safe mode.",
    )
    wechat_api_base: str = Field(
        "https://api.weixin.qq.com", description="Official Account API host."
    )
    wechat_menu_style: MenuStyle = Field(
        MenuStyle.TEXT,
        description="`text`: numbered text menu as the passive reply (every account). "
        "`msgmenu`: tappable menu through the customer-service API (verified service "
        "accounts), falling back to text on 40200.",
    )
    wechat_reply_mode: ReplyMode = Field(
        ReplyMode.PUSH,
        description="`push`: results are sent with the customer-service API. `passive`: "
        "for accounts without it, the webhook waits for the result inside WeChat's retry "
        "window; later the user sends 结果 to fetch it.",
    )

    wechat_cloudrun: bool = Field(
        False,
        description="WeChat Cloud Run (微信云托管): serve its message push at `/wxcloudrun` "
        "(JSON or XML, unsigned, only with WeChat's `x-wx-source` header) and call WeChat's "
        "APIs through its open API service, without an access token. Off: `/wxcloudrun` "
        "does not exist.",
    )

    wechat_reply_window: float = Field(
        5.0,
        description="Seconds WeChat waits for a passive reply before it retries (it tries "
        "three times). Only tests change this.",
    )

    # WeCom app
    wecom_corp_id: str = Field("", description="WeCom corp ID (我的企业 → 企业ID).")
    wecom_agent_id: int = Field(0, description="WeCom app AgentId.")
    wecom_secret: str = Field("", description="WeCom app Secret.")
    wecom_token: str = Field("", description="Token of the app's API receive settings.")
    wecom_aes_key: str = Field("", description="EncodingAESKey of the app's API receive settings.")
    wecom_api_base: str = Field("https://qyapi.weixin.qq.com", description="WeCom API host.")

    # Infrastructure
    redis_url: str = Field(
        "", description="Redis URL. Unset under `ocrbot dev`: an embedded redis-server is started."
    )
    redis_sentinels: str = Field(
        "",
        description="Redis Sentinel addresses, `host:port,host:port`. Set: the bot asks them "
        "for the current master of `REDIS_SENTINEL_MASTER` (and follows failovers); "
        "`REDIS_URL` then only gives the database, user and password.",
    )
    redis_sentinel_master: str = Field(
        "mymaster", description="The master's name in the Sentinel configuration."
    )
    queue_name: str = Field("ocr", description="RQ queue the recognition jobs go to.")
    ocr_engine: str = Field(
        "local",
        description="`local` (offline RapidOCR engine), `wechat` (cloud API), or a fallback "
        "chain such as `wechat,local`.",
    )
    ocr_threads: int = Field(
        0,
        ge=0,
        description="Threads the local engine's models compute with inside one recognition "
        "(onnxruntime's intra-op threads). `0`: one per core, for one worker alone on its "
        "machine. Workers sharing a machine should split its cores: `1` for two workers on "
        "2 cores (docs/benchmarks.md, sizing).",
    )
    admin_users: str = Field(
        "",
        description="Who may run admin commands, comma-separated, each scoped by channel: "
        "`official:<openid>` or `wecom:<userid>` (a WeCom userid may equal someone's openid). "
        "A bare id is an Official Account openid only; another prefix refuses to start.",
    )
    signature_max_age: int = Field(
        300,
        description="Seconds a request's timestamp may be old; `0` turns the check off "
        "(refused in production). A timestamp and nonce are remembered for twice this long: "
        "the same pair with another body is refused (403).",
    )
    data_key: str = Field(
        "",
        description="Fernet key for what the bot keeps about a user in Redis, the same in "
        "the web app and every worker. Required in production and whenever a channel is "
        "configured; only under `ENV=development` is a key generated per process. To rotate, "
        "set "
        "`NEW,OLD`: new values are written with the first key, and values under any key "
        "are read.",
    )
    state_ttl: int = Field(600, description="Seconds a pending photo waits for its type.")
    result_ttl: int = Field(
        86400, description="Seconds an undelivered result is kept (encrypted) for 结果."
    )
    max_body_bytes: int = Field(
        64 * 1024, description="Largest webhook request body accepted (413 above)."
    )
    max_image_bytes: int = Field(
        10 * 1024 * 1024, description="Largest image a job downloads; larger ones are refused."
    )
    retry_intervals: list[int] = Field(
        [10, 30, 90],
        description="Seconds between the tries of a recognition that failed for a transient "
        "reason (JSON list; its length is the number of retries; [] for none).",
    )
    http_timeout: float = Field(
        10.0,
        description="Seconds each outgoing call (WeChat and WeCom APIs, token fetches, the "
        "PicUrl fallback) may take in all, connecting and reading the whole answer.",
    )
    pic_url_hosts: str = Field(
        "mmbiz.qpic.cn,wework.qpic.cn",
        description="Hosts a message's `PicUrl` may point at (WeChat's image servers), "
        "comma-separated. The picture is fetched over https only (an http PicUrl of an allowed "
        "host is upgraded), redirects are not followed, and only when `media/get` failed for a "
        "reason a second source can help with (expired media id, rate limit, a rejected "
        "token, a transient error; not a picture too large). Any other PicUrl is never "
        "connected to. Under `ocrbot dev` and the tests the emulator's own `/_emulator/pic/` "
        "URLs are allowed too.",
    )
    log_level: str = Field("INFO", description="Python log level.")
    emulator_url: str = Field(
        "",
        description="Development only: URL of the WeChat API emulator that the chat simulator "
        "page (`/simulator`) drives. Set by `ocrbot dev`. The page is never mounted in production.",
    )
    log_format: str = Field(
        "text",
        description="`text` (one readable line) or `json` (one JSON object a line, with the "
        "request or job id). ID and card numbers are masked in both.",
    )

    # Guard rails and operations (docs/operations.md)
    rate_limit_photos: int = Field(
        20, description="Photos one user may send per `RATE_LIMIT_WINDOW`; `0` turns it off."
    )
    rate_limit_window: int = Field(3600, description="Seconds of the per-user photo limit.")
    wechat_ocr_daily_quota: int = Field(
        100,
        description="WeChat OCR calls per endpoint per day (Beijing date). At the quota the "
        "cloud engine answers 'out of quota' without calling WeChat, so `wechat,local` falls "
        "back to `local`.",
    )
    metrics_token: str = Field(
        "", description="Bearer token `GET /metrics` requires. Empty: the endpoint is open."
    )
    admin_timeout: float = Field(
        3.0,
        description="Seconds an admin command may wait on WeChat (`/menu sync`) so that its "
        "answer still leaves inside the passive-reply window.",
    )

    # Results to the operator's own system (docs/integration.md)
    result_webhook_url: str = Field(
        "",
        description="Where confirmed documents and completed flows are POSTed as signed JSON "
        "(docs/integration.md). Empty: nothing leaves the bot.",
    )
    result_webhook_secret: str = Field(
        "",
        description="HMAC-SHA256 key signing each POST (`X-Ocrbot-Signature: t=...,v1=...`). "
        "Required with `RESULT_WEBHOOK_URL`.",
    )
    result_webhook_key: str = Field(
        "",
        description="Optional Fernet key of the operator's: set, the event's content travels "
        "encrypted with it (`ciphertext`), readable only by whoever holds the key.",
    )
    result_webhook_retry_intervals: list[int] = Field(
        [30, 60, 120, 300, 600, 1200, 1800, 3600, 3600, 3600, 3600],
        description="Seconds between the tries of an event the receiver did not accept (JSON "
        "list; its length is the number of retries; the default spans about 5 hours).",
    )
    result_webhook_keep: int = Field(
        2 * 86400,
        description="Seconds an undelivered event is kept (encrypted) for retries and `/resend`.",
    )
    confirm_results: bool | None = Field(
        None,
        description="Ask the user to confirm (确认) or reject (有误) each answer before it is "
        "sent on. Unset: on when `RESULT_WEBHOOK_URL` is set.",
    )
    flows_file: str = Field(
        "",
        description="TOML file of guided flows (docs/integration.md). Empty: the bundled "
        "`bot/flows.toml`.",
    )

    @field_validator("wechat_aes_key", "wecom_aes_key")
    @classmethod
    def _aes_key_length(cls, v: str) -> str:
        if v and len(v) != 43:
            raise ValueError("an EncodingAESKey has 43 characters")
        return v

    @field_validator("admin_users")
    @classmethod
    def _admin_channels(cls, v: str) -> str:
        for entry in (u.strip() for u in v.split(",")):
            prefix, sep, user = entry.partition(":")
            if sep and (prefix not in ("official", "wecom") or not user.strip()):
                raise ValueError(f"ADMIN_USERS entry {entry!r}: write official:<id> or wecom:<id>")
        return v

    @field_validator("ocr_engine")
    @classmethod
    def _known_engines(cls, v: str) -> str:
        from bot.ocr import check_chain

        check_chain([e.strip() for e in v.split(",") if e.strip()])
        return v

    @model_validator(mode="after")
    def _production_needs_data_key(self) -> Settings:
        if self.is_production and not self.data_key:
            raise ConfigError("DATA_KEY is required in production (Fernet.generate_key())")
        if self.is_production and self.signature_max_age <= 0:
            raise ConfigError("SIGNATURE_MAX_AGE must be positive in production (300)")
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.result_webhook_url and not self.result_webhook_secret:
            raise ConfigError("RESULT_WEBHOOK_SECRET is required with RESULT_WEBHOOK_URL")
        return self

    @field_validator("result_webhook_key")
    @classmethod
    def _operator_key(cls, v: str) -> str:
        if v:
            Fernet(v.encode())  # raises ValueError on a malformed key
        return v

    @property
    def confirm(self) -> bool:
        """Whether answers wait for the user's 确认 (on by default with a result webhook)."""
        if self.confirm_results is None:
            return bool(self.result_webhook_url)
        return self.confirm_results

    def check_can_serve(self) -> None:
        """Refuse to run the web app or a worker on settings that would fail silently."""
        credentials = (
            self.wechat_appid,
            self.wechat_secret,
            self.wechat_token,
            self.wechat_aes_key,
            self.wecom_corp_id,
            self.wecom_secret,
            self.wecom_token,
            self.wecom_aes_key,
            self.wechat_cloudrun,  # Cloud Run's deploys carry no other credential
            self.result_webhook_secret,
        )
        if not self.data_key and not self.is_development and any(credentials):
            raise ConfigError(
                "DATA_KEY is unset while a WeChat or WeCom credential, WECHAT_CLOUDRUN or "
                "RESULT_WEBHOOK_SECRET is set: each process "
                "would make up its own key, and the web app and the workers could not read "
                "each other's data. Set DATA_KEY (the same everywhere; generate one with "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'), or ENV=development for a trial."
            )

    @property
    def is_production(self) -> bool:
        return self.env.lower() in ("production", "prod")

    @property
    def is_development(self) -> bool:
        """Development asked for explicitly (``ENV=development``, as ``ocrbot dev`` sets it)."""
        return self.env.lower() in ("development", "dev")

    @property
    def pic_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.pic_url_hosts.split(",") if h.strip())

    @field_validator("data_key")
    @classmethod
    def _fernet_keys(cls, v: str) -> str:
        for k in v.split(","):
            if k.strip():
                Fernet(k.strip().encode())  # raises ValueError on a malformed key
        return v

    @cached_property
    def fernet(self) -> MultiFernet:
        """Encrypts with the first ``DATA_KEY`` key, decrypts with any (key rotation)."""
        keys = [k.strip().encode() for k in self.data_key.split(",") if k.strip()]
        # A generated key is fine in development: data does not outlive the process's Redis.
        return MultiFernet([Fernet(k) for k in keys] or [Fernet(Fernet.generate_key())])

    @property
    def admins(self) -> frozenset[str]:
        """Admin identities, ``official:<openid>`` / ``wecom:<userid>`` (bare ids: official)."""
        entries = (u.strip() for u in self.admin_users.split(","))
        return frozenset(scoped(u, Channel.OFFICIAL) for u in entries if u)

    @property
    def engine_chain(self) -> tuple[str, ...]:
        return tuple(e.strip() for e in self.ocr_engine.split(",") if e.strip())

    @property
    def official_enabled(self) -> bool:
        return bool(self.wechat_token)

    @property
    def wecom_enabled(self) -> bool:
        return bool(self.wecom_token and self.wecom_aes_key and self.wecom_corp_id)
