"""Checks per document: ID numbers, validity dates, bank cards, plates, VINs,
credit codes, passports and business cards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from stdnum.cn import ric

from bot.cards import checks
from bot.cards.bins import CardKind, banks, lookup
from bot.numbers import id_valid, plate_kind
from bot.ocr.base import DocType
from tests.unit.test_cards_data import luhn_complete, make_id, make_vin, wrong_check_digit

TODAY = date(2026, 6, 15)


def by_name(found):
    """name -> the checks of that name (a name can repeat, e.g. several bad dates)."""
    out = {}
    for c in found:
        out.setdefault(c.name, []).append(c)
    return out


def one(found, name):
    [check] = by_name(found)[name]
    return check


def id_front(**fields):
    return checks(DocType.IDCARD, {"type": "Front", **fields}, today=TODAY)


# --- ID number ---------------------------------------------------------------


def test_valid_id_number_passes_and_names_its_region():
    found = id_front(id=make_id("110101", "19900307", "123"), gender="男")
    assert one(found, "id_checksum").ok is True
    assert one(found, "id_sex").ok is True
    region = one(found, "region")
    assert region.ok is None and "北京市东城区" in region.message


def test_id_with_x_check_digit_is_valid():
    number = make_id("110105", "19491231", "002")
    assert number.endswith("X")
    assert one(id_front(id=number.lower()), "id_checksum").ok is True


def test_wrong_check_digit_is_flagged():
    found = id_front(id=wrong_check_digit(make_id()))
    assert one(found, "id_checksum").ok is False


@pytest.mark.parametrize("bad", ["11010119900307123", "1101011990030712345", "11010119900307123A"])
def test_wrong_length_or_characters_are_flagged(bad):
    assert one(id_front(id=bad), "id_checksum").ok is False


def test_old_15_digit_number_is_information_only():
    assert one(id_front(id="110101900307123"), "id_checksum").ok is None


def test_sex_disagreeing_with_the_number_is_flagged():
    found = id_front(id=make_id(seq="124"), gender="男")  # even: female
    sex = one(found, "id_sex")
    assert sex.ok is False and "女" in sex.message
    assert one(id_front(id=make_id(seq="124"), gender="女"), "id_sex").ok is True


def test_birth_date_disagreeing_with_the_number_is_flagged():
    number = make_id(birth="19900307")
    fields = {"id_num": number, "sex": "男", "birth_date": "1990-03-08"}
    assert one(checks(DocType.DRIVINGLICENSE, fields, today=TODAY), "id_birth").ok is False
    fields["birth_date"] = "1990-03-07"
    assert one(checks(DocType.DRIVINGLICENSE, fields, today=TODAY), "id_birth").ok is True


@pytest.mark.parametrize("birth", ["19901332", "20300101"])
def test_impossible_or_future_birth_date_in_the_number_is_flagged(birth):
    found = id_front(id=make_id(birth=birth))
    assert one(found, "id_checksum").ok is True  # the check digit alone is fine
    assert one(found, "id_birth").ok is False


def test_a_county_coded_after_the_birth_year_is_a_genuine_number():
    """A number is given at registration: someone born in 1987 in 广平县, coded 130432 in
    1993, holds a 130432 number. python-stdnum's ``is_valid`` refuses it (the county's
    code was not in use in the birth year); ours, which the engine trusts, does not."""
    number = make_id(region="130432", birth="19870517")
    assert not ric.is_valid(number)  # the library's rule, which we do not follow
    assert id_valid(number)
    assert not id_valid(wrong_check_digit(number))
    assert not id_valid(make_id(region="999999"))  # no such region
    assert not id_valid(make_id(birth="19900231"))  # no such day
    assert one(id_front(id=number), "id_checksum").ok is True


def test_unknown_region_is_information_only():
    found = id_front(id=make_id(region="999999"))
    assert one(found, "region").ok is None and "未知" in one(found, "region").message


# --- ID card back: validity ------------------------------------------------------


def back(valid_date):
    return checks(DocType.IDCARD, {"type": "Back", "valid_date": valid_date}, today=TODAY)


def valid_date_ending(end: date, years: int = 10) -> str:
    start = end.replace(year=end.year - years)
    return f"{start:%Y%m%d}-{end:%Y%m%d}"


def test_expiry_more_than_30_days_ahead_is_fine():
    expiry = one(back(valid_date_ending(TODAY + timedelta(days=31))), "expiry")
    assert expiry.ok is True and "2026-07-16" in expiry.message


def test_expiry_within_30_days_warns_with_the_days_left():
    expiry = one(back(valid_date_ending(TODAY + timedelta(days=30))), "expiry")
    assert expiry.ok is False and "30 天" in expiry.message


def test_expiry_today_and_yesterday():
    assert "今天" in one(back(valid_date_ending(TODAY)), "expiry").message
    expired = one(back(valid_date_ending(TODAY - timedelta(days=1))), "expiry")
    assert expired.ok is False and "已于 2026-06-14 过期" in expired.message


def test_long_term_validity():
    found = back("20160101-长期")
    assert one(found, "expiry").ok is True and "长期" in one(found, "expiry").message
    assert "valid_span" not in by_name(found)


def test_validity_written_with_dots_is_understood():
    assert one(back("2017.01.05-2027.01.05"), "expiry").ok is True


def test_unreadable_or_irregular_validity_is_flagged():
    assert one(back("2016年"), "valid_date").ok is False
    assert one(back("20160101-20261301"), "valid_date").ok is False  # month 13
    assert one(back("20170105-20260905"), "valid_span").ok is False  # not 5/10/20 years
    assert "valid_span" not in by_name(back("20070105-20270105"))  # 20 years
    assert one(back("20270105-20370105"), "valid_date").ok is False  # starts in the future


# --- bank cards --------------------------------------------------------------


def card_checks(number, **extra):
    return checks(DocType.BANKCARD, {"number": number, **extra}, today=TODAY)


def test_luhn_good_and_bad():
    good = luhn_complete("622202123456789123")
    assert one(card_checks(good), "luhn").ok is True
    assert one(card_checks(wrong_check_digit(good)), "luhn").ok is False
    assert one(card_checks("6222 0212 3456 7891 233"), "luhn").ok is True  # spaces allowed


def test_card_number_of_wrong_length_is_flagged():
    found = card_checks("622202123456")
    assert one(found, "card_format").ok is False and "luhn" not in by_name(found)


@pytest.mark.parametrize(
    ("number", "bank", "kind"),
    [
        ("6222021234567891234", "中国工商银行", CardKind.DEBIT),
        ("6228481234567891234", "中国农业银行", CardKind.DEBIT),
        ("6217001234567891234", "中国建设银行", CardKind.DEBIT),
        ("6216611234567891234", "中国银行", CardKind.DEBIT),
        ("6225881234567890", "招商银行", CardKind.DEBIT),
        ("6225751234567890", "招商银行", CardKind.CREDIT),
        ("6212581234567890", "重庆农村商业银行", CardKind.DEBIT),
        ("6225161234567890", "上海浦东发展银行", CardKind.DEBIT),  # listed twice in the source
        ("6223091234567891234", "浙商银行", CardKind.DEBIT),  # same BIN, 19 digits
        ("622309123456789123", "中国工商银行", CardKind.DEBIT),  # same BIN, 18 digits
        ("6223 0912 3456 7891 234", "浙商银行", CardKind.DEBIT),
    ],
)
def test_bin_lookup(number, bank, kind):
    info = lookup(number)
    assert info is not None and (info.bank, info.kind) == (bank, kind)


def test_bin_lookup_prefers_the_longest_prefix():
    assert lookup("6224980212345678901").bank == "秦皇岛市商业银行"  # 62249802
    assert lookup("6224981112345678901").bank == "河北银行"  # 622498


def test_unknown_bin():
    assert lookup("4000000000000002") is None
    bank = one(card_checks("4000000000000002"), "bank")
    assert bank.ok is None and "未知" in bank.message


def test_bank_check_names_issuer_and_kind():
    bank = one(card_checks(luhn_complete("622575123456789")), "bank")
    assert bank.message == "发卡行：招商银行（信用卡）"


def test_bin_table_covers_the_large_issuers():
    required = [
        *("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行"),
        *("中国邮政储蓄银行", "招商银行", "上海浦东发展银行", "中信银行", "中国光大银行"),
        *("华夏银行", "中国民生银行", "广发银行", "平安银行", "兴业银行", "浙商银行"),
        *("渤海银行", "恒丰银行", "北京银行", "上海银行", "江苏银行", "宁波银行"),
        *("南京银行", "杭州银行", "徽商银行", "北京农村商业银行", "上海农商银行"),
        *("重庆农村商业银行", "广州银行", "成都银行"),
    ]
    assert len(required) == 30
    assert set(required) <= banks()


def test_card_valid_thru():
    number = luhn_complete("622575123456789")
    assert one(card_checks(number, valid_thru="06/26"), "expiry").ok is False  # 15 days left
    assert one(card_checks(number, valid_thru="12/2028"), "expiry").ok is True
    assert one(card_checks(number, valid_thru="05/26"), "expiry").ok is False  # expired
    assert one(card_checks(number, valid_thru="13/26"), "expiry").ok is False  # unreadable


# --- plates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plate", "kind"),
    [
        ("粤B12345", "普通车牌"),
        ("京A·F0236", "普通车牌"),
        ("京AD12345", "新能源小型车"),
        ("粤BFA1234", "新能源小型车"),
        ("粤B12345D", "新能源大型车"),
        ("沪A12345F", "新能源大型车"),
        ("京A1234警", "警车"),
        ("粤B1234学", "教练车"),
        ("苏E1234挂", "挂车"),
        ("粤Z1234港", "港澳入出境车"),
        ("粤Z1234澳", "港澳入出境车"),
        ("使014578", "使馆车"),
        ("沪A1234领", "领馆车"),
        ("京A1234应急", "应急救援车"),
    ],
)
def test_good_plates(plate, kind):
    assert plate_kind(plate) == kind
    assert checks(DocType.PLATENUM, {"number": plate}, today=TODAY)[0].ok is True


@pytest.mark.parametrize(
    "plate",
    [
        "粤B1234",  # ordinary, too short
        "粤BI2345",  # I is never used
        "X京12345",  # not a province
        "京AD1234X",  # small new energy: last four must be digits
        "粤B12345X",  # large new energy: D or F last
        "京A12345警",  # police: four characters before 警
        "粤B1234港",  # Hong Kong plates are 粤Z
        "使01457",  # embassy: six digits
        "京A123应急",  # emergency: four digits
        "粤B123学",  # driving school: four characters
    ],
)
def test_bad_plates(plate):
    assert plate_kind(plate) is None
    assert checks(DocType.PLATENUM, {"number": plate}, today=TODAY)[0].ok is False


# --- vehicle licence -------------------------------------------------------------


def driving(**fields):
    return checks(DocType.DRIVING, fields, today=TODAY)


def test_vin_check_digit():
    good = make_vin("LSVAU2180N183294")
    assert one(driving(vin=good), "vin").ok is True
    assert one(driving(vin="1M8GDM9AXKP042788"), "vin").ok is True  # the ISO 3779 example
    bad = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
    assert one(driving(vin=bad), "vin").ok is False


def test_foreign_vin_check_digit_is_not_mandatory():
    foreign = make_vin("WBA12345N8901234")
    bad = foreign[:8] + ("1" if foreign[8] != "1" else "2") + foreign[9:]
    assert one(driving(vin=bad), "vin").ok is None


@pytest.mark.parametrize("bad", ["LSVAU2180N218329", "LSVAU2I80N2183294", "LSVAU2180N21832945"])
def test_vin_of_wrong_length_or_letters_is_flagged(bad):
    assert one(driving(vin=bad), "vin").ok is False


def test_vehicle_licence_plate_pages_and_dates():
    found = driving(plate_num="粤B12345", plate_num_b="粤B12346", register_date="2018-07-06")
    assert one(found, "plate").ok is True
    assert one(found, "plate_pages").ok is False
    assert one(found, "dates").ok is True
    found = driving(register_date="2027-01-01", issue_date="2018-02-30")
    assert one(found, "date_register_date").ok is False
    assert one(found, "date_issue_date").ok is False


# --- driving licence -------------------------------------------------------------


def licence(**fields):
    base = {"id_num": make_id(seq="123"), "sex": "男", "birth_date": "1990-03-07"}
    return checks(DocType.DRIVINGLICENSE, {**base, **fields}, today=TODAY)


def test_driving_licence_validity():
    assert one(licence(valid_to="2026-06-14"), "expiry").ok is False
    assert one(licence(valid_to="2026-07-01"), "expiry").ok is False  # 16 days left
    assert one(licence(valid_to="2032-07-01"), "expiry").ok is True
    assert one(licence(valid_to="长期"), "expiry").ok is True


def test_driving_licence_dates_and_number():
    found = licence(issue_date="2030-01-01", valid_from="2018-07-06", valid_to="2024-13-01")
    assert one(found, "date_issue_date").ok is False
    assert one(found, "date_valid_to").ok is False
    assert "expiry" not in by_name(found)  # the unreadable date is reported once
    assert one(found, "id_checksum").ok is True
    assert one(licence(sex="女"), "id_sex").ok is False


# --- business licence ------------------------------------------------------------


def biz(**fields):
    return checks(DocType.BIZLICENSE, fields, today=TODAY)


def test_uscc_good_bad_and_old():
    assert one(biz(reg_num="91110000600037341L"), "uscc").ok is True
    assert one(biz(reg_num="91110000600037341M"), "uscc").ok is False
    assert one(biz(reg_num="9111000060003734"), "uscc").ok is False
    # A 15-digit 注册号 of older licences has its own check digit (ISO 7064 MOD 11,10).
    assert one(biz(reg_num="110000012345673"), "uscc").ok is True
    assert one(biz(reg_num="110000012345678"), "uscc").ok is False


def test_business_period_and_registration_date():
    assert one(biz(valid_period="2015年01月01日至长期"), "expiry").ok is True
    assert one(biz(valid_period="2000年01月01日至2020年01月01日"), "expiry").ok is False
    assert one(biz(registered_date="2030-01-01"), "date_registered_date").ok is False
    assert one(biz(registered_date="2015-01-01"), "dates").ok is True


# --- passport and business card -----------------------------------------------------


def test_passport_mrz_and_expiry():
    found = checks(
        DocType.PASSPORT,
        {"number": "E12345678", "mrz_valid": False, "expiry_date": "2026-10-01"},
        today=TODAY,
    )
    assert one(found, "mrz").ok is False
    assert one(found, "expiry").ok is True
    assert one(found, "six_months").ok is None
    found = checks(DocType.PASSPORT, {"mrz_valid": True, "expiry_date": "2026-06-01"}, today=TODAY)
    assert one(found, "mrz").ok is True
    assert one(found, "expiry").ok is False
    assert "six_months" not in by_name(found)


def test_business_card_phones_and_emails():
    good = {
        "phones": ["138 1234 5678", "+86 10 6552 9988", "(021)12345678转123"],
        "emails": ["zhang.san@example.com.cn"],
    }
    found = checks(DocType.BUSINESSCARD, good, today=TODAY)
    assert one(found, "phones").ok is True and one(found, "emails").ok is True
    bad = {"phones": ["12812345678", "123"], "emails": ["zhang.example.com"]}
    found = checks(DocType.BUSINESSCARD, bad, today=TODAY)
    assert one(found, "phones").ok is False and "2 个" in one(found, "phones").message
    assert one(found, "emails").ok is False


def test_general_text_counts_its_lines():
    found = checks(DocType.COMM, {"items": [{"text": "a"}, {"text": " "}, {"text": "b"}]})
    assert one(found, "lines").message == "共识别 2 行文字"
