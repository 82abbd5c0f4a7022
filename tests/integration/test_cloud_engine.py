"""The WeChat OCR cloud engine against the emulator: every endpoint, the upload, errors."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from bot.images import CLOUD_LIMIT, open_image, shrink
from bot.ocr.base import CLOUD_TYPES, DocType, Failure, OcrError
from bot.ocr.wechat import WeChatEngine
from tests.integration.test_flow import FRONT, can, photo

ANSWERS: dict[DocType, dict] = {
    DocType.IDCARD: FRONT,
    DocType.BANKCARD: {"number": "6222020200112233"},
    DocType.DRIVINGLICENSE: {
        "id_num": "11010519491231002X",
        "name": "张三",
        "sex": "女",
        "nationality": "中国",
        "address": "北京市",
        "birth_date": "1949-12-31",
        "issue_date": "2012-12-21",
        "car_class": "C1",
        "valid_from": "2018-07-06",
        "valid_to": "2028-07-06",
        "official_seal": "北京市公安局公安交通管理局",
    },
    DocType.DRIVING: {
        "plate_num": "粤B12345",
        "vehicle_type": "小型普通客车",
        "owner": "张三",
        "vin": "LJ166A2E1E4000551",
        "register_date": "2018-07-06",
        "img_size": {"w": 3120, "h": 4208},
    },
    DocType.BIZLICENSE: {
        "reg_num": "91110108551385082Q",
        "enterprise_name": "某某科技有限公司",
        "legal_representative": "张三",
    },
    DocType.PLATENUM: {"number": "京A12345"},
    DocType.COMM: {
        "items": [
            {
                "text": "你好",
                "pos": {
                    "left_top": {"x": 1, "y": 2},
                    "right_top": {"x": 30, "y": 2},
                    "right_bottom": {"x": 30, "y": 20},
                    "left_bottom": {"x": 1, "y": 20},
                },
            }
        ],
        "img_size": {"w": 100, "h": 50},
    },
}


def engine_for(bot) -> WeChatEngine:
    return WeChatEngine(bot.runtime.official)


@pytest.mark.parametrize("doc_type", CLOUD_TYPES, ids=lambda t: t.value)
def test_every_endpoint_by_upload(make_bot, doc_type: DocType) -> None:
    bot = make_bot()
    image = photo(60 + CLOUD_TYPES.index(doc_type))
    can(bot, image, {"errcode": 0, "errmsg": "ok", **ANSWERS[doc_type]})
    result = engine_for(bot).recognize(image, doc_type, mode="scan")
    expected = {k: v for k, v in ANSWERS[doc_type].items() if k not in ("errcode", "errmsg")}
    assert result.fields == expected
    assert result.engine == "wechat" and result.doc_type is doc_type
    [call] = [
        c
        for c in requests.get(f"{bot.emulator.url}/_emulator/calls", timeout=5).json()
        if c["path"].startswith("/cv/ocr/")
    ]
    assert call["path"] == f"/cv/ocr/{doc_type.value}"
    if doc_type is DocType.IDCARD:
        assert call["query"].get("type") == "scan"


@pytest.mark.parametrize(
    "errcode, failure",
    [
        (-1, Failure.BUSY),
        (101000, Failure.BAD_IMAGE),
        (101001, Failure.NO_DOCUMENT),
        (101002, Failure.BAD_IMAGE),
        (101003, Failure.QUOTA),
        (45009, Failure.QUOTA),
        (40001, Failure.TOKEN),
        (48001, Failure.CONFIG),
    ],
)
def test_every_error_code_has_a_clear_outcome(make_bot, errcode: int, failure: Failure) -> None:
    bot = make_bot()
    bot.emulator_post("faults", path="/cv/ocr/bankcard", errcode=errcode, count=2)
    with pytest.raises(OcrError) as caught:
        engine_for(bot).recognize(photo(71), DocType.BANKCARD)
    assert caught.value.failure is failure and caught.value.errcode == errcode


def test_daily_quota_ends_in_quota_failure(make_bot) -> None:
    bot = make_bot()
    bot.emulator_post("settings", ocr_daily_quota=2)
    image = photo(72)
    can(bot, image, {"errcode": 0, "errmsg": "ok", "number": "京A12345"})
    engine = engine_for(bot)
    engine.recognize(image, DocType.PLATENUM)
    engine.recognize(image, DocType.PLATENUM)
    with pytest.raises(OcrError) as caught:
        engine.recognize(image, DocType.PLATENUM)
    assert caught.value.failure is Failure.QUOTA and caught.value.errcode == 101003


def test_types_the_api_does_not_read_are_refused_without_a_call(make_bot) -> None:
    bot = make_bot()
    with pytest.raises(OcrError) as caught:
        engine_for(bot).recognize(photo(73), DocType.AUTO)
    assert caught.value.failure is Failure.CONFIG


def test_large_photos_are_shrunk_below_2mb_before_upload(make_bot) -> None:
    bot = make_bot()
    noisy = Image.effect_noise((3000, 2400), 120).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=98)
    big = out.getvalue()
    assert len(big) > CLOUD_LIMIT
    small = shrink(big)
    assert len(small) < CLOUD_LIMIT
    can(bot, small, {"errcode": 0, "errmsg": "ok", "number": "京A12345"})
    assert engine_for(bot).recognize(big, DocType.PLATENUM).fields == {"number": "京A12345"}


def test_exif_orientation_is_honoured_when_shrinking() -> None:
    image = Image.new("RGB", (400, 200), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # rotated 90° clockwise
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    shrunk = shrink(out.getvalue())
    stored = Image.open(io.BytesIO(shrunk))
    assert stored.size == (200, 400)  # the pixels themselves are upright now
    assert stored.getexif().get(0x0112, 1) == 1
    assert open_image(shrunk).size == (200, 400)


@pytest.mark.parametrize("data", [b"", b"not an image", b"\xff\xd8\xff\xe0" + b"\0" * 100])
def test_corrupt_images_are_bad_images(data: bytes) -> None:
    with pytest.raises(OcrError) as caught:
        shrink(data)
    assert caught.value.failure is Failure.BAD_IMAGE


def test_decompression_bombs_are_refused() -> None:
    bomb = Image.new("1", (12_000, 12_000))
    out = io.BytesIO()
    bomb.save(out, "PNG")
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(OcrError) as caught:
        shrink(out.getvalue())
    assert caught.value.failure is Failure.BAD_IMAGE
