"""The WeChat and WeCom API emulator (tests and ``ocrbot dev``); the server is in ``app``."""

from bot.devtools.emulator.app import (
    WECOM_PREFIX,
    EmulatorConfig,
    RunningEmulator,
    create_emulator_app,
    run_in_thread,
    serve,
)

__all__ = [
    "WECOM_PREFIX",
    "EmulatorConfig",
    "RunningEmulator",
    "create_emulator_app",
    "run_in_thread",
    "serve",
]
