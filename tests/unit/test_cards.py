"""The public API of bot.cards: labels, and the chat reply of every document type."""

from __future__ import annotations

from datetime import date

import pytest

from bot.cards import labels, render
from bot.cards.render import MAX_BYTES
from bot.ocr.base import DocType, Recognition
from tests.unit.test_cards_data import luhn_complete, make_id, make_vin

TODAY = date(2026, 6, 15)
ID = make_id("110101", "19900307", "123")
CARD = luhn_complete("622202123456789123")


def reply(doc_type, fields, warnings=(), **kwargs):
    text = render(Recognition(doc_type, fields, "test", list(warnings)), today=TODAY, **kwargs)
    assert len(text.encode()) <= MAX_BYTES
    return text, text.split("\n")


def test_labels_are_in_display_order():
    assert list(labels(DocType.IDCARD))[:5] == [
        "name",
        "gender",
        "nationality",
        "birth_date",
        "addr",
    ]
    assert labels(DocType.BANKCARD)["number"] == "卡号"
    assert labels(DocType.DRIVING)["vin"] == "识别代号"
    labels(DocType.IDCARD)["name"] = "changed"  # a copy: the table stays as it was
    assert labels(DocType.IDCARD)["name"] == "姓名"


def test_id_card_front():
    fields = {
        "type": "Front",
        "name": "张三",
        "id": ID,
        "addr": "北京市东城区景山前街4号",
        "gender": "男",
        "nationality": "汉",
    }
    text, lines = reply(DocType.IDCARD, fields, warnings=["照片有反光"])
    assert lines[:6] == [
        "【身份证 正面】",
        "姓名：张三",
        "性别：男",
        "民族：汉",
        "住址：北京市东城区景山前街4号",
        "身份证号：110***********1233",
    ]
    assert lines[6] == ""
    assert "✅ 身份证号校验位正确" in lines
    assert "✅ 性别与号码一致" in lines
    assert "ℹ️ 号码归属地：北京市东城区" in lines
    assert lines[-2:] == ["", "⚠️ 照片有反光"]
    assert ID not in text and "Front" not in text


def test_id_card_front_unmasked_shows_the_number():
    text, _ = reply(DocType.IDCARD, {"id": ID, "name": "张三"}, masked=False)
    assert f"身份证号：{ID}" in text


def test_id_card_back():
    fields = {
        "type": "Back",
        "valid_date": "20160701-20260701",
        "authority": "北京市公安局东城分局",
    }
    _, lines = reply(DocType.IDCARD, fields)
    assert lines[:3] == [
        "【身份证 背面】",
        "签发机关：北京市公安局东城分局",
        "有效期限：20160701-20260701",
    ]
    assert "⚠️ 身份证将在 16 天后（2026-07-01）到期" in lines


def test_bank_card():
    fields = {"number": CARD, "bank_name": "工商银行", "card_type": "借记卡"}
    text, lines = reply(DocType.BANKCARD, fields)
    assert lines[:4] == [
        "【银行卡】",
        f"卡号：6222 **** **** *** {CARD[-4:]}",
        "银行：工商银行",
        "卡类型：借记卡",
    ]
    assert "✅ 卡号校验通过" in lines
    assert "ℹ️ 发卡行：中国工商银行（借记卡）" in lines
    assert CARD not in text and CARD[4:12] not in text


def test_driving_licence():
    fields = {
        "id_num": ID,
        "name": "张三",
        "sex": "男",
        "nationality": "中国",
        "address": "广东省东莞市某某路1号",
        "birth_date": "1990-03-07",
        "issue_date": "2012-12-21",
        "car_class": "C1",
        "valid_from": "2018-07-06",
        "valid_to": "2024-07-06",
        "official_seal": "东莞市公安局交通警察支队",
    }
    text, lines = reply(DocType.DRIVINGLICENSE, fields)
    assert lines[0] == "【驾驶证】"
    assert lines[1:4] == ["姓名：张三", "性别：男", "国籍：中国"]
    assert "证号：110***********1233" in lines
    assert "准驾车型：C1" in lines and "发证机关：东莞市公安局交通警察支队" in lines
    assert "✅ 出生日期与号码一致" in lines
    assert "⚠️ 驾驶证已于 2024-07-06 过期" in lines
    assert ID not in text


