"""机动车行驶证 (vehicle licence): main page and, when present, the 副页.

The 副页 comes photographed alone, below the main page as the card unfolds, or beside
it: each page's lines are read apart (:func:`~bot.ocr.local.layout.two_pages`), so a
value never runs on into the other page. Alone, the 副页's 号牌号码 is ``plate_num``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from bot.numbers import (
    PROVINCES,
    TO_DIGIT,
    plate_candidates,
    plate_fix,
    single_fix,
    vin_check_digit,
)
from bot.ocr.local.extract import Result
from bot.ocr.local.extract.dates import agreed_date, find_dates, iso
from bot.ocr.local.extract.platenum import (
    PROVINCE_MARGIN,
    PROVINCE_WARNING,
    province_by_image,
    read_wider,
)
from bot.ocr.local.layout import (
    ENGLISH_SUBLABEL,
    SETTLE_MARGIN,
    Value,
    agreed,
    clean,
    image_chooser,
    labelled_values,
    likeliest,
    line_under,
    read_beside,
    rows,
    two_pages,
)
from bot.ocr.local.page import Line, Page, region
from bot.ocr.local.places import fix_division, fix_place_from, nearest_known

LABELS = {
    "plate_num": ["号牌号码"],
    "vehicle_type": ["车辆类型"],
    "owner": ["所有人"],
    "addr": ["住址"],
    "use_character": ["使用性质"],
    "model": ["品牌型号"],
    "vin": ["车辆识别代号", "识别代号"],
    "engine_num": ["发动机号码", "发动机号"],
    "register_date": ["注册日期"],
    "issue_date": ["发证日期"],
    "file_no": ["档案编号"],
    "passengers_num": ["核定载人数"],
    "total_quality": ["总质量"],
    "prepare_quality": ["整备质量"],
    "load_quality": ["核定载质量"],
    "traction": ["准牵引总质量"],
    "overall_size": ["外廓尺寸"],
    "record": ["检验记录"],
}
# Labels printed on one page only (号牌号码 is on both).
MAIN_LABELS = ("行驶证", "车辆类型", "所有人", "使用性质", "品牌型号", "车辆识别代号",
               "发动机号码", "注册日期", "发证日期")  # fmt: skip
BACK_LABELS = ("档案编号", "核定载人数", "总质量", "整备质量", "核定载质量", "外廓尺寸",
               "检验记录")  # fmt: skip
# 使用性质 as cards print it: GA 24.2's uses, the spellings other tables give some of them
# (工程抢险, 危险品运输), and 营运 of older cards. Each spelling is kept as read.
USE_CHARACTERS = ("非营运", "营运", "营转非", "出租转非", "预约出租转非", "公路客运",
                  "公交客运", "出租客运", "预约出租客运", "旅游客运", "租赁", "教练", "货运",
                  "危化品运输", "危险品运输", "警用", "消防", "救护", "工程救险", "工程抢险",
                  "幼儿校车", "小学生校车", "中小学生校车", "初中生校车", "其他校车",
                  "其他")  # fmt: skip
PLATE_WARNING = "号牌号码格式不符，请核对"
PAGES_WARNING = "正页与副页号牌不一致，请核对"
OFFICE_BY_PLATE = "检验章省份按号牌推定，请核对"
# How far (natural log) below the likeliest the plate's province may score and be the
# stamp's office province still, where the image decides none (1600186: 0.12).
PLATE_PRIOR = 1.0
# The dimensions' × read as another mark (>, +, =): three numbers of millimetres.
_SIZE = re.compile(r"(?<!\d)(\d{3,5})[^\d\s]{1,2}(\d{3,5})[^\d\s]{1,2}(\d{3,5})(?!\d)")
_LONE_SIZE = re.compile(r"\d{3,5}[^\d\s]{1,2}\d{3,5}[^\d\s]{1,2}\d{3,5}mm", re.IGNORECASE)
# A 品牌型号 value: the brand, 牌, and the maker's model code.
_BRAND_MODEL = re.compile(r"[\u4e00-\u9fff]{1,8}牌[0-9A-Z][0-9A-Z\-]{2,}")
# The inspection stamp in the 检验记录 box (WeChat's ``record``), often above its label.
_INSPECTION = re.compile(r"检验有效期至.*")
_VIN_FIX = str.maketrans({"O": "0", "Q": "0", "I": "1"})
# A vehicle model code (GB 9417) uses no I or O, so as not to be taken for 1 and 0.
_MODEL_FIX = str.maketrans({"O": "0", "I": "1"})
_MODEL_CODE = re.compile(r"([A-Z]{2,4})(\d[0-9A-Z\-]*)")
_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
# An office's letter is its plates' city letter: a capital, never I or O.
_OFFICE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _model_code(text: str) -> str:
    """品牌型号 with the O or I its model code was read with as 0 or 1: a code shaped as
    GB 9417 makes it (after 牌, the maker's letters and a digit: HG71TAOD), from its
    first digit on; an imported car's name (丰田牌TOYOTA LAND CRUISER) is left alone."""
    brand, mark, code = text.rpartition("牌")
    shaped = _MODEL_CODE.fullmatch(code)
    if not mark or shaped is None:
        return text
    return brand + mark + shaped.group(1) + shaped.group(2).translate(_MODEL_FIX)


def _vin(text: str) -> str:
    """17 characters, no I/O/Q (they read as 1/0/0)."""
    return re.sub(r"[^0-9A-Z]", "", text.upper()).translate(_VIN_FIX)


def _vin_valid(vin: str) -> bool:
    return vin_check_digit(vin) == vin[8:9]


def _read_vin(page: Page, value: Value) -> str:
    """The VIN, re-read from the image, then with one confusable character changed,
    while its check digit (position 9, mandatory in China) fails. A VIN that still
    fails is returned as read: the answer's checks say so."""
    vin = _vin(value.text)
    if _vin_valid(vin):
        return vin
    for line in value.lines:
        for again, _ in page.reread_line(line):
            if _vin_valid(fixed := _vin(again)):
                return fixed
    return single_fix(vin, _vin_valid, _VIN_CHARS, strict=True) or vin


def _vin_beside(page: Page) -> str:
    """The VIN the detector missed beside its label (blurred small print; the label
    read with a character wrong, as :func:`labelled_values` forgives): the place right
    of the label read again; only a reading that passes the check digit counts."""
    name = "车辆识别代号"
    label = next((ln for ln in page.lines if len(t := clean(ln.text)) == len(name)
                  and sum(a != b for a, b in zip(t, name, strict=True)) <= 1), None)  # fmt: skip
    if label is None:
        return ""
    h = label.height
    for width in (12.0, 14.0):
        box = region(
            label.x1 + 0.3 * h, label.y0 - 0.15 * h, label.x1 + width * h, label.y1 + 0.15 * h
        )
        for text, _ in page.reread_line(box):
            if len(vin := _vin(text)) == 17 and _vin_valid(vin):
                return vin
    return ""


def _pages(page: Page) -> tuple[Page | None, Page | None]:
    """The main page and the 副页, each as a page of its own lines (``None`` when absent).
    Both pages in one photo without a gap between them are read as one."""
    text = clean(page.text)
    main = "行驶证" in text or sum(k in text for k in ("号牌号码", "车辆识别代号", "品牌型号")) >= 2
    # The 副页's values tell it too when blur garbled its labels: a size, weights.
    values = bool(_SIZE.search(text)) + (len(re.findall(r"\d{3,5}kg", text, re.IGNORECASE)) >= 2)
    back = sum(k in text for k in BACK_LABELS) + values >= 2
    if not main:
        return None, page if back else None
    if not back:
        return page, None
    split = two_pages(page.lines, MAIN_LABELS, BACK_LABELS)
    if split is None:
        return page, page
    # Each page levelled on its own: two cards lie at angles of their own.
    return tuple(dataclasses.replace(page, lines=part).levelled() for part in split)  # type: ignore[return-value]


# The main page's keys whose values start the values' first column.
_FIRST_COLUMN = ("plate_num", "use_character", "vin", "engine_num", "register_date")


def _unlabelled_rows(lines: list[Line], values: dict[str, Value]) -> list[str]:
    """The texts of the rows between the 车辆类型 row and the 使用性质/品牌型号 row, when
    those labels were read: on the main page, the 所有人 row and the 住址 row. A line
    ending left of where the first column's values start is a label, even one read
    wrong."""
    above = values.get("vehicle_type") or values.get("plate_num")
    below = values.get("use_character") or values.get("model")
    if above is None or below is None or not above.lines or not below.lines:
        return []
    top, bottom = max(ln.y1 for ln in above.lines), min(ln.y0 for ln in below.lines)
    names = [name for names in LABELS.values() for name in names]
    between = [ln for ln in lines if top < ln.cy < bottom and not _has_label(ln, names)]
    # A label read wrong (住址 as 佳址) is no label's name, but it ends left of where the
    # first column's values start (where the value begins, in a line holding its label).
    starts = [values[key].x for key in _FIRST_COLUMN if key in values]
    if starts:
        between = [ln for ln in between if ln.x1 > min(starts)]
    return [row.text for row in rows(between) if row.text]


def _only_plate(lines: list[Line]) -> str | None:
    """The page's one plate-shaped line, when the 号牌号码 label went unread."""
    plates = {p for ln in lines if (p := plate_fix(ln.text))}
    return plates.pop() if len(plates) == 1 else None


# A plate's letters and digits after its province: the province lost at a card's edge
# (a serial holds three digits at least: no English word passes).
_PROVINCE_LOST = re.compile(r"[A-Z](?=(?:[A-Z]*\d){3})[A-Z0-9]{5,6}")
# A vehicle type (GA 802: 小型轿车, 重型半挂牵引车) ending a text: it starts with its
# size or kind, and ends in 车.
_VEHICLE_TYPE = re.compile(
    r"(?:重型|中型|轻型|微型|大型|小型|普通|专项|三轮|低速|正三轮|侧三轮|轻便|无轨|有轨)"
    r"[\u4e00-\u9fff]{0,6}车$"
)


def _plate_before_type(lines: list[Line], values: dict[str, Value]) -> Value | None:
    """The plate's value when its 号牌号码 label went unread: the line before 车辆类型
    on its row that holds a plate, or a plate with its province lost (CLY902), for
    :func:`_plate` to read wider and the 副页 to settle (:func:`_settle_plates`)."""
    if "vehicle_type" not in values:
        return None
    kind = values["vehicle_type"]
    if not kind.lines:
        return None
    h, cy = kind.lines[0].height, kind.lines[0].cy
    before = [ln for ln in lines if abs(ln.cy - cy) < 0.5 * h and ln.x1 <= kind.x
              and "类型" not in ln.text]  # fmt: skip
    for ln in sorted(before, key=lambda item: -item.x0):  # nearest the type first
        text = clean(ln.text)
        if plate_fix(text) or _PROVINCE_LOST.fullmatch(re.sub(r"[^0-9A-Z]", "", text)):
            return Value(text, kind.row, ln.x0, (ln,), kind.x)
    return None


def _type_after_plate(plate: Value) -> str | None:
    """The vehicle type when its 车辆类型 label went unread: the plate's row ends with
    it (号牌号码 蒙GYA501 [车辆类型] 小型轿车), a type's words (:data:`_VEHICLE_TYPE`)
    ending its last line, whatever of the label is left before them."""
    if len(plate.lines) < 2:
        return None
    found = _VEHICLE_TYPE.search(clean(plate.lines[-1].text))
    return found.group() if found else None


def _use_ending_address(values: dict[str, Value]) -> tuple[Value, Value] | None:
    """使用性质 unread: the address ran on into the next row's first value (…9组73号 /
    货运). A known use alone on 品牌型号's row ends no address: it is the use. The
    address without it, and the use, as values."""
    addr, model = values.get("addr"), values.get("model")
    if "use_character" in values or addr is None or model is None or not model.lines:
        return None
    if len(addr.lines) < 2:  # (an address read as its label alone has no lines)
        return None
    last, beside = addr.lines[-1], model.lines[0]
    use = clean(last.text)
    if use not in USE_CHARACTERS or not addr.text.endswith(use):
        return None
    if not last.y0 < beside.cy < last.y1:
        return None
    rest = Value(addr.text[: -len(use)], addr.row, addr.x, addr.lines[:-1], addr.x_end)
    return rest, Value(use, model.row, last.x0, (last,), beside.x0)


def _has_label(line: Line, names: list[str]) -> bool:
    text = clean(line.text)
    return any(name in text for name in names)


def _vin_line(lines: list[Line]) -> Value | None:
    """A line that is a whole VIN passing its check digit (its label unread)."""
    for ln in lines:
        vin = _vin(ln.text)
        if len(vin) == 17 and _vin_valid(vin) and len(clean(ln.text)) == 17:
            return Value(ln.text, 0, ln.x0, (ln,))
    return None


def _engine_under_vin(lines: list[Line], vin: Value) -> Value | None:
    """发动机号码's value when its label went unread (1590170): the one line of capitals
    and digits on the row under the VIN's, starting where the VIN starts."""
    found = line_under(lines, vin, r"[0-9A-Z]{5,12}")
    return Value(found.text, vin.row + 1, found.x0, (found,)) if found is not None else None


# The labels each page prints down a column, top to bottom (the form never changes).
_COLUMNS = (
    ("号牌号码", "所有人", "住址", "使用性质", "车辆识别代号", "发动机号码", "注册日期"),
    ("车辆类型", "品牌型号", "发证日期"),
    ("号牌号码", "核定载人数", "整备质量", "外廓尺寸", "备注", "检验记录"),
    ("档案编号", "总质量", "核定载质量", "准牵引总质量"),
)
_ALL_LABELS = {name for column in _COLUMNS for name in column}


def _garbled_labels(lines: list[Line]) -> list[Line]:
    """Labels a blurred photo misread beyond the one character :func:`labelled_values`
    forgives (车辆类型 as 车轴美型, 整备质量 as 型品供量), told by the form: a short line of
    Chinese with a value right of it on its row is the label that keeps at least half
    its characters in place, when no other does and none is read right; else the label
    the form prints between the labels read above and below it in its column."""

    def label_like(ln: Line, t: str) -> bool:
        valued = any(abs(o.cy - ln.cy) < 0.5 * ln.height and o.x0 > ln.x1 - 0.5 * ln.height
                     for o in lines if o is not ln)  # fmt: skip
        return (3 <= len(t) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", t) is not None
                and not any(name in t for name in _ALL_LABELS) and valued)  # fmt: skip

    def spelled(texts: list[str]) -> set[str]:
        return {name for name in _ALL_LABELS if any(name in t for t in texts)}

    texts = [clean(ln.text) for ln in lines]
    known = spelled(texts)
    out = list(lines)
    for k, (ln, t) in enumerate(zip(lines, texts, strict=True)):
        if not label_like(ln, t):
            continue
        near = {name: sum(a == b for a, b in zip(t, name, strict=False)) for name in _ALL_LABELS
                if len(name) == len(t) and (name not in known or name == "号牌号码")}  # fmt: skip
        best = sorted(near, key=lambda name: -near[name])
        if (
            best
            and 2 * near[best[0]] >= len(t)
            and (len(best) == 1 or near[best[1]] < near[best[0]])
        ):
            out[k] = ln.with_text(best[0])
    texts = [clean(ln.text) for ln in out]
    known = spelled(texts)
    for k, (ln, t) in enumerate(zip(list(out), texts, strict=True)):
        if label_like(ln, t) and (name := _between(ln, out, texts, known)):
            out[k] = ln.with_text(name)
    return out


def _between(ln: Line, lines: list[Line], texts: list[str], spelled: set[str]) -> str | None:
    """The label the form prints in ``ln``'s place: read right above and below it in its
    column, one place apart, the label between them unread anywhere."""
    h = ln.height
    column = [(o, t) for o, t in zip(lines, texts, strict=True)
              if abs(o.x0 - ln.x0) < 1.5 * h and o is not ln]  # fmt: skip
    for labels in _COLUMNS:
        above = [(labels.index(t), o) for o, t in column if t in labels and o.cy < ln.cy]
        below = [(labels.index(t), o) for o, t in column if t in labels and o.cy > ln.cy]
        if not above or not below:
            continue
        (i, a), (j, b) = max(above, key=lambda p: p[1].cy), min(below, key=lambda p: p[1].cy)
        if (
            j - i == 2
            and labels[i + 1] not in spelled
            and abs(ln.cy - (a.cy + b.cy) / 2) < 0.3 * (b.cy - a.cy)
        ):
            return labels[i + 1]
    return None


def extract(page: Page) -> Result:
    page = dataclasses.replace(page, lines=_garbled_labels(page.lines))
    main, back = _pages(page)
    if main is None and back is None:
        return Result()
    result = Result()
    if main is not None:
        _main_page(main, result)
    if back is not None:
        _back_page(back, result, alone=main is None, shared=back is main)
    if main is not None and back is not None:
        _settle_plates(page, result)
        plates = {result.fields.get("plate_num"), result.fields.get("plate_num_b")}
        if None not in plates and len(plates) == 2:
            result.warnings.append(PAGES_WARNING)
    plate = result.fields.get("plate_num")
    if plate and plate_fix(plate) != plate:  # kept as read: no plate, and the pages agree
        result.warnings.append(PLATE_WARNING)
    result.put("img_size", {"w": page.orig_size[0], "h": page.orig_size[1]})
    if len(result.fields) <= 1:
        return Result()
    return result


def _settle_plates(page: Page, result: Result) -> None:
    """The main page and the 副页 print one plate: when their readings differ (a blurred
    province, 新 for 浙), each line holding one is scored against its image with either
    plate in place, and the plate the images make likelier by :data:`SETTLE_MARGIN`
    stands for both; else both stay as read (the card flags the difference). One that
    is no plate (湘 read as ``20``) gives way to the other where all after the province
    agrees: the other page read the province the first could not."""
    plates = [result.fields.get("plate_num"), result.fields.get("plate_num_b")]
    if not all(plates) or plates[0] == plates[1]:
        return
    formed = [p for p in plates if plate_fix(p) == p]
    # The other reading, in plate characters (t甘.JDK9452: T甘JDK9452): the same plate
    # after the province, one or two characters before it.
    chars = [next(iter(plate_candidates(p))) for p in plates]
    if len(formed) == 1 and all(
        c.endswith(formed[0][1:]) and len(c) <= len(formed[0]) + 1 for c in chars
    ):
        result.put("plate_num", formed[0])
        result.put("plate_num_b", formed[0])
        return
    if len(plates[0]) != len(plates[1]):
        return
    totals = dict.fromkeys(plates, 0.0)
    for ln in page.lines:
        text = re.sub(r"\s+", "", ln.text)
        held = next((p for p in plates if p in text), None)
        if held is None:
            continue
        variants = {p: text.replace(held, p) for p in plates}
        scores = page.score_texts(ln, list(variants.values()))
        if len(scores) < 2:
            return  # no image to ask
        for p, variant in variants.items():
            totals[p] += scores[variant]
    best, other = sorted(plates, key=lambda p: -totals[p])
    if totals[best] - totals[other] >= SETTLE_MARGIN:
        result.put("plate_num", best)
        result.put("plate_num_b", best)


def _plate(page: Page, value: Value, result: Result) -> str | None:
    """The plate beside 号牌号码, well formed, or None. One that is no plate as read (its
    province blurred away, or left outside its box) is read again wider, then its
    province is chosen by the image, with a warning (as on a plate's photo,
    :mod:`.platenum`)."""
    plate = plate_fix(value.text)
    line = value.lines[0] if len(value.lines) == 1 else None
    if plate is None and line is not None and clean(line.text) == clean(value.text):
        plate = read_wider(page, line)
        if plate is None:
            plate = province_by_image(page, line, line.text, dotted=False)
            if plate is not None and PROVINCE_WARNING not in result.warnings:  # (both pages)
                result.warnings.append(PROVINCE_WARNING)
    return plate


def _use_and_model(text: str) -> tuple[str, str | None]:
    """使用性质 run on into the brand and model beside it, their 品牌型号 label unread
    (``非营运福特牌CAF71DZ9L``): the longest known use it starts with, and the rest when
    that names a brand and a model code; else the text as it was, and None."""
    compact = clean(text)
    for use in sorted(USE_CHARACTERS, key=len, reverse=True):
        rest = compact[len(use) :]
        if compact.startswith(use) and _BRAND_MODEL.fullmatch(rest):
            return use, rest
    return text, None


def _main_page(page: Page, result: Result) -> None:
    lines = [ln for ln in page.lines if not ENGLISH_SUBLABEL.match(ln.text.strip())]
    values = labelled_values(lines, LABELS, multiline=["addr"], stop=r"使用性质|品牌型号")

    def put(key: str, value: str) -> None:
        result.put(key, value.strip())

    if (parted := _use_ending_address(values)) is not None:
        values["addr"], values["use_character"] = parted
    plate = values.get("plate_num") or _plate_before_type(lines, values)
    if plate is not None:
        put("plate_num", _plate(page, plate, result) or plate.text)
    else:
        result.put("plate_num", _only_plate(lines))
    texts = {key: values[key].text for key in ("vehicle_type", "owner", "addr", "use_character",
                                              "model") if key in values}  # fmt: skip
    kind = _type_after_plate(values["plate_num"]) if "plate_num" in values else None
    if "vehicle_type" not in texts and kind is not None:
        texts["vehicle_type"] = kind
    between = _unlabelled_rows(lines, values)
    if len(between) == 2:  # labels lost in glare: the rows keep their order
        for key, text in zip(("owner", "addr"), between, strict=True):
            texts.setdefault(key, text)
    if "use_character" in texts and "model" not in texts:
        texts["use_character"], model = _use_and_model(texts["use_character"])
        if model is not None:
            texts["model"] = model
    for key, text in texts.items():
        if key == "model":  # a model code has no dots: they are the dotted rule under it
            text = _model_code(re.sub(r"[.·。]", "", text))
        chooser = image_chooser(page, values[key].lines if key in values else ())
        if key == "addr":
            text = fix_division(text, chooser)
        elif key == "use_character":
            # 营运 read as 营述: the one known use a character away (several: the image)
            text = nearest_known(clean(text), USE_CHARACTERS, chooser)
        put(key, text)
    owner, addr = result.fields.get("owner"), result.fields.get("addr")
    if owner and addr:  # a company's name begins with a place its address names
        put("owner", fix_place_from(owner, addr))
    vin_value = values.get("vin") or _vin_line(lines)
    if vin_value is not None:
        vin = _read_vin(page, vin_value) if clean(vin_value.text) else _vin_beside(page)
        if len(vin) != 17:
            result.warnings.append("车辆识别代号长度不对，请核对")
        put("vin", vin)
    engine_value = values.get("engine_num")
    if engine_value is None and vin_value is not None:
        engine_value = _engine_under_vin(lines, vin_value)
    if engine_value is not None:
        # Engine numbers, like VINs, print 0 where a reading may say O.
        engine = re.sub(r"[^0-9A-Z]", "", engine_value.text.upper()).replace("O", "0")
        put("engine_num", engine)
    found: dict[str, list] = {}
    for key, label in (("register_date", "注册日期"), ("issue_date", "发证日期")):
        dates = find_dates(values[key].text) if key in values else []
        if not dates:  # cut short (the seal sits on 发证日期): read the place itself,
            # from right after the label (a small licence prints its value close to it)
            readings = read_beside(page, label, (7.0, 6.0), under_seal=True, gap=0.1)
            if (agreed := agreed_date(text for text, _ in readings)) is not None:
                dates = [agreed]
        found[key] = dates
    # The two dates read as one line (2013-06-172013-06-18) land after 注册日期.
    if len(found["register_date"]) == 2 and not found["issue_date"]:
        found["issue_date"] = found["register_date"][1:]
    if found["register_date"] and not found["issue_date"] and "issue_date" in values:
        # Most licences are issued the day the car is registered: an issue date read
        # with its month or its day lost (2014--04) that otherwise reads as the register
        # date is it.
        registered = found["register_date"][0]
        if _holds(registered, values["issue_date"].text):
            found["issue_date"] = [registered]
    for key, dates in found.items():
        if dates:
            put(key, iso(dates[0]))


def _holds(day: dt.date, text: str) -> bool:
    """Whether ``text``'s digits are ``day``'s with its month or its day lost whole (the
    year and the other as read)."""
    read = re.sub(r"\D", "", text.translate(TO_DIGIT))
    return read in (f"{day:%Y%d}", f"{day:%Y%m}")


def _back_page(page: Page, result: Result, *, alone: bool, shared: bool = False) -> None:
    """The 副页's fields; alone, its 号牌号码 is the plate (beside the main page, the
    plate of the 副页, ``plate_num_b``, which the card compares). ``shared``: the page
    holds the main page's lines too (no gap parted them)."""
    lines = [ln for ln in page.lines if not ENGLISH_SUBLABEL.match(ln.text.strip())]
    values = labelled_values(lines, LABELS)
    plate = _plate(page, values["plate_num"], result) if "plate_num" in values else None
    result.put("plate_num" if alone else "plate_num_b", plate or _only_plate(lines))
    file_no = (
        re.sub(r"\D", "", values["file_no"].text.translate(TO_DIGIT)) if "file_no" in values else ""
    )
    if len(file_no) != 12 and not shared:  # its label or its value's place unread
        # (1590188, 1610166: no value, or a stray mark's): the one number of twelve digits
        # (nothing else on a 副页 is one; a main page's engine number may be)
        numbers = {clean(ln.text) for ln in lines if re.fullmatch(r"\d{12}", clean(ln.text))}
        file_no = numbers.pop() if len(numbers) == 1 else file_no
    result.put("file_no", file_no)
    if "passengers_num" in values:
        m = re.search(r"(\d+)\s*人", values["passengers_num"].text)
        if m:
            result.put("passengers_num", f"{m.group(1)}人")
    for key in ("total_quality", "prepare_quality"):
        if key in values:
            m = re.search(r"(\d+)\s*kg", values[key].text, re.IGNORECASE)
            if m:
                result.put(key, f"{m.group(1)}kg")
    size = values["overall_size"].text if "overall_size" in values else _lone_size(lines)
    if size:
        m = _SIZE.search(re.sub(r"\s+", "", size))
        if m:
            result.put("overall_size", f"{m.group(1)}×{m.group(2)}×{m.group(3)}mm")  # as printed
    stamps = [(m.group(0), ln) for ln in lines if (m := _INSPECTION.search(clean(ln.text)))]
    if stamps:
        record, line = stamps[-1]
        car = result.fields.get("plate_num_b") or result.fields.get("plate_num") or ""
        record = _office_letter(page, record, line)
        record = _office_province(page, record, line, car, result.warnings)
        result.put("record", record)


def _lone_size(lines: list[Line]) -> str:
    """外廓尺寸's value when its label went unread: the one line that is three sizes in
    mm and nothing else (a truck's 备注 may give its cargo box's, after words)."""
    sizes = [ln.text for ln in lines if _LONE_SIZE.fullmatch(clean(ln.text))]
    return sizes[0] if len(sizes) == 1 else ""


def _office_province(
    page: Page, record: str, line: Line, plate: str = "", warnings: list[str] | None = None
) -> str:
    """The stamp's office province (新 of 新(J)) read as a character that is no province
    (甘 as 廿, 鄂 as 张, small and blurred): each of the 31 in its place, the line scored
    against its image (CTC), and the one likelier than the next by
    :data:`PROVINCE_MARGIN` put there. Where none is, the ``plate``'s province when it
    is among the likeliest and the office's letter is the plate's (the office that
    registered the car stamps it, as a rule: 1600186, 新 赣 藏 within 0.3 of each other
    for 赣(C) on 赣C…), within :data:`PLATE_PRIOR` of the best, told in ``warnings`` (a
    car may be inspected in another province); else the record stays as read."""
    warnings = [] if warnings is None else warnings
    m = re.search(r"([\u4e00-\u9fff])\((?P<office>[A-Z]?)\)$", record)
    raw = re.sub(r"\s+", "", line.text)
    if m is None or m.group(1) in PROVINCES + "月" or m.group(0) not in raw:
        return record  # (月 before the office: the province is lost, not misread)
    head, tail = raw.rsplit(m.group(0), 1)
    options = {f"{head}{p}{m.group(0)[1:]}{tail}": p for p in PROVINCES}
    scores = page.score_texts(line, list(options))
    best = likeliest(scores, PROVINCE_MARGIN)
    if best is None and scores and len(plate) > 2 and m.group("office") == plate[1]:
        top = max(scores.values())
        close = {options[t] for t, score in scores.items() if score > top - PLATE_PRIOR}
        best = next((t for t, p in options.items() if p == plate[0] and p in close), None)
        if best is not None:
            warnings.append(OFFICE_BY_PLATE)
    if best is None:
        return record
    return record[: m.start(1)] + options[best] + record[m.end(1) :]


# An inspection stamp whose office, after its province, is not read as (letter): 甘0).
_OFFICE_GARBLED = re.compile(r"(检验有效期至\d{4}年\d{1,2}月[\u4e00-\u9fff])(?!\([A-Z]\)$)(.{1,3})")


def _office_letter(page: Page, record: str, line: Line) -> str:
    """The inspection stamp ends with the office's province and letter, 新(J); a narrow
    letter between the brackets can vanish (``新()``). Then the line is read again, and
    a capital that two of its crops read there, the stamp before it read the same, is
    put back; else the record stays as read. Read as something else (甘0) for 甘(J)),
    each capital in brackets is scored against the line's image, and the one likelier
    than every other by :data:`PROVINCE_MARGIN` put there."""
    garbled = _OFFICE_GARBLED.fullmatch(record)
    raw = re.sub(r"\s+", "", line.text)
    if garbled is not None and record != f"{garbled.group(1)}()" and record in raw:
        options = {raw.replace(record, f"{garbled.group(1)}({c})"): c for c in _OFFICE_LETTERS}
        best = likeliest(page.score_texts(line, list(options)), PROVINCE_MARGIN)
        return f"{garbled.group(1)}({options[best]})" if best is not None else record
    if not record.endswith("()"):
        return record
    stem = record[: -len("()")]
    letter = agreed(
        m.group(1)
        for text, _ in page.reread_line(line)
        if (m := re.fullmatch(rf"{re.escape(stem)}\(([A-Z])\)", clean(text)))
    )
    return f"{stem}({letter})" if letter else record
