"""Layouts seen on real photos of licences, as pages of lines written out by hand.

Each test is one cause of a miss on real photos (older issues of a document, two pages
photographed side by side, a value the detector missed), with made-up content: the
lines are placed as the recognizer returns them, so the extractors' layout rules run
as they would on the photo. Paths that re-read the image are in test_local_engine.py.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from stdnum.iso7064 import mod_11_10

from bot.ocr.base import DocType
from bot.ocr.local.extract import bizlicense, drivinglicense, platenum
from bot.ocr.local.extract.registry import EXTRACTORS, classify
from bot.ocr.local.layout import Value, line_under
from bot.ocr.local.page import Line, Page, deskew


def line(text: str, x0: float, y0: float, x1: float | None = None, h: float = 30) -> Line:
    """A line at (x0, y0), about a character per 30 px unless ``x1`` says."""
    x1 = x0 + 30 * len(text) if x1 is None else x1
    return Line(text, ((x0, y0), (x1, y0), (x1, y0 + h), (x0, y0 + h)), 0.99)


def page(*lines: Line) -> Page:
    width = int(max(ln.x1 for ln in lines)) + 40
    height = int(max(ln.y1 for ln in lines)) + 40
    return Page(list(lines), width, height, (width, height))


def extract(doc_type: DocType, p: Page) -> dict:
    return EXTRACTORS[doc_type](p).fields


# --- business licence --------------------------------------------------------------

CODE = "91440300MA5FTB8E35"


def test_a_column_of_spaced_labels_boxed_as_one_line_labels_its_rows() -> None:
    """A photo turned on its side (fresh seed 1550202): the detector read down the
    column of the spaced labels' first characters (名 称, 类 型, 住 所) as one tall line,
    名类住, and each second character went with its value (称某某…): no label, and the
    name and the type were lost. A tall narrow line of labels' first characters is one
    line a character, each on its row."""
    fields = extract(DocType.BIZLICENSE, page(
        line("统一社会信用代码", 100, 40), line(CODE, 100, 80),
        line("营业执照", 400, 40),
        line("名类住", 100, 200, 138, h=132),
        line("称某某市某某科技有限公司", 145, 202, h=40),
        line("型有限责任公司（自然人投资或控股）", 145, 246, h=40),
        line("所", 145, 290, h=40), line("广东省深圳市南山区科技路1号", 190, 290, h=40),
        line("法定代表人", 100, 340, h=40), line("王小明", 300, 340, h=40),
    ))  # fmt: skip
    assert fields["enterprise_name"] == "某某市某某科技有限公司"
    assert fields["type_of_enterprise"] == "有限责任公司（自然人投资或控股）"
    assert fields["address"] == "广东省深圳市南山区科技路1号"
    assert fields["legal_representative"] == "王小明"
    # Each part keeps the line's colours: a red one is still told from print.
    red = dataclasses.replace(line("名类住", 100, 200, 138, h=132), rgb=(200, 60, 60))
    parts = bizlicense._stacked_labels([red])
    assert [p.text for p in parts] == ["名", "类", "住"]
    assert all(p.rgb == red.rgb for p in parts)
    assert parts[0].y0 == 200 and parts[2].y1 == 332


def test_a_type_ends_at_its_closing_bracket() -> None:
    """A stamp's character boxed after the type (有限责任公司（自然人独资）估, fresh seed
    1570238, a tall box): a type with a bracket ends at it."""
    fields = extract(DocType.BIZLICENSE, page(
        line("统一社会信用代码", 100, 40), line(CODE, 100, 80), line("营业执照", 500, 40),
        line("名称", 100, 200), line("某某市某某建筑工程有限公司", 300, 200),
        line("类型", 100, 250), line("有限责任公司（自然人独资）估", 300, 250),
        line("法定代表人", 100, 300), line("王小明", 300, 300),
    ))  # fmt: skip
    assert fields["type_of_enterprise"] == "有限责任公司（自然人独资）"


def test_the_type_line_is_the_kind_of_enterprise_and_the_form_the_organization() -> None:
    """WeChat's schema: 类型 is type_of_enterprise, 组成形式 type_of_organization; an
    individual business's 经营者 is its legal representative."""
    fields = extract(DocType.BIZLICENSE, page(
        line("统一社会信用代码", 100, 100), line(CODE, 100, 140),
        line("营业执照", 500, 100),
        line("名称", 100, 200), line("某某市某某便利店", 300, 200),
        line("类型", 100, 250), line("个体工商户", 300, 250),
        line("经营者", 100, 300), line("王小明", 300, 300),
        line("组成形式", 100, 350), line("个人经营", 300, 350),
        line("注册日期", 100, 400), line("2019年09月12日", 300, 400),
    ))  # fmt: skip
    assert fields["type_of_enterprise"] == "个体工商户"
    assert fields["type_of_organization"] == "个人经营"
    assert fields["legal_representative"] == "王小明"
    assert fields["registered_date"] == "2019年09月12日"


def test_a_mark_read_in_the_blank_before_a_value_is_not_part_of_it() -> None:
    """The blank between a spaced label and its value, boxed with them, read as a mark
    (名称 ☑清远市…, fresh seed 1510210): no licence prints one in a value."""
    for mark in ("☑", "✓", "◆"):
        fields = extract(DocType.BIZLICENSE, page(
            line("统一社会信用代码", 100, 100), line(CODE, 100, 140),
            line("营业执照", 500, 100),
            line("名", 100, 200), line(f"称{mark}某某市某某便利店", 200, 200),
            line("类型", 100, 250), line("个体工商户", 300, 250),
        ))  # fmt: skip
        assert fields["enterprise_name"] == "某某市某某便利店", mark


def test_an_old_licence_answers_with_its_15_digit_registration_number() -> None:
    """Before 2015 the number was a 15-digit 注册号 (check digit ISO 7064 MOD 11,10),
    printed beside a longer 证照编号 that must not pass for a credit code."""
    number = "44030000987654" + mod_11_10.calc_check_digit("44030000987654")
    result = EXTRACTORS[DocType.BIZLICENSE](page(
        line("营业执照", 300, 50),
        line(f"（某某区）注册号{number}", 60, 120), line("证照编号44030000201508030102", 300, 150),
        line("名称", 100, 200), line("某某贸易有限公司", 300, 200),
        line("类型", 100, 250), line("人有限责任公司（自然人独资）", 300, 250),
        line("成立日期", 100, 300), line("2008年3月5日", 300, 300),
        line("营业期限", 100, 350), line("2008年3月5日至2028年3月4日", 300, 350),
    ))  # fmt: skip
    assert result.fields["reg_num"] == number
    assert not result.warnings
    # The thin 一 of 一人有限责任公司 went unread; and old licences print 3月5日 unpadded.
    assert result.fields["type_of_enterprise"] == "一人有限责任公司（自然人独资）"
    assert result.fields["registered_date"] == "2008年3月5日"
    assert result.fields["valid_period"] == "2008年3月5日至2028年3月4日"


