"""Field extraction of the offline engine, on recorded recognizer outputs.

Each file in ``tests/data/recorded/`` holds what the real RapidOCR read from a
synthetic document (``python -m tests.tools.record``), with the document's
truth. Replaying them needs no model, so these tests are fast; the image is
not at hand, so paths that re-read a crop are tested in tests/engine/test_local_engine.py.
Files with ``source.edited`` had one text changed on purpose (said how).
"""

from __future__ import annotations

import colorsys
import dataclasses
import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot import numbers as checks
from bot.devtools.synth import people
from bot.devtools.synth.docs import plate as synth_plate
from bot.ocr.base import DocType
from bot.ocr.local import layout, places, reader, script, seal
from bot.ocr.local.extract import (
    Result,
    bankcard,
    bizlicense,
    driving,
    drivinglicense,
    idcard,
    passport,
    platenum,
)
from bot.ocr.local.extract.dates import agreed_date, find_dates
from bot.ocr.local.extract.platenum import plate_color
from bot.ocr.local.extract.registry import EXTRACTORS, classify
from bot.ocr.local.layout import ENGLISH_SUBLABEL, clean, labelled_values, rows
from bot.ocr.local.page import Line, Page, around
from bot.ocr.local.reader import fix_latin
from tests.unit.test_cards_data import make_id

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded"

# Recordings whose every truth field must come out exactly.
EXACT = [
    "idcard_front_rot90",
    "idcard_front_scan",
    "idcard_back_longterm",
    "idcard_back_rot270",
    "bankcard_rot270",
    "bankcard_scan",
    "drivinglicense_photo",
    "drivinglicense_issue_label_unread",
    "driving_photo",
    "bizlicense_photo",
    "bizlicense_address_label_unread",
    "bizlicense_rot90",
    "bizlicense_period_wraps",
    "bizlicense_type_label_unread",
    "bizlicense_authority_beside_scope",
    "bizlicense_full_stop_lost",
    "plate_yellow",
    "plate_green_rot180",
    "plate_blue",
    "plate_police_rot90",
    "plate_overlapping_boxes",
    "comm_rot180",
    "passport_photo",
    "businesscard_photo",
    "businesscard_spaced_name",
]


def load(name: str) -> tuple[Page, DocType, dict[str, Any], dict[str, Any]]:
    data = json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))
    return (
        Page.from_json(data["page"]),
        DocType(data["source"]["doc_type"]),
        data["truth"],
        data["source"],
    )


def _items(fields: dict[str, Any]) -> list[str]:
    return [item["text"].replace(" ", "") for item in fields.get("items", [])]


@pytest.mark.parametrize("name", EXACT)
def test_every_field_matches_the_truth(name: str) -> None:
    page, doc_type, truth, _ = load(name)
    fields = EXTRACTORS[doc_type](page).fields
    if doc_type is DocType.COMM:
        assert _items(fields) == [item["text"].replace(" ", "") for item in truth["items"]]
    else:
        assert {k: fields.get(k) for k in truth} == truth


@pytest.mark.parametrize("name", EXACT)
def test_auto_finds_the_type(name: str) -> None:
    page, doc_type, _, _ = load(name)
    assert classify(page) is doc_type


@pytest.mark.parametrize("name", EXACT)
def test_no_empty_fields(name: str) -> None:
    """Fields not on the image are left out, never sent as empty strings."""
    page, doc_type, _, _ = load(name)
    fields = EXTRACTORS[doc_type](page).fields
    assert fields
    assert all(value not in ("", None, [], {}) for value in fields.values())


@pytest.mark.parametrize("name", [n for n in EXACT if "rot" in n])
def test_rotated_photos_stand_upright(name: str) -> None:
    """The generator turns photos counter-clockwise; the reader turns them back."""
    page, _, _, source = load(name)
    assert source["rotation"] in (90, 180, 270)
    assert page.rotation == source["rotation"]


def test_id_card_sides_answer_with_their_own_fields() -> None:
    front, _, _, _ = load("idcard_front_scan")
    back, _, truth, _ = load("idcard_back_longterm")
    front_fields = EXTRACTORS[DocType.IDCARD](front).fields
    back_fields = EXTRACTORS[DocType.IDCARD](back).fields
    assert list(front_fields) == ["type", "name", "id", "addr", "gender", "nationality"]
    assert back_fields["type"] == "Back"
    assert back_fields["valid_date"].endswith("-长期") and truth["valid_date"].endswith("-长期")
    assert "id" not in back_fields and "valid_date" not in front_fields


def test_multi_line_address_is_joined() -> None:
    page, _, truth, _ = load("idcard_front_rot90")
    values = labelled_values(page, {"addr": ["住址"], "id": ["公民身份号码"]}, multiline=["addr"])
    assert len(values["addr"].lines) >= 3  # the address wraps over three printed lines
    assert EXTRACTORS[DocType.IDCARD](page).fields["addr"] == truth["addr"]


def test_business_licence_two_columns_do_not_mix() -> None:
    """The 住所 column runs beside the wrapped 经营范围; each keeps its own lines."""
    page, _, truth, _ = load("bizlicense_photo")
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert fields["address"] == truth["address"]
    assert fields["business_scope"] == truth["business_scope"]
    assert truth["address"][:4] not in fields["business_scope"]


def test_business_licence_with_a_spaced_label_split_in_two_boxes() -> None:
    """住 and 所 come back as two boxes beside the scope's second row, and a wrapped
    scope line starts with a 、: every field still comes out whole."""
    page, _, truth, _ = load("bizlicense_rot180")
    assert {"住", "所"} <= {ln.text for ln in page.lines}
    assert any(ln.text.startswith("、") for ln in page.lines)
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert {k: fields.get(k) for k in truth} == truth


def test_id_number_with_junk_glued_to_its_front_is_found() -> None:
    # Seen on a 270° photo: three stray letters before the number, one of them an O.
    assert checks.id_number("EEO150430200506073506") == "150430200506073506"
    assert checks.id_number("证号 15043020050607350X") == "15043020050607350X"
    assert checks.id_number("1504302005060735") is None  # too short: no number at all


def test_a_date_that_lost_one_separator_is_still_a_date() -> None:
    # Seen under a vehicle licence's seal (driving_photo): 发证日期 read as 201005-09.
    may_9 = [dt.date(2010, 5, 9)]
    assert find_dates("201005-09") == find_dates("2010-0509") == find_dates("20100509") == may_9
    assert find_dates("2010年5月9日") == find_dates("2010.05.09") == may_9
    # A date cut short is no date: 2010 05 must not pass for 2010-05-0x.
    assert find_dates("2010 05") == find_dates("2010-05") == find_dates("201005-9") == []


def test_a_date_read_from_crops_is_the_one_most_of_them_spell() -> None:
    """Under a small licence's seal (fresh seed 1520158) the crops garble the date in
    ways of their own; the first that parsed (2035-10-14) was taken. The date two
    crops or more spell wins; a reading whose separators went astray spells its eight
    digits; one crop alone, or none, tells nothing."""
    oct_14 = dt.date(2025, 10, 14)
    readings = ["2025-3014", "20351014", "2025-1014", "2025:4014", "20251014"]
    assert agreed_date(readings) == oct_14
    assert agreed_date(["2012 11-07", "201211-07", "2012 1-07"]) == dt.date(2012, 11, 7)
    assert agreed_date(["20351014", "2025-1014"]) is None  # a tie of one each
    assert agreed_date(["2025-3014", "2025 1-14", "2025-1014"]) is None
    assert agreed_date([]) is None


def _box(text: str, x: float, y: float, w: float, h: float = 32.0) -> Line:
    return Line(text, ((x, y), (x + w, y), (x + w, y + h), (x, y + h)), 0.95)


def test_an_address_without_its_label_is_the_values_column_between_name_and_birth() -> None:
    """住址 unread (small print on a blurred photo): the rows between the name and the
    birth date, from the name's column on through lines that follow closely, in reading
    order (a row boxed in two pieces whose right piece sits a pixel higher); a 副页
    line further right on the same rows is not the address's."""
    name, birth = _box("张三", 100, 40, 64), _box("1980-01-01", 100, 200, 160)
    first = _box("北京市朝阳区建国路", 100, 100, 288)
    second = [_box("1号院", 104, 140.8, 80), _box("3单元", 196, 140, 80)]
    back = _box("档案编号123456", 620, 100, 224)
    lines = [name, first, back, *second, birth]
    values = {
        "name": layout.Value("张三", 0, 100, (name,)),
        "birth_date": layout.Value("1980-01-01", 4, 100, (birth,)),
    }
    found = drivinglicense._address_unlabelled(lines, values)
    assert found is not None
    assert found.text == "北京市朝阳区建国路1号院3单元"
    assert found.lines == (first, *second)
    # Something else there that does not begin with a province and city is no address.
    other = [name, _box("准驾车型", 100, 100, 128), birth]
    assert drivinglicense._address_unlabelled(other, values) is None


def test_a_name_row_whose_sex_went_unread_and_nationality_label_misread_is_parted() -> None:
    """Small print on a photo on its side: 性别 and 男 unread, 国籍 read as 国箱. The
    name's value ran on through them; a line far right of the name is another column
    whatever it reads, and the sex is the licence number's (the holder's ID number:
    its 17th digit is odd for men, even for women)."""
    page, _, truth, _ = load("drivinglicense_photo")
    lines = [
        ln.with_text("国箱") if ln.text == "国籍" else ln
        for ln in page.lines
        if ln.text not in ("性别", "女", "Sex")
    ]
    assert len(lines) == len(page.lines) - 3
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](dataclasses.replace(page, lines=lines)).fields
    assert (fields["name"], fields["nationality"]) == (truth["name"], truth["nationality"])
    assert fields["sex"] == truth["sex"] == "女"
    assert int(truth["id_num"][16]) % 2 == 0


def test_rows_whose_labels_went_unread_are_told_from_the_birth_date_the_number_holds() -> None:
    """住址, 出生日期, 初次领证日期 and 准驾车型 unread (small print far off), their
    values read: the line that is the birth date the licence number (the holder's ID
    number) holds is the birth date, and the rows around it are told by their places,
    the address above, the issue date and the class below."""
    page, _, truth, _ = load("drivinglicense_photo")
    lost = ("住址", "Address", "出生日期", "Date of Birth", "初次领证日期", "准驾车型", "Class")
    lines = [ln for ln in page.lines if ln.text not in lost]
    assert len(lines) == len(page.lines) - len(lost)
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](dataclasses.replace(page, lines=lines)).fields
    for key in ("address", "birth_date", "issue_date", "car_class"):
        assert fields[key] == truth[key], key
    # A number that fails its check holds no birth date to go by.
    assert drivinglicense._birth_by_number(lines, truth["id_num"][:-1] + "0") is None


def test_a_mark_beside_the_name_that_reads_as_nothing_does_not_cut_the_name() -> None:
    """A colon read after the 性别 label's column is one of the row's other values; its
    cleaned text is empty, and cutting an empty tail (name[:-0]) emptied the name."""
    name, colon = _box("张三", 100, 100, 60), _box("：", 470, 100, 10)
    lines = [_box("姓名", 20, 100, 60), name, _box("性别", 400, 100, 60), colon]
    row = drivinglicense._name_row(lines, {"name": layout.Value("张三：", 0, 100, (name, colon))})
    assert row.name == "张三"


