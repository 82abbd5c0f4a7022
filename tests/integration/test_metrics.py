"""``GET /metrics``: what a full run counts, the bearer token, and multiprocess mode."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_jobs import SEND_PATH, fault, queue_idcard

ROOT = Path(__file__).resolve().parents[2]


def scrape(bot, token: str = "") -> dict[tuple[str, tuple], float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    res = requests.get(f"{bot.url}/metrics", headers=headers, timeout=10)
    assert res.status_code == 200
    assert res.headers["Content-Type"].startswith("text/plain")
    return parse(res.text)


def parse(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def delta(before: dict, after: dict, name: str, **labels: str) -> float:
    sample = (name, tuple(sorted(labels.items())))
    return after.get(sample, 0.0) - before.get(sample, 0.0)


def test_a_run_is_counted_webhook_jobs_pushes_and_latencies(make_bot) -> None:
    bot = make_bot()
    before = scrape(bot)
    queue_idcard(bot, "mia")  # a click and a photo: two webhook requests, one job
    bot.work()
    refused = queue_idcard(bot, "noah")
    fault(bot, SEND_PATH, count=1, errcode=45015)  # the customer-service window is closed
    bot.work()
    assert refused.get_status(refresh=True) == "failed"
    res = requests.post(f"{bot.url}/wechat", data=b"<xml/>", timeout=5)  # unsigned
    assert res.status_code == 403
    after = scrape(bot)

    def d(name: str, **labels: str) -> float:
        return delta(before, after, name, **labels)

    assert d("ocrbot_webhook_requests_total", channel="official", outcome="first") == 4
    assert d("ocrbot_webhook_requests_total", channel="official", outcome="rejected") == 1
    assert d("ocrbot_passive_reply_seconds_count", channel="official") == 4
    # each message's state was the one this process last wrote (none, then the click's)
    assert d("ocrbot_webhook_guesses_total", result="right") == 4
    assert d("ocrbot_webhook_guesses_total", result="wrong") == 0
    assert d("ocrbot_passive_reply_seconds_bucket", channel="official", le="4.0") == 4
    assert d("ocrbot_jobs_total", doc_type="idcard", engine="wechat", outcome="ok") == 1
    assert d("ocrbot_jobs_total", doc_type="idcard", engine="-", outcome="PushRefused") == 1
    assert d("ocrbot_recognition_seconds_count", engine="wechat") == 2
    assert d("ocrbot_pushes_total", channel="official", outcome="ok") == 1
    assert d("ocrbot_pushes_total", channel="official", outcome="45015") == 1
    assert after[("ocrbot_queue_depth", (("queue", "ocr"), ("state", "failed")))] == 1
    assert after[("ocrbot_queue_depth", (("queue", "ocr"), ("state", "queued")))] == 0
    assert after[("ocrbot_workers", ())] == 0


def test_the_bearer_token_guards_metrics(make_bot) -> None:
    bot = make_bot(metrics_token="s3cret-token")
    assert requests.get(f"{bot.url}/metrics", timeout=5).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert requests.get(f"{bot.url}/metrics", headers=wrong, timeout=5).status_code == 401
    assert ("ocrbot_workers", ()) in scrape(bot, token="s3cret-token")


WORKER = """
from bot import metrics
metrics.JOBS.labels("bankcard", "local", "ok").inc(3)
metrics.PUSHES.labels("wecom", "ok").inc(3)
"""

WEB = """
import sys
from bot import create_app, metrics
from bot.config import Settings
metrics.JOBS.labels("bankcard", "local", "ok").inc(2)
app = create_app(Settings(redis_url=sys.argv[1]))
res = app.test_client().get("/metrics")
assert res.status_code == 200, res.status_code
sys.stdout.write(res.get_data(as_text=True))
"""


def test_multiprocess_mode_adds_up_every_process(tmp_path: Path, redis_url: str) -> None:
    """A worker process and a web process share PROMETHEUS_MULTIPROC_DIR; a scrape sees both."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def run(code: str, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code), *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(WORKER)
    samples = parse(run(WEB, redis_url))
    jobs = ("ocrbot_jobs_total", (("doc_type", "bankcard"), ("engine", "local"), ("outcome", "ok")))
    assert samples[jobs] == 5
    assert samples[("ocrbot_pushes_total", (("channel", "wecom"), ("outcome", "ok")))] == 3
    assert ("ocrbot_queue_depth", (("queue", "ocr"), ("state", "queued"))) in samples
    assert list(tmp_path.glob("counter_*.db"))  # the processes' files


def test_metrics_keep_answering_when_redis_is_down(make_bot) -> None:
    bot = make_bot(redis_url="redis://127.0.0.1:1/0")
    res = requests.get(f"{bot.url}/metrics", timeout=10)
    assert res.status_code == 200
    assert "ocrbot_redis_up 0.0" in res.text
    assert "ocrbot_queue_depth" not in res.text
    healthy = make_bot()
    assert "ocrbot_redis_up 1.0" in requests.get(f"{healthy.url}/metrics", timeout=10).text