def test_a_registration_number_failing_its_check_is_not_taken() -> None:
    number = "44030000987654" + str((int(mod_11_10.calc_check_digit("44030000987654")) + 1) % 10)
    result = EXTRACTORS[DocType.BIZLICENSE](page(
        line("营业执照", 300, 50), line(f"注册号{number}", 60, 120),
        line("名称", 100, 200), line("某某贸易有限公司", 300, 200),
    ))  # fmt: skip
    assert result.fields.get("reg_num") != number or result.warnings


def test_colons_inside_the_business_scope_are_kept() -> None:
    fields = extract(DocType.BIZLICENSE, page(
        line("统一社会信用代码", 100, 100), line(CODE, 100, 140), line("营业执照", 500, 100),
        line("名称", 100, 200), line("某某科技有限公司", 300, 200),
        line("经营范围", 100, 250), line("研发、生产：电子产品；销售：五金", 300, 250),
        line("制品。", 300, 285),
    ))  # fmt: skip
    assert fields["business_scope"] == "研发、生产：电子产品；销售：五金制品。"


def test_a_founding_date_one_character_off_the_periods_start_is_that_start() -> None:
    """Most companies are founded the day their period starts: a founding date with one
    character misread (月 as 用) is that start; two characters off, it is not guessed."""

    def founded(read: str) -> str | None:
        return extract(DocType.BIZLICENSE, page(
            line("统一社会信用代码", 100, 100), line(CODE, 100, 140), line("营业执照", 500, 100),
            line("名称", 100, 200), line("某某科技有限公司", 300, 200),
            line("成立日期", 100, 250), line(read, 300, 250),
            line("营业期限", 100, 300), line("2016年04月21日至长期", 300, 300),
        )).get("registered_date")  # fmt: skip

    assert founded("2016年04用21日") == "2016年04月21日"
    assert founded("2016年04用2l日") is None


def test_a_middle_dot_between_words_of_the_kind_is_its_enumeration_comma() -> None:
    """The small 、 in a kind such as 股份有限公司（非上市、自然人投资或控股） is read as
    a middle dot."""
    fields = extract(DocType.BIZLICENSE, page(
        line("统一社会信用代码", 100, 100), line(CODE, 100, 140), line("营业执照", 500, 100),
        line("名称", 100, 200), line("某某科技股份有限公司", 300, 200),
        line("类型", 100, 250), line("股份有限公司（非上市·自然人投资或控股）", 300, 250),
    ))  # fmt: skip
    assert fields["type_of_enterprise"] == "股份有限公司（非上市、自然人投资或控股）"


# --- vehicle licence ---------------------------------------------------------------

VIN = "LFMXF4AC1JS972934"  # passes its check digit


def _main_page(x: float = 0, *, labels: bool = True) -> list[Line]:
    """A main page at ``x``; without ``labels`` the 号牌号码, 所有人, 住址 and 车辆识别代号
    labels are lost in glare, as on a laminated card under a lamp."""
    out = [
        line("中华人民共和国机动车行驶证", x + 100, 20),
        line("车辆类型", x + 270, 70), line("小型轿车", x + 400, 70),
        line("晋B1T251", x + 130, 72),
        line("钱永", x + 130, 120),
        line("山西省晋中市平遥县育才街道97号", x + 130, 170),
        line("使用性质", x + 10, 220), line("非营运", x + 130, 220),
        line("品牌型号", x + 230, 220), line("丰田牌TV71.JXGA.", x + 360, 220),
        line(VIN, x + 130, 270, x + 460),
        line("发动机号码", x + 10, 320), line("CRHQM5", x + 170, 320),
        line("注册日期", x + 10, 370), line("2018-02-092024-07-09", x + 130, 375, x + 500),
        line("发证日期", x + 300, 365, x + 400),
    ]  # fmt: skip
    if labels:
        out += [line("号牌号码", x + 10, 72), line("所有人", x + 10, 120),
                line("住址", x + 10, 170), line("车辆识别代号", x - 60, 270)]  # fmt: skip
    return out


def _back_page(x: float = 0, y: float = 0) -> list[Line]:
    return [
        line("号牌号码晋B1T251", x + 10, y + 20), line("档案编号", x + 330, y + 20),
        line("140728722089", x + 460, y + 20, x + 620),
        line("核定载人数5人", x + 10, y + 70), line("总质量2552kg", x + 330, y + 70),
        line("整备质量2028kg", x + 10, y + 120), line("核定载质量", x + 330, y + 120),
        line("外廓尺寸4223×1788×1419mm", x + 10, y + 170, x + 420),
        line("备", x + 10, y + 220), line("注", x + 60, y + 220),
        # The inspection stamp sits in its box above the 检验记录 label.
        line("检验有效期至2027年02月晋(B)", x + 130, y + 250, x + 500, h=40),
        line("检验记录", x + 10, y + 275),
    ]  # fmt: skip


BACK_FIELDS = {
    "file_no": "140728722089", "passengers_num": "5人", "total_quality": "2552kg",
    "prepare_quality": "2028kg", "overall_size": "4223×1788×1419mm",
    "record": "检验有效期至2027年02月晋(B)",
}  # fmt: skip


def test_the_back_page_alone_is_a_vehicle_licence() -> None:
    """The 副页 photographed alone: no title, no main-page label, yet a licence; its
    号牌号码 is the plate, its inspection stamp WeChat's ``record``."""
    assert classify(page(*_back_page())) is DocType.DRIVING
    fields = extract(DocType.DRIVING, page(*_back_page()))
    assert fields.pop("img_size")
    assert fields == {"plate_num": "晋B1T251", **BACK_FIELDS}


def test_a_back_page_beside_the_main_page_keeps_to_itself() -> None:
    """Side by side on a desk: a main-page value must not run on into the 副页 (its 备注
    sits on the row of 品牌型号), and the 副页's plate is plate_num_b."""
    fields = extract(DocType.DRIVING, page(*_main_page(80), *_back_page(700, 60)))
    assert fields["model"] == "丰田牌TV71JXGA"  # the dotted rule under it read as dots
    assert fields["plate_num"] == fields["plate_num_b"] == "晋B1T251"
    assert fields["owner"] == "钱永"
    assert {k: fields[k] for k in BACK_FIELDS} == BACK_FIELDS