def test_a_serial_with_a_piece_of_the_watermark_left_is_flagged() -> None:
    """The paper's SCJDGL cut at the value's edge (SCJDG): what is left of it after the
    known pieces go is not a digit of the 证照编号, and is never passed on silently."""
    page = Page([
        _box("营业执照", 300, 20, 200, 50),
        _box("统一社会信用代码", 40, 100, 240), _box("91310000MA1FL4XQ3K", 300, 100, 300),
        _box("证照编号：", 600, 100, 120), _box("31000000201812180123SCJDG", 720, 100, 330),
        _box("名称", 40, 160, 60), _box("上海某某科技有限公司", 300, 160, 300),
    ], 1100, 700, (1100, 700))  # fmt: skip
    result = EXTRACTORS[DocType.BIZLICENSE](page)
    assert "证照编号可能混入底纹字母，请核对" in result.warnings


def test_eight_characters_read_off_blue_paint_are_flagged() -> None:
    """A new-energy plate has eight characters and green paint. Eight read off a blue
    plate (a character too many: a dot, a screw) are never passed on silently; eight on
    green paint are the plate."""
    blue = ((235, 238, 240), (20, 60, 160))  # light print, the dark tone deep blue
    green = ((120, 200, 140), (25, 30, 30))  # dark print on green paint
    for tones, warned in ((blue, True), (green, False)):
        line = Line("粤BA12345", ((0, 0), (300, 0), (300, 80), (0, 80)), 0.95, tones=tones)
        result = EXTRACTORS[DocType.PLATENUM](Page([line], 400, 120, (400, 120)))
        assert result.fields["number"] == "粤BA12345"
        assert ("车牌位数与颜色不符，请核对" in result.warnings) is warned


def test_seven_characters_read_off_green_paint_are_flagged() -> None:
    """Green paint is a new-energy plate's, with eight characters: seven read off it
    lost one (a letter between the city's and the digits, read surely). Without the
    image to read it again, the seven are flagged; on blue paint they are the plate."""
    blue = ((235, 238, 240), (20, 60, 160))
    green = ((120, 200, 140), (25, 30, 30))
    for tones, warned in ((green, True), (blue, False)):
        line = Line("川·F18089", ((0, 0), (300, 0), (300, 80), (0, 80)), 0.99, tones=tones)
        result = EXTRACTORS[DocType.PLATENUM](Page([line], 400, 120, (400, 120)))
        assert result.fields["number"] == "川F18089"
        assert ("车牌位数与颜色不符，请核对" in result.warnings) is warned


def test_an_id_front_whose_pale_labels_went_unread_keeps_its_name_and_gender() -> None:
    """Seen on a real card under glare: the pale blue 姓名 was not read at all and 性别
    was read as 拉别. The rows keep their order: the name is the row above 民族's, in
    the address's column; the gender the 男/女 before 民族. The number (a county coded
    after the holder's birth year) is a genuine one: no checksum warning."""
    number = make_id(region="130432", birth="19870517", seq="316")
    page = Page([
        _box("张晓雯", 145, 58, 118, 43),
        _box("拉别女", 52, 128, 180), _box("民族汉", 221, 125, 119, 35),
        _box("出生1987年5月17日", 55, 186, 354, 33),
        _box("住址", 53, 252, 84), _box("河北省邯郸市广平县某某乡", 143, 250, 335, 36),
        _box("某某村某某街25号", 145, 293, 278, 34),
        _box("公民身份号码", 52, 411, 186, 35), _box(number, 271, 406, 436, 41),
    ], 795, 503, (795, 503))  # fmt: skip
    result = EXTRACTORS[DocType.IDCARD](page)
    assert result.fields["name"] == "张晓雯"
    assert result.fields["gender"] == "女"
    assert result.fields["id"] == number
    assert result.warnings == []


def test_an_id_front_whose_address_and_group_labels_went_unread_keeps_them() -> None:
    """住址 gone and 民族 read as 民 (a synthetic front with washed-out labels, like the
    real one): the address is the rows between 出生's and the number's, in the values'
    column; the group what follows the gender on its row."""
    number = make_id(region="220122", birth="19980830")
    page = Page([
        _box("姓名邵强佳", 52, 58, 220, 43),
        _box("性别男", 52, 128, 160), _box("民汉", 221, 125, 119, 35),
        _box("出生1998年8月30日", 55, 186, 354, 33),
        _box("吉林省长春市农安县柳林", 143, 250, 335, 36),
        _box("乡李家村11组12号", 145, 293, 278, 34),
        _box("公民身份号码", 52, 411, 186, 35), _box(number, 271, 406, 436, 41),
    ], 795, 503, (795, 503))  # fmt: skip
    fields = EXTRACTORS[DocType.IDCARD](page).fields
    assert fields["addr"] == "吉林省长春市农安县柳林乡李家村11组12号"
    assert fields["nationality"] == "汉"
    assert fields["name"] == "邵强佳" and fields["gender"] == "男"


def test_an_id_front_without_a_row_above_its_gender_names_nobody() -> None:
    """The row above 民族's is the name only when it is the next row up, in the values'
    column: a title far above, or text left of the column, is not taken for a name."""
    number = make_id(birth="19870517", seq="124")  # an even digit: 女
    lines = [
        _box("居民身份证", 300, 0, 160),
        _box("性别女", 52, 128, 180), _box("民族汉", 221, 125, 119, 35),
        _box("出生1987年5月17日", 55, 186, 354, 33),
        _box("住址", 53, 252, 84), _box("北京市东城区某某街25号", 143, 250, 335, 36),
        _box("公民身份号码", 52, 411, 186, 35), _box(number, 271, 406, 436, 41),
    ]  # fmt: skip
    result = EXTRACTORS[DocType.IDCARD](Page(lines, 795, 503, (795, 503)))
    assert "name" not in result.fields
    assert result.fields["gender"] == "女"
    # Nor is a group taken from a row whose gender went unread.
    lines[1:3] = [_box("拉别", 52, 128, 120), _box("民汉", 221, 125, 119, 35)]
    result = EXTRACTORS[DocType.IDCARD](Page(lines, 795, 503, (795, 503)))
    assert "nationality" not in result.fields
    assert result.fields["gender"] == "女"  # from the number


def test_id_number_with_a_letter_o_is_corrected() -> None:
    page, _, truth, source = load("idcard_front_id_with_O")
    assert any("O" in ln.text for ln in page.lines), source["edited"]
    result = EXTRACTORS[DocType.IDCARD](page)
    assert result.fields["id"] == truth["id"]
    assert result.warnings == []


def test_id_number_failing_its_check_is_repaired_from_the_birth_date() -> None:
    page, _, truth, _ = load("idcard_front_bad_check_digit")
    assert not any(ln.text.replace(" ", "") == truth["id"] for ln in page.lines)
    result = EXTRACTORS[DocType.IDCARD](page)
    assert result.fields["id"] == truth["id"]


def test_id_number_that_cannot_be_repaired_is_flagged_not_guessed() -> None:
    page, _, truth, _ = load("idcard_front_unfixable_id")
    result = EXTRACTORS[DocType.IDCARD](page)
    assert result.fields["id"] != truth["id"]
    assert not checks.id_valid(result.fields["id"])
    assert result.warnings == ["身份证号码校验未通过，请核对"]
    # Warnings never carry a full number.
    assert not any(re.search(r"\d{6,}", w) for w in result.warnings)


def test_id_check_survives_a_region_code_naming_only_a_province() -> None:
    """python-stdnum 2.2 raises KeyError for 120001 (天津, no such county) once the check
    digit passes: a bank card number scanned for an ID number hit it."""
    assert not checks.id_valid("120001199001011233")
    assert checks.id_number("卡号 120001199001011233") == "120001199001011233"


def test_bank_card_with_an_id_shaped_window_is_classified() -> None:
    page, _, _, _ = load("bankcard_id_shaped_digits")
    assert classify(page) is DocType.BANKCARD


def test_ethnic_group_doubled_by_the_recognizer_is_put_right() -> None:
    page, _, truth, _ = load("idcard_front_nation_doubled")
    assert any(ln.text == "民族汉汉" for ln in page.lines)  # the recognizer's stutter
    assert EXTRACTORS[DocType.IDCARD](page).fields["nationality"] == truth["nationality"] == "汉"


def test_ethnic_group_is_fixed_only_towards_one_known_name() -> None:
    assert idcard.ethnic_group("维吾尔族") == "维吾尔"
    assert idcard.ethnic_group("苗苗族") == "苗"
    assert idcard.ethnic_group("维吾示") == "维吾尔"  # one character off, one name fits
    assert idcard.ethnic_group("汊") == "汊"  # one character off many one-character names
    assert idcard.ethnic_group("穿青人") == "穿青人"  # printed on some cards: kept as read
    assert set(people.ETHNICITIES) <= set(idcard.ETHNIC_GROUPS)


def test_card_number_failing_luhn_is_flagged() -> None:
    page, _, truth, _ = load("bankcard_bad_luhn")
    result = EXTRACTORS[DocType.BANKCARD](page)
    assert result.fields["number"] != truth["number"]
    assert len(result.fields["number"]) == len(truth["number"])
    assert "银行卡号校验未通过，请核对" in result.warnings


def test_unreadable_seal_is_reported_and_left_out() -> None:
    """A blurred photo's seal: no name fits the strip (the address's city no better than
    the rest), so nothing is guessed."""
    page, _, truth, _ = load("drivinglicense_seal_unreadable")
    (reading,) = page.stamps
    assert reading.name(places.police_seal_of(truth["address"])) is None
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page)
    assert result.fields["address"] == truth["address"]
    assert "official_seal" not in result.fields
    assert "印章文字未能识别" in result.warnings


def test_seal_name_comes_from_the_reader() -> None:
    page, _, truth, _ = load("drivinglicense_photo")
    assert page.stamps[0].name() == truth["official_seal"]  # clear without the address
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page)
    assert result.fields["official_seal"] == truth["official_seal"]
    assert "印章文字未能识别" not in result.warnings


def test_uncertain_seal_that_agrees_with_the_address_is_named() -> None:
    """黔西南 or 黔南: the strip leans to the first, and the holder lives there."""
    page, _, truth, _ = load("drivinglicense_seal_agrees_with_address")
    assert page.stamps[0].name() is None  # the strip alone is not sure enough
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page)
    assert result.fields["address"] == truth["address"]
    assert result.fields["official_seal"] == truth["official_seal"]
    assert "印章文字未能识别" not in result.warnings


def test_seal_read_against_the_address_by_a_small_margin_is_left_out() -> None:
    """Print crosses the seal where 喀什 is: the strip reads 塔城, sure-looking, though the
    holder lives in 喀什. Too close to outweigh the address: nothing is given."""
    page, _, truth, _ = load("drivinglicense_seal_contradicts_address")
    (reading,) = page.stamps
    assert reading.name() not in (None, truth["official_seal"])  # alone: a wrong name
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page)
    assert result.fields["address"] == truth["address"]
    assert "official_seal" not in result.fields
    assert "印章文字未能识别" in result.warnings


def test_a_view_of_the_seal_the_address_keeps_in_doubt_vetoes_the_other_s_name() -> None:
    """As photographed, print over the seal leaves the holder's city close behind the
    strip's best name; deblurred, that best name is sure and the city is not among its
    runners-up. The views do not agree that the address is outweighed: nothing is given."""
    page, _, truth, _ = load("drivinglicense_seal_contradicts_address")
    (photographed,) = page.stamps
    other = photographed.names[0][0]
    assert other != truth["official_seal"]
    assert truth["official_seal"] in [name for name, _ in photographed.names]
    deblurred = seal.SealReading(((other, -1.0 * len(other)),), share=1.0)
    assert deblurred.name(truth["official_seal"]) == other  # alone, it would be given
    page.stamps = [photographed, deblurred]
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page)
    assert "official_seal" not in result.fields
    assert "印章文字未能识别" in result.warnings


