"""The long fuzz run: mutated, signed and encrypted bodies against the webhook, in-process.

Drives the Flask app with its test client against a throwaway redis-server
(as ``tests/integration/test_security_fuzz.py`` does with 10,000 cases) and prints, per
channel and mode, how many bodies got which status, and how fast. Any 5xx
is a bug: the command exits 1 and prints the first few bodies that caused one.

    .venv/bin/python bench/fuzz.py [--cases 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import collections
import logging
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.devtools.fuzz import CHANNEL_MODES, Fuzzer  # noqa: E402
from bot.devtools.redis_server import start_redis  # noqa: E402
from bot.runtime import Runtime  # noqa: E402

CREDENTIALS = {
    "wechat_appid": "wxfuzz0000000001",
    "wechat_secret": "fuzz-secret",
    "wechat_token": "fuzztoken",
    "wechat_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "wecom_corp_id": "wwfuzz0000000001",
    "wecom_agent_id": 1000002,
    "wecom_secret": "fuzz-wecom-secret",
    "wecom_token": "fuzzwecomtoken",
    "wecom_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="in all, split over modes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # every refusal logs a line; here only counts matter
    redis = start_redis()
    failures: list[bytes] = []
    print(
        f"{'channel/mode':<18}{'cases':>8}{'2xx':>8}{'400':>8}{'403':>8}{'413':>8}"
        f"{'5xx':>6}{'ms/case':>9}{'cpu ms':>8}"
    )
    try:
        for channel, mode in CHANNEL_MODES:
            creds = {**CREDENTIALS, **({"wechat_aes_key": ""} if mode == "plain" else {})}
            settings = Settings(
                **creds,
                redis_url=redis.url,
                data_key=Fernet.generate_key().decode(),
                wechat_api_base="http://127.0.0.1:9",
                wecom_api_base="http://127.0.0.1:9",
                log_level="ERROR",
            )
            client = create_app(runtime=Runtime(settings)).test_client()
            fuzzer = Fuzzer(creds, channel, mode, seed=args.seed)
            path = "/wechat" if channel == "official" else "/wecom"
            counts: collections.Counter = collections.Counter()
            n = args.cases // len(CHANNEL_MODES)
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(n):
                query, body = fuzzer.case()
                status = client.post(path, query_string=query, data=body).status_code
                counts[status // 100 * 100 if status < 400 or status >= 500 else status] += 1
                if status >= 500 and len(failures) < 5:
                    failures.append(body[:400])
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"{channel + '/' + mode:<18}{n:>8}{counts[200]:>8}{counts[400]:>8}"
                f"{counts[403]:>8}{counts[413]:>8}{counts[500]:>6}"
                f"{wall / n * 1000:>9.2f}{cpu / n * 1000:>8.2f}"
            )
    finally:
        redis.stop()
    for body in failures:
        print("5xx for:", body)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