@pytest.mark.parametrize(
    ("main", "expected"),
    [
        ("20B1T251", "晋B1T251"),
        ("t晋.B1T251", "晋B1T251"),  # stray marks are no plate characters
        ("20B1T257", "20B1T257"),  # more than the province differs
        ("20AB1T251", "20AB1T251"),  # a character more: the other may have lost one
        ("晋B1T251", "晋B1T251"),
    ],
)
def test_a_plate_one_page_read_without_its_province_takes_the_others(
    main: str, expected: str
) -> None:
    """Blurred beside its 副页, the main page reads 晋 as ``20``: no plate. Where all after
    the province agrees and one or two characters stand for it, the 副页's well-formed
    reading stands for both; where more differs, each page keeps its own reading (the
    card flags the difference)."""
    lines = [ln.with_text(main) if ln.text == "晋B1T251" else ln for ln in _main_page(80)]
    fields = extract(DocType.DRIVING, page(*lines, *_back_page(700, 60)))
    assert (fields["plate_num"], fields["plate_num_b"]) == (expected, "晋B1T251")


@pytest.mark.parametrize("back", [True, False])
def test_a_plate_whose_label_and_province_went_unread_is_the_line_before_the_type(
    back: bool,
) -> None:
    """Two small cards photographed together (fresh seed 1520158): the main page lost
    its 号牌号码 label, and its plate the province at the card's edge (B1T251 for
    晋B1T251). The line before 车辆类型 on its row is the plate: the 副页's reading
    settles it; alone, it stays as read, with a warning."""
    lines = [ln.with_text("B1T251") if ln.text == "晋B1T251" else ln
             for ln in _main_page(80) if ln.text != "号牌号码"]  # fmt: skip
    result = EXTRACTORS[DocType.DRIVING](page(*lines, *(_back_page(60, 480) if back else ())))
    if back:
        assert result.fields["plate_num"] == result.fields["plate_num_b"] == "晋B1T251"
    else:
        assert result.fields["plate_num"] == "B1T251"
        assert "号牌号码格式不符，请核对" in result.warnings
    # A word in capitals there is no plate: a serial holds three digits at least.
    words = [ln.with_text("PLATENO") if ln.text == "B1T251" else ln for ln in lines]
    assert "plate_num" not in extract(DocType.DRIVING, page(*words))


def test_a_vehicle_type_whose_label_went_unread_ends_the_plates_row() -> None:
    """车辆类型 unread on a small card (fresh seed 1520152): the plate's row ran on into
    小型轿车, and the type was lost. The row's last line, words ending in 车, is it."""
    lines = [ln for ln in _main_page(80) if ln.text != "车辆类型"]
    fields = extract(DocType.DRIVING, page(*lines, *_back_page(60, 480)))
    assert fields["vehicle_type"] == "小型轿车"
    assert fields["plate_num"] == fields["plate_num_b"] == "晋B1T251"
    # The label boxed with the type, misread in two characters: the type alone, from
    # its size word on (a first rule took 车两美型小型轿车 whole, ending in 车).
    boxed = [ln.with_text("车两美型小型轿车") if ln.text == "小型轿车" else ln for ln in lines]
    assert extract(DocType.DRIVING, page(*boxed))["vehicle_type"] == "小型轿车"


def test_a_use_whose_label_went_unread_ends_no_address() -> None:
    """使用性质 unread (fresh seed 1540180): its value, 货运 under the address's first
    character, ran on into the address (…97号货运) and the use was lost. A known use
    alone on 品牌型号's row is the use."""
    lines = [ln.with_text("货运") if ln.text == "非营运" else ln
             for ln in _main_page(80) if ln.text != "使用性质"]  # fmt: skip
    fields = extract(DocType.DRIVING, page(*lines, *_back_page(60, 480)))
    assert fields["addr"] == "山西省晋中市平遥县育才街道97号"
    assert fields["use_character"] == "货运"
    assert fields["model"] == "丰田牌TV71JXGA"
    # The address's value unread too: 住址 alone has no lines to end (a review found an
    # IndexError here); the other fields are read as before.
    gone = {"山西省晋中市平遥县育才街道97号", "使用性质", "非营运"}
    fields = extract(DocType.DRIVING, page(*[ln for ln in _main_page(80) if ln.text not in gone]))
    assert "addr" not in fields and "use_character" not in fields
    assert fields["model"] == "丰田牌TV71JXGA" and fields["owner"] == "钱永"


def test_a_back_page_below_the_main_page_is_read_too() -> None:
    fields = extract(DocType.DRIVING, page(*_main_page(80), *_back_page(60, 480)))
    assert fields["vin"] == VIN and fields["plate_num_b"] == "晋B1T251"
    assert {k: fields[k] for k in BACK_FIELDS} == BACK_FIELDS


def _sloping(lines: list[Line], degrees: float) -> list[Line]:
    """``lines`` turned ``degrees`` clockwise about their middle: a card lying askew."""
    cx = sum(ln.cx for ln in lines) / len(lines)
    cy = sum(ln.cy for ln in lines) / len(lines)
    return [dataclasses.replace(ln, box=deskew(ln.box, -math.radians(degrees), cx, cy))
            for ln in lines]  # fmt: skip


@pytest.mark.parametrize("degrees", [3.0, -3.0])
def test_a_main_page_lying_askew_of_its_back_page_is_levelled_on_its_own(
    degrees: float,
) -> None:
    """The two pages photographed together lie at angles of their own, and the reader
    levels the photo by the median of both (fresh seeds 1500178, 1510182: the main page
    3° off level): 车辆类型's value, at the row's far end, fell into the row below. Each
    page is levelled on its own once they are parted."""
    main = _sloping(_main_page(80), degrees)
    fields = extract(DocType.DRIVING, page(*main, *_back_page(60, 480)))
    assert fields["vehicle_type"] == "小型轿车"
    assert fields["owner"] == "钱永" and fields["model"] == "丰田牌TV71JXGA"
    assert {k: fields[k] for k in BACK_FIELDS} == BACK_FIELDS


def test_main_page_values_whose_labels_were_lost_keep_their_places() -> None:
    """The rows between 车辆类型 and 使用性质 are 所有人 and 住址; a line that is a whole
    VIN passing its check digit is the VIN; the only plate on the page is the plate;
    two dates read as one line are the register and issue dates."""
    fields = extract(DocType.DRIVING, page(*_main_page(labels=False)))
    assert fields["plate_num"] == "晋B1T251"
    assert fields["owner"] == "钱永"
    assert fields["addr"] == "山西省晋中市平遥县育才街道97号"
    assert fields["vin"] == VIN
    assert (fields["register_date"], fields["issue_date"]) == ("2018-02-09", "2024-07-09")


@pytest.mark.parametrize("merged", [False, True])
def test_a_label_read_wrong_is_not_taken_into_its_rows_value(merged: bool) -> None:
    """住址 read as 佳址 is no label's name; it ends left of the values' column, where
    labels are, and stays out of the address. The column is where the values begin,
    also when a label and its value are boxed as one line (使用性质非营运)."""
    lines = [*_main_page(labels=False), line("佳址", 10, 170, 60)]
    if merged:
        lines = [ln for ln in lines if ln.text not in ("使用性质", "非营运")]
        lines.append(line("使用性质非营运", 10, 220, 190))
    fields = extract(DocType.DRIVING, page(*lines))
    assert fields["owner"] == "钱永"
    assert fields["addr"] == "山西省晋中市平遥县育才街道97号"
    assert fields["use_character"] == "非营运"


