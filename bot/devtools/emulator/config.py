"""What the emulator needs to know: the bot's credentials and how strict to be.

The credential fields carry the same names as :class:`bot.config.Settings`,
so one set of values configures both sides (see :meth:`EmulatorConfig.bot_env`).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings

# WeCom's API is served under this prefix: WECOM_API_BASE = emulator URL + WECOM_PREFIX.
# WeCom's paths (/cgi-bin/media/get ...) collide with the Official Account's.
WECOM_PREFIX = "/wecom-api"

# Behaviour knobs that ``POST /_emulator/settings`` may change at run time.
KNOBS = (
    "webhook_base",
    "token_ttl",
    "ocr_daily_quota",
    "msgmenu_allowed",
    "strict_window",
    "local_engine",
    "cloudrun",
    "result_webhook_secret",
)

# Where the emulator receives the bot's result webhook (RESULT_WEBHOOK_URL = emulator + this).
RESULTS_PATH = "/_emulator/results"


def _random_aes_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(43))


@dataclass
class EmulatorConfig:
    """Credentials (as the bot is configured) and behaviour.

    ``webhook_base`` is the bot's own URL (``http://127.0.0.1:8000``): the
    emulator delivers to ``webhook_base + "/wechat"`` and ``"/wecom"``.
    """

    wechat_appid: str = "wx0000000000emulator"
    wechat_secret: str = "emulator-official-secret"
    wechat_token: str = "emulatortoken"
    wechat_aes_key: str = ""
    wecom_corp_id: str = "ww00000000emulator"
    wecom_agent_id: int = 1000002
    wecom_secret: str = "emulator-wecom-secret"
    wecom_token: str = "emulatorwecomtoken"
    wecom_aes_key: str = ""
    account_id: str = "gh_emulator00001"  # the Official Account's original id (ToUserName)
    webhook_base: str = ""
    token_ttl: int = 7200  # seconds an access token lives (WeChat: 7200)
    ocr_daily_quota: int = 100  # calls per OCR endpoint per day before 101003
    msgmenu_allowed: bool = True  # False: custom/send msgmenu answers 40200
    strict_window: bool = False  # True: users never delivered for get 45015
    local_engine: bool = True  # answer un-canned OCR with bot.ocr.local when installed
    # True: the bot runs inside WeChat Cloud Run. Official Account API calls without an
    # access_token are accepted (its open API service), and peers push to /wxcloudrun.
    cloudrun: bool = False
    fetch_timeout: float = 5.0  # seconds to fetch an OCR img_url
    peer_timeout: float = 5.0  # seconds WeChat waits for the webhook
    # The operator's side: the key the result webhook's signatures are checked with ("": none).
    result_webhook_secret: str = ""

    @classmethod
    def from_settings(
        cls, settings: Settings, webhook_base: str, **overrides: Any
    ) -> EmulatorConfig:
        """The emulator for a bot configured with ``settings`` and served at ``webhook_base``."""
        credentials = {
            name: getattr(settings, name)
            for name in (
                "wechat_appid",
                "wechat_secret",
                "wechat_token",
                "wechat_aes_key",
                "wecom_corp_id",
                "wecom_agent_id",
                "wecom_secret",
                "wecom_token",
                "wecom_aes_key",
                "result_webhook_secret",
            )
        }
        return cls(**credentials, webhook_base=webhook_base, **overrides)

    @classmethod
    def generate(cls, webhook_base: str = "", **overrides: Any) -> EmulatorConfig:
        """Fresh random credentials, both channels encrypted (for ``ocrbot dev``)."""
        return cls(
            wechat_appid="wx" + secrets.token_hex(8),
            wechat_secret=secrets.token_hex(16),
            wechat_token=secrets.token_hex(8),
            wechat_aes_key=_random_aes_key(),
            wecom_corp_id="ww" + secrets.token_hex(8),
            wecom_secret=secrets.token_urlsafe(32),
            wecom_token=secrets.token_hex(8),
            wecom_aes_key=_random_aes_key(),
            result_webhook_secret="whsec_" + secrets.token_hex(16),
            webhook_base=webhook_base,
            **overrides,
        )

    def bot_env(self, api_url: str) -> dict[str, str]:
        """The bot's environment for talking to the emulator served at ``api_url``
        (and, with a secret, for sending it the results)."""
        results = {
            "RESULT_WEBHOOK_URL": api_url.rstrip("/") + RESULTS_PATH,
            "RESULT_WEBHOOK_SECRET": self.result_webhook_secret,
        }
        return {
            **(results if self.result_webhook_secret else {}),
            "WECHAT_APPID": self.wechat_appid,
            "WECHAT_SECRET": self.wechat_secret,
            "WECHAT_TOKEN": self.wechat_token,
            "WECHAT_AES_KEY": self.wechat_aes_key,
            "WECOM_CORP_ID": self.wecom_corp_id,
            "WECOM_AGENT_ID": str(self.wecom_agent_id),
            "WECOM_SECRET": self.wecom_secret,
            "WECOM_TOKEN": self.wecom_token,
            "WECOM_AES_KEY": self.wecom_aes_key,
            "WECHAT_API_BASE": api_url.rstrip("/"),
            "WECOM_API_BASE": api_url.rstrip("/") + WECOM_PREFIX,
        }

    def knobs(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in KNOBS}