def test_vehicle_licence_hides_positions():
    fields = {
        "plate_num": "粤S12345",
        "vehicle_type": "小型普通客车",
        "owner": "东莞市某某机械厂",
        "use_character": "非营运",
        "model": "江淮牌HFC6500",
        "vin": make_vin("LJ166A2E5F123455"),
        "engine_num": "J3123453",
        "register_date": "2018-07-06",
        "issue_date": "2018-07-01",
        "passengers_num": "7人",
        "card_position_front": {"pos": {"left_top": {"x": 1, "y": 2}}},
        "img_size": {"w": 3120, "h": 4208},
    }
    text, lines = reply(DocType.DRIVING, fields)
    assert lines[:3] == ["【行驶证】", "号牌号码：粤S12345", "车辆类型：小型普通客车"]
    vin = fields["vin"]
    assert f"识别代号：{vin[:3]}**********{vin[-4:]}" in lines  # masked (issue 12)
    assert "✅ 车牌格式正确（普通车牌）" in lines
    assert "✅ 车辆识别代号校验位正确" in lines
    assert "3120" not in text and "left_top" not in text


def test_business_licence_cuts_a_long_scope():
    fields = {
        "reg_num": "91110000600037341L",
        "enterprise_name": "某某科技有限公司",
        "legal_representative": "李四",
        "registered_date": "2015-01-01",
        "valid_period": "2015年01月01日至长期",
        "business_scope": "技术开发、" * 200,
    }
    text, lines = reply(DocType.BIZLICENSE, fields)
    assert lines[:3] == ["【营业执照】", "名称：某某科技有限公司", "信用代码：91110000600037341L"]
    scope = next(line for line in lines if line.startswith("经营范围："))
    assert scope.endswith("…") and len(scope) < 130
    assert "✅ 统一社会信用代码校验通过" in lines
    assert "✅ 营业期限长期有效" in lines


def test_plate():
    _, lines = reply(DocType.PLATENUM, {"number": "京AD12345"})
    assert lines == ["【车牌】", "车牌号：京AD12345", "", "✅ 车牌格式正确（新能源小型车）"]


def test_general_text_prints_lines_and_masks_numbers():
    fields = {
        "items": [
            {"text": "姓名 张三", "pos": {}},
            {"text": f"公民身份号码 {ID}", "pos": {}},
            {"text": f"卡号{CARD}", "pos": {}},
        ],
        "img_size": {"w": 10, "h": 10},
    }
    text, lines = reply(DocType.COMM, fields)
    assert lines[:4] == [
        "【通用文字】",
        "姓名 张三",
        "公民身份号码 110***********1233",
        f"卡号6222 **** **** *** {CARD[-4:]}",
    ]
    assert "ℹ️ 共识别 3 行文字" in lines
    assert ID not in text and CARD not in text


def test_long_general_text_is_cut_under_the_limit_with_a_note():
    items = [
        {"text": f"第{i}行：这是一段比较长的中文文字，号码{ID}", "pos": {}} for i in range(200)
    ]
    text, lines = reply(DocType.COMM, {"items": items}, warnings=["文字较多"])
    assert lines[1] == "第0行：这是一段比较长的中文文字，号码110***********1233"
    note = next(line for line in lines if line.startswith("……还有"))
    shown = sum(line.startswith("第") for line in lines)
    assert note == f"……还有 {200 - shown} 行未显示"
    assert lines[-1] == "⚠️ 文字较多" and "ℹ️ 共识别 200 行文字" in lines
    assert ID not in text


def test_business_card_lists():
    fields = {
        "name": "王五",
        "title": "经理",
        "company": "某某公司",
        "phones": ["13812345678", "010-65529988"],
        "emails": ["wang@example.com"],
    }
    _, lines = reply(DocType.BUSINESSCARD, fields)
    assert lines[:6] == [
        "【名片】",
        "姓名：王五",
        "职位：经理",
        "公司：某某公司",
        "电话：13812345678、010-65529988",
        "邮箱：wang@example.com",
    ]
    assert "✅ 电话号码格式正确" in lines