@pytest.mark.parametrize(("read", "use"), [("非营述", "非营运"), ("营述", "营运"),
                                           ("货运", "货运"), ("工程抢险", "工程抢险"),
                                           ("特种作业", "特种作业"),
                                           ("工程x险", "工程x险")])  # fmt: skip
def test_a_use_read_as_no_known_one_is_the_one_a_character_away(read: str, use: str) -> None:
    """使用性质 is one of the uses cards print: a reading a character off one of them
    (营运 as 营述) is that one; a known use (工程抢险, another table's 工程救险), or one
    far from every known use, stays as read; one off two of them (工程x险), without an
    image to choose, stays too."""
    lines = [ln if ln.text != "非营运" else ln.with_text(read) for ln in _main_page()]
    assert extract(DocType.DRIVING, page(*lines))["use_character"] == use


# --- driver's licence --------------------------------------------------------------

ID = "450421198407197612"


def _licence(x: float = 0, *, period: list[Line] | None = None) -> list[Line]:
    """A driver's licence main page at ``x``: labels Chinese over English, 性别 and 国籍
    on the row of 姓名; ``period`` replaces the newer issue's 有效期限 row."""
    out = [
        line("中华人民共和国机动车驾驶证", x + 100, 20),
        line("证号", x + 10, 70), line(ID, x + 160, 70, x + 560),
        line("姓名", x + 10, 120), line("钟宏", x + 160, 120),
        line("性别", x + 330, 120), line("男", x + 430, 120),
        line("国籍", x + 490, 120), line("中国", x + 590, 120),
        line("Name", x + 10, 146, h=12), line("Nationality", x + 490, 146, h=12),
        line("住址", x + 10, 170), line("广西壮族自治区梧州市苍梧县湖滨街道振兴巷", x + 160, 170),
        line("出生日期", x + 10, 250), line("1984-07-19", x + 160, 250, x + 330),
        line("初次领证日期", x + 10, 300), line("2002-10-27", x + 200, 300, x + 370),
        line("准驾车型", x + 10, 350), line("C1E", x + 160, 350),
    ]  # fmt: skip
    return out + (period or [
        line("有效期限", x + 10, 400), line("2018-10-27至2028-10-27", x + 160, 400, x + 520),
    ])  # fmt: skip


def _licence_back(x: float, renew_by: str = "2028年10月27日") -> list[Line]:
    return [
        line("中华人民共和国机动车驾驶证副页", x + 40, 20),
        line("证号", x + 10, 70), line(ID, x + 160, 70, x + 560),
        line("姓名", x + 10, 120), line("钟宏", x + 160, 120),
        line("档案编号", x + 300, 120), line("450274204685", x + 430, 120, x + 610),
        line("记录", x + 10, 170),
        line(f"请于{renew_by}前到公安机关交通管理部门申请", x + 160, 170),
        line("换领新证。", x + 160, 210),
    ]  # fmt: skip


def test_an_older_licence_prints_its_validity_as_a_duration() -> None:
    for duration, valid_to in (("6年", "2024-10-27"), ("10年", "2028-10-27"), ("长期", "长期")):
        period = [line("有效起始日期", 10, 400), line("2018-10-27", 200, 400, 370),
                  line("有效期限", 10, 450), line(duration, 160, 450)]  # fmt: skip
        fields = extract(DocType.DRIVINGLICENSE, page(*_licence(period=period)))
        assert (fields["valid_from"], fields["valid_to"]) == ("2018-10-27", valid_to)


def test_the_back_page_beside_the_licence_is_not_read_as_its_main_page() -> None:
    """The 副页 repeats 证号 and 姓名 on the rows of the main page's 证号 and 姓名: the
    nationality must not run on into its name, nor its 档案编号 into anything."""
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*_licence(), *_licence_back(820)))
    assert result.fields["nationality"] == "中国"
    assert result.fields["name"] == "钟宏" and result.fields["id_num"] == ID
    assert result.fields["valid_to"] == "2028-10-27"
    assert not any("副页" in w or "换领" in w for w in result.warnings)


def test_a_back_page_asking_for_renewal_on_another_date_is_flagged() -> None:
    back = _licence_back(820, renew_by="2026年10月27日")
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*_licence(), *back))
    assert "有效期限与副页换领日期不一致，请核对" in result.warnings


def test_a_main_page_number_garbled_by_a_blur_is_the_one_its_back_page_repeats() -> None:
    # 1580146: a small blurred pair; the main page's small number read 2 digits off
    # (no check), the 副页's larger one whole. It is the same holder's number.
    garbled = ID[:6] + "1904" + ID[10:]
    main = [dataclasses.replace(ln, text=garbled) if ln.text == ID else ln for ln in _licence()]
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*main, *_licence_back(820)))
    assert result.fields["id_num"] == ID
    assert "证号校验未通过，请核对" not in result.warnings
    alone = EXTRACTORS[DocType.DRIVINGLICENSE](page(*main))
    assert alone.fields["id_num"] == garbled  # nothing to take it from: kept, and warned
    assert "证号校验未通过，请核对" in alone.warnings
    # Another holder's 副页 beside (a number far from the main page's): given, warned.
    other = "11010519491231002X"
    back = [dataclasses.replace(ln, text=other) if ln.text == ID else ln
            for ln in _licence_back(820)]  # fmt: skip
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*main, *back))
    assert result.fields["id_num"] == other
    assert "证号取自副页，与正页不符，请核对" in result.warnings


def test_a_renewal_date_whose_qian_was_lost_to_a_blur_still_ends_the_validity() -> None:
    period = [line("有效起始日期", 10, 400), line("2018-10-27", 200, 400, 370),
              line("有效期限", 10, 450)]  # fmt: skip
    back = [
        dataclasses.replace(ln, text="请于2028年10月27日新共公安机关交通管理部门申请")
        if ln.text.startswith("请于") else ln
        for ln in _licence_back(820)
    ]  # fmt: skip
    fields = extract(DocType.DRIVINGLICENSE, page(*_licence(period=period), *back))
    assert fields["valid_to"] == "2028-10-27"


def test_a_duration_unread_takes_the_renewal_date_of_the_back_page() -> None:
    period = [line("有效起始日期", 10, 400), line("2018-10-27", 200, 400, 370),
              line("有效期限", 10, 450)]  # fmt: skip
    fields = extract(DocType.DRIVINGLICENSE, page(*_licence(period=period), *_licence_back(820)))
    assert fields["valid_to"] == "2028-10-27"