def test_division_names_are_in_simplified_characters() -> None:
    """python-stdnum spells 大兴安岭's districts in traditional script (松嶺區); documents,
    the division check and the generator's truth use simplified ones."""
    assert script.simplified("松嶺區漢") == "松岭区汉"
    starts = places.division_starts()["黑龙江省"]
    assert "黑龙江省大兴安岭地区松岭区" in starts
    assert not any(script.simplified(s) != s for p in places.division_starts().values() for s in p)
    assert any(r.county == "松岭区" for r in people.regions())


def test_what_crops_agree_on_is_the_reading_most_give_at_least_twice() -> None:
    assert layout.agreed(["C1", "C", "C1", "CI"]) == "C1"
    assert layout.agreed(["C1", "C", "CI"]) is None  # no two alike
    assert layout.agreed(["D", "C1", "C1", "D"]) == "D"  # a tie: the first given
    assert layout.agreed(["D"], at_least=1) == "D" and layout.agreed([]) is None


def test_id_authority_with_one_misread_character_is_put_right() -> None:
    assert places.fix_authority("盐城市公安局亭糊区分局") == "盐城市公安局亭湖区分局"
    assert places.fix_authority("门源旧族自治县公安局") == "门源回族自治县公安局"
    assert places.fix_authority("北京市公安局崇文区分局") == "北京市公安局崇文区分局"  # old name
    assert places.fix_authority("襄樊市公安局樊城区分局") == "襄樊市公安局樊城区分局"
    # Every authority the generator prints is known.
    assert {people.police_authority(r) for r in people.regions()} <= places.id_authorities()
    # 峰城区 is one character from both 峄城区 and 薛城区 (fresh seed 800027): left alone,
    # unless a chooser (the image, in the extractors) picks one.
    assert places.fix_authority("枣庄市公安局峰城区分局") == "枣庄市公安局峰城区分局"
    asked = []

    def second(read: str, options: list[str]) -> str:
        asked.append(options)
        return options[1]

    assert places.fix_authority("枣庄市公安局峰城区分局", second) == "枣庄市公安局薛城区分局"
    assert asked == [["枣庄市公安局峄城区分局", "枣庄市公安局薛城区分局"]]

    def line(text: str, x: float, y: float, w: float) -> Line:
        return Line(text, ((x, y), (x + w, y), (x + w, y + 30), (x, y + 30)), 1.0)

    page = Page(lines=[line("签发机关", 20, 20, 100), line("盐城市公安局亭糊区分局", 150, 20, 300),
                       line("有效期限", 20, 80, 100), line("2016.03.01-2036.03.01", 150, 80, 300)],
                width=500, height=140, orig_size=(500, 140))  # fmt: skip
    assert idcard.back(page).fields["authority"] == "盐城市公安局亭湖区分局"


def test_division_fix_that_several_names_fit_is_left_to_a_chooser() -> None:
    """贞江区: four districts of 韶关 are one character away."""
    read = "广东省韶关市贞江区风度路1号"
    assert places.fix_division(read) == read
    asked = []
    assert places.fix_division(read, lambda r, o: asked.append(o) or None) == read
    assert [o[6:9] for o in asked[0]] == ["北江区", "曲江区", "武江区", "浈江区"]
    assert places.fix_division(read, lambda r, o: o[-1]) == "广东省韶关市浈江区风度路1号"


def test_the_image_chooser_needs_the_image() -> None:
    """On a recording there is no image to score against: nothing is chosen."""
    page, _, _, _ = load("idcard_front_scan")
    line = page.lines[0]
    choose = layout.image_chooser(page, [line])
    text = re.sub(r"\s+", "", line.text)
    options = [text[:-1] + "甲", text[:-1] + "乙"]
    assert page.score_texts(line, options) == {}
    assert choose(text, options) is None


def test_a_seal_read_a_character_off_is_the_one_known_detachment_near_it() -> None:
    chengde = "河北省承德市公安局交通警察支队"
    assert places.nearest_seal(chengde) == chengde
    assert places.nearest_seal("河北省承德市公安局交通警察支") == chengde  # one lost
    assert places.nearest_seal("河北省承德市公安局交通警察支队队") == chengde  # one twice
    assert places.nearest_seal("河北省承徳市公安局交通警察支队") == chengde  # one misread
    assert places.nearest_seal("河北省承市公安局交通警察支") is None  # two off
    assert places.nearest_seal("山东省济口市公安局交通警察支队") is None  # 济南 or 济宁
    assert places.nearest_seal("河北省承德市双桥区") is None
    # Other names real seals print after the city are kept as printed, not "put right"
    # to the usual one a character away.
    patrol = "河北省承德市公安局交巡警察支队"  # the traffic and patrol police
    assert places.nearest_seal(patrol) == patrol
    assert places.nearest_seal(patrol[:-1]) == patrol
    assert places.nearest_seal("天津市公安局公安交通管理") == "天津市公安局公安交通管理局"
    # 通 or 巡: the usual name first (the caller warns unless it is the holder's city's).
    assert places.nearest_seal("河北省承德市公安局交迎警察支队") == chengde
    assert places.nearest_seal("河北省承德市公安局交通警察总") == chengde[:-2] + "总队"


def test_a_square_seal_is_read_from_its_rows_whoever_the_holder_is() -> None:
    """Real cards stamp the detachment's seal square, its name in rows of upright
    characters that the detector boxes like print, left of the middle rows' labels; the
    round seal's reader (an arc unrolled) named none of the real licences. The rows give
    the seal whatever the address says (a holder who moved keeps the old city's seal)."""
    rows = [_box("河北省承德", 110, 500, 280, 70), _box("市公安局交", 106, 598, 290, 72),
            _box("通警察支队", 104, 698, 292, 74)]  # fmt: skip
    labels = [_box("出生日期", 410, 487, 180, 54), _box("初次领证日期", 408, 580, 264, 56),
              _box("准驾车型", 408, 684, 180, 54)]  # fmt: skip
    address = _box("湖南省长沙市岳麓区麓山路", 250, 313, 800, 76)
    chengde = "河北省承德市公安局交通警察支队"
    lines = [address, rows[0], labels[0], rows[1], labels[1], rows[2], labels[2]]
    assert drivinglicense._seal_in_rows(lines, {address}) == (chengde, True)
    # One character lost: put right, and said so (the caller warns unless the address
    # agrees). A row taken by another field, or lost to glare, names none; nor rows apart.
    lost = [rows[0].with_text("河北省承"), *rows[1:], *labels]
    assert drivinglicense._seal_in_rows(lost, set()) == (chengde, False)
    assert drivinglicense._seal_in_rows(lines, {address, rows[1]}) is None
    assert drivinglicense._seal_in_rows([address, rows[0], rows[2], *labels], set()) is None
    apart = [*rows[:2], _box("通警察支队", 104, 900, 292, 74)]
    assert drivinglicense._seal_in_rows([*apart, *labels], set()) is None


def test_police_seal_of_an_address() -> None:
    jiujiang = "江西省九江市公安局交通警察支队"
    assert places.police_seal_of("江西省九江市濂溪区十里大道1号") == jiujiang
    assert places.police_seal_of("北京市朝阳区建国路1号") == "北京市公安局交通警察支队"
    assert places.police_seal_of("湖北省仙桃市干河街道1号") == "湖北省仙桃市公安局交通警察支队"
    assert places.police_seal_of("湖北省襄樊市樊城区") is None  # renamed 襄阳 in 2010
    assert places.police_seal_of("") is None


def test_comm_positions_are_in_the_original_image() -> None:
    page, _, _, _ = load("comm_rot180")
    fields = EXTRACTORS[DocType.COMM](page).fields
    w, h = fields["img_size"]["w"], fields["img_size"]["h"]
    assert (w, h) == page.orig_size
    first = fields["items"][0]
    for corner in first["pos"].values():
        assert 0 <= corner["x"] <= w and 0 <= corner["y"] <= h
    # Turned by 180 degrees: the first line read sits in the lower half of the original.
    assert first["pos"]["left_top"]["y"] > h / 2


def test_a_temperature_read_with_two_degree_signs_keeps_one() -> None:
    """A scan's 0°C read 0°℃ (fresh seed 1560437): ℃ is a degree sign and a C. A bare
    21C stays as read without the image to ask (the crops' vote: test_local_real_engine)."""
    lines = [_box("今日气温0°℃，相对湿度10%", 10, 10, 400), _box("今日气温21C", 10, 60, 300)]
    fields = EXTRACTORS[DocType.COMM](Page(lines, 500, 120, (500, 120))).fields
    assert [item["text"] for item in fields["items"]] == ["今日气温0°C，相对湿度10%", "今日气温21C"]


def test_a_line_boxed_in_overlapping_pieces_is_one_item() -> None:
    """A line the detector boxed in two overlapping pieces, the right one a pixel higher
    and so first in reading order (fresh seed 1580402): one item, left to right, its box
    around both. Pieces a word space apart or a column apart stay items of their own; a
    piece boxed twice is read once; a piece between two joins all three."""
    lines = [
        _box("空气质量良好", 504, 267, 136, 36),
        _box("今日气温23℃，相对湿度65%，", 239, 269, 277, 37),
        _box("Invoice No.", 239, 339, 150, 36), _box("INV-9035", 397, 340, 140, 36),
        _box("姓名", 20, 400, 60), _box("张三", 200, 400, 60),
        _box("本公司联系电话", 20, 460, 230), _box("联系电话", 120, 460, 128),
        _box("工作时间", 400, 520, 130), _box("周一至周五", 100, 520, 162),
        _box("，", 260, 520, 142),
    ]  # fmt: skip
    items = EXTRACTORS[DocType.COMM](Page(lines, 700, 600, (700, 600))).fields["items"]
    texts = [item["text"] for item in items]
    assert texts[0] == "今日气温23℃，相对湿度65%，空气质量良好"
    assert texts[1:] == ["Invoice No.", "INV-9035", "姓名", "张三", "本公司联系电话",
                         "周一至周五，工作时间"]  # fmt: skip
    pos = items[0]["pos"]
    assert (pos["left_top"], pos["right_bottom"]) == ({"x": 239, "y": 267}, {"x": 640, "y": 306})


def test_a_date_read_beside_its_label_is_one_two_crops_spell_whole() -> None:
    # Crops cut in the day (2018年09月0, 2018年09月1) spell no date; whole ones do.
    assert bizlicense._whole_date_agreed(["2018年09月1", "2018年09月1", "2018年09月09日"]) is None
    whole = ["2018年09月09日", "2018年09月09日子", "2018年09月0"]
    assert bizlicense._whole_date_agreed(whole) == "2018年09月09日"
    assert bizlicense._whole_date_agreed(["2008年3月5日", "2008年3月5日"]) == "2008年3月5日"


def test_around_keeps_a_turned_boxs_corner_order() -> None:
    # A line running down a photo on its side: its box starts at the image's top left.
    down = ((616.0, 222.0), (652.0, 218.0), (682.0, 494.0), (646.0, 497.0))
    more = ((647.0, 486.0), (682.0, 482.0), (697.0, 617.0), (662.0, 621.0))
    box = around([down, more])
    assert [tuple(round(v) for v in p) for p in box[:2]] == [(615, 222), (653, 218)]
    assert [tuple(round(v) for v in p) for p in box[2:]] == [(697, 617), (660, 621)]
    point = ((5.0, 5.0), (5.0, 5.0), (5.0, 5.0), (5.0, 5.0))  # a box of no size: no crash
    assert around([point, down]) == ((5.0, 5.0), (682.0, 5.0), (682.0, 497.0), (5.0, 497.0))


