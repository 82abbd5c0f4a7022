"""车牌 (licence plate): the number, checked against the plate formats, and its colour."""

from __future__ import annotations

import colorsys
import math
import re

from bot.numbers import (
    CONFUSABLE,
    PLATE,
    PLATE_SEPARATORS,
    PROVINCES,
    plate_candidates,
    plate_fix,
    single_fix,
)
from bot.ocr.local.extract import Result
from bot.ocr.local.layout import Row, likeliest, rows
from bot.ocr.local.page import Line, Page, region

PROVINCE_MARGIN = 2.0  # nats by which the image must prefer one province over the next
# Below the margin the likeliest province is given, to be checked, where the image
# leans to it by this much at least: an exact tie (a smear that reads as nothing) is no lean.
PROVINCE_LEAN = 0.05
PROVINCE_WARNING = "车牌省份字符不清晰，请核对"
AUTHORITY_WARNING = "车牌字母不清晰，请核对"  # the letter after the province, chosen by the image
LENGTH_WARNING = "车牌位数与颜色不符，请核对"
FORMAT_WARNING = "车牌号码格式不符，请核对"  # what was read is given, but it is no plate
# Read as no plate, but one confusable character from exactly one (浙A012345, the D of a
# new-energy plate read as 0): that one is given, warned.
REPAIRED_WARNING = "车牌号码有一字符按格式更正，请核对"
# A plate with one of these was read as no plate: the image may be upside down.
UNFORMED = frozenset({FORMAT_WARNING, REPAIRED_WARNING})
# A plate with one of these is not as read: a part chosen by the image, or no plate at all.
GUESSED = UNFORMED | {PROVINCE_WARNING, AUTHORITY_WARNING}
# Nats by which the image must prefer the serial as read over one a confusable character
# away. Of the LPRNet test crops' plates read wrong with no warning, all three were within
# 2.5 (a Q read as 0, a letter as a digit); of those read right, one in forty is.
SERIAL_MARGIN = 2.5
SERIAL_WARNING = "车牌号码字符不清晰，请核对"
# The shapes a serial character may be: the usual confusions, and the round ones among
# themselves (a small Q's tail is lost to blur, and it reads as 0).
_SERIAL_SHAPES = {**CONFUSABLE, "0": "D8Q", "D": "0Q", "Q": "0D"}
# Between a plate's characters as read: as written, and the full-width dots too.
_SEPARATOR = re.compile(f"[{PLATE_SEPARATORS}・．]")


