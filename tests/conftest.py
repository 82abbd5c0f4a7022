"""Shared fixtures live in tests/fixtures/, one module per real part."""

pytest_plugins = [
    "tests.fixtures.redis_server",
    "tests.fixtures.emulator",
    "tests.fixtures.bot",
    "tests.fixtures.receiver",
]