def test_a_stamp_across_a_copy_is_not_read_into_a_value() -> None:
    """Copies people send are stamped (仅供存档, 再复印无效): below the scope, the stamp
    read as a line must not run on into it, nor into the address beside it."""
    for stamp in ("仅供存档", "仅供办理银行开户使用", "再复印无效", "与原件一致"):
        fields = extract(DocType.BIZLICENSE, page(
            line("统一社会信用代码", 100, 100), line(CODE, 100, 140), line("营业执照", 500, 100),
            line("名称", 100, 200), line("某某科技有限公司", 300, 200),
            line("经营范围", 100, 250), line("技术开发、技术咨询。", 300, 250),
            line(stamp, 320, 285, h=40),
        ))  # fmt: skip
        assert fields["business_scope"] == "技术开发、技术咨询。", stamp


def test_the_statutory_closing_sentence_is_put_right() -> None:
    """Every scope closes with the same sentence: a few characters misread in it (须 as
    频, 经 as 终) are put right; a scope of the company's own is left as read."""
    for read in ("（依法频经批准的项目，经相关部门批准后方可开展终营活动）",
                 "(依法须经批准的项目,经相关部门批准后方可开展经营活动)"):  # fmt: skip
        fields = extract(DocType.BIZLICENSE, page(
            line("统一社会信用代码", 100, 100), line(CODE, 100, 140), line("营业执照", 500, 100),
            line("经营范围", 100, 250), line("技术开发、技术咨询。", 300, 250),
            line(read, 300, 285),
        ))  # fmt: skip
        want = "技术开发、技术咨询。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
        assert fields["business_scope"] == want, read
    # Some licences end the sentence with 。 inside the bracket: it stays.
    fields = extract(DocType.BIZLICENSE, page(
        line("统一社会信用代码", 100, 100), line(CODE, 100, 140), line("营业执照", 500, 100),
        line("经营范围", 100, 250), line("技术开发。", 300, 250),
        line("（依法须经批准的项目，经相关部门批准后方可开展终营活动。）", 300, 285),
    ))  # fmt: skip
    assert fields["business_scope"].endswith("开展经营活动。）")


def test_a_longer_licence_number_is_never_made_into_a_credit_code() -> None:
    """An older licence's 20-digit 证照编号 holds 18-digit runs that one changed
    character could make pass the credit code's check: never taken for one."""
    result = EXTRACTORS[DocType.BIZLICENSE](page(
        line("营业执照", 300, 50), line("证照编号44582623544722836101", 300, 150),
        line("名称", 100, 200), line("某某贸易有限公司", 300, 200),
    ))  # fmt: skip
    assert "reg_num" not in result.fields


def test_a_licence_number_whose_label_went_unread_is_the_one_valid_id_line() -> None:
    """证号 is printed white on a dark box on some issues and goes unread: the page's one
    line that is a whole ID number passing its check digit is the licence number."""
    lines = [ln for ln in _licence() if ln.text != "证号"]
    assert extract(DocType.DRIVINGLICENSE, page(*lines))["id_num"] == ID
    wrong = ID[:-1] + ("1" if ID[-1] != "1" else "2")  # fails its check: not taken
    lines = [ln if ln.text != ID else line(wrong, ln.x0, ln.y0, ln.x1) for ln in lines]
    assert "id_num" not in extract(DocType.DRIVINGLICENSE, page(*lines))


def test_a_back_page_alone_is_read_as_what_it_says() -> None:
    """The 副页 alone repeats 证号 and 姓名: those, its 档案编号 and the date it asks the
    holder to renew by (the end of validity); no main-page field, no seal to miss."""
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*_licence_back(0)))
    assert result.fields == {
        "id_num": ID, "name": "钟宏", "file_no": "450274204685", "valid_to": "2028-10-27",
    }  # fmt: skip
    assert result.warnings == []
    assert classify(page(*_licence_back(0))) is DocType.DRIVINGLICENSE


def test_a_licence_beside_its_back_page_with_every_label_unread_is_no_back_page() -> None:
    """Far off and blurred beside its 副页 (fresh seed 1500136), the main page's small
    labels all go unread while the 副页's title and 档案编号 are read: its own title
    (…驾驶证, where the 副页's goes on …副页) tells it is there, and its values are read
    by their places, not dropped for the 副页's alone."""
    labels = {"证号", "姓名", "性别", "国籍", "Name", "Nationality", "住址", "出生日期",
              "初次领证日期", "准驾车型", "有效期限"}  # fmt: skip
    main = [ln for ln in _licence() if ln.text not in labels]
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*main, *_licence_back(820)))
    assert "file_no" not in result.fields  # not the 副页 alone
    assert result.fields["birth_date"] == "1984-07-19"  # the ID number's, by its place
    assert result.fields["issue_date"] == "2002-10-27"  # the row under it
    assert result.fields["valid_to"] == "2028-10-27"
    # The name is the Chinese line under the number, where the number starts (fresh
    # seed 1560106, turned); the address, the rows between it and the birth date.
    assert result.fields["name"] == "钟宏" and result.fields["sex"] == "男"
    assert result.fields["address"] == "广西壮族自治区梧州市苍梧县湖滨街道振兴巷"


def test_a_value_under_another_is_found_where_the_value_starts_not_its_label() -> None:
    # 证号 boxed with its number: the name under it starts where the number starts.
    number = line("证号" + ID, 10, 70, 560)
    above = Value(ID, 0, 160.0, (number,))
    name = line("钟宏", 160, 112)
    assert line_under([number, name], above, r"[\u4e00-\u9fff]{2,6}") is name
    assert line_under([number, line("钟宏", 330, 112)], above, r"[\u4e00-\u9fff]{2,6}") is None


def test_a_name_is_not_the_sex_under_a_centred_number() -> None:
    """The real form: 证号 and its number centred at the top, over 性别; 证号 and 姓名
    unread on a small photo. The line under the number's start was 性别男 boxed as one,
    and was given as the name: the name is the one short Chinese line left of it."""
    lines = [ln for ln in _licence() if ln.text not in ("证号", "姓名", "性别", "男")]
    number = next(ln for ln in lines if ln.text == ID)
    lines[lines.index(number)] = line(ID, 330, 70, 730)
    lines.append(line("性别男", 335, 120))
    fields = extract(DocType.DRIVINGLICENSE, page(*lines))
    assert (fields["name"], fields["sex"], fields["id_num"]) == ("钟宏", "男", ID)
    # Two such lines on its left: neither is taken; nor one far off (another page's).
    fields = extract(DocType.DRIVINGLICENSE, page(*lines, line("李明", 240, 124)))
    assert "name" not in fields
    far = [line("李明", 0, 120) if ln.text == "钟宏" else ln for ln in lines]
    assert "name" not in extract(DocType.DRIVINGLICENSE, page(*far))


