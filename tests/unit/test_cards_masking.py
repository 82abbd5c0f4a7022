"""Masking rules: ID numbers, bank cards, passports, and numbers in free text."""

from __future__ import annotations

import pytest

from bot.cards import mask, mask_card, mask_id, mask_passport, mask_text
from bot.ocr.base import DocType
from tests.unit.test_cards_data import luhn_complete, make_id

ID = make_id("110101", "19900307", "123")  # 110101199003071233
ID_X = "11010519491231002X"
CARD16 = luhn_complete("622588013770600")
CARD19 = luhn_complete("622202123456789123")


def test_id_keeps_first_three_and_last_four_and_the_length():
    assert mask_id(ID) == "110***********1233"
    assert mask_id(ID_X) == "110***********002X"
    assert mask_id("110101900307123") == "110********7123"


def test_card_keeps_first_and_last_four_grouped_by_four():
    assert mask_card(CARD16) == f"6225 **** **** {CARD16[-4:]}"
    assert mask_card("6222 0212 3456 7891 234") == "6222 **** **** *** 1234"
    assert len(mask_card(CARD19).replace(" ", "")) == 19


def test_passport_keeps_first_two_and_last_two():
    assert mask_passport("E12345678") == "E1*****78"


def test_too_short_values_are_fully_hidden():
    assert mask_id("1234567") == "*******"
    assert mask_card("12345678") == "********"


def test_mask_text_scrubs_ids_and_cards_in_mixed_text():
    text = (
        f"身份证号{ID}，旧号110101900307123；卡号 6222 0212 3456 7891 234，"
        f"另一张{CARD16}。电话13812345678，日期2024-01-05，编号12345，代码91110000600037341L"
    )
    out = mask_text(text)
    assert ID not in out and "110***********1233" in out
    assert "110101900307123" not in out and "110********7123" in out
    assert "6222 **** **** *** 1234" in out
    assert CARD16 not in out and f"6225 **** **** {CARD16[-4:]}" in out
    # Phone numbers, dates, short numbers and credit codes (with a letter) stay.
    for kept in ("13812345678", "2024-01-05", "编号12345", "91110000600037341L"):
        assert kept in out


def test_mask_text_masks_an_id_with_a_misread_digit_the_id_way():
    misread = ID[:-1] + "9"
    assert mask_text(f"号码：{misread}") == "号码：110***********1239"


def test_mask_text_leaves_text_without_numbers_alone():
    assert mask_text("北京市东城区 2024年 第3页") == "北京市东城区 2024年 第3页"


@pytest.mark.parametrize(
    ("doc_type", "fields", "name", "expected"),
    [
        (DocType.IDCARD, {"id": ID, "name": "张三"}, "id", "110***********1233"),
        (DocType.DRIVINGLICENSE, {"id_num": ID_X}, "id_num", "110***********002X"),
        (DocType.BANKCARD, {"number": CARD16}, "number", f"6225 **** **** {CARD16[-4:]}"),
        (DocType.PASSPORT, {"number": "E12345678"}, "number", "E1*****78"),
    ],
)
def test_mask_hides_the_sensitive_field_of_each_document(doc_type, fields, name, expected):
    masked = mask(doc_type, fields)
    assert masked[name] == expected
    assert fields[name] != expected  # the input is not changed
    assert {k: v for k, v in masked.items() if k != name} == {
        k: v for k, v in fields.items() if k != name
    }


def test_mask_leaves_public_numbers_alone():
    biz = {"reg_num": "911100006000373410", "enterprise_name": "某某有限公司"}
    assert mask(DocType.BIZLICENSE, biz) == biz
    driving = {"plate_num": "京A12345", "vin": "LSVAU2180N2183294", "engine_num": "J3123453"}
    # The VIN identifies one car (and its owner, through the registry): masked (issue 12).
    assert mask(DocType.DRIVING, driving) == {**driving, "vin": "LSV**********3294"}
    card = {"name": "张三", "phones": ["13812345678"], "emails": ["a@b.cn"]}
    assert mask(DocType.BUSINESSCARD, card) == card


def test_mask_scrubs_ids_inside_general_text_and_keeps_positions():
    pos = {"left_top": {"x": 1, "y": 2}}
    fields = {"items": [{"text": f"身份证号码 {ID}", "pos": pos}, {"text": "你好", "pos": pos}]}
    masked = mask(DocType.COMM, fields)
    assert masked["items"][0] == {"text": "身份证号码 110***********1233", "pos": pos}
    assert masked["items"][1]["text"] == "你好"
    assert fields["items"][0]["text"].endswith(ID)


def test_mask_scrubs_unknown_extra_fields():
    masked = mask(DocType.IDCARD, {"id": ID, "raw_text": f"公民身份号码{ID}"})
    assert masked["raw_text"] == "公民身份号码110***********1233"


def test_mask_text_catches_id_numbers_glued_to_letters() -> None:
    """OCR junk such as ``EEO`` before a number must not let the number through a log line."""
    assert mask_text("EEO150430200506073506") == "EEO150***********3506"
    assert mask_text("VIN LJ166A2E1E4000551") == "VIN LJ166A2E1E4000551"  # not an ID


def test_mask_text_catches_card_numbers_glued_to_letters_or_dashed() -> None:
    assert mask_text(f"card{CARD16}") == f"card6225 **** **** {CARD16[-4:]}"
    assert mask_text(f"No.{CARD19}X") == f"No.6222 **** **** *** {CARD19[-4:]}X"
    dashed = "-".join(CARD16[i : i + 4] for i in range(0, 16, 4))
    assert mask_text(f"卡号{dashed}") == f"卡号6225 **** **** {CARD16[-4:]}"
    # A credit code's digits stay (the code is public and checks out); a broken one doesn't.
    assert mask_text("91110000600037341L") == "91110000600037341L"
    assert "0600037" not in mask_text("91110000600037342L")
    # Dates and phone numbers with dashes are not cards.
    assert (
        mask_text("2024-05-29 2030-05-29, 0755-1234-5678")
        == "2024-05-29 2030-05-29, 0755-1234-5678"
    )
