"""The synthetic document generator: valid numbers, exact truth, determinism, photo effects."""

from __future__ import annotations

import io
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from mrz.checker.td3 import TD3CodeChecker
from PIL import Image
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_10

from bot.devtools.synth import generate, numbers, people, photo, supported_types
from bot.devtools.synth.__main__ import main as cli_main
from bot.devtools.synth.docs import Doc, licences
from bot.devtools.synth.docs.bizlicense import chinese_upper
from bot.devtools.synth.generator import (
    FRAMINGS,
    plate_cast,
    plate_faded,
    plate_framing,
    plate_on_road,
    print_shift,
    validity_one_row,
)
from bot.devtools.synth.photo import _inside, choose_rotation
from bot.devtools.synth.sampleset import items
from bot.numbers import plate_fix
from bot.ocr.base import DocType

DATA = Path(__file__).resolve().parents[1] / "data" / "synth"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

EXPECTED_FIELDS = {
    DocType.BANKCARD: {"number", "bank_name", "card_type"},
    DocType.DRIVINGLICENSE: {"id_num", "name", "sex", "nationality", "address", "birth_date",
                             "issue_date", "car_class", "valid_from", "valid_to", "official_seal"},
    DocType.DRIVING: {"plate_num", "vehicle_type", "owner", "addr", "use_character", "model",
                      "vin", "engine_num", "register_date", "issue_date"},
    DocType.BIZLICENSE: {"reg_num", "legal_representative", "enterprise_name",
                         "type_of_enterprise", "address", "business_scope",
                         "registered_capital", "valid_period", "registered_date"},
    DocType.PLATENUM: {"number", "color"},
    DocType.PASSPORT: {"number", "surname", "given_names", "nationality", "birth_date", "sex",
                       "expiry_date", "country", "mrz"},
    DocType.BUSINESSCARD: {"name", "title", "company", "phones", "emails", "address"},
    DocType.COMM: {"items"},
}  # fmt: skip


def test_every_cloud_type_and_the_local_extras_are_generated():
    assert set(supported_types()) == set(DocType) - {DocType.AUTO}


@pytest.mark.parametrize("doc_type", [t for t in DocType if t is not DocType.AUTO])
def test_each_type_renders_with_the_api_field_names(doc_type):
    sample = generate(doc_type, seed=3, mode="scan")
    assert sample.doc_type is doc_type
    assert max(sample.image.size) <= 1280
    assert Image.open(io.BytesIO(sample.jpeg)).format == "JPEG"
    if doc_type is DocType.IDCARD:
        expected = (
            {"type", "name", "id", "addr", "gender", "nationality"}
            if sample.truth["type"] == "Front"
            else {"type", "valid_date", "authority"}
        )
        assert set(sample.truth) == expected
    elif doc_type is DocType.DRIVING:
        back = {"record", "file_no", "passengers_num", "total_quality", "prepare_quality",
                "overall_size"}  # fmt: skip
        assert (
            set(sample.truth)
            == {
                "Front": EXPECTED_FIELDS[doc_type],
                "Both": EXPECTED_FIELDS[doc_type] | back | {"plate_num_b"},
                "Back": back | {"plate_num"},
            }[sample.side]
        )
    elif doc_type is DocType.BANKCARD:
        assert (
            EXPECTED_FIELDS[doc_type]
            <= set(sample.truth)
            <= {*EXPECTED_FIELDS[doc_type], "valid_thru"}
        )
    else:
        assert set(sample.truth) == EXPECTED_FIELDS[doc_type]
    assert all(v not in ("", None, []) for v in sample.truth.values())


def _id_matches(number: str, birth: str, sex: str) -> None:
    assert ric.is_valid(number), number
    assert ric.get_birth_date(number) == date.fromisoformat(birth)
    assert int(number[16]) % 2 == (1 if sex == "男" else 0)


@pytest.mark.parametrize("seed", range(6))
def test_id_card_front_passes_every_check(seed):
    t = generate("idcard", seed=seed, mode="scan", side="Front").truth
    number = t["id"]
    _id_matches(number, f"{number[6:10]}-{number[10:12]}-{number[12:14]}", t["gender"])
    assert t["addr"].startswith(ric.get_birth_place(number)["province"][:2])
    assert len(t["addr"]) >= 12
    assert t["nationality"] and t["gender"] in ("男", "女")


@pytest.mark.parametrize("seed", range(6))
def test_id_card_back_valid_date_format(seed):
    t = generate("idcard", seed=seed, mode="scan", side="Back").truth
    assert re.fullmatch(r"\d{8}-(\d{8}|长期)", t["valid_date"])
    start, _, end = t["valid_date"].partition("-")
    if end != "长期":
        assert int(end[:4]) - int(start[:4]) in (5, 10, 20) and end[4:] == start[4:]
    assert t["authority"].endswith(("公安局", "分局"))