def test_a_validity_whose_slash_was_read_as_an_x_is_a_validity() -> None:
    """A card scan's 01/29 read 01X29 (fresh seed 1570063): the slash, crossed by the
    card's pattern. A month, an X and a year are MM/YY; digits alone are not."""
    lines = [_box("中信银行", 130, 54, 170), _box("6222 0202 0011 2233 446", 45, 300, 760),
             _box("VALID", 326, 398, 66), _box("01X29", 394, 411, 120),
             _box("THRU", 325, 419, 65)]  # fmt: skip
    fields = EXTRACTORS[DocType.BANKCARD](Page(lines, 856, 540, (856, 540))).fields
    assert fields["number"] == "6222020200112233446" and fields["valid_thru"] == "01/29"
    assert bankcard._mm_yy("01129") is None and bankcard._mm_yy("01x29") == "01/29"


def test_plate_colours() -> None:
    colours = {name: EXTRACTORS[DocType.PLATENUM](load(name)[0]).fields["color"] for name in
               ("plate_yellow", "plate_green_rot180", "plate_blue")}  # fmt: skip
    assert colours == {
        "plate_yellow": "yellow",
        "plate_green_rot180": "green",
        "plate_blue": "blue",
    }


def test_rows_are_not_bridged_by_a_tall_stamp() -> None:
    def line(text: str, x: float, y0: float, y1: float) -> Line:
        return Line(text, ((x, y0), (x + 100, y0), (x + 100, y1), (x, y1)), 1.0)

    upper, lower = line("上一行", 0, 0, 30), line("下一行", 0, 28, 58)
    stamp = line("市场监督", 300, 10, 60)  # overlaps both rows
    grouped = rows([upper, stamp, lower])
    row_of = {ln.text: i for i, row in enumerate(grouped) for ln in row.lines}
    assert row_of["上一行"] != row_of["下一行"]
    assert len(grouped) == 2


def test_a_line_half_a_row_lower_starts_its_own_row() -> None:
    """Two columns drift apart on a tilted photo: 住所's value starts half a line below
    法定代表人 and belongs with 住所, not with the row above."""

    def line(text: str, x: float, y0: float, y1: float) -> Line:
        return Line(text, ((x, y0), (x + 100, y0), (x + 100, y1), (x, y1)), 1.0)

    legal = line("法定代表人司马宏兰", 265, 546, 577)
    value = line("安徽省六安市霍邱县", 746, 563, 590)
    label = line("住所", 653, 563, 591)
    grouped = rows([legal, value, label])
    assert [[ln.text for ln in row.lines] for row in grouped] == [
        ["法定代表人司马宏兰"],
        ["住所", "安徽省六安市霍邱县"],
    ]

    # A third of a line lower, it fits the row above too, which it meets first; it goes
    # to the row whose centre is nearer (lines as read from a 90° photo).
    legal, name = line("法定代表人", 246, 530, 562), line("顾欣", 344, 531, 559)
    value = line("云南省红河哈尼族彝族自治州元", 789, 543, 574)
    first, second = line("住", 685, 546, 576), line("所", 734, 545, 575)
    grouped = rows([legal, name, value, first, second])
    assert [[ln.text for ln in row.lines] for row in grouped] == [
        ["法定代表人", "顾欣"],
        ["住", "所", "云南省红河哈尼族彝族自治州元"],
    ]


def test_a_value_a_third_of_a_line_low_at_a_rows_end_joins_the_row() -> None:
    """A card seen at a slant (fresh seed 1540160): 车辆类型's value, at the row's far
    end, sits 20 px lower than 号牌号码 at its start, so it fits the label beside it but
    not the whole row, and stood alone on a row of its own: the type was lost. A line
    alone joins the row beside when it fits the line nearest it there; not one under
    a line of the row, nor one far from it."""

    def line(text: str, x0: float, x1: float, y0: float, y1: float) -> Line:
        return Line(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), 1.0)

    first = [line("号牌号码", 145, 229, 241, 273), line("甘GYU531", 261, 363, 247, 283),
             line("车辆类型", 473, 551, 256, 287)]  # fmt: skip
    kind = line("小型越野客车", 570, 703, 261, 299)
    owner = [line("所有人", 154, 221, 289, 321), line("龙成佳", 263, 341, 293, 330)]
    grouped = rows([*first, kind, *owner])
    assert [[ln.text for ln in row.lines] for row in grouped] == [
        ["号牌号码", "甘GYU531", "车辆类型", "小型越野客车"],
        ["所有人", "龙成佳"],
    ]
    labels = {"plate_num": ["号牌号码"], "vehicle_type": ["车辆类型"], "owner": ["所有人"]}
    assert labelled_values([*first, kind, *owner], labels)["vehicle_type"].text == "小型越野客车"

    under = line("小型越野客车", 473, 606, 261, 299)  # under 车辆类型: a row of its own
    far = line("小型越野客车", 700, 833, 261, 299)  # 149 px on: another column's
    for alone in (under, far):
        assert [ln.text for ln in rows([*first, alone, *owner])[1].lines] == ["小型越野客车"]


def test_label_with_a_missing_character_still_labels() -> None:
    def line(text: str, x: float) -> Line:
        return Line(text, ((x, 0), (x + 80, 0), (x + 80, 30), (x, 30)), 1.0)

    values = labelled_values([line("准驾型", 0), line("C1", 100)], {"car_class": ["准驾车型"]})
    assert values["car_class"].text == "C1"

    # The last character missing and the value glued on: the digit is the value's.
    labels = {"issue_date": ["初次领证日期"]}
    values = labelled_values([line("初次领证日2024-08-20", 0)], labels)
    assert values["issue_date"].text == "2024-08-20"
    # One character misread (a Chinese one, as a recognizer misreads them) still labels.
    values = labelled_values([line("初次领证日朋2024-08-20", 0)], labels)
    assert values["issue_date"].text == "2024-08-20"
    # The last character missing and the value in a box of its own: its first
    # character is the value's, not a misread 人 (seed 1390208's 郭雨悦 read 雨悦), and
    # the next label is not eaten (营 of 营业期限 read as that 人 gave 业期限).
    labels = {"legal_representative": ["法定代表人"], "valid_period": ["营业期限"]}
    values = labelled_values([line("法定代表", 0), line("郭雨悦", 100)], labels)
    assert values["legal_representative"].text == "郭雨悦"
    values = labelled_values([line("法定代表", 0), line("营业期限", 100)], labels)
    assert values["legal_representative"].text == ""
    assert "valid_period" in values
    # In one box with the label, a misread last character is still the label's.
    values = labelled_values([line("法定代表入郭雨悦", 0)], labels)
    assert values["legal_representative"].text == "郭雨悦"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C1", "C1"),
        ("Cl", "C1"),
        ("32", "B2"),
        ("A2D", "A2D"),
        ("D", "D"),
        ("0", "D"),
        ("0C1", "C1"),
        ("3C1", "C1"),  # the seal's ring read as 3 (fresh seed 1540144): no B without a digit
        ("8", ""),
        ("B", "B"),  # printed so, a digit lost: it keeps its place
        ("B1D", "B1D"),
        ("A1A2", "A1A2"),
    ],
)
def test_car_class_letters_and_digits_keep_their_places(text: str, expected: str) -> None:
    assert drivinglicense.car_class(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("粤B·12345", "粤B12345"),
        ("粤B 1234O", "粤B12340"),
        ("沪AD12345", "沪AD12345"),
        ("京A1234警", "京A1234警"),
        ("津B·9852敬言", "津B9852警"),
        ("粤BI2345", "粤B12345"),
        ("冀E09512F", "冀E09512F"),  # a large new-energy plate
        ("粤NLM1234", None),  # eight characters, no new-energy plate: one too many read
        ("粤BA12345", "粤BA12345"),  # a small new-energy plate of the 2019 letters
        ("粤BK1234", "粤BK1234"),  # seven: an ordinary plate
        ("冀HGÜ995", "冀HGU995"),  # a letter read with a mark is its base letter
        ("ABC", None),
    ],
)
def test_plate_format_fixes(text: str, expected: str | None) -> None:
    assert checks.plate_fix(text) == expected


def test_single_fix_refuses_to_choose_between_two_repairs() -> None:
    assert checks.single_fix("12O", lambda s: s == "120") == "120"
    assert checks.single_fix("88", lambda s: s in ("B8", "8B")) is None


def test_passport_repair_uses_the_check_digits() -> None:
    first = "POCHNPAN<<QIUJUN<<<<<<<<<<<<<<<<<<<<<<<<<<<<"
    misread = "EQ31123932CHN6710152M28082880KQJQMNX<<<<<<76"  # O read as 0
    fixed_first, fixed_second = passport._repair(first, misread)
    assert fixed_second == "EQ31123932CHN6710152M2808288OKQJQMNX<<<<<<76"
    assert fixed_first == first


def test_passport_nationality_is_letters_though_no_check_digit_covers_it() -> None:
    """Seen on a small real photo: GBR read as 68R. Two characters off, out of the one
    confusion a repair may fix, and no check digit covers them: letters, always."""
    first = "P<GBRTESTER<<ALEX<<<<<<<<<<<<<<<<<<<<<<<<<<<"
    misread = "X123456785" + "68R" + "8001014F3001019<<<<<<<<<<<<<<02"
    assert not passport._check(first, misread)  # 68R is no country
    _, fixed = passport._repair(first, misread)
    assert fixed[10:13] == "GBR" and fixed[:10] + fixed[13:] == misread[:10] + misread[13:]
    assert passport._check(first, fixed)


def test_an_issuing_state_shifted_by_a_character_read_twice_or_lost_is_put_back() -> None:
    """A turned photo read POCHNYAO as POOCHNYAO (fresh seed 1590342): OCH is no state,
    and the surname became NYAO. Line 2's nationality one character on puts it back; one
    character back, the type's lost second character."""
    first = "POCHNYAO<<YANGXIN<<<<<<<<<<<<<<<<<<<<<<<<<<<"
    second = "EG28209760CHN7309012M2711243ENYOYUHE<<<<<<22"
    assert passport._check(first, second)
    doubled = ("POOCHNYAO<<YANGXIN" + "<" * 30)[:44]
    assert passport._repair(doubled, second) == (first, second)
    lost = ("PCHNYAO<<YANGXIN" + "<" * 30)[:44]
    assert passport._repair(lost, second)[0] == "P<CHNYAO<<YANGXIN" + "<" * 27
    british = "P<GBRTESTER<<ALEX<<<<<<<<<<<<<<<<<<<<<<<<<<<"
    other = "X123456785" + "GBR" + "8001014F3001019<<<<<<<<<<<<<<02"
    assert passport._repair(british, other)[0] == british  # a state in place: as read


def test_a_nationality_a_letter_off_the_issuing_state_is_the_issuing_state() -> None:
    """The same photo's R read as 8 once more (68 8, hence GBB, no country): one letter
    away from the issuing state, which alone makes every check pass. A country that is
    one (GBN, DEU on a British passport) or a reading two letters off is kept as read."""
    first = "P<GBRTESTER<<ALEX<<<<<<<<<<<<<<<<<<<<<<<<<<<"

    def second(nationality: str) -> str:
        return "X123456785" + nationality + "8001014F3001019<<<<<<<<<<<<<<02"

    assert not passport._check(first, second("688"))
    assert passport._repair(first, second("688"))[1] == second("GBR")
    assert passport._repair(first, second("DEU"))[1] == second("DEU")
    assert passport._repair(first, second("GBN"))[1] == second("GBN")  # a country, one off
    assert passport._repair(first, second("0B8"))[1] == second("OBB")  # two off: as read


