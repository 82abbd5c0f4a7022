"""What is kept about jobs: no media id or URL in clear, failures masked in the registry."""

from __future__ import annotations

import contextlib
import zlib
from dataclasses import fields

from rq.job import Job

from bot.incoming import Channel
from bot.jobs import ConfirmJob, MenuJob, RecognizeJob, enqueue_confirm
from tests.fixtures.receiver import SECRET
from tests.integration.test_flow import FRONT, can, photo
from tests.integration.test_jobs import fault, texts

ID_NUMBER = "11010519491231002X"


def stored(bot, job: Job) -> bytes:
    """Everything Redis holds about ``job`` (its hash, the pickled call decompressed)."""
    raw = bot.runtime.redis.hgetall(job.key)
    data = raw.get(b"data", b"")
    with contextlib.suppress(zlib.error):
        data = zlib.decompress(data)
    return b"\n".join([*raw.values(), data])


def queue_photo(bot, user: str, seed: int, pic_url: bool = True) -> tuple[Job, str, str]:
    image = photo(seed)
    can(bot, image, FRONT)
    media_id, url = bot.upload(image)
    url = url if pic_url else ""
    peer = bot.official()
    peer.deliver(peer.click(user, "OCR_IDCARD"))
    peer.deliver(peer.image(user, media_id, url))
    [job] = bot.runtime.queue.jobs
    return job, media_id, url


def test_job_arguments_hold_no_media_id_and_no_url(make_bot) -> None:
    bot = make_bot()
    job, media_id, pic_url = queue_photo(bot, "kim", 61)
    held = stored(bot, job)
    assert media_id.encode() not in held and pic_url.encode() not in held
    assert b"_emulator/pic" not in held
    assert job.args == ()
    assert set(job.kwargs) == {"channel", "user", "doc_type", "photo", "photo_at", "flow"}
    args = RecognizeJob(**job.kwargs)
    assert args.picture(bot.runtime) == (media_id, pic_url)  # sealed, not lost
    bot.work()
    assert "张三" in texts(bot, "kim")[0]


def test_a_job_sealed_under_another_data_key_ends_telling_the_user(make_bot) -> None:
    web = make_bot()
    job, _, _ = queue_photo(web, "lee", 62)
    worker = make_bot()  # another DATA_KEY, same Redis: the silent split ENV used to allow
    worker.work()
    job.refresh()
    assert job.is_failed
    assert texts(worker, "lee") == ["照片已过期或无法下载，请重新发送。"]


def test_the_failed_registry_keeps_exceptions_masked(make_bot) -> None:
    bot = make_bot()
    fault(bot, "/cgi-bin/media/get", count=5, errcode=40007, errmsg=f"bad media {ID_NUMBER}")
    job, _, _ = queue_photo(bot, "mia", 63, pic_url=False)
    bot.work()
    job.refresh()
    assert job.id in bot.runtime.queue.failed_job_registry.get_job_ids()
    kept = job.latest_result().exc_string
    assert "40007" in kept and "110***********002X" in kept
    assert ID_NUMBER not in kept
    assert ID_NUMBER.encode() not in stored(bot, job)


def names(kind: type) -> set[str]:
    return {f.name for f in fields(kind)}


def test_every_job_is_queued_by_keyword_and_holds_no_numbers(make_bot, receiver) -> None:
    """A menu, the 确认 buttons, a result-webhook delivery: like a recognition, one
    dataclass's fields by keyword (the failure callbacks rebuild it from ``job.kwargs``),
    and nothing in Redis about the job holds the document's number."""
    bot = make_bot(
        wechat_menu_style="msgmenu", result_webhook_url=receiver.url, result_webhook_secret=SECRET
    )
    peer = bot.official()
    media_id, pic_url = bot.upload(photo(64))
    peer.deliver(peer.image("noa", media_id, pic_url))  # no type chosen: the menu
    [menu] = bot.runtime.push_queue.jobs
    assert menu.args == () and set(menu.kwargs) == names(MenuJob)
    assert MenuJob(**menu.kwargs).menu().options  # what the callback rebuilds

    job, _, _ = queue_photo(bot, "ned", 65)
    bot.work()
    confirm = enqueue_confirm(bot.runtime, Channel.OFFICIAL, "ned")
    assert confirm.args == () and confirm.kwargs == {"channel": "official", "user": "ned"}
    assert set(confirm.kwargs) == names(ConfirmJob)
    peer.deliver(peer.text("ned", "确认"))
    [delivery] = bot.runtime.callback_queue.jobs
    assert delivery.args == () and set(delivery.kwargs) == {"event_id"}
    for queued in (job, menu, confirm, delivery):
        assert ID_NUMBER.encode() not in stored(bot, queued), queued.func_name
    bot.work()
    assert receiver.accepted[0]["fields"]["id"] == ID_NUMBER  # the number went, by the outbox
