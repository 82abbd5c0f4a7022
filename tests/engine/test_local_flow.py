"""The default engine in the full path: the worker runs the real offline engine.

No canned answers here: the photo is a committed synthetic ID card, recognized
by RapidOCR in the worker, checked, masked and pushed to the emulator.
"""

from __future__ import annotations

import pytest
from rq.job import JobStatus

from bot.ocr.base import DocType
from tests.samples import find


@pytest.fixture(scope="module")
def idcard_front() -> tuple[bytes, dict]:
    sample = find("idcard", side="Front", mode="photo", rotation=0)  # on a background
    return sample["path"].read_bytes(), sample["truth"]


def test_offline_engine_reads_the_photo_in_the_worker(make_bot, idcard_front) -> None:
    image, truth = idcard_front
    bot = make_bot(ocr_engine="local")
    media_id, pic_url = bot.upload(image)
    peer = bot.wecom()
    peer.deliver(peer.image("lena", media_id, pic_url))
    bot.work()  # the type menu card
    reply = peer.deliver(peer.text("lena", "1"))
    assert reply.status == 200
    bot.work()
    answer = bot.messages("lena")[-1]["body"]["text"]["content"]
    assert truth["name"] in answer
    assert f"{truth['id'][:3]}***********{truth['id'][-4:]}" in answer
    assert truth["id"] not in answer


def test_menu_of_the_offline_engine_offers_auto_detection(make_bot, idcard_front) -> None:
    image, truth = idcard_front
    bot = make_bot(ocr_engine="local")
    media_id, pic_url = bot.upload(image)
    peer = bot.official("safe")
    menu = peer.deliver(peer.image("mia", media_id, pic_url)).reply["Content"]
    assert "8. 自动识别" in menu
    peer.deliver(peer.text("mia", "自动识别"))
    bot.work()
    answer = bot.messages("mia")[-1]["body"]["text"]["content"]
    assert "身份证" in answer and truth["name"] in answer


def test_chain_falls_back_to_local_when_the_cloud_is_out_of_quota(make_bot, idcard_front) -> None:
    image, truth = idcard_front
    bot = make_bot(ocr_engine="wechat,local")
    bot.emulator_post("faults", path="/cv/ocr/idcard", errcode=101003, count=1)
    media_id, pic_url = bot.upload(image)
    peer = bot.official()
    peer.deliver(peer.click("nina", "OCR_IDCARD"))
    peer.deliver(peer.image("nina", media_id, pic_url))
    [job] = bot.runtime.queue.jobs
    bot.work()
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value()["engine"] == "local"
    assert truth["name"] in bot.messages("nina")[-1]["body"]["text"]["content"]


def test_emulator_cloud_api_answers_with_the_offline_engine(make_bot, idcard_front) -> None:
    """The cloud path end to end on a real image: the emulator's cv/ocr uses our engine."""
    from bot.ocr.wechat import WeChatEngine

    image, truth = idcard_front
    bot = make_bot()
    bot.emulator_post("settings", local_engine=True)
    result = WeChatEngine(bot.runtime.official).recognize(image, DocType.IDCARD)
    assert result.fields["name"] == truth["name"]
    assert result.fields["id"] == truth["id"]
    assert result.fields["type"] == "Front"