def test_police_seals_are_the_cities_with_traffic_police() -> None:
    seals = places.police_seals()
    assert "江苏省盐城市公安局交通警察支队" in seals  # a prefecture-level city
    assert "湖北省仙桃市公安局交通警察支队" in seals  # a county-level city under its province
    assert "北京市公安局交通警察支队" in seals  # a municipality
    assert "山东省公安局交通警察支队" not in seals  # no such detachment
    assert "台湾省公安局交通警察支队" not in seals


def test_issue_date_whose_label_the_seal_hid_is_the_date_between_its_neighbours() -> None:
    page, _, truth, _ = load("drivinglicense_issue_label_unread")
    assert not any("领证" in ln.text for ln in page.lines)  # the seal took the label
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page)
    assert result.fields["issue_date"] == truth["issue_date"]
    assert result.fields["birth_date"] == truth["birth_date"] != truth["issue_date"]


def test_address_whose_label_went_unread_is_split_off_the_period_above_it() -> None:
    page, _, truth, _ = load("bizlicense_address_label_unread")
    assert not any("住所" in ln.text for ln in page.lines)
    result = EXTRACTORS[DocType.BIZLICENSE](page)
    assert result.fields["address"] == truth["address"]
    assert result.fields["valid_period"] == truth["valid_period"]


def test_a_period_that_wraps_mid_date_stays_one_period() -> None:
    page, _, truth, _ = load("bizlicense_period_wraps")
    assert any(ln.text.endswith("至2065年02月1") for ln in page.lines)  # wrapped mid-date
    result = EXTRACTORS[DocType.BIZLICENSE](page)
    assert result.fields["valid_period"] == truth["valid_period"]
    assert result.fields["address"] == truth["address"]


def _texts(page: Page) -> list[str]:
    return [ln.text for ln in page.lines]


def test_a_kind_of_business_read_as_the_name_wrapping_is_split_off() -> None:
    """类型 went unseen: its value sits under the name, in the name's column."""
    page, _, truth, _ = load("bizlicense_type_label_unread")
    assert not any("类" in t for t in _texts(page))
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert fields["enterprise_name"] == truth["enterprise_name"]
    assert fields["type_of_enterprise"] == truth["type_of_enterprise"]


def test_a_row_of_another_column_does_not_end_a_wrapped_value() -> None:
    """登记机关 has a row of its own between the scope's last two lines."""
    page, _, truth, _ = load("bizlicense_authority_beside_scope")
    grid = [row.text for row in rows(page.lines)]
    assert "登记机关" in grid
    assert grid.index("登记机关") < grid.index("开展经营活动)")
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert fields["business_scope"].endswith("后方可开展经营活动）")


def test_a_misread_county_is_put_right_against_the_division_table() -> None:
    # Not in EXACT: its issue date, under the seal, is read only from the image.
    page, _, truth, _ = load("driving_county_misread")
    assert any("门源旧族自治县" in t for t in _texts(page))
    assert EXTRACTORS[DocType.DRIVING](page).fields["addr"] == truth["addr"]


def test_a_blurred_fu_ye_is_told_by_its_values_when_its_labels_are_garbled() -> None:
    """Both pages of a vehicle licence far off and blurred: of the 副页's labels only
    总质量 reads right, but its size and weights tell the page, so its lines are not
    taken for the main page's values."""
    page, _, truth, _ = load("driving_both_back_labels_blurred")
    text = "".join(_texts(page))
    assert sum(label in text for label in driving.BACK_LABELS) == 1
    fields = EXTRACTORS[DocType.DRIVING](page).fields
    for key in ("owner", "vehicle_type", "total_quality"):
        assert fields[key] == truth[key]


def test_division_names_are_fixed_only_when_one_fix_fits() -> None:
    fix = places.fix_division
    assert (
        fix("贵州省黔南布依族苗族自治州陇安县新华大街")
        == "贵州省黔南布依族苗族自治州瓮安县新华大街"
    )
    assert fix("湖南省郴洲市北湖区人民路1号") == "湖南省郴州市北湖区人民路1号"
    # A municipality's district is its second name (fresh seed 1540220).
    assert fix("重庆市钢梁区公园街道胜利路431号") == "重庆市铜梁区公园街道胜利路431号"
    assert fix("上海市黄蒲区中山路1号") == "上海市黄浦区中山路1号"
    # One character in each of two names: the city first, then the county.
    assert fix("内蒙古自治区网拉善盟辣济纳旗友谊大道") == "内蒙古自治区阿拉善盟额济纳旗友谊大道"
    # Two in one long name after a beginning read right (连县, an old county of 清远,
    # is one character off as read, in its last: no fix, so the long name is tried).
    assert fix("广东省清远市连南域疾自治县朝阳路374号") == "广东省清远市连南瑶族自治县朝阳路374号"
    # Two in a long province name, no beginning read right: the province (its first and
    # last as read), then the county one character off under the city.
    assert fix("广西社源自治区百色市站西市青年街道") == "广西壮族自治区百色市靖西市青年街道"
    # One off a province of seven alone (too short for a one-character fix), then its city.
    assert fix("宁夏田族自治区国原市原州区") == "宁夏回族自治区固原市原州区"
    # As printed: right, an old name (an old card keeps it), a street that is one
    # character from a district (天河路/天河区), a short name, and no division at all.
    for same in (
        "云南省曲靖市罗平县科技路788号",
        "湖北省襄樊市樊城区人民路1号",
        "广东省广州市天河路1号",
        "北京市朝阳匹建国路",
        "广东省清远市连南域疾自治区朝阳路",  # a long name's last character differs
        "湖南省郴州市北胡匹人民路1号",  # two in a short name
        "河北省唐山市鹰手营子矿区人民路1号",  # the long name is 承德's: the city is as read
        "江苏省南京市高新区科技路1号",  # a zone, one character from 高淳区
        "陕西省西安市高新区锦业路1号",  # and from 高陵区
        "科技路788号",
        "广西社族自治县",  # two off a long province, its last among them
        "厂西社族自治区",  # two off a long province, its first among them
        "",  # nothing to fix
        "内蒙古",  # shorter than the long province it begins
    ):
        assert fix(same) == same


def test_a_front_whose_labels_and_date_marks_faded_is_read_by_place() -> None:
    """Every pale label gone (and 年 月 日 with them: the birth date reads 2002年55), on a
    blurred photo turned 270°: the valid ID number whose holder's sex the card prints
    tells the front, and the year it holds finds the birth row the others hang on."""
    page, _, truth, _ = load("idcard_front_labels_faded")
    text = "".join(_texts(page))
    assert not any(lab in text for labs in idcard.FRONT_LABELS.values() for lab in labs)
    assert not any(find_dates(t) for t in _texts(page))
    fields = EXTRACTORS[DocType.IDCARD](page).fields
    assert {k: fields.get(k) for k in truth} == truth


def test_a_valid_number_with_its_holder_s_sex_is_no_front_on_a_licence() -> None:
    """What tells a faded front (a valid ID number, its holder's sex or birth year on
    another line) is also on a driver's licence, and on the number's own line when a
    digit of it is misread or it is boxed in pieces: none of those is a front."""
    number = "211081200205057882"

    def page_of(*texts: str) -> Page:
        lines = [Line(t, ((0, 40 * k), (300, 40 * k), (300, 40 * k + 30), (0, 40 * k + 30)), 1.0)
                 for k, t in enumerate(texts)]  # fmt: skip
        return Page(lines=lines, width=800, height=600, orig_size=(800, 600))

    assert idcard.side(page_of("司马晓明", "女", number)) == "Front"
    assert idcard.side(page_of("国籍", "中国", "司马晓明", "女", number, "2002-05-05")) is None
    assert idcard.side(page_of("司马晓明", number.replace("0", "O", 1))) is None
    assert idcard.side(page_of("2110812002", "05057882")) is None


def test_a_date_boxed_with_a_copy_stamp_s_strokes_is_kept() -> None:
    """复印无效 across 成立日期's value: the detector boxed the date with the stamp's
    strokes, twice print's height, which is what a stamp's words stand."""
    page, _, truth, _ = load("bizlicense_stamp_boxed_with_date")
    (dated,) = [ln for ln in page.lines if clean(ln.text) == truth["registered_date"]]
    assert dated.height > bizlicense.OVERSIZED * bizlicense._median_height(page.lines)
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert fields["registered_date"] == truth["registered_date"]


def test_an_issue_date_read_without_its_month_is_the_register_date() -> None:
    """A small scan's 发证日期 read 2014--04 (the narrow 11 gone): most licences are
    issued the day the car is registered, and the register date holds those digits.
    Only a month or a day lost whole: any other reading is no such date."""
    page, _, truth, _ = load("driving_issue_date_month_lost")
    assert any(re.search(r"\d{4}--\d{2}", ln.text) for ln in page.lines)
    fields = EXTRACTORS[DocType.DRIVING](page).fields
    assert fields["issue_date"] == truth["issue_date"] == truth["register_date"]
    registered = dt.date(2014, 11, 4)
    assert driving._holds(registered, "2014--04") and driving._holds(registered, "2014-11-")
    assert not driving._holds(registered, "2015--04")  # another year
    assert not driving._holds(registered, "2014-12-04")  # a month read whole
    assert not driving._holds(registered, "2014-1-04")  # a digit of the month left


def test_a_capital_under_a_copy_stamp_is_print() -> None:
    """复印无效 across the registered capital: the stamp's red is most of the line's dark
    tone and the amount is short, with no marks, like a stamp's own words. A sum of money
    (or a date) is what a stamp never says: the line is the licence's print."""
    page, _, truth, _ = load("bizlicense_capital_under_copy_stamp")
    (capital,) = [ln for ln in page.lines if clean(ln.text) == truth["registered_capital"]]
    assert layout.red_ink(capital) and len(clean(capital.text)) < 12
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert {k: fields.get(k) for k in truth} == truth
    # A date alone is print too; a short stamp's words, dated or not, are not.
    median = bizlicense._median_height(page.lines)
    # A label with its value boxed with it is print (fresh seed 1540201: 法定代表人 and
    # its name under 仅供办理银行开户使用, the name lost).
    for text, is_print in (("2023年01月13日", True), ("伍佰万元整", True),
                           ("法定代表人何然新", True), ("仅供年检", False),
                           ("仅供2024.5.1", False)):  # fmt: skip
        assert bizlicense._print(capital.with_text(text), median) is is_print, text


def test_a_company_s_place_misread_is_put_right_from_its_address() -> None:
    page, _, truth, _ = load("bizlicense_name_place_misread")
    assert any("红河哈尼族葬族自治州" in t for t in _texts(page))
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert fields["enterprise_name"] == truth["enterprise_name"]
    assert fields["enterprise_name"].startswith("红河哈尼族彝族自治州")


def test_a_company_s_place_is_fixed_only_from_a_place_its_address_names() -> None:
    fix = places.fix_place_from
    address = "贵州省安顺市紫云苗族布依族自治县湖滨街1226号"
    county = "紫云苗族布依族自治县"
    assert fix("紫云苗族布依旗自治县辰丰商贸有限公司", address) == f"{county}辰丰商贸有限公司"
    for same in (
        f"{county}辰车商贸有限公司",  # the place as printed: the trade name is not ours
        "紫云苗族布依族自治具辰丰商贸有限公司",  # a place's last character
        "安项市辰丰信息技术有限公司",  # three characters: too little to go on
        "辰丰信息技术有限公司",  # no place
    ):
        assert fix(same, address) == same
    # A place the address does not name is no evidence.
    elsewhere = "贵州省贵阳市南明区湖滨街1号"
    assert fix("紫云苗族布依旗自治县辰丰商贸有限公司", elsewhere).startswith("紫云苗族布依旗")
    # A beginning that is a place is kept: a branch keeps its parent's place, and
    # words that share a place's characters are no place (广百市场 is not 广州市).
    for name, at in (
        ("湖南省建工集团有限公司郑州分公司", "河南省郑州市金水区花园路1号"),
        ("张家界市旅游开发有限公司张家口分公司", "河北省张家口市桥东区胜利路1号"),
        ("广百市场发展有限公司", "广东省广州市天河区天河路1号"),
        ("东风市场管理有限公司", "海南省东方市八所镇人民路1号"),
    ):
        assert fix(name, at) == name