def test_many_people_have_valid_consistent_id_numbers():
    rng = random.Random(42)
    for _ in range(300):
        p = people.person(rng)
        assert ric.is_valid(p.id_number)
        assert ric.get_birth_date(p.id_number) == p.birth
        assert p.address.startswith(p.region.province)


@pytest.mark.parametrize("seed", range(8))
def test_bank_card_numbers_are_luhn_valid_with_real_bins(seed):
    t = generate("bankcard", seed=seed, mode="scan").truth
    assert t["number"].isdigit() and 16 <= len(t["number"]) <= 19
    assert numbers.luhn_valid(t["number"])
    bin_ = next(b for b in numbers.BINS if t["number"].startswith(b.prefix))
    assert (bin_.bank, bin_.card_type, bin_.length) == (
        t["bank_name"],
        t["card_type"],
        len(t["number"]),
    )
    if "valid_thru" in t:
        assert re.fullmatch(r"(0[1-9]|1[0-2])/\d\d", t["valid_thru"])


def test_luhn_and_vin_against_published_examples():
    assert numbers.luhn_valid("79927398713") and not numbers.luhn_valid("79927398710")
    assert numbers.luhn_digit("7992739871") == "3"
    assert numbers.vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert numbers.vin_valid("1M8GDM9AXKP042788") and not numbers.vin_valid("1M8GDM9A1KP042788")


@pytest.mark.parametrize("seed", range(4))
def test_driving_licence_fields_agree(seed):
    t = generate("drivinglicense", seed=seed, mode="scan", side="Front").truth
    _id_matches(t["id_num"], t["birth_date"], t["sex"])
    for key in ("birth_date", "issue_date", "valid_from"):
        assert ISO_DATE.match(t[key]), key
    assert t["birth_date"] < t["issue_date"] <= t["valid_from"]
    assert t["valid_to"] == "长期" or t["valid_from"] < t["valid_to"]
    assert t["nationality"] == "中国" and t["official_seal"].endswith("公安局交通警察支队")


@pytest.mark.parametrize("seed", range(4))
def test_vehicle_licence_vin_plate_and_dates(seed):
    t = generate("driving", seed=seed, mode="scan").truth
    assert numbers.vin_valid(t["vin"]), t["vin"]
    assert numbers.plate_valid(t["plate_num"]), t["plate_num"]
    assert ISO_DATE.match(t["register_date"]) and ISO_DATE.match(t["issue_date"])
    assert t["register_date"] <= t["issue_date"]


def test_vehicle_licence_back_page_fields():
    t = generate("driving", seed=5, mode="scan", side="Both").truth
    assert t["plate_num_b"] == t["plate_num"]
    assert re.fullmatch(r"\d{12}", t["file_no"]) and re.fullmatch(r"[2-7]人", t["passengers_num"])
    # WeChat's record is the inspection stamp in the 检验记录 box.
    assert re.fullmatch(r"检验有效期至20\d\d年\d\d月\w\(\w\)", t["record"])
    total, prepare = (int(t[k].removesuffix("kg")) for k in ("total_quality", "prepare_quality"))
    assert prepare < total
    assert re.fullmatch(r"\d{4}×\d{4}×\d{4}mm", t["overall_size"])  # as printed
    front = generate("driving", seed=5, mode="scan", side="Front")
    assert front.side == "Front" and "record" not in front.truth
    assert all(front.truth[k] == t[k] for k in front.truth)


def test_driving_licences_of_every_issue_alone_or_beside_their_back_page():
    """Older licences print 有效起始日期 and a duration, newer ones the period; the
    副页 lies beside or below the main page. The look never changes the truth."""
    seen = {}
    for seed in range(24):
        sample = generate("drivinglicense", seed=seed, mode="scan", side="Front")
        seen.setdefault((sample.meta["issue"], sample.meta.get("pages")), sample)
        t = sample.truth
        if t["valid_to"] == "长期":
            continue
        start, end = date.fromisoformat(t["valid_from"]), date.fromisoformat(t["valid_to"])
        assert end.replace(year=start.year) == start and end.year - start.year in (6, 10)
    assert {issue for issue, _ in seen} == {"older", "newer"}
    assert {pages for _, pages in seen} == {None, "beside", "below"}
    beside = next(s for (_, pages), s in seen.items() if pages == "beside")
    assert beside.image.width > 2 * beside.image.height


