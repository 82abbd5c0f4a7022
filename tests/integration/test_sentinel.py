"""Redis Sentinel: the bot finds the master through real sentinels and follows a failover."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib

from bot.config import Settings
from bot.devtools.redis_server import EmbeddedRedis, find_redis_server, free_port, start_redis
from bot.runtime import Runtime


def wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def role(server: redis_lib.Redis) -> str | None:
    """The server's replication role; None while a failover drops our connection to it
    (the sentinel kills clients of the servers it reconfigures)."""
    try:
        return server.info("replication")["role"]
    except redis_lib.ConnectionError:
        return None


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[tuple[EmbeddedRedis, EmbeddedRedis, int]]:
    """A master, a replica of it, and one sentinel watching them (quorum 1)."""
    master = start_redis()
    replica = start_redis()
    master_port = int(master.url.rsplit(":", 1)[1].split("/")[0])
    replica_client = redis_lib.Redis.from_url(replica.url)
    replica_client.replicaof("127.0.0.1", master_port)
    wait_for(lambda: replica_client.info("replication").get("master_link_status") == "up")
    sentinel_port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {sentinel_port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor mymaster 127.0.0.1 {master_port} 1\n"
        "sentinel down-after-milliseconds mymaster 1000\n"
        "sentinel failover-timeout mymaster 5000\n"
    )
    sentinel = subprocess.Popen(
        [find_redis_server(), str(conf), "--sentinel"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = redis_lib.Redis(port=sentinel_port, socket_timeout=1)
    wait_for(lambda: _answers(probe) and _replica_ready(probe))
    yield master, replica, sentinel_port
    sentinel.terminate()
    sentinel.wait(5)
    replica.stop()
    master.stop()


def _replica_ready(sentinel: redis_lib.Redis) -> bool:
    """The sentinel knows a healthy replica it could promote."""
    replicas = sentinel.sentinel_slaves("mymaster")
    return any(
        r.get("master-link-status") == "ok" and not r.get("is_disconnected") for r in replicas
    )


def _answers(client: redis_lib.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis_lib.RedisError:
        return False


def test_runtime_uses_the_master_and_follows_a_failover(topology) -> None:
    master, replica, sentinel_port = topology
    settings = Settings(
        redis_sentinels=f"127.0.0.1:{sentinel_port}",
        redis_sentinel_master="mymaster",
        redis_url="redis://localhost/3",  # only the database number is taken
    )
    client = Runtime(settings).redis
    client.set("k", "before")
    assert redis_lib.Redis.from_url(master.url.replace("/0", "/3")).get("k") == b"before"

    redis_lib.Redis(port=sentinel_port).execute_command("SENTINEL", "FAILOVER", "mymaster")
    promoted = redis_lib.Redis.from_url(replica.url)
    demoted = redis_lib.Redis.from_url(master.url)
    wait_for(lambda: role(promoted) == "master")
    wait_for(lambda: role(demoted) == "slave")  # the old master follows

    def written_after_failover() -> bool:
        try:
            client.set("k", "after")
            return True
        except redis_lib.RedisError:
            return False

    wait_for(written_after_failover)
    assert redis_lib.Redis.from_url(replica.url.replace("/0", "/3")).get("k") == b"after"