def test_overlapping_plate_boxes_do_not_repeat_a_character() -> None:
    page, _, truth, _ = load("plate_overlapping_boxes")
    assert sorted(_texts(page)) == ["6警", "沪D·5816"]
    assert EXTRACTORS[DocType.PLATENUM](page).fields["number"] == truth["number"] == "沪D5816警"


def test_a_name_read_in_pieces_is_whole() -> None:
    page, _, truth, _ = load("businesscard_spaced_name")
    assert {"董", "晶霞"} <= set(_texts(page))
    assert EXTRACTORS[DocType.BUSINESSCARD](page).fields["name"] == truth["name"] == "董晶霞"


def test_a_business_cards_address_has_its_division_put_right() -> None:
    # A scan's 颍上县 read 颖上县 (fresh seed 1600393): one character of a county off.
    lines = [_box("张伟", 40, 30, 100, 48), _box("电话：13800138000", 40, 120, 300),
             _box("地址：安徽省阜阳市颖上县中山路2502号", 40, 170, 560)]  # fmt: skip
    fields = EXTRACTORS[DocType.BUSINESSCARD](Page(lines, 700, 260, (700, 260))).fields
    assert fields["address"] == "安徽省阜阳市颍上县中山路2502号"


def test_a_business_cards_address_label_boxed_apart_keeps_its_value() -> None:
    # 1630364: 地址： boxed apart from its value, the value's wrapped end under the label.
    lines = [_box("余鑫华", 258, 295, 231, 81), _box("手机：15866608779", 266, 445, 252, 40),
             _box("黑龙江省哈尔滨市道里区胜利街81号万科公寓25栋1单元2", 341, 566, 681, 42),
             _box("地址：", 268, 569, 92, 39), _box("803室", 267, 607, 84, 39)]  # fmt: skip
    fields = EXTRACTORS[DocType.BUSINESSCARD](Page(lines, 1100, 700, (1100, 700))).fields
    assert fields["address"] == "黑龙江省哈尔滨市道里区胜利街81号万科公寓25栋1单元2803室"


def test_digits_inside_latin_words_are_letters() -> None:
    assert fix_latin("P1ease contact us") == "Please contact us"
    assert fix_latin("tota1 due") == "total due"
    assert fix_latin("Wi-Fi: Guest-1l Password") == "Wi-Fi: Guest-11 Password"
    # Codes, years and e-mail numbers stay as read.
    for same in ("丰田牌TV71XTT4", "wang1985@163.com", "LFMZMBRT9AY817309", "C1", "5lb"):
        assert fix_latin(same) == same


@pytest.mark.parametrize(
    ("read", "size"),
    [
        ("4650×1797>1668m", "4650×1797×1668mm"),
        ("4861=1740+1473mm", "4861×1740×1473mm"),
        ("4223 x 1835 × 1511 mm", "4223×1835×1511mm"),
        ("4650×1797", None),  # two numbers are no dimensions
        ("465012×1797×1668mm", None),  # nor is a number of six digits cut to five
    ],
)
def test_dimensions_whose_times_sign_reads_as_another_mark_are_read(
    read: str, size: str | None
) -> None:
    """The × between a 副页's dimensions, small and blurred, reads as >, + or =: three
    numbers of millimetres apart by a mark are the dimensions all the same."""
    lines = [_box("外廓尺寸", 0, 0, 128), _box(read, 160, 0, 16 * len(read))]
    result = Result()
    driving._back_page(Page(lines, 800, 100, (800, 100)), result, alone=True)
    assert result.fields.get("overall_size") == size


def test_a_vehicle_plate_without_its_province_is_kept_with_a_warning() -> None:
    """A main page's plate that is no plate (its province blurred away) and that the
    image cannot mend (a recorded page has none) is kept as read, with a warning: the
    card must not show a wrong number as if it were sure."""
    page, _, truth, _ = load("driving_photo")
    plate = truth["plate_num"]
    lines = [ln.with_text(plate[1:]) if clean(ln.text) == plate else ln for ln in page.lines]
    assert lines != page.lines
    result = EXTRACTORS[DocType.DRIVING](dataclasses.replace(page, lines=lines))
    assert result.fields["plate_num"] == plate[1:]
    assert driving.PLATE_WARNING in result.warnings
    assert driving.PLATE_WARNING not in EXTRACTORS[DocType.DRIVING](page).warnings


def test_a_use_run_on_into_the_model_whose_label_went_unread_is_parted() -> None:
    """品牌型号 unread (small and blurred): the use ran on into the brand and model beside
    it. The known use it starts with is the use, a brand and a code after it the model."""
    page, _, truth, _ = load("driving_photo")
    lines = [ln for ln in page.lines if ln.text != "品牌型号"]
    assert len(lines) == len(page.lines) - 1
    fields = EXTRACTORS[DocType.DRIVING](dataclasses.replace(page, lines=lines)).fields
    assert (fields["use_character"], fields["model"]) == (truth["use_character"], truth["model"])
    assert driving._use_and_model("非营运福特牌") == ("非营运福特牌", None)  # no model code


def test_a_vin_failing_its_check_digit_is_corrected_only_when_one_fix_fits() -> None:
    page, _, truth, _ = load("driving_photo")
    vin = truth["vin"]  # LFMZMBRT9AY817309

    def read_as(text: str) -> str:
        lines = [ln.with_text(text) if ln.text == vin else ln for ln in page.lines]
        edited = Page(lines, page.width, page.height, page.orig_size)
        return EXTRACTORS[DocType.DRIVING](edited).fields["vin"]

    assert any(ln.text == vin for ln in page.lines)
    assert read_as(vin[:12] + "7" + vin[13:]) == vin  # 1 read as 7: one fix passes
    # 3 read as 8: 8 -> 3, B, 0 or 6 could each be it; mod 11 cannot tell, so as read.
    misread = vin[:14] + "8" + vin[15:]
    assert read_as(misread) == misread


def test_a_class_misread_with_a_small_l_is_no_english_sub_label() -> None:
    # Not in EXACT: its 浈江区 came back 贞江区, and four districts of 韶关 are one
    # character from that (北江, 武江, 浈江, 曲江): the division check rightly leaves it.
    page, _, truth, _ = load("drivinglicense_class_read_Cl")
    assert "Cl" in _texts(page)
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](page).fields
    assert fields["car_class"] == truth["car_class"] == "C1"
    assert fields["address"].startswith("广东省韶关市贞江区")
    for sub in ("Class", "Date of Birth", "No.", "VIN", "Ses", "License No.", "AddHess"):
        assert ENGLISH_SUBLABEL.match(sub), sub
    for value in ("Cl", "LLLGSQ", "YJEC1D28", "DC7119GS"):
        assert not ENGLISH_SUBLABEL.match(value), value


def test_the_full_stop_before_the_closing_sentence_is_put_back() -> None:
    page, _, truth, _ = load("bizlicense_full_stop_lost")
    assert any(t.startswith(("(依法", "（依法")) for t in _texts(page))  # a new line, no 。
    assert "。（依法" in truth["business_scope"]
    assert EXTRACTORS[DocType.BIZLICENSE](page).fields["business_scope"] == truth["business_scope"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_plate_colour_from_its_two_tones_in_dim_light(seed: int) -> None:
    """Real street photos are dim and hazy: the mean colour of a blue plate's box came out
    grey (called white) or dark (black). Its dark tone keeps the blue, a yellow plate's
    light tone the yellow."""
    doc = synth_plate.make(random.Random(seed), random.Random(seed))
    bgr = np.asarray(doc.image.convert("RGB"))[40:240, 60:-60, ::-1].astype(np.float32)
    crop = np.ascontiguousarray(bgr * 0.3).astype(np.uint8)  # an evening street
    number, want = doc.truth["number"], doc.truth["color"]
    b, g, r = crop.reshape(-1, 3).mean(axis=0)
    assert plate_color((int(r), int(g), int(b)), number) != want  # the mean misleads
    assert plate_color((int(r), int(g), int(b)), number, reader.tones(crop)) == want


def test_a_blue_plate_under_a_green_tint_stays_blue() -> None:
    """Real car-park photos tint a blue plate's white print green (foliage, wet tarmac,
    dim lamps): its light tone then has a green hue, but its paint stays deep blue, as no
    yellow or green plate's dark print is."""
    blue = next(d for s in range(40) if (d := synth_plate.make(random.Random(s),
                random.Random(s))).truth["color"] == "blue")  # fmt: skip
    rgb = np.asarray(blue.image.convert("RGB"))[40:240, 60:-60].astype(np.float32)
    tinted = rgb * np.array([0.4, 0.6, 0.45]) + np.array([0, 10, 0])  # green light, dim
    crop = np.ascontiguousarray(tinted[..., ::-1]).clip(0, 255).astype(np.uint8)
    light, dark = reader.tones(crop)
    assert 75 <= colorsys.rgb_to_hsv(*(c / 255 for c in light))[0] * 360 < 170  # green
    assert plate_color(None, blue.truth["number"], (light, dark)) == "blue"
    for seed in range(40):  # and the other colours as they were
        doc = synth_plate.make(random.Random(seed), random.Random(seed))
        if doc.truth["color"] in ("yellow", "green") and len(doc.truth["number"]) == 7:
            bgr = np.asarray(doc.image.convert("RGB"))[40:240, 60:-60, ::-1]
            tones = reader.tones(np.ascontiguousarray(bgr))
            assert plate_color(None, doc.truth["number"], tones) == doc.truth["color"]


def _plate_crop(doc: Any) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(doc.image.convert("RGB"))[40:240, 60:-60, ::-1])


def test_a_washed_out_civilian_plate_keeps_its_faint_paint() -> None:
    """Road cameras and dim car parks wash a plate crop out to grey: no tone keeps the
    saturation of paint, and it was called white. A plate with a province and no 警 is
    blue, yellow or green, never white: the faint hue left decides."""
    from bot.devtools.synth import photo as synth_photo

    washed = 0
    for seed in range(40):
        doc = synth_plate.make(random.Random(seed), random.Random(seed))
        number = doc.truth["number"]
        if len(number) == 8 or number.endswith("警"):
            continue  # the format decides those
        faded = synth_photo.fade(doc.image, random.Random(seed))
        crop = np.ascontiguousarray(np.asarray(faded)[40:240, 60:-60, ::-1])
        light, dark = reader.tones(crop)
        washed += platenum._paint(light, dark) is None  # no tone with a paint's colour
        assert plate_color(None, number, (light, dark)) == doc.truth["color"], seed
    assert washed >= 5
    # A police plate washed out alike stays white: its 警 decides, not the pixels.
    assert plate_color(None, "京A1234警", (light, dark)) == "white"