def test_a_nationality_boxed_with_the_sex_or_a_garbled_label_is_read() -> None:
    # 1600104: labels unread, 性别's and 国籍's values boxed as one (男中国) beside a name
    # found under the number; 1600114: 性别男 and 国箱 中国 (国籍 garbled), 性别's value
    # running on through it.
    gone = {"姓名", "性别", "国籍", "男", "中国", "Name", "Nationality"}
    one = [ln for ln in _licence() if ln.text not in gone] + [line("女中国", 430, 120)]
    fields = extract(DocType.DRIVINGLICENSE, page(*one))  # (the card's 女 over the number's)
    assert (fields["name"], fields["sex"], fields["nationality"]) == ("钟宏", "女", "中国")
    # Those lines give the sex and the nationality, and are never cut from a name.
    named = [line("李中国", ln.x0, ln.y0) if ln.text == "钟宏" else ln
             for ln in _licence() if ln.text not in {"性别", "男"}]  # fmt: skip
    assert extract(DocType.DRIVINGLICENSE, page(*named))["name"] == "李中国"
    garbled = [ln for ln in _licence() if ln.text not in {"性别", "男", "国籍", "中国"}]
    garbled += [line("性别男", 330, 120), line("国箱 中国", 490, 120)]
    fields = extract(DocType.DRIVINGLICENSE, page(*garbled))
    assert (fields["name"], fields["sex"], fields["nationality"]) == ("钟宏", "男", "中国")


def test_a_licence_with_every_label_unread_is_read_from_its_number_down() -> None:
    # 1610120: a blurred older issue, every label unread: the birth date read one digit
    # off (1984-01-19) is still the number's (1984-07-19), and it places the rows below;
    # the start shares the last row with its duration (6年) right of it.
    labels = {"证号", "姓名", "性别", "国籍", "Name", "Nationality", "住址", "出生日期",
              "初次领证日期", "准驾车型", "有效期限"}  # fmt: skip
    period = [line("2018-10-27", 160, 400, 330), line("6年", 400, 400)]
    main = [line("1984-01-19", ln.x0, ln.y0, ln.x1) if ln.text == "1984-07-19" else ln
            for ln in _licence(period=period) if ln.text not in labels]  # fmt: skip
    fields = extract(DocType.DRIVINGLICENSE, page(*main))
    assert fields["birth_date"] == "1984-07-19" and fields["issue_date"] == "2002-10-27"
    assert fields["address"] == "广西壮族自治区梧州市苍梧县湖滨街道振兴巷"
    assert (fields["valid_from"], fields["valid_to"]) == ("2018-10-27", "2024-10-27")
    # A date one off in the year's decade is another date (an issue date 1994-07-19 for
    # a birth 1984-07-19): not the birth date's line, nor run into the address.
    moved = {"1984-07-19": "1986-07-18", "2002-10-27": "1994-07-19"}
    other = [line(moved[ln.text], ln.x0, ln.y0, ln.x1) if ln.text in moved else ln
             for ln in _licence(period=period) if ln.text not in labels]  # fmt: skip
    fields = extract(DocType.DRIVINGLICENSE, page(*other))
    assert fields.get("address") in (None, "广西壮族自治区梧州市苍梧县湖滨街道振兴巷")


def test_a_newer_licences_period_to_changqi_is_no_start_beside_a_duration() -> None:
    # 起 至 长期 boxed apart: the date and 长期 share a row with 至 between them.
    period = [line("有效期限", 10, 400), line("2015-06-18", 160, 400, 330),
              line("至", 340, 400), line("长期", 400, 400)]  # fmt: skip
    fields = extract(DocType.DRIVINGLICENSE, page(*_licence(period=period)))
    assert (fields["valid_from"], fields["valid_to"]) == ("2015-06-18", "长期")


def _title_in_two(back: list[Line]) -> list[Line]:
    """The 副页 with its title boxed as ``…机动车驾驶证`` and ``副页`` right after it."""
    title = back[0]
    return [line("中华人民共和国机动车驾驶证", title.x0, title.y0),
            line("副页", title.x0 + 30 * 13 + 10, title.y0), *back[1:]]  # fmt: skip


def test_a_back_page_alone_whose_title_is_boxed_in_two_is_still_the_back_page() -> None:
    """A 副页's title boxed as ``…机动车驾驶证`` and ``副页`` right after it ends like the
    main page's title: it is the 副页's, and the page is read as the 副页 alone."""
    back = _licence_back(0)
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*_title_in_two(back)))
    assert result.fields == EXTRACTORS[DocType.DRIVINGLICENSE](page(*back)).fields
    assert result.fields["file_no"] == "450274204685"


def test_a_back_page_beside_whose_title_is_boxed_in_two_is_still_parted() -> None:
    """The same 副页 beside the licence: its title's piece is no main-page line, and the
    pages are parted as before (the nationality does not run on into the 副页)."""
    result = EXTRACTORS[DocType.DRIVINGLICENSE](
        page(*_licence(), *_title_in_two(_licence_back(820)))
    )
    assert result.fields["nationality"] == "中国"
    assert result.fields["name"] == "钟宏" and result.fields["valid_to"] == "2028-10-27"


def test_a_back_page_alone_whose_own_title_word_went_unread_is_the_back_page() -> None:
    """A 副页 whose title was read without its 副页 (…机动车驾驶证), beside nothing: the
    title is all there is of a "main page", and the page is read as the 副页 alone."""
    back = _licence_back(0)
    title = back[0]
    cut = [line("中华人民共和国机动车驾驶证", title.x0, title.y0), *back[1:]]
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*cut))
    assert result.fields == EXTRACTORS[DocType.DRIVINGLICENSE](page(*back)).fields


def test_a_dimension_s_times_read_as_another_cross_is_still_a_dimension() -> None:
    """× read as ✕ or ✖ (crosses the recognizer knows) is no decorative mark to drop."""
    for cross in ("✕", "✖"):
        lines = [ln.with_text(ln.text.replace("×", cross)) for ln in _back_page()]
        assert extract(DocType.DRIVING, page(*lines))["overall_size"] == "4223×1788×1419mm"


def test_a_newer_licence_valid_long_term_prints_start_to_long_term() -> None:
    period = [line("有效期限", 10, 400), line("2018-10-27至长期", 160, 400, 420)]
    fields = extract(DocType.DRIVINGLICENSE, page(*_licence(period=period)))
    assert (fields["valid_from"], fields["valid_to"]) == ("2018-10-27", "长期")


def test_a_licence_whose_title_and_sealed_labels_went_unread_is_still_one() -> None:
    """Title unread on a small photo, 初次领证日期 and 准驾车型 under the seal: 证号 and
    the English title, printed on no ID card, still tell a driver's licence."""
    lost = ("中华人民共和国机动车驾驶证", "初次领证日期", "准驾车型")
    lines = [ln for ln in _licence() if ln.text not in lost]
    assert classify(page(*lines)) is DocType.DRIVINGLICENSE
    english = line("Driving License of the People's Republic of China", 100, 45, 600, h=14)
    no_number = [ln for ln in lines if ln.text != "证号"]
    assert classify(page(*no_number, english)) is DocType.DRIVINGLICENSE