def test_driver_s_licence_seals_are_drawn_as_large_as_on_real_cards():
    """On real driver's licences the detachment's seal spans about a fifth of the card's
    width, square, in a space the form leaves left of the middle rows' labels; drawn
    smaller, a long name's characters were a few pixels of smudge on a licence
    photographed beside its 副页, unreadable to anyone. Half the cards keep the round seal
    drawn first, over the labels."""
    measured, forms = 0, set()
    for seed in range(40):
        sample = generate("drivinglicense", seed=seed, mode="scan", side="Front")
        if sample.meta.get("pages"):
            continue  # the main page alone: its width is the card's
        measured += 1
        r, g, b = np.moveaxis(np.asarray(sample.image.convert("RGB"), np.int16), 2, 0)
        red = (r > 150) & (r - g > 70) & (r - b > 70)
        cols = np.flatnonzero(red.any(axis=0))
        width = sample.image.width
        assert (cols[-1] - cols[0]) / width >= 0.19, seed  # a fifth of the card, edge to edge
        form = sample.meta.get("seal", "round")
        forms.add(form)
        if form == "square":  # in its space, the labels beside it clear
            assert cols[-1] <= 30 + licences.SEAL_SPACE, seed
        else:  # over the labels, clear of the values: its centre is at most 100 px in
            assert cols[-1] <= 100 + licences.SEAL_RADIUS + 2, seed
    assert measured >= 4 and forms == {"square", "round"}


def test_vehicle_licences_stamp_the_real_square_seal_left_of_three_rows():
    """Real vehicle licences stamp the seal square, its name in rows, in a space left of
    the VIN, engine and register rows' labels (the dev set's cards); half are drawn so,
    the others keep the round seal at the right."""
    forms = {}
    for seed in range(12):
        sample = generate("driving", seed=seed, mode="scan", side="Front")
        r, g, b = np.moveaxis(np.asarray(sample.image.convert("RGB"), np.int16), 2, 0)
        cols = np.flatnonzero(((r > 150) & (r - g > 70) & (r - b > 70)).any(axis=0))
        form = sample.meta.get("seal", "round")
        forms[form] = forms.get(form, 0) + 1
        if form == "square":
            assert cols[0] >= 30 and cols[-1] <= 30 + licences.SEAL_SPACE, seed
        else:
            assert cols[0] > sample.image.width / 2, seed
    assert set(forms) == {"square", "round"}


def test_driving_licences_renewed_twice_are_long_term_in_both_issues():
    """Renewals run 6 years, then 10, then 长期: a licence first issued 16 years before
    its current period prints 长期 (the older issue as its 有效期限, the newer after 至)."""
    issues = set()
    for seed in range(80):
        sample = generate("drivinglicense", seed=seed, mode="scan", side="Front")
        t = sample.truth
        first, start = date.fromisoformat(t["issue_date"]), date.fromisoformat(t["valid_from"])
        assert (t["valid_to"] == "长期") == (start.year - first.year == 16)
        if t["valid_to"] == "长期":
            issues.add(sample.meta["issue"])
    assert issues == {"older", "newer"}


def test_driving_licence_back_page_alone():
    """One in ten driver's licences is its 副页 alone: 证号 and 姓名 as on the main page,
    档案编号, and the date to renew by, which is the main page's valid_to."""
    samples = [generate("drivinglicense", seed=seed, mode="scan") for seed in range(40)]
    backs = [s for s in samples if s.side == "Back"]
    assert 1 <= len(backs) <= 10
    back = backs[0]
    main = generate("drivinglicense", seed=back.meta["seed"], mode="scan", side="Front")
    assert set(back.truth) <= {"id_num", "name", "file_no", "valid_to"}
    assert {k: main.truth[k] for k in ("id_num", "name")} == {
        k: back.truth[k] for k in ("id_num", "name")
    }
    assert back.truth.get("valid_to", "长期") == main.truth["valid_to"]
    assert re.fullmatch(r"\d{12}", back.truth["file_no"])
    assert back.image.width > back.image.height and back.image.width < 1.6 * back.image.height


def test_vehicle_licence_back_page_alone():
    """The 副页 photographed alone: its 号牌号码 is the plate, no main-page field."""
    both = generate("driving", seed=5, mode="scan", side="Both")
    back = generate("driving", seed=5, mode="scan", side="Back")
    assert back.side == "Back" and back.image.width > back.image.height
    assert back.truth["plate_num"] == both.truth["plate_num"]
    assert "vin" not in back.truth and "plate_num_b" not in back.truth
    assert {k: both.truth[k] for k in back.truth if k != "plate_num"} == {
        k: v for k, v in back.truth.items() if k != "plate_num"
    }
    sides = {generate("driving", seed=s, mode="scan").side for s in range(30)}
    assert sides == {"Front", "Both", "Back"}  # left to the seed, every arrangement comes


def test_vehicle_licence_pages_below_or_beside():
    """Both pages in one photo: below the main page (in its sleeve) or beside it."""
    found = {}
    for seed in range(12):
        sample = generate("driving", seed=seed, mode="scan", side="Both")
        found.setdefault(sample.meta["pages"], sample)
    assert set(found) == {"below", "beside"}
    assert found["below"].image.height > found["below"].image.width
    assert found["beside"].image.width > 1.5 * found["beside"].image.height