def test_a_yellow_plate_whose_print_looks_deep_blue_is_yellow() -> None:
    """A cold light can turn a yellow plate's black print deep blue: the dark tone then
    looks like a blue plate's paint. The paint is most of the box, so a yellow mean over
    a yellow light tone says yellow; a blue plate under a warm lamp keeps a blue mean."""
    yellow = next(d for s in range(40) if (d := synth_plate.make(random.Random(s),
                  random.Random(s))).truth["color"] == "yellow")  # fmt: skip
    rgb = np.asarray(yellow.image.convert("RGB"))[40:240, 60:-60].astype(np.float32)
    dark = rgb.sum(axis=2) < 200
    rgb[dark] = (20, 45, 150)  # the print, deep blue
    crop = np.ascontiguousarray(rgb[..., ::-1]).astype(np.uint8)
    tones = reader.tones(crop)
    b, g, r = crop.reshape(-1, 3).mean(axis=0)
    mean = (int(r), int(g), int(b))
    number = yellow.truth["number"]
    assert plate_color(None, number, tones) == "blue"  # the tones alone mislead
    assert plate_color(mean, number, tones) == "yellow"
    blue = next(d for s in range(40) if (d := synth_plate.make(random.Random(s),
                random.Random(s))).truth["color"] == "blue")  # fmt: skip
    rgb = np.asarray(blue.image.convert("RGB"))[40:240, 60:-60].astype(np.float32)
    warm = (rgb * np.array([1.0, 0.85, 0.55])).clip(0, 255)  # a sodium street lamp
    crop = np.ascontiguousarray(warm[..., ::-1]).astype(np.uint8)
    b, g, r = crop.reshape(-1, 3).mean(axis=0)
    assert plate_color((int(r), int(g), int(b)), blue.truth["number"], reader.tones(crop)) == "blue"


def test_a_hong_kong_or_macao_plate_is_black() -> None:
    """Cars crossing from Hong Kong or Macao carry black plates ending 港 or 澳 (GA 36):
    the format decides, as for 使 and 领."""
    assert plate_color((240, 240, 240), "粤Z1234港") == "black"
    assert plate_color((240, 240, 240), "粤Z1234澳") == "black"


def _digit_line(text: str, x: float, y: float, height: float = 40.0) -> Line:
    w = 22.0 * len(text)
    return Line(text, ((x, y), (x + w, y), (x + w, y + height), (x, y + height)), 0.95)


def test_a_credit_union_s_debit_card_is_a_debit_card() -> None:
    """A rural credit union prints its English name (… RURAL CREDIT UNION) on its debit
    cards: that CREDIT does not make one a credit card; 借记卡 on the card says what it is."""
    valid = next(n for d in "0123456789" if checks.luhn_valid(n := f"622202123456789012{d}"))

    def card(*texts: str) -> Page:
        lines = [_digit_line(t, 60, 40 + 60 * k) for k, t in enumerate(texts)]
        return Page([*lines, _digit_line(valid, 40, 300)], 900, 560, (900, 560))

    page = card("江南省农村信用社", "JIANGNAN RURAL CREDIT UNION", "借记卡 Debit Card")
    assert EXTRACTORS[DocType.BANKCARD](page).fields["card_type"] == "借记卡"
    page = card("江南省农村信用社", "JIANGNAN RURAL CREDIT UNION")
    assert "card_type" not in EXTRACTORS[DocType.BANKCARD](page).fields
    page = card("江南银行", "CREDIT CARD")
    assert EXTRACTORS[DocType.BANKCARD](page).fields["card_type"] == "信用卡"


def test_an_old_card_of_twelve_digits_is_read_with_a_warning() -> None:
    """Old 一卡通 cards print 12 digits and no check digit (one in the real set): the
    number is read, never forced through Luhn, and flagged."""
    page = Page([_digit_line("0020 4815 1623", 40, 200)], 900, 560, (900, 560))
    result = EXTRACTORS[DocType.BANKCARD](page)
    assert result.fields["number"] == "002048151623"
    assert "银行卡号校验未通过，请核对" in result.warnings


def test_a_letter_no_digit_looks_like_leaves_one_digit_for_luhn_to_fill() -> None:
    """A real card's 4 came back as K: the slot stays unread, and the Luhn-valid fills
    are what the recognizer is asked about (exactly one digit completes a number)."""
    from bot.ocr.local.extract.bankcard import _luhn_fixes, _slots

    def fixed(slots: str) -> list[str]:
        return [slots[:i] + d + slots[i + 1 :] for i, d in _luhn_fixes(slots)]

    slots = _slots("6222 0212 K456 7895")
    assert slots == "62220212?4567895"
    fixes = fixed(slots)
    assert len(fixes) == 1 and checks.luhn_valid(fixes[0]) and fixes[0][8] != "?"
    # Nothing unread: every digit in turn, each fix one digit away and Luhn-valid.
    fixes = fixed("6222021234567895")
    assert fixes and all(checks.luhn_valid(f) for f in fixes)
    assert all(sum(a != b for a, b in zip(f, "6222021234567895", strict=True)) == 1 for f in fixes)
    # A digit too many for any card: each digit in turn dropped, the Luhn-valid kept.
    valid = next(n for d in "0123456789" if checks.luhn_valid(n := f"622202123456789012{d}"))
    fixes = fixed(valid[:10] + "7" + valid[10:])
    assert valid in fixes and all(len(f) == 19 and checks.luhn_valid(f) for f in fixes)
    assert fixed(valid[:10] + "?" + valid[10:]) == [valid]  # a mark read as one: it goes
    assert fixed("622202123456789012345") == []  # two too many: no guess
    # Without the image nothing decides between them: the read is kept, flagged.
    page = Page([_digit_line("6222 0212 K456 7895", 40, 200)], 900, 560, (900, 560))
    result = EXTRACTORS[DocType.BANKCARD](page)
    assert result.fields["number"] == "622202124567895"
    assert "银行卡号校验未通过，请核对" in result.warnings


def test_an_mrz_second_line_read_partly_lower_case_is_found() -> None:
    """A real specimen's line 2 came back as ``zs0000177...``: Z and S look alike in both
    cases. Line 2 is told from prose by its digits, so its case does not matter."""
    page, _, truth, _ = load("passport_photo")
    second = next(ln for ln in page.lines if len(ln.text) > 40)
    page.lines[page.lines.index(second)] = second.with_text(
        second.text[:2].lower() + second.text[2:]
    )
    result = EXTRACTORS[DocType.PASSPORT](page)
    assert result.fields["number"] == truth["number"]
    assert result.fields["mrz_valid"] is True


def test_a_digit_in_the_mrz_names_takes_the_visual_zones_letter() -> None:
    """A turned photo's MRZ read JINHAN as 3INHAN (fresh seed 1550314): no letter is
    taken for 3, and no check digit covers the names. The visual zone prints them too
    (金涵 JINHAN): the one word there as long as the name, agreeing with it at every
    letter, gives the digit's letter. Without such a word the name stays as read."""
    page, _, truth, _ = load("passport_photo")
    page.lines[:] = [ln.with_text(ln.text.replace("<<QIUJUN", "<<QIU3UN")) for ln in page.lines]
    assert EXTRACTORS[DocType.PASSPORT](page).fields["given_names"] == truth["given_names"]
    page.lines[:] = [ln for ln in page.lines if "QIUJUN" not in ln.text]
    assert EXTRACTORS[DocType.PASSPORT](page).fields["given_names"] == "QIU3UN"


def test_a_letter_dropped_from_the_mrz_names_is_the_visual_zones() -> None:
    """A J read ] and dropped (YUIA for YUJIA, fresh seed 1620308): the visual zone's
    one word that is the name with one letter more gives it, the line kept 44 long. A
    name the visual zone prints as read stays (LI beside LIN)."""
    page, _, truth, _ = load("passport_photo")
    page.lines[:] = [ln.with_text(ln.text.replace("<<QIUJUN<", "<<QIUUN<<")) for ln in page.lines]
    fields = EXTRACTORS[DocType.PASSPORT](page).fields
    assert fields["given_names"] == truth["given_names"] == "QIUJUN"
    assert [len(line) for line in fields["mrz"]] == [44, 44]
    page.lines[:] = [ln for ln in page.lines if "QIUJUN" not in ln.text]
    assert EXTRACTORS[DocType.PASSPORT](page).fields["given_names"] == "QIUUN"


def test_a_plate_failing_the_format_still_has_its_colour() -> None:
    """A real crop's province came back as 腾 and no province fits: the number is flagged,
    but the plate's paint is as plain as ever."""
    page, _, truth, _ = load("plate_blue")
    plate = max(page.lines, key=lambda ln: ln.height)
    page.lines[page.lines.index(plate)] = plate.with_text("腾" + plate.text[1:].replace("·", ""))
    result = EXTRACTORS[DocType.PLATENUM](page)
    assert "车牌号码格式不符，请核对" in result.warnings
    assert result.fields["number"] != truth["number"]
    assert result.fields["color"] == truth["color"] == "blue"


def test_issue_date_and_class_whose_labels_the_seal_hid_are_read_by_their_rows() -> None:
    """A licence photographed beside its 副页 is half as large: the seal over 初次领证日期
    and 准驾车型 takes both labels. Their values are the rows under the birth date, in
    the order the licence prints them (``Cl`` is C1 read with a small L)."""
    page, _, truth, _ = load("drivinglicense_beside_labels_under_seal")
    texts = [ln.text for ln in page.lines]
    assert not any("领证" in t or "准驾" in t for t in texts)
    assert "Cl" in texts
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](page).fields
    assert fields["issue_date"] == truth["issue_date"]
    assert fields["car_class"] == truth["car_class"] == "C1"
    assert fields["valid_from"] == truth["valid_from"]


def test_red_ink_alone_is_a_stamp_and_never_joins_a_value() -> None:
    """A copy stamp (仅供存档) across the address, read in pieces, and pieces of a seal it
    runs into (督管理): red ink with no black print, told by the line's darker tone,
    never run on into the value above. The line the stamp hid needs the image."""
    page, _, truth, _ = load("bizlicense_stamp_over_address")
    red = [ln.text for ln in page.lines if layout.red_ink(ln)]
    assert "督管理" in red and "仅供存" in red and "营业执照" in red  # the red title too
    black = [ln for ln in page.lines if not layout.red_ink(ln)]
    assert any("年" in ln.text for ln in black)  # the seal's date, crossed by its ink
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert truth["address"].startswith(fields["address"]) and len(fields["address"]) > 10
    assert fields["business_scope"] == truth["business_scope"]


def test_a_pale_stamp_s_large_words_never_join_a_value() -> None:
    """A copy stamp (仅供投标使用) in light translucent red, read in a piece beside the
    scope's last line: its tone is too pale to tell red ink from print, but its words
    stand several times taller than the print, which is all one size on a licence."""
    page, _, truth, _ = load("bizlicense_photo")
    pale = ((250, 249, 244), (223, 172, 171))  # a 600 px scan's stamp: red 51 above
    stamp = Line("供投标使", ((400, 540), (610, 540), (610, 610), (400, 610)), 0.87, tones=pale)
    page.lines.append(stamp)
    assert not layout.red_ink(stamp)
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert fields["business_scope"] == truth["business_scope"]


def test_print_a_large_stamp_covers_is_still_print() -> None:
    """Under a large stamp the red takes most of a line's dark tone: the 经营范围 label
    and a scope line crossed by it look like red ink alone. A label, or a line with a
    value's marks (、，。（）), is print; a stamp's words and a seal's arc have none."""
    page, _, truth, _ = load("bizlicense_photo")
    red = {
        "经营范围": ((240, 208, 203), (87, 34, 31)),
        "物运输、会议及展览服务、市场营": ((250, 249, 244), (217, 154, 151)),
    }
    page.lines[:] = [
        dataclasses.replace(ln, tones=red[ln.text]) if ln.text in red else ln for ln in page.lines
    ]
    assert sum(layout.red_ink(ln) for ln in page.lines) == 2
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert fields["business_scope"] == truth["business_scope"]