def test_passport():
    fields = {
        "number": "E12345678",
        "surname": "ZHANG",
        "given_names": "SAN",
        "sex": "M",
        "nationality": "CHN",
        "birth_date": "1990-03-07",
        "expiry_date": "2030-01-01",
        "country": "CHN",
        "mrz_valid": True,
    }
    text, lines = reply(DocType.PASSPORT, fields)
    assert lines[:3] == ["【护照】", "姓：ZHANG", "名：SAN"]
    assert "护照号：E1*****78" in lines
    assert "✅ 机读码校验通过" in lines
    assert "E12345678" not in text and "True" not in text


def test_extra_fields_are_shown_as_other_and_masked():
    text, lines = reply(DocType.IDCARD, {"name": "张三", "note": f"号码 {ID}"})
    assert "其他：号码 110***********1233" in lines and "note" not in text


def test_codes_read_as_words_and_the_mrz_is_not_shown():
    _, plate = reply(DocType.PLATENUM, {"number": "粤B12345", "color": "white"})
    assert "颜色：白色" in plate
    fields = {"number": "E12345678", "sex": "F", "nationality": "CHN", "country": "USA"}
    text, lines = reply(DocType.PASSPORT, {**fields, "mrz": ["P<CHNZHANG<<SAN", "E12345678"]})
    assert {"性别：女", "国籍：中国", "签发国：美国"} <= set(lines)
    assert "mrz" not in text and "P<CHN" not in text and "E12345678" not in text


def test_every_line_has_a_chinese_label():
    for doc_type in (DocType.PLATENUM, DocType.PASSPORT, DocType.BANKCARD):
        fields = {name: "x" for name in labels(doc_type)} | {"color": "blue", "odd": "y"}
        _, lines = reply(doc_type, fields)
        for line in lines[1:]:
            if "：" in line:
                assert not line.split("：")[0].isascii(), line


def test_warnings_say_what_to_do():
    _, lines = reply(
        DocType.IDCARD, {"name": "张三"}, warnings=["图片模糊", "证号校验未通过，请核对"]
    )
    assert "⚠️ 图片模糊，请在光线充足处拿稳手机、对焦清晰后重拍" in lines
    assert "⚠️ 证号校验未通过，请对照证件核对；不符时请在光线充足、避免反光处重拍" in lines


def test_an_engine_warning_a_check_already_gives_is_shown_once():
    """The engine says the vehicle licence's pages disagree on the plate, and so does
    the card's own check: the user reads it once."""
    fields = {"plate_num": "蒙MF0384", "plate_num_b": "蒙MP0384", "owner": "张三"}
    text, lines = reply(DocType.DRIVING, fields, warnings=["正页与副页号牌不一致，请核对"])
    assert text.count("正页与副页号牌不一致") == 1
    assert "⚠️ 正页与副页号牌不一致，请核对" in lines


def test_empty_result_says_so():
    _, lines = reply(DocType.PLATENUM, {})
    assert lines == ["【车牌】", "（没有识别到内容）"]


@pytest.mark.parametrize("doc_type", [t for t in DocType if t is not DocType.AUTO])
def test_every_type_renders_under_the_limit_with_huge_fields(doc_type):
    long = "很长的文字" * 500
    fields = {name: long for name in labels(doc_type)}
    if doc_type is DocType.COMM:
        fields = {"items": [{"text": long, "pos": {}}] * 50}
    text, lines = reply(doc_type, fields, warnings=["提示"] * 3)
    assert lines[0] == f"【{'身份证 正面' if doc_type is DocType.IDCARD else doc_type.label}】"
    assert lines[-1] == "⚠️ 提示"


def test_checks_and_warnings_alone_over_the_limit_are_cut_safely():
    text, _ = reply(DocType.PLATENUM, {"number": "京A12345"}, warnings=["很长的提示" * 300])
    assert text.startswith("【车牌】") and text.endswith("…")


def test_an_unresolved_type_shows_raw_fields_masked():
    text, lines = reply(DocType.AUTO, {"text": f"号码{ID}", "count": 3})
    assert lines == ["【自动识别】", "其他：号码110***********1233", "其他：3"]


def test_id_number_whose_region_names_only_a_province():
    """120001: 天津 has no such county. python-stdnum 2.2 raises KeyError on it when the
    check digit passes; the answer says the region is unknown instead of crashing."""
    number = "120001199001011233"  # check digit right
    text, lines = reply(DocType.IDCARD, {"type": "Front", "name": "张三", "id": number})
    assert "✅ 身份证号校验位正确" in lines
    assert "ℹ️ 号码归属地未知" in lines
