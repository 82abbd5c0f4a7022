"""``DocType.AUTO``: which document is this, from the words on it."""

from __future__ import annotations

from bot.ocr.base import DocType
from bot.ocr.local.extract import bankcard, businesscard, idcard, passport, platenum
from bot.ocr.local.layout import clean
from bot.ocr.local.page import Page

# Words printed on one document type only, with their weight.
_KEYWORDS: dict[DocType, tuple[tuple[str, int], ...]] = {
    DocType.IDCARD: (("公民身份号码", 3), ("居民身份证", 3), ("签发机关", 2), ("住址", 1),
                     ("民族", 2), ("出生", 1)),
    # The seal often takes 初次领证 and 准驾车型, a small photo the title: labels printed
    # on no ID card (证号, 国籍, 有效起始日期, the English title) still tell a licence.
    DocType.DRIVINGLICENSE: (("驾驶证", 4), ("准驾车型", 3), ("初次领证", 3), ("国籍", 2),
                             ("证号", 3), ("有效起始", 2), ("DrivingLicense", 3)),
    DocType.DRIVING: (("行驶证", 4), ("号牌号码", 3), ("车辆识别代号", 3), ("发动机号", 2),
                      ("使用性质", 2), ("品牌型号", 2), ("核定载人数", 2), ("整备质量", 2),
                      ("外廓尺寸", 2)),  # the last three: its 副页, alone in a photo too
    DocType.BIZLICENSE: (("营业执照", 4), ("统一社会信用代码", 4), ("法定代表人", 2),
                         ("经营范围", 2), ("注册资本", 2)),
    DocType.BANKCARD: (("银联", 2), ("UnionPay", 2), ("银行", 1), ("VALID", 1), ("借记卡", 2),
                       ("信用卡", 2)),
    DocType.PASSPORT: (("护照", 3), ("PASSPORT", 3), ("P<", 3)),
    DocType.BUSINESSCARD: (("电话", 1), ("手机", 2), ("邮箱", 1), ("@", 2), ("Tel", 1)),
}  # fmt: skip


def classify(page: Page) -> DocType:
    """The most likely type; ``COMM`` when nothing specific is recognised."""
    text = clean(page.text)
    upper = text.upper()
    scores = {
        doc: sum(w for word, w in words if word.upper() in upper)
        for doc, words in _KEYWORDS.items()
    }
    if passport.find_mrz(page):
        scores[DocType.PASSPORT] += 5
    if idcard.side(page):
        scores[DocType.IDCARD] += 2
    card = bankcard.extract(page)
    if card.found and not card.warnings:
        scores[DocType.BANKCARD] += 3
    # A business card is a name and short lines; an e-mail inside prose is not one.
    prose = sum(businesscard.is_prose(ln.text) for ln in page.lines) >= 2
    if prose or "name" not in businesscard.extract(page).fields:
        scores[DocType.BUSINESSCARD] = 0
    best = max(scores, key=lambda d: scores[d])
    if scores[best] >= 3:
        return best
    if scores[DocType.BUSINESSCARD] >= 2:
        return DocType.BUSINESSCARD
    if len(page.lines) <= 3 and platenum.extract(page).found:
        return DocType.PLATENUM
    return best if scores[best] >= 2 else DocType.COMM