def test_a_small_letter_is_no_reading_of_a_class() -> None:
    """Classes are printed in capitals. Re-reading a lone ``D`` beside the seal's ring,
    most crops said ``p``: a small letter whose capital looks otherwise is not a vote
    (``Cl`` for C1, and c, o, s, z, which look like their capitals, still are)."""
    readings = [("p", 0.8)] * 6 + [("D", 0.82), ("D", 0.81)]
    assert drivinglicense._vote_class(readings) == "D"
    assert drivinglicense._vote_class([("Cl", 0.9), ("C1", 0.9)]) == "C1"
    assert drivinglicense._vote_class([("c1", 0.9), ("C1", 0.9)]) == "C1"


def test_the_statutory_sentence_s_lost_parenthesis_is_put_back() -> None:
    """The scope's closing 依法须经批准… sentence is always in parentheses; on a small
    stamped scan its （ went unread. It is put back, and the closing one with it."""
    page, _, truth, _ = load("bizlicense_photo")
    page.lines[:] = [
        ln.with_text(ln.text.replace("（", "")) if "（依法" in ln.text else ln for ln in page.lines
    ]
    assert not any("（" in ln.text for ln in page.lines if "依法" in ln.text)
    fields = EXTRACTORS[DocType.BIZLICENSE](page).fields
    assert fields["business_scope"] == truth["business_scope"]


def test_labels_a_blurred_photo_garbled_in_one_character_still_label() -> None:
    """A blurred half-size licence read 住址 as ``住效`` and 性别 with its value as
    ``性制女``: the address went missing and the name ran on through the sex. A label
    of the left column with one character in its place, that no line spells right, is
    that label; 性, one character and 男 or 女 is 性别 and its value."""
    page, _, truth, _ = load("drivinglicense_photo")
    garbled = {"住址": "住效", "性别": "性制女"}
    page.lines[:] = [
        ln.with_text(garbled.get(ln.text, ln.text)) for ln in page.lines if ln.text != "女"
    ]
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](page).fields
    for key in ("name", "sex", "address", "birth_date"):
        assert fields[key] == truth[key]


@pytest.mark.parametrize("text", ["性制女国籍中国", "性制女 国中国"])
def test_a_sex_label_garbled_and_run_on_through_the_nationality_still_labels(text: str) -> None:
    """性别, its value, 国籍 and its value boxed as one, 性别 read 性制 and 国籍 short of
    a character (fresh seed 1650124, a small licence turned): the name ran on through it
    (曾然性制男)."""
    page, _, truth, _ = load("drivinglicense_photo")
    row = [ln for ln in page.lines if ln.text in ("性别", "女", "国籍", "中国")]
    assert len(row) == 4
    x0, x1 = min(ln.x0 for ln in row), max(ln.x1 for ln in row)
    one = _box(text, x0, min(ln.y0 for ln in row), x1 - x0)
    page.lines[:] = [ln for ln in page.lines if ln not in row] + [one]
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](page).fields
    assert (fields["name"], fields["sex"]) == (truth["name"], "女")
    assert fields["nationality"] == "中国"


def test_a_sex_label_garbled_alone_past_the_name_still_labels() -> None:
    """性别 read as ``性制`` in a box of its own, its 女 boxed apart (fresh seed
    1550124): the name ran on through both (周红性制女). 性 and one character on 姓名's
    row, past where a name is printed, is 性别; a name of that shape beside its label is
    a name."""
    page, _, truth, _ = load("drivinglicense_photo")
    page.lines[:] = [ln.with_text("性制") if ln.text == "性别" else ln for ln in page.lines]
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](page).fields
    assert (fields["name"], fields["sex"]) == (truth["name"], truth["sex"])
    named = next(ln for ln in page.lines if ln.text == "姓名")
    name = next(ln for ln in page.lines if ln.text == truth["name"])
    assert name.x0 - named.x1 < 2 * named.height  # the name sits close to its label
    page.lines[:] = [ln.with_text("性明") if ln is name else ln for ln in page.lines]
    assert EXTRACTORS[DocType.DRIVINGLICENSE](page).fields["name"] == "性明"


def test_a_class_whose_label_the_seal_hid_is_the_line_in_the_values_column() -> None:
    """The seal took 准驾车型 and its own characters were boxed on the class's row, left
    of the values' column (KH, fresh seed 1550104): the row's first line was taken for
    the class, and no class was found. The line starting where the values start is it."""
    rows_ = [("证号", "110101195808070022"), ("姓名", "张三"), ("住址", "北京市东城区某路1号")]
    lines = [_box("中华人民共和国机动车驾驶证", 200, 20, 400)]
    for i, (label, value) in enumerate(rows_):
        lines += [_box(label, 100, 80 + 40 * i, 60), _box(value, 200, 80 + 40 * i, 300)]
    lines += [_box("出生日期", 80, 200, 100), _box("1958-08-07", 200, 200, 140)]
    lines += [_box("1985-01-13", 200, 240, 140), _box("KH", 168, 282, 26), _box("B1", 200, 280, 40)]
    lines += [_box("有效期限", 80, 320, 100), _box("2019-01-13至2029-01-13", 200, 320, 300)]
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](Page(lines, 800, 500, (800, 500))).fields
    assert fields["car_class"] == "B1"
    assert fields["issue_date"] == "1985-01-13"
    # No class read at all, the validity row close under its place (1550124): the place
    # is read, and never lower than the validity row, whose digits would vote (2019: D).
    unread = [ln for ln in lines if ln.text not in ("KH", "B1", "有效期限")]
    period = next(ln for ln in unread if "至" in ln.text)
    unread[unread.index(period)] = _box(period.text, 200, 310, 300)
    values = layout.labelled_values(unread, drivinglicense.LABELS)
    below = drivinglicense._below_birth(unread, values)
    assert below is not None and below.class_box is not None
    assert below.class_box.y1 <= 310 < below.class_box.y1 + 0.2 * 32


def test_a_class_read_with_a_small_i_for_its_1_is_a_class() -> None:
    """The seal's ring beside C1 made all four crops read ``ci`` (fresh seed 1550124):
    a small letter unlike its capital is no reading of a class, but a small i is a 1, as
    a small l is. A small p (for D) still is none."""
    assert drivinglicense._vote_class([("ci", 0.77), ("ci", 0.73)]) == "C1"
    assert drivinglicense._vote_class([("pi", 0.9), ("pi", 0.9)]) is None


def test_an_older_licence_s_start_on_the_row_above_its_period_is_read() -> None:
    """Older licences print 有效起始日期 on its own row above 有效期限 (长期); the seal
    took the start's label (and those of the issue date and class). The one whole date
    in the value column on the row above the period is the start."""
    rows_ = [("证号", "110101195808070022"), ("姓名", "张三"), ("住址", "北京市东城区某路1号")]
    lines = [_box("中华人民共和国机动车驾驶证", 200, 20, 400)]
    for i, (label, value) in enumerate(rows_):
        lines += [_box(label, 100, 80 + 40 * i, 60), _box(value, 200, 80 + 40 * i, 300)]
    lines += [_box("出生日期", 80, 200, 100), _box("1958-08-07", 200, 200, 140)]
    lines += [_box("1985-01-13", 200, 240, 140), _box("B1", 200, 280, 40)]
    lines += [_box("2001-01-13", 200, 320, 140)]
    lines += [_box("有效期限", 80, 360, 100), _box("长期", 200, 360, 60)]
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](Page(lines, 800, 500, (800, 500))).fields
    assert fields["valid_from"] == "2001-01-13"
    assert fields["valid_to"] == "长期"
    assert fields["issue_date"] == "1985-01-13"


def test_a_licence_number_printed_below_its_label_s_row_is_read() -> None:
    """Printed out of register with the form, the 证号 value falls in the row below its
    label: the label's value is empty, and the one valid ID line is the number."""
    page, _, truth, _ = load("drivinglicense_photo")
    number = next(ln for ln in page.lines if ln.text == truth["id_num"])
    (x0, y0), (x1, _), _, _ = number.box
    low = ((x0, y0 + 20), (x1, y0 + 20), (x1, y0 + 52), (x0, y0 + 52))
    page.lines[page.lines.index(number)] = dataclasses.replace(number, box=low)
    assert layout.labelled_values(page, drivinglicense.LABELS)["id_num"].text == ""
    fields = EXTRACTORS[DocType.DRIVINGLICENSE](page).fields
    assert fields["id_num"] == truth["id_num"]
    assert fields["name"] == truth["name"]


def test_a_two_row_plate_is_read_top_row_first() -> None:
    """A lorry's rear plate prints the province and letter small above the rest: two
    rows, neither a plate alone, one plate together (yellow)."""
    page, _, truth, _ = load("plate_two_rows")
    assert len(rows(page.lines)) == 2
    fields = EXTRACTORS[DocType.PLATENUM](page).fields
    assert fields == {"number": truth["number"], "color": "yellow"}


def test_a_long_red_line_taller_than_print_is_a_stamp() -> None:
    """A copy stamp's long words (仅供办理银行开户使用他用无效) misread past the copy-mark
    patterns, red, with no marks: its length once passed it for print under a stamp,
    and it ran on into the address. Print stands 1.6 times the median line at most."""
    page, _, truth, _ = load("bizlicense_photo")
    below = max((ln for ln in page.lines if ln.x0 > 700 and ln.y1 < 560), key=lambda ln: ln.y1)
    h = 1.7 * sorted(ln.height for ln in page.lines)[len(page.lines) // 2]
    x0, y0 = below.x0, below.y1 + 1
    stamp = Line("权供办里银行开户便用他用天效", ((x0, y0), (x0 + 300, y0), (x0 + 300, y0 + h),
                 (x0, y0 + h)), 0.9, tones=((240, 228, 224), (205, 60, 62)))  # fmt: skip
    assert layout.red_ink(stamp) and not bizlicense._COPY_MARK.match(stamp.text)
    stamped = dataclasses.replace(page, lines=[*page.lines, stamp])
    fields = EXTRACTORS[DocType.BIZLICENSE](stamped).fields
    assert fields["address"] == truth["address"]
    # A long red line of print's height, crossed by a stamp, is still print.
    crossed = Line(stamp.text, ((x0, y0), (x0 + 300, y0), (x0 + 300, y0 + h / 1.7),
                   (x0, y0 + h / 1.7)), 0.9, tones=stamp.tones)  # fmt: skip
    assert bizlicense._print(crossed, h / 1.7)


def test_a_plates_likeliest_province_is_given_only_where_the_rest_is_as_read() -> None:
    """Below the margin the province the image leans to is given (with its warning)
    only where the line's box holds all that was read and nothing but the province
    changes: not a tie, not a reading whose letter had to be made of a digit, not a
    row read as two boxes."""
    box = ((0.0, 0.0), (100.0, 0.0), (100.0, 30.0), (0.0, 30.0))
    guess = platenum._likeliest_province

    def line(text: str) -> Line:
        return Line(text, box, 0.9)

    leaning = {"皖A155X1": -1.0, "鄂A155X1": -1.5}
    assert guess("A·155XI", line("A·155XI"), leaning) == "皖A155X1"  # I is never in a plate
    assert guess("KA155X1", line("KA155X1"), leaning) == "皖A155X1"  # its province misread
    assert guess("A·155XI", line("A·155XI"), {"皖A155X1": -1.0, "鄂A155X1": -1.0}) is None
    assert guess("A·155XI", line("155XI"), leaning) is None  # the box holds part of it
    assert guess("202405", line("202405"), {"京Z02405": -1.0, "沪Z02405": -3.0}) is None