@pytest.mark.parametrize("seed", range(4))
def test_business_licence_credit_code_and_dates(seed):
    sample = generate("bizlicense", seed=seed, mode="scan")
    assert sample.meta.get("style") != "older"  # those are below
    t = sample.truth
    assert uscc.is_valid(t["reg_num"]) and t["reg_num"].startswith("91")
    date_cn = r"\d{4}年\d\d月\d\d日"
    assert re.fullmatch(date_cn, t["registered_date"])
    assert re.fullmatch(f"{date_cn}至(长期|{date_cn})", t["valid_period"])
    assert t["valid_period"].startswith(t["registered_date"])
    assert t["registered_capital"].endswith("万元整")


def test_older_business_licences_have_a_registration_number_and_unpadded_dates():
    """Licences before the 2015 credit codes: a 15-digit 注册号 (ISO 7064 MOD 11,10) and
    dates as they printed them (2012年1月4日), in a portrait layout."""
    older = [s for seed in range(12) if (s := generate("bizlicense", seed=seed, mode="scan"))
             .meta.get("style") == "older"]  # fmt: skip
    assert older
    for sample in older:
        t = sample.truth
        assert len(t["reg_num"]) == 15 and mod_11_10.is_valid(t["reg_num"])
        assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", t["registered_date"])
        assert t["valid_period"].startswith(t["registered_date"] + "至")
        assert sample.image.height > sample.image.width
        assert (
            date(2000, 1, 1)
            <= date(*map(int, re.findall(r"\d+", t["registered_date"])))
            < date(2015, 10, 1)
        )


def test_business_licences_come_stamped_across_and_scanned_small():
    """Copies people send: a stamp such as 仅供存档 across the text, scans 600 px wide.
    Neither changes the truth (they come from the style stream)."""
    from bot.devtools.synth.docs import bizlicense

    plain = Image.new("RGB", (1240, 880), (250, 250, 250))
    stamped = bizlicense.stamp_across(plain, random.Random(3))
    assert stamped.size == plain.size and np.asarray(stamped).std() > 1
    samples = [generate("bizlicense", seed=seed, mode="scan") for seed in range(40)]
    copies = [s.meta["copy"] for s in samples]
    assert any("stamped" in c for c in copies) and any("600px" in c for c in copies)
    assert {s.image.width for s in samples if "600px" in s.meta["copy"]} == {600}
    assert any(not c for c in copies)


def test_chinese_financial_numerals():
    assert [chinese_upper(n) for n in (10, 250, 1000, 1050, 2005, 9999)] == [
        "壹拾", "贰佰伍拾", "壹仟", "壹仟零伍拾", "贰仟零伍", "玖仟玖佰玖拾玖",
    ]  # fmt: skip


def test_plate_formats_of_every_kind():
    rng = random.Random(5)
    lengths = {"blue": 7, "yellow": 7, "green": 8, "police": 7, "coach": 7, "trailer": 7}
    for kind, length in lengths.items():
        for _ in range(30):
            plate = numbers.plate(rng, kind)
            assert len(plate.number) == length and numbers.plate_valid(plate.number), plate
    assert numbers.plate(rng, "police").number.endswith("警")
    assert numbers.plate(rng, "coach").number.endswith("学")
    assert numbers.plate(rng, "trailer").number.endswith("挂")
    assert not numbers.plate_valid("粤B12345X") and not numbers.plate_valid("XB12345")


@pytest.mark.parametrize("seed", range(4))
def test_passport_mrz_check_digits_and_fields(seed):
    t = generate("passport", seed=seed, mode="scan").truth
    line1, line2 = t["mrz"]
    assert len(line1) == len(line2) == 44
    checker = TD3CodeChecker(f"{line1}\n{line2}")
    assert bool(checker), checker.report
    f = checker.fields()
    assert (f.surname, f.name, f.document_number) == (t["surname"], t["given_names"], t["number"])
    assert f.birth_date == t["birth_date"][2:].replace("-", "")
    assert f.expiry_date == t["expiry_date"][2:].replace("-", "")
    assert (f.sex, f.country, f.nationality) == (t["sex"], t["country"], t["nationality"])


def test_business_card_contacts_are_well_formed():
    t = generate("businesscard", seed=9, mode="scan").truth
    assert re.fullmatch(r"1[3-9]\d{9}", t["phones"][0])
    assert all(re.fullmatch(r"[a-z.]+@[a-z0-9.]+\.com", e) for e in t["emails"])


def test_same_seed_same_image_other_seed_other_document():
    a = generate("idcard", seed=77, mode="photo")
    b = generate("idcard", seed=77, mode="photo")
    c = generate("idcard", seed=78, mode="photo")
    assert a.jpeg == b.jpeg and a.truth == b.truth and a.meta == b.meta
    assert a.truth != c.truth