def test_a_name_printed_out_of_register_is_read_off_its_labels_row() -> None:
    """On a scan fed askew the values sit a third of a row below their labels: the name
    falls out of the 姓名 row, whose value is then empty; the one line of Chinese in the
    name's column, just below (or above) the label, is the name."""
    for dy in (16, -16):
        lines = [ln if ln.text != "钟宏" else line("钟宏", ln.x0, ln.y0 + dy) for ln in _licence()]
        lines = [ln for ln in lines if ln.text not in ("男", "中国")]  # read beside their labels
        assert extract(DocType.DRIVINGLICENSE, page(*lines))["name"] == "钟宏", dy
    # Nothing in the name's column: no name, and never the address below.
    lines = [ln for ln in _licence() if ln.text != "钟宏"]
    assert "name" not in extract(DocType.DRIVINGLICENSE, page(*lines))


def test_a_nationality_label_garbled_in_a_character_still_labels_it() -> None:
    """Blurred, 国籍 read as 国 in one line with the sex before it (性别男 国中国), or as
    国箱 right of 性别: the nationality is still 中国, and the sex 男."""
    lines = [ln for ln in _licence() if ln.text not in ("性别", "男", "国籍", "中国")]
    lines.append(line("性别男 国中国", 330, 120, 600))
    fields = extract(DocType.DRIVINGLICENSE, page(*lines))
    assert (fields["sex"], fields["nationality"], fields["name"]) == ("男", "中国", "钟宏")
    lines = [ln if ln.text != "国籍" else line("国箱", ln.x0, ln.y0) for ln in _licence()]
    fields = extract(DocType.DRIVINGLICENSE, page(*lines))
    assert (fields["sex"], fields["nationality"], fields["name"]) == ("男", "中国", "钟宏")


@pytest.mark.parametrize("label", ["住址TE", "住址 Ad", "住址Add."])
def test_the_sub_labels_ink_boxed_with_the_address_label_stays_out(label: str) -> None:
    """The English sub-label's ink under 住址 can be boxed with it and read as letters
    (住址TE); an address starts with its province, so they are not its start."""
    lines = [ln.with_text(label) if ln.text == "住址" else ln for ln in _licence()]
    fields = extract(DocType.DRIVINGLICENSE, page(*lines))
    assert fields["address"] == "广西壮族自治区梧州市苍梧县湖滨街道振兴巷"


def test_an_older_licence_whose_validity_labels_went_unread_keeps_its_rows() -> None:
    """有效起始日期 under the seal and 有效期限 garbled (有选期): the rows under the birth
    date keep their order, so the lone date on the row after the class's is the start,
    and the duration in the value column below gives the end."""
    period = [line("2018-10-27", 160, 400, 330), line("有选期", 10, 450), line("6年", 160, 450)]
    fields = extract(DocType.DRIVINGLICENSE, page(*_licence(period=period)))
    assert (fields["valid_from"], fields["valid_to"]) == ("2018-10-27", "2024-10-27")


def test_an_engine_number_whose_label_went_unread_is_the_line_under_the_vin() -> None:
    # 1590170: 发动机号码 lost on a turned photo, its value read whole under the VIN.
    main = [ln for ln in _main_page() if ln.text != "发动机号码"]
    assert extract(DocType.DRIVING, page(*main))["engine_num"] == "CRHQM5"
    apart = [line("CRHQM5", 330, 320) if ln.text == "CRHQM5" else ln for ln in main]
    assert "engine_num" not in extract(DocType.DRIVING, page(*apart))  # not in its column


def test_a_model_codes_o_and_i_are_its_0_and_1() -> None:
    # Fresh seeds 1590190, 1590199: HG71TA0D read HG71TAOD. GB 9417 keeps I and O out of
    # model codes so that they are not taken for 1 and 0; a brand keeps its letters.
    for read, model in (
        ("广汽本田牌HG71TAOD", "广汽本田牌HG71TA0D"),
        ("长城牌CC64L0OU", "长城牌CC64L00U"),
        ("ORA牌CC7OOOIBEV", "ORA牌CC70001BEV"),
        ("丰田牌TOYOTA", "丰田牌TOYOTA"),  # no code: an imported car's name
        ("雷克萨斯牌LEXUSRX450H", "雷克萨斯牌LEXUSRX450H"),
        ("本田牌ODYSSEY", "本田牌ODYSSEY"),
    ):
        main = [line(read, ln.x0, ln.y0) if ln.text.startswith("丰田牌") else ln
                for ln in _main_page()]  # fmt: skip
        assert extract(DocType.DRIVING, page(*main))["model"] == model


def test_a_back_pages_size_and_file_number_whose_labels_went_unread_are_found() -> None:
    # 1580174: 外廓尺寸 small and lost, its value (three sizes in mm) read whole; 1590188:
    # 档案编号 lost, its twelve digits read. Nothing else on a 副页 looks like either.
    back = [
        line("号牌号码", 10, 20), line("晋B1T251", 160, 20), line("140728722089", 460, 20, 620),
        line("核定载人数", 10, 70), line("5人", 160, 70),
        line("总质量", 330, 70), line("2552kg", 460, 70),
        line("4223×1788×1419mm", 160, 170, 420),
    ]  # fmt: skip
    fields = extract(DocType.DRIVING, page(*back))
    assert fields["overall_size"] == "4223×1788×1419mm" and fields["file_no"] == "140728722089"
    cargo = [*back, line("货厢内部尺寸：6750×2350×600mm", 160, 270, 560)]  # a truck's 备注
    assert extract(DocType.DRIVING, page(*cargo))["overall_size"] == "4223×1788×1419mm"
    # 1610166: 档案编号 read, its number a little below its row: the label has no value.
    below = [*back, line("档案编号", 330, 20)]
    below = [ln if ln.text != "140728722089" else line(ln.text, 460, 48, 620) for ln in below]
    assert extract(DocType.DRIVING, page(*below))["file_no"] == "140728722089"
    stray = [*below, line("1", 460, 20, 470)]  # a mark read beside the label: no number
    assert extract(DocType.DRIVING, page(*stray))["file_no"] == "140728722089"
    # Pages no gap parts: a main page's twelve-digit engine number is no file number.
    main = [line("123456789012", ln.x0, ln.y0) if ln.text == "CRHQM5" else ln
            for ln in _main_page()]  # fmt: skip
    together = [*main, *(dataclasses.replace(ln, text=ln.text) for ln in back[3:])]
    assert "file_no" not in extract(DocType.DRIVING, page(*together))
    two = [*back, line("4232×1788×1419mm", 160, 220, 420), line("140728722098", 460, 220, 620)]
    fields = extract(DocType.DRIVING, page(*two))  # which is it: neither
    assert "overall_size" not in fields and "file_no" not in fields


