"""This tier's fixtures: a real Redis, the WeChat API emulator, the bot over HTTP, and the
bot's worker as a process of its own."""

from tests.fixtures.bot import make_bot  # noqa: F401
from tests.fixtures.emulator import (  # noqa: F401
    _reset_emulator,
    echo_server,
    echo_webhook,
    emulator,
)
from tests.fixtures.processes import start_worker  # noqa: F401
from tests.fixtures.receiver import receiver  # noqa: F401
from tests.fixtures.redis_server import (  # noqa: F401
    redis,
    redis_server,
    redis_url,
    redis_user,
)