def test_truth_does_not_depend_on_the_mode():
    assert generate("driving", seed=12, mode="scan").truth == generate("driving", seed=12).truth


def _pixels(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"), np.float32)


def test_photo_rotation_is_counter_clockwise_and_undoable():
    upright = generate("bankcard", seed=4, mode="photo", rotation=0)
    for rotation in (90, 180, 270):
        turned = generate("bankcard", seed=4, mode="photo", rotation=rotation)
        assert turned.rotation == rotation
        back = turned.image.rotate(-rotation, expand=True)
        assert back.size == upright.image.size
        assert np.abs(_pixels(back) - _pixels(upright.image)).mean() < 3.0


def test_photo_mode_places_degrades_and_compresses():
    scan = generate("idcard", seed=21, mode="scan", side="Front")
    photo = generate("idcard", seed=21, mode="photo", side="Front", rotation=0)
    assert photo.image.size != scan.image.size  # the card sits on a larger background
    assert 60 <= photo.meta["quality"] <= 90 and scan.meta["quality"] == 85
    assert abs(photo.meta["tilt"]) <= 6 and photo.meta["background"]
    decoded = Image.open(io.BytesIO(photo.jpeg))
    assert decoded.format == "JPEG" and decoded.size == photo.image.size
    # Compression is lossy: the decoded photo is close to, but not exactly, the rendered one.
    diff = np.abs(_pixels(decoded) - _pixels(photo.image))
    assert 0 < diff.mean() < 6
    rotations = [choose_rotation(random.Random(s)) for s in range(400)]
    assert set(rotations) == {0, 90, 180, 270} and 0.6 < rotations.count(0) / 400 < 0.8


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        generate("auto", seed=1)
    with pytest.raises(ValueError):
        generate("idcard", seed=1, mode="sketch")
    with pytest.raises(ValueError):
        generate("idcard", seed=1, side="Left")
    with pytest.raises(ValueError):
        generate("idcard", seed=1, mode="photo", rotation=45)
    with pytest.raises(ValueError):
        generate("idcard", seed=1, seal="round")  # a driver's licence's alone
    with pytest.raises(ValueError):
        generate("drivinglicense", seed=1, seal="oval")
    assert generate("drivinglicense", seed=1, mode="scan", seal="square").meta["seal"] == "square"
    assert generate("driving", seed=1, mode="scan", seal="square").meta["seal"] == "square"


def test_committed_set_matches_the_generator():
    records = [json.loads(line) for line in (DATA / "truth.jsonl").read_text("utf-8").splitlines()]
    assert len(records) >= 2 * len(supported_types())
    assert {r["doc_type"] for r in records} == {t.value for t in supported_types()}
    assert {r["rotation"] for r in records if r["doc_type"] == "idcard"} == {0, 90, 180, 270}
    total = 0
    for item, r in zip(items(), records, strict=True):  # items() is how the set is made
        assert (r["doc_type"], r["seed"], r["mode"]) == (item.doc_type, item.seed, item.mode)
        path = DATA / r["file"]
        total += path.stat().st_size
        with Image.open(path) as img:
            assert max(img.size) <= 1280
            if r["rotation"] in (90, 270):
                assert img.height > img.width, r["file"]
        # The truth depends only on type, seed and side (given, or left to the seed as
        # items() leaves it), so a quick scan regenerates it.
        again = generate(item.doc_type, seed=item.seed, mode="scan", side=item.side)
        assert again.truth == r["truth"], r["file"]
    assert total < 4 * 1024 * 1024


def test_cli_writes_images_and_truth(tmp_path, capsys):
    assert cli_main(["--out", str(tmp_path), "--per-type", "2", "--seed", "50",
                     "--types", "platenum", "comm", "--mode", "both"]) == 0  # fmt: skip
    lines = [json.loads(x) for x in (tmp_path / "truth.jsonl").read_text("utf-8").splitlines()]
    assert [r["file"] for r in lines] == [
        "0000_platenum.jpg", "0001_platenum.jpg", "0002_comm.jpg", "0003_comm.jpg",
    ]  # fmt: skip
    assert [r["mode"] for r in lines] == ["photo", "scan", "photo", "scan"]
    assert [r["seed"] for r in lines] == [50, 51, 52, 53]
    for r in lines:
        assert (tmp_path / r["file"]).read_bytes()[:2] == b"\xff\xd8"
        assert r["truth"] == generate(r["doc_type"], seed=r["seed"], mode="scan").truth


def test_every_font_role_has_an_installed_face():
    from bot.devtools.synth import fonts

    for role in fonts.ROLES:
        faces = fonts.candidates(role)
        assert faces and all(Path(f.path).exists() for f in faces), role
    assert "fonts-noto-cjk" in fonts.FONT_PACKAGES  # what the error message tells people to install


def test_the_youngest_holders_still_get_valid_dates():
    youngest = people.add_years(people.TODAY, -16) - timedelta(days=1)
    issue, expiry = people.id_validity(random.Random(1), youngest)
    assert issue >= people.add_years(youngest, 16) and expiry == people.add_years(issue, 10)


def test_comm_truth_claims_only_characters_its_font_draws():
    """WenQuanYi Micro Hei maps ℃ to an empty glyph: such a page says °C instead."""
    from bot.devtools.synth import fonts

    micro = fonts.installed().get("WenQuanYi Micro Hei:Regular")
    if micro is not None:  # CI installs it; the check below holds either way
        assert not fonts.draws(fonts.load(micro, 30), "℃")
        assert fonts.draws(fonts.load(micro, 30), "°")
    seen = set()
    for seed in [700411, *range(40)]:
        sample = generate("comm", seed=seed, mode="scan")
        font = fonts.load(fonts.installed()[sample.meta["fonts"][0]], 30)
        for item in sample.truth["items"]:
            for char in item["text"].replace(" ", ""):
                assert fonts.draws(font, char), (seed, char, sample.meta["fonts"])
                seen.add(char)
    assert "°" in seen or "℃" in seen  # the temperature line was among them


def test_plate_photos_come_in_three_framings():
    """Real plate photos: held up, cropped tight to the plate (about 100 x 30 px), or a
    whole car in the street with the plate small. Each framing keeps the truth."""
    seeds = {f: [s for s in range(300) if plate_framing(s) == f] for f in FRAMINGS}
    assert all(20 < len(found) < 200 for found in seeds.values()), seeds
    for kind, found in seeds.items():
        seed = found[0]
        sample = generate("platenum", seed=seed, mode="photo")
        assert sample.meta["framing"] == kind
        assert sample.truth == generate("platenum", seed=seed, mode="scan").truth
        if kind == "tight":
            assert 90 <= sample.image.width <= 160 and sample.image.height < 60
        elif kind == "scene":
            assert sample.meta["fill"] <= 0.25 and sample.image.width >= 1000
        else:
            assert sample.meta["fill"] >= 0.55
    turned = generate("platenum", seed=seeds["tight"][0], mode="photo", rotation=90)
    assert turned.rotation == 90 and turned.image.height > turned.image.width
    with pytest.raises(ValueError):
        generate("idcard", seed=1, framing="tight")


def test_some_plate_scenes_are_a_road_cameras_frame():
    """Real road-camera frames show the plate small on a car's front (6-11 % of the
    width), among a grille's slats, lamps and the road's bars: two in five scenes of a
    one-row plate are drawn so, from their own stream (the plate and its truth stay as
    they were), upright unless a turn is asked for."""
    scenes = [s for s in range(400) if plate_framing(s) == "scene"]
    road = [s for s in scenes if plate_on_road(s)]
    assert 0.25 * len(scenes) <= len(road) <= 0.55 * len(scenes)
    samples = (generate("platenum", seed=s, mode="photo") for s in road)
    sample = next(s for s in samples if s.meta["road"] and s.truth["color"] == "blue")
    seed = sample.meta["seed"]
    assert sample.meta["rotation"] == 0 and sample.image.size == photo.ROAD_SIZE
    assert sample.truth == generate("platenum", seed=seed, mode="scan").truth
    left, top, right, bottom = sample.meta["plate_box"]
    assert 0.06 <= (right - left) / photo.ROAD_SIZE[0] <= 0.11
    assert sample.meta["fill"] == round((right - left) / photo.ROAD_SIZE[0], 3)
    # Where the plate is said to be, deep blue paint (PIL's hue 140-180) covers it.
    hsv = np.asarray(sample.image.crop((left, top, right, bottom)).convert("HSV"), np.int32)
    paint = (hsv[..., 0] > 140) & (hsv[..., 0] < 180) & (hsv[..., 1] > 120)
    assert paint.mean() > 0.5
    turned = generate("platenum", seed=seed, mode="photo", rotation=180)
    assert turned.meta["rotation"] == 180 and turned.image.size == photo.ROAD_SIZE
    two_rows = next(generate("platenum", seed=s, mode="photo") for s in road
                    if generate("platenum", seed=s, mode="scan").meta.get("rows") == 2)  # fmt: skip
    assert two_rows.meta["framing"] == "scene" and not two_rows.meta["road"]  # a rear plate
    other = next(s for s in scenes if s not in road)
    assert generate("platenum", seed=other, mode="photo").meta["road"] is False


def test_some_tight_plate_crops_are_faded():
    """Road-camera crops of real plates are often washed out: a share of tight crops is
    faded to low contrast, last and from its own stream (the plate and every other draw
    stay as they were)."""
    tight = [s for s in range(400) if plate_framing(s) == "tight"]
    faded = [s for s in tight if plate_faded(s)]
    assert 0.1 * len(tight) <= len(faded) <= 0.4 * len(tight)

    def contrast(seed: int) -> float:
        sample = generate("platenum", seed=seed, mode="photo")
        assert sample.meta["faded"] is (seed in faded)
        assert sample.truth == generate("platenum", seed=seed, mode="scan").truth
        return float(np.asarray(sample.image.convert("L"), np.float32).std())

    washed = [contrast(s) for s in faded[:5]]
    clear = [contrast(s) for s in [s for s in tight if s not in faded][:5]]
    assert max(washed) < min(clear)


def test_some_plate_photos_are_in_green_tinted_light():
    """Real car-park photos are often tinted green (trees, wet tarmac): a share of plate
    photos, held or in a scene, gets a dim green cast, last and from its own stream."""
    seeds = [s for s in range(400) if plate_framing(s) != "tight"]
    cast = [s for s in seeds if plate_cast(s)]
    assert 0.1 * len(seeds) <= len(cast) <= 0.3 * len(seeds)
    for seed in (cast[0], next(s for s in seeds if s not in cast)):
        sample = generate("platenum", seed=seed, mode="photo")
        assert sample.meta["cast"] is (seed in cast)
        assert sample.truth == generate("platenum", seed=seed, mode="scan").truth
    grey = Image.new("RGB", (8, 8), (200, 200, 200))
    r, g, b = np.asarray(photo.green_cast(grey, random.Random(1)), np.float32).mean(axis=(0, 1))
    assert g > 1.1 * max(r, b) and g < 200


def test_some_bank_cards_have_a_picture_across_the_number():
    """Real embossed numbers run over the card's picture (the detector then boxes them
    only up to it): a share of cards draws one across the number's right part, last,
    so every other draw and the truth stay the same."""
    from bot.devtools.synth.docs import bankcard as card_doc

    made = [card_doc.make(random.Random(s), random.Random(s)) for s in range(60)]
    pictured = [d for d in made if d.info.get("picture")]
    assert 5 <= len(pictured) <= 30
    doc = pictured[0]
    seed = made.index(doc)
    assert numbers.luhn_valid(doc.truth["number"])
    assert generate("bankcard", seed=seed, mode="scan").truth == generate(
        "bankcard", seed=seed, mode="photo").truth  # fmt: skip


def test_a_few_blue_plates_are_lettered_o_as_police_cars_are():
    """O after the province, the letter only some provinces' police use, on blue plates
    (one in twenty): well-formed where the same plate lettered D is. The number is drawn
    before the photo is taken, so scans (a tenth of a photo's time to make) show it."""
    samples = [generate(DocType.PLATENUM, seed=s, mode="scan") for s in range(200)]
    assert generate(DocType.PLATENUM, seed=5, mode="photo").truth == samples[5].truth
    lettered = [d.truth["number"] for d in samples if d.truth["number"][1] == "O"]
    assert 3 <= len(lettered) <= 20
    assert all(d.truth["color"] == "blue" for d in samples if d.truth["number"][1] == "O")
    assert all(numbers.plate_valid(n) and plate_fix(n[0] + "D" + n[2:]) for n in lettered)
    assert not numbers.plate_valid("粤I12345")
    assert not numbers.plate_valid("粤OD12345") and not numbers.plate_valid("粤O1234学")


def test_half_the_yellow_plates_have_two_rows():
    """Lorries and buses carry a two-row rear plate (440 x 220 mm), with the truth of a
    one-row plate."""
    samples = [generate("platenum", seed=seed, mode="scan") for seed in range(60)]
    two = [s for s in samples if s.meta.get("rows") == 2]
    yellow = [s for s in samples if s.truth["color"] == "yellow"]
    assert two and all(s.truth["color"] == "yellow" for s in two)
    assert len(two) < len(yellow)
    assert all(numbers.plate_valid(s.truth["number"]) for s in two)
    assert two[0].image.height > 0.4 * two[0].image.width


def test_a_quarter_of_bank_card_photos_lie_at_an_angle_on_a_desk():
    """Cards photographed lying on a desk at 12-30 degrees, from the side; the others
    held up, a few degrees off. Scans stay straight."""
    tilts = [generate("bankcard", seed=seed, mode="photo").meta["tilt"] for seed in range(40)]
    angled = [t for t in tilts if abs(t) >= 12]
    assert 4 <= len(angled) <= 18 and all(abs(t) <= 30 for t in angled)
    assert all(abs(t) <= 6 for t in tilts if abs(t) < 12)
    assert {t > 0 for t in angled} == {True, False}


def test_a_card_turned_on_a_desk_stays_inside_the_frame():
    """A card at 30 degrees reaches past a frame drawn for it upright; what the frame
    cut off (its 借记卡) was still asked for by the truth. It is moved in, and shrunk
    only as far as it must be, its shape kept; a card inside is left where it is."""
    frame = (1000, 700)
    cut = [(-60.0, 120.0), (900.0, -80.0), (1050.0, 600.0), (90.0, 760.0)]
    moved = _inside(cut, *frame)
    assert all(20 <= x <= 980 and 14 <= y <= 686 for x, y in moved)
    span = [max(c[i] for c in cut) - min(c[i] for c in cut) for i in (0, 1)]
    span_moved = [max(c[i] for c in moved) - min(c[i] for c in moved) for i in (0, 1)]
    assert span_moved[0] / span[0] == pytest.approx(span_moved[1] / span[1])
    assert max(span_moved[0] / 960, span_moved[1] / 672) == pytest.approx(1.0)
    inside = [(100.1, 100.7), (800.3, 90.9), (820.7, 600.1), (110.9, 610.3)]
    assert _inside(inside, *frame) == inside


def test_a_fifth_of_driver_licences_are_printed_out_of_register():
    """The values are printed on a pre-printed form; a card fed out of register has them
    0.1-0.2 of a row below their labels (性别 and 国籍 then sit above the name). The shift
    has its own stream: the truth, and every other draw, stay as they were."""
    shifts = [print_shift(seed) for seed in range(200)]
    low = [s for s in shifts if s]
    assert 20 <= len(low) <= 60 and all(0.1 <= s <= 0.2 for s in low)
    seed = shifts.index(low[0])
    shifted = generate("drivinglicense", seed=seed, mode="scan")
    assert shifted.meta["shift"] == round(low[0], 2)

    def card(shift: float) -> Doc:
        data, style = (random.Random(f"{seed}:drivinglicense:{p}") for p in ("data", "style"))
        return licences.make_drivinglicense(data, style, shifted.side, shift=shift)

    level, low_card = card(0.0), card(low[0])
    assert "shift" not in level.info and level.truth == low_card.truth == shifted.truth
    # Same card, same look: only where the values sit differs.
    assert level.image.size == low_card.image.size
    assert level.image.tobytes() != low_card.image.tobytes()


def test_half_of_older_driver_licences_print_their_validity_on_one_row():
    """Real older cards print 有效起始日期 and 有效期限 side by side on the last row
    (``有效起始日期 2012-06-18 有效期限 6年``); the generator draws half of them so, from
    its own stream: the truth, and every other draw, stay as they were."""
    one = [validity_one_row(seed) for seed in range(200)]
    assert 70 <= sum(one) <= 130
    samples = [generate("drivinglicense", seed=s, mode="scan") for s in range(60)]
    older = [x for x in samples if x.meta["issue"] == "older" and x.side != "Back"]
    drawn = [x for x in older if x.meta.get("validity") == "one row"]
    assert 0 < len(drawn) < len(older)
    assert all(one[x.meta["seed"]] for x in drawn)
    assert not any("validity" in x.meta for x in samples if x.meta["issue"] == "newer")
    seed = drawn[0].meta["seed"]

    def card(one_row: bool) -> Doc:
        data, style = (random.Random(f"{seed}:drivinglicense:{p}") for p in ("data", "style"))
        return licences.make_drivinglicense(data, style, drawn[0].side, one_row=one_row)

    rows, apart = card(True), card(False)
    assert rows.truth == apart.truth == drawn[0].truth
    assert rows.image.size == apart.image.size
    assert rows.image.tobytes() != apart.image.tobytes()


def test_one_id_front_in_five_has_its_labels_washed_out():
    """Glare or wear takes the pale blue labels of an ID card front (seen on real photos:
    姓名 unread, 性别 read as 拉别); the black values stay. Backs are untouched. The card
    is printed before it is photographed, so scans (quick to make) show it."""
    fades = [generate("idcard", seed=s, mode="scan", side="Front").meta["label_fade"]
             for s in range(60)]  # fmt: skip
    first = next(s for s, fade in enumerate(fades) if fade)
    assert generate("idcard", seed=first, side="Front").meta["label_fade"] == fades[first]
    washed = [f for f in fades if f]
    assert 5 <= len(washed) <= 22 and all(0.55 <= f <= 0.8 for f in washed)
    assert any(fades[:12]) and not all(fades[:12])  # both kinds below
    for seed in range(12):  # the 性别 label's darkest ink: 40 printed as new
        scan = np.asarray(generate("idcard", seed=seed, mode="scan", side="Front").image)
        darkest = scan[150:205, 55:150].min()
        assert darkest > 150 if fades[seed] else darkest < 60
    assert "label_fade" not in generate("idcard", seed=0, side="Back").meta
