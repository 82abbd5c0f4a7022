"""Layouts seen on real photos of licences, as pages of lines written out by hand.

Each test is one cause of a miss on real photos (older issues of a document, two pages
photographed side by side, a value the detector missed), with made-up content: the
lines are placed as the recognizer returns them, so the extractors' layout rules run
as they would on the photo. Paths that re-read the image are in test_local_engine.py.
"""

from __future__ import annotations

from stdnum.iso7064 import mod_11_10

from bot.ocr.base import DocType
from bot.ocr.local.extract.registry import EXTRACTORS
from bot.ocr.local.page import Line, Page


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