def test_vehicle_licence_labels_misread_in_two_characters_are_told_by_the_form() -> None:
    """Blurred, small print reads labels two characters wrong: 车辆类型 as 车轴美型 (half
    its characters in place, the one label so close), 核定载人数 as 核定群人数, and
    整备质量 as 型品供量 (one in place: the form prints it between 核定载人数 and
    外廓尺寸 in its column)."""
    main = [ln if ln.text != "车辆类型" else line("车轴美型", ln.x0, ln.y0) for ln in _main_page()]
    assert extract(DocType.DRIVING, page(*main))["vehicle_type"] == "小型轿车"
    back = [
        line("号牌号码", 10, 20), line("晋B1T251", 160, 20),
        line("档案编号", 330, 20), line("140728722089", 460, 20, 620),
        line("核定群人数", 10, 70), line("5人", 160, 70),
        line("总质量", 330, 70), line("2552kg", 460, 70),
        line("型品供量", 10, 120), line("2028kg", 160, 120),
        line("核定载质量", 330, 120),
        line("外廓尺寸", 10, 170), line("4223×1788×1419mm", 160, 170, 420),
    ]  # fmt: skip
    fields = extract(DocType.DRIVING, page(*back))
    assert (fields["passengers_num"], fields["prepare_quality"]) == ("5人", "2028kg")
    assert fields["total_quality"] == "2552kg"


def test_a_reading_one_confusable_character_from_one_plate_is_that_plate_warned() -> None:
    """A green new-energy plate photographed in a car park, its D after the city's letter
    read as 0 (a real photo from another source did), and read again no better: no plate
    as read, and exactly one a confusable character away. It is given, warned; a reading
    two characters from any plate is given as read, warned as no plate."""
    fields, warnings = _plate("浙A012345")
    assert fields["number"] == "浙AD12345" and fields["color"] == "green"
    assert warnings == [platenum.REPAIRED_WARNING]
    fields, warnings = _plate("浙A01234I")
    assert fields["number"] == "浙A01234I" and warnings == [platenum.FORMAT_WARNING]


def _plate(text: str) -> tuple[dict, list[str]]:
    result = EXTRACTORS[DocType.PLATENUM](page(line(text, 40, 40, 400, h=100)))
    return result.fields, result.warnings


def test_a_square_seal_put_right_is_warned_unless_the_address_agrees() -> None:
    """A seal's rows read a character short are put right to the one known name near
    them; a renamed city's seal (襄樊) is a character from another's, so the name is
    warned unless it is the detachment of the holder's city. A rarer ending read as
    printed (交巡警察支队) is given, warned unless it names the holder's city."""

    def seal(first: str, last: str = "通警察支队") -> list[Line]:
        return [line(first, 10, 250, 170), line("市公安局交", 10, 290, 170),
                line(last, 10, 330, 170)]  # fmt: skip

    card = _licence(200)  # the seal in its space on the left
    guangxi = "广西壮族自治区"
    for first, last, want, warned in (
        (guangxi + "梧", "通警察支队", "梧州市公安局交通警察支队", False),  # 州 lost, home
        (guangxi + "梧州", "通警察支队", "梧州市公安局交通警察支队", False),  # as printed
        (guangxi + "柳", "通警察支队", "柳州市公安局交通警察支队", True),  # 州 lost, another
        (guangxi + "柳州", "通警察支队", "柳州市公安局交通警察支队", False),  # moved house
        (guangxi + "梧州", "巡警察支队", "梧州市公安局交巡警察支队", False),  # home, patrol
        (guangxi + "柳州", "巡警察支队", "柳州市公安局交巡警察支队", True),  # 通 read 巡?
    ):
        result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*card, *seal(first, last)))
        assert result.fields["official_seal"] == guangxi + want, first
        assert (drivinglicense.SEAL_FIXED_WARNING in result.warnings) is warned, (first, last)


def test_a_plate_number_painted_large_on_a_bus_is_not_the_plate() -> None:
    """A bus's rear at night: its number painted large on its body in blue (放大号), the
    plate itself yellow, two rows, smaller below it. The number is the same; the colour
    is the plate's, not the paint's."""
    blue, yellow = ((188, 202, 209), (40, 102, 165)), ((183, 133, 2), (33, 18, 10))

    def box(text: str, x: float, y: float, w: float, h: float, tones: tuple) -> Line:
        quad = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
        return Line(text, quad, 0.99, tones=tones)

    painted = box("赣A36218", 380, 590, 620, 110, blue)
    plate = [box("赣·A", 530, 750, 90, 36, yellow), box("36218", 480, 792, 180, 80, yellow)]
    result = EXTRACTORS[DocType.PLATENUM](page(painted, *plate))
    assert result.fields == {"number": "赣A36218", "color": "yellow"}
    result = EXTRACTORS[DocType.PLATENUM](page(painted))  # the paint alone: as it looks
    assert result.fields == {"number": "赣A36218", "color": "blue"}
    # A road camera's caption repeats a one-row plate's number in small white print: the
    # plate is still the plate.
    blue_plate = box("赣A·36218", 300, 200, 120, 60, blue)
    white = ((229, 231, 230), (40, 42, 41))
    caption = box("赣A36218 蓝色", 0, 26, 112, 24, white)
    result = EXTRACTORS[DocType.PLATENUM](page(caption, blue_plate))
    assert result.fields == {"number": "赣A36218", "color": "blue"}
    # Nor a caption boxed in two pieces either side of the dot (a row of one, not two),
    # even below the plate.
    split = [box("赣A", 300, 400, 30, 24, white), box("36218", 335, 400, 80, 24, white)]
    result = EXTRACTORS[DocType.PLATENUM](page(blue_plate, *split))
    assert result.fields == {"number": "赣A36218", "color": "blue"}


def test_a_licence_number_cut_short_is_warned() -> None:
    """A published photo with the number's last digits blurred out (or a card cut at its
    edge): six digits were given as the number, with no warning, as only an 18-digit
    number failing its check was warned."""
    card = [line(ID[:6], 160, 70) if ln.text == ID else ln for ln in _licence()]
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*card))
    assert result.fields["id_num"] == ID[:6]
    assert "证号校验未通过，请核对" in result.warnings
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*_licence()))
    assert "证号校验未通过，请核对" not in result.warnings
    old = [line(ID[:6] + ID[8:17], 160, 70) if ln.text == ID else ln for ln in _licence()]
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*old))  # an old 15-digit ID number
    assert len(result.fields["id_num"]) == 15 and "证号校验未通过，请核对" not in result.warnings
    empty = [ln for ln in _licence() if ln.text != ID]
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*empty))  # none read: nothing to doubt
    assert "id_num" not in result.fields and "证号校验未通过，请核对" not in result.warnings
    back = [line(ID[:6], 160, 70) if ln.text == ID else ln for ln in _licence_back(0)]
    result = EXTRACTORS[DocType.DRIVINGLICENSE](page(*back))  # the 副页 alone
    assert result.fields["id_num"] == ID[:6]
    assert "证号校验未通过，请核对" in result.warnings