def _hsv(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    return h * 360, s, v


def _deep_blue(rgb: tuple[int, int, int]) -> bool:
    hue, sat, _ = _hsv(rgb)
    return 200 <= hue <= 260 and sat >= 0.7 and rgb[2] - max(rgb[:2]) >= 10


def _yellow(rgb: tuple[int, int, int]) -> bool:
    hue, sat, val = _hsv(rgb)
    return sat >= 0.3 and val >= 0.2 and 20 <= hue < 75


def _paint(
    light: tuple[int, int, int],
    dark: tuple[int, int, int],
    mean: tuple[int, int, int] | None = None,
) -> str | None:
    """A plate's colour from its two tones. Yellow and green plates carry dark print on
    coloured paint (the light tone has the hue); blue ones light print on blue paint (the
    dark tone has it, however dim the photo); white and black plates have no hue. Deep
    blue paint is blue whatever tint the light gives the print (foliage, street lamps):
    the dark print of yellow and green plates is not so blue, unless the light makes it
    so (a cold lamp, a blue sky in the lacquer). Then the paint is most of the box: a
    yellow mean over yellow light and deep blue tones is a yellow plate."""
    if _deep_blue(dark) and not (mean is not None and _yellow(light) and _yellow(mean)):
        return "blue"
    if _yellow(light):
        return "yellow"
    hue, sat, val = _hsv(light)
    if sat >= 0.25 and val >= 0.2 and 75 <= hue < 170:
        return "green"
    hue, sat, val = _hsv(dark)
    if sat >= 0.12 and 150 <= hue <= 280:
        return "blue"
    return None


FAINT = 3  # levels by which a washed-out plate's faint hue must lean one way


def _faint_paint(light: tuple[int, int, int], dark: tuple[int, int, int]) -> str | None:
    """The paint of a plate washed out to grey (a road camera's crop, a dim car park),
    from the faint hue it keeps: yellow or green in the light tone, blue in the dark
    one. Only for a civilian number (a province first, no 警): such a plate is blue,
    yellow or green, never white, so the strongest lean, however faint, decides."""
    leans = {
        "yellow": min(light[0], light[1]) - light[2],
        "green": light[1] - max(light[0], light[2]),
        "blue": dark[2] - max(dark[0], dark[1]),
    }
    best = max(leans, key=lambda k: leans[k])
    return best if leans[best] >= FAINT else None


def plate_color(
    rgb: tuple[int, int, int] | None,
    number: str,
    tones: tuple[tuple[int, int, int], tuple[int, int, int]] | None = None,
) -> str | None:
    """Plate colour from its format, else from the pixels of the plate's text box: its
    two tones when known, else its mean colour."""
    if len(number) == 8 and number[-1] not in "挂学警港澳领试超":
        return "green"  # new-energy plates have 6 characters after the city letter
    if number.endswith("警") or number.startswith("WJ"):
        return "white"
    if number.startswith("使") or number.endswith(("领", "港", "澳")):
        return "black"  # embassies', consulates' and Hong Kong or Macao cars' plates
    if tones is not None:
        paint = _paint(*tones, rgb)
        if paint is None and number[:1] in PROVINCES:
            paint = _faint_paint(*tones)
        return paint or ("white" if _hsv(tones[0])[2] >= 0.5 else None)
    if rgb is None:
        return None
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    if v < 0.25:
        return "black"
    if s < 0.2:
        return "white"
    hue = h * 360
    if 190 <= hue <= 260:
        return "blue"
    if 35 <= hue < 75:
        return "yellow"
    if 75 <= hue < 170:
        return "green"
    return None


def _join(lines: list[Line]) -> str:
    """The text of a row's boxes, left to right. Two boxes that overlap may both hold
    the characters they share (``沪D·5816`` and ``6警``): the second one's are dropped
    when the first one ends with them."""
    text = ""
    for prev, ln in zip([None, *lines], lines, strict=False):
        t = ln.text
        if prev is not None and ln.x0 < prev.x1 and t:
            shared = round((prev.x1 - ln.x0) / (ln.width / len(t)))
            if 0 < shared < len(t) and text.endswith(t[:shared]):
                t = t[shared:]
        text += t
    return text


def _join_rows(page: Page) -> tuple[list[tuple[str, Line]], set[Line]]:
    """Each row's text (a plate may be read as two boxes either side of its dot), and a
    two-row plate's (a lorry's rear plate: province and letter small above, the rest
    large below) as one, with the lower row's box; and the boxes of those two-row
    readings."""
    out = []
    grid = rows(page.lines)
    for row in grid:
        text = _join(row.lines)
        widest = max(row.lines, key=lambda ln: ln.width)
        out.append((text, widest))
    for upper, lower in zip(grid, grid[1:], strict=False):
        top = _upper(_join(upper.lines))
        wide = max(lower.lines, key=lambda ln: ln.width)
        above = upper.cy <= wide.y0 + 0.25 * wide.height and wide.y0 - upper.y1 < wide.height
        inside = wide.x0 - wide.height < upper.x0 and upper.lines[-1].x1 < wide.x1 + wide.height
        if not (above and inside and 1 <= len(top) <= 2):
            continue
        tops = [top] if len(top) == 2 else _upper_row(page, upper, wide)
        out += [(t + _join(lower.lines), wide) for t in dict.fromkeys(tops)]
    one_row = len(grid)
    out += [item for line in page.lines for item in _upper_row_inside(page, line)]
    return out, {line for _, line in out[one_row:]}


# Shapes a lone capital of a plate's upper row is read as (J as a corner bracket).
_LETTER_SHAPES = str.maketrans({"」": "J", "亅": "J", "丁": "J"})


def _upper(text: str) -> str:
    """A two-row plate's upper row as read, spaces and dots out, its letter a letter."""
    text = re.sub(r"[\s·.]", "", text)
    return text[:1] + text[1:].translate(_LETTER_SHAPES)


def _upper_row(page: Page, upper: Row, wide: Line) -> list[str]:
    """A two-row plate's upper row read again across the plate's width, when its lone
    authority letter went unboxed. The band stops short of the lower row's box, which
    may reach up into the upper row's (a scan's lower box can take in the rivets above
    it and cut the letter in half): then the upper row's own box is read too."""
    bottoms = dict.fromkeys([min(upper.y1, wide.y0 + 0.1 * wide.height), upper.y1])
    for bottom in bottoms:
        band = region(wide.x0, upper.y0, wide.x1, bottom)
        tops = [t for again, _ in page.reread_line(band) if len(t := _upper(again)) == 2]
        if tops:  # a province and a letter first: a misread letter (丁 for J) fits no plate
            return sorted(tops, key=lambda t: not re.fullmatch(f"[{PROVINCES}][A-Z]", t))
    return []


def _upper_row_inside(page: Page, line: Line) -> list[tuple[str, Line]]:
    """A two-row plate boxed whole, of which the recognizer read the large lower row
    alone (five letters and digits, or four digits and 学 or 挂, in a box under two and a
    half times as wide as high; a faded tight crop is boxed so): its upper
    row, the province and the authority letter, is read again from the box's top."""
    text = re.sub(r"[\s·.]", "", line.text)
    if not re.fullmatch(r"[A-Z0-9]{5}|[A-Z0-9]{4}[学挂]", text) or line.width >= 2.5 * line.height:
        return []
    band = region(line.x0, line.y0, line.x1, line.y0 + 0.4 * line.height)
    tops = [m[0] for again, _ in page.reread_line(band)
            if (m := re.search(f"[{PROVINCES}][A-Z]", _upper(again)))]  # fmt: skip
    return [(top + text, line) for top in dict.fromkeys(tops)]


def read_wider(page: Page, line: Line) -> str | None:
    """The plate read again a character wider on both sides: the detector may leave out
    a character of another colour (a police plate's red 警 beside the black print). Then
    wider still on the left, where it may leave out the province and letter before the
    dot (·BH830: a thin 渝 and a lone L set apart)."""
    char = line.width / max(1, len(line.text))
    for left, right in ((char, char), (2.5 * char, 0.0)):
        wider = region(max(0.0, line.x0 - left), line.y0, line.x1 + right, line.y1)
        found = next((n for again, _ in page.reread_line(wider) if (n := plate_fix(again))), None)
        if found:
            return found
    return None


def province_by_image(page: Page, line: Line, text: str, *, dotted: bool = True) -> str | None:
    """The plate with its province character chosen by the image, when the reading's
    first character is no province (smeared, cut by the crop, or left out): each of the
    31 in its place, scored against the line's crop with the recognizer's per-frame
    probabilities (CTC); the best must beat the next by ``PROVINCE_MARGIN``. ``dotted``:
    the line prints the plate as a plate does, a dot after the letter (a vehicle
    licence prints it without)."""
    return likeliest(province_scores(page, line, text, dotted=dotted), PROVINCE_MARGIN, alone=True)


def province_scores(page: Page, line: Line, text: str, *, dotted: bool = True) -> dict[str, float]:
    """Each plate the reading makes with a province in its place (its first character
    misread, or missing), and how likely the line's crop makes it (log-probability);
    empty when the reading starts with a province or the image is not at hand."""
    raw = next(iter(plate_candidates(text)), "")
    if not raw or raw[0] in PROVINCES:
        return {}
    numbers = [number for rest in (raw[1:], raw)  # the first character misread, or missing
               for p in PROVINCES if (number := plate_fix(p + rest)) is not None]  # fmt: skip
    return _plate_scores(page, line, numbers, dotted=dotted)


def _plate_scores(
    page: Page, line: Line, numbers: list[str], *, dotted: bool = True
) -> dict[str, float]:
    """How likely the line's crop makes each plate of ``numbers`` (log-probability),
    each scored as the line prints it: with the dot after the letter, or without."""
    texts = {f"{n[:2]}·{n[2:]}" if dotted else n: n for n in numbers}
    return {texts[t]: score for t, score in page.score_texts(line, list(texts)).items()}


def authority_by_image(page: Page, line: Line, text: str) -> str | None:
    """The plate whose letter after the province was read as 0 or O, which the reading
    cannot name: a digit never stands there, and O only on the plain blue plates of some
    provinces' police, the one letter no other plate uses. O (on such a plate), D and Q,
    the round letters, each in its place, are scored against the line's crop; the
    likeliest by ``PROVINCE_MARGIN`` is the plate, else None. Only where the box holds
    the whole reading (not a row of two boxes, nor a two-row plate's rows joined)."""
    raw = next(iter(plate_candidates(text)), "")
    if text != line.text or len(raw) < 3 or raw[0] not in PROVINCES or raw[1] not in "0O":
        return None
    numbers = [n for letter in "DQ" if (n := plate_fix(raw[0] + letter + raw[2:]))]
    plain = numbers[0] if numbers and numbers[0][1] == "D" else ""  # an O plate's are a D one's
    if len(plain) == 7 and plain[-1] not in "挂学警港澳领试超" and _is_blue(page, line):
        numbers.append(raw[0] + "O" + plain[2:])
    return likeliest(_plate_scores(page, line, numbers), PROVINCE_MARGIN)


def _is_blue(page: Page, line: Line) -> bool:
    rgb, tones = page.middle_colours(line)
    return plate_color(rgb, "", tones) == "blue"


def _likeliest_province(text: str, line: Line, scores: dict[str, float]) -> str | None:
    """The plate with the province the image leans to, however little, when the line's
    box holds all that was read and the province alone is in doubt: every other
    character stays as read (but an I or O after the letter, which plates never hold,
    as 1 or 0). Too small or blurred for the image to be sure (the province is a
    plate's smallest, densest character), the likeliest, to be checked, is of more use
    than six characters that are no plate."""
    raw = next(iter(plate_candidates(text)), "")
    if text != line.text:  # read as two boxes: the widest does not hold the province
        return None
    as_read = {r[:1] + r[1:].replace("O", "0").replace("I", "1") for r in (raw, raw[1:])}
    number = likeliest(scores, PROVINCE_LEAN)
    return number if number is not None and number[1:] in as_read else None


def extract(page: Page) -> Result:
    result = Result()
    candidates, two_rows = _join_rows(page)
    candidates.sort(key=lambda item: -item[1].height)  # the plate is the biggest print
    best: tuple[str, Line] | None = None
    for text, line in candidates:
        number = plate_fix(text)
        if number is None:
            number = next((n for again, _ in page.reread_line(line) if (n := plate_fix(again))),
                          None) or read_wider(page, line)  # fmt: skip
        if number is None and (number := authority_by_image(page, line, text)):
            result.warnings.append(AUTHORITY_WARNING)
        if number:
            best = (number, line)
            break
    if best is not None and best[1] not in two_rows:
        # A bus or lorry paints its number large on its body (放大号), in a colour of its
        # own, above its plate, which has two rows: a two-row reading of the same number
        # below the painted one is the plate.
        painted = best[1]
        plates = [
            ln
            for t, ln in candidates
            if ln in two_rows
            and plate_fix(t) == best[0]
            and ln.y0 > painted.cy
            and ln.x0 < painted.x1
            and painted.x0 < ln.x1
        ]
        best = (best[0], plates[0]) if plates else best
    if best is None:  # the format holds but for the province: the image chooses it
        first: tuple[str, Line, dict[str, float]] | None = None
        for text, line in candidates[:2]:
            scores = province_scores(page, line, text)
            first = first or (text, line, scores)
            if number := likeliest(scores, PROVINCE_MARGIN, alone=True):
                best = (number, line)
                break
        if best is None and first is not None and (number := _likeliest_province(*first)):
            best = (number, first[1])
        if best is not None:
            result.warnings.append(PROVINCE_WARNING)
    if best is None:
        for text, line in candidates:
            raw = next(iter(plate_candidates(text)), "")
            if 6 <= len(raw) <= 9 and (number := single_fix(raw, _is_plate)):
                best = (number, line)
                result.warnings.append(REPAIRED_WARNING)
                break
            if 6 <= len(raw) <= 9:
                result.put("number", raw)
                # The paint is there to see however the number reads.
                rgb, tones = page.middle_colours(line)
                result.put("color", plate_color(rgb, raw, tones))
                result.warnings.append(FORMAT_WARNING)
                return result
    if best is None:
        return Result()
    number, line = best
    rgb, tones = page.middle_colours(line)  # the plate's own paint, not the car's around it
    paint = plate_color(rgb, "", tones)
    if len(number) == 7 and paint == "green":
        # Green paint is a new-energy plate's, and those have eight characters: one was
        # lost (a letter squeezed between the city's and the digits, read surely).
        eighth = _eighth(page, line, number)
        number = eighth or number
        if eighth is None:
            result.warnings.append(LENGTH_WARNING)
    if _serial_in_doubt(page, line, number):
        result.warnings.append(SERIAL_WARNING)
    result.put("number", number)
    result.put("color", plate_color(rgb, number, tones))
    if len(number) == 8 and paint == "blue":
        # Eight characters are a new-energy plate, and those are green: on blue paint, one
        # character too many was read (a dot, a screw, the frame).
        result.warnings.append(LENGTH_WARNING)
    return result


def _is_plate(text: str) -> bool:
    return PLATE.match(text) is not None


def _serial_in_doubt(page: Page, line: Line, number: str) -> bool:
    """Whether the image of ``line`` shows, nearly as surely as ``number``, a plate one
    character of the serial away from it (a Q whose tail the blur took read as 0, a B as
    8): each confusable shape in its place, scored against the crop, within
    ``SERIAL_MARGIN`` of the reading. Only where the line reads as the plate, or as its
    end (a two-row plate's lower row, the part after the dot in a box of its own): not
    a plate read again or chosen by the image (an O-lettered police plate's)."""
    places = [k for k, ch in enumerate(line.text) if not _SEPARATOR.fullmatch(ch)]
    text = "".join(line.text[k] for k in places)
    start = len(number) - len(text)
    if start == 0:
        same = plate_fix(text) == number
    else:
        same = start > 0 and number[start:] == text.upper().replace("O", "0").replace("I", "1")
    if not same:  # read again, or joined: the line's own reading is not the plate's
        return False

    def shown(plate: str) -> str:  # the plate as the line prints it
        chars = list(line.text)
        for k, ch in zip(places, plate[start:], strict=True):
            chars[k] = ch
        return "".join(chars)

    others = [shown(other) for i in range(max(start, 2), len(number))
              for shape in _SERIAL_SHAPES.get(number[i], "")
              if plate_fix(other := number[:i] + shape + number[i + 1 :]) == other]  # fmt: skip
    if not others:
        return False
    as_read = shown(number)
    scores = page.score_texts(line, [as_read, *others])
    read = scores.get(as_read)
    return read is not None and any(read - scores.get(o, -math.inf) < SERIAL_MARGIN for o in others)


def _eighth(page: Page, line: Line, number: str) -> str | None:
    """The eight-character plate that two readings of the line read again agree on, and
    that ``number`` is with one character left out; else None."""
    found = [n for again, _ in page.reread_line(line)
             if (n := plate_fix(again)) and len(n) == 8
             and any(n[:i] + n[i + 1 :] == number for i in range(8))]  # fmt: skip
    best = max(found, key=found.count, default=None)
    return best if best is not None and found.count(best) >= 2 else None
