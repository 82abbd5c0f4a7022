"""Fake people: names, regions, addresses and ID numbers that pass every check.

Region codes come from python-stdnum's own table (``stdnum/cn/loc.dat``, the
administrative division codes with their years), so an ID number made here
is accepted by ``stdnum.cn.ric.validate`` (region valid in the birth year,
real date, check digit).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from stdnum.cn import ric

from bot.ocr.local.places import MUNICIPALITIES, loc_dat

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "慕容")
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欣成建国志文博天翔子轩浩然"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪琳洁莉颖慧倩晶悦佳怡欣梅兰红云琪萱涵雨诗梦瑶思嘉晓月"
GIVEN_ANY = "一小春秋海晨阳光明新永德正金玉子家思佳安乐宏"

ETHNICITIES = (
    "壮", "回", "满", "维吾尔", "苗", "彝", "土家", "藏", "蒙古", "侗", "布依", "瑶", "白",
    "朝鲜", "哈尼", "黎", "哈萨克", "傣",
)  # fmt: skip

ROAD_WORDS = (
    "人民", "解放", "建设", "中山", "和平", "胜利", "新华", "文化", "光明", "长江", "黄河", "东风",
    "朝阳", "青年", "幸福", "团结", "友谊", "迎宾", "滨河", "公园", "学府", "工业", "金融", "花园",
    "南京", "北京", "延安", "江南", "湖滨", "振兴", "育才", "长安", "世纪", "科技",
)  # fmt: skip
ROAD_KINDS = ("路", "路", "街", "大道", "大街", "巷")
ESTATE_WORDS = (
    "阳光", "锦绣", "碧桂", "万科", "金色", "翠湖", "绿洲", "星河", "华府", "书香", "和谐", "紫荆",
    "丽景", "嘉园", "御景", "春江", "盛世", "幸福",
)  # fmt: skip
ESTATE_KINDS = ("小区", "花园", "家园", "新村", "苑", "公寓", "城")
VILLAGE_WORDS = "张王李刘陈杨赵黄周吴徐孙马胡朱郭何高林罗"
TOWN_WORDS = (
    "新",
    "太平",
    "永安",
    "长乐",
    "青山",
    "白马",
    "石桥",
    "龙泉",
    "清河",
    "柳林",
    "三合",
    "双溪",
)


@dataclass(frozen=True)
class Region:
    """A county-level division with its names, valid today."""

    code: str  # 6 digits
    province: str
    city: str  # "" for municipalities and province-administered counties
    county: str
    since: int  # first year the current name/code is valid (0: always)

    @property
    def prefix(self) -> str:
        """The region as written at the start of an address."""
        return self.province + self.city + self.county


_ENTRY = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")


def _current(names: str) -> tuple[str, int] | None:
    """The name valid today from a loc.dat county value, and its first year."""
    for part in names.split(","):
        m = _ENTRY.match(part)
        if m and not m.group(2):  # open-ended
            return m.group(3), int(m.group(1) or 0)
    return None


@cache
def regions() -> tuple[Region, ...]:
    """Current county-level regions from python-stdnum's division table."""
    provinces: dict[str, str] = {}
    raw: dict[str, str] = {}
    province = ""
    for line in loc_dat():
        if m := re.match(r'^(\d{2}) province="([^"]+)"', line):
            province = m.group(1)
            provinces[province] = m.group(2)
        elif m := re.match(r'^  (\d{4}) county="([^"]+)"', line):
            raw[province + m.group(1)] = m.group(2)
    found = []
    for code, names in raw.items():
        cur = _current(names)
        if cur is None or code.endswith("00") or code[4:] == "01":
            continue
        name, since = cur
        if name in ("市辖区", "县", "市区", "郊区") or "办事处" in name or "直辖" in name:
            continue
        city = ""
        if code[:2] not in MUNICIPALITIES:
            city_cur = _current(raw.get(code[:4] + "00", ""))
            city = city_cur[0] if city_cur else ""
            if "直辖" in city or city == name or not city.endswith(("市", "州", "盟", "地区")):
                city = ""
        found.append(Region(code, provinces[code[:2]], city, name, since))
    return tuple(found)


def random_region(rng: random.Random) -> Region:
    return rng.choice(regions())


def chinese_name(rng: random.Random, sex: str) -> str:
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.03 else rng.choice(SURNAMES)
    pool = (GIVEN_MALE if sex == "男" else GIVEN_FEMALE) + GIVEN_ANY
    given = "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.25 else 2))
    return surname + given


def ethnicity(rng: random.Random) -> str:
    return "汉" if rng.random() < 0.85 else rng.choice(ETHNICITIES)


def street_address(rng: random.Random) -> str:
    """The part after the county: a street and number, an estate, or a village."""
    kind = rng.random()
    road = rng.choice(ROAD_WORDS) + rng.choice(ROAD_KINDS)
    if kind < 0.4:
        estate = rng.choice(ESTATE_WORDS) + rng.choice(ESTATE_KINDS)
        return (
            f"{road}{rng.randint(1, 999)}号{estate}{rng.randint(1, 30)}栋"
            f"{rng.randint(1, 6)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )
    if kind < 0.7:
        return f"{road}{rng.randint(1, 2999)}号"
    if kind < 0.85:
        town = rng.choice(TOWN_WORDS) + rng.choice(("镇", "乡"))
        village = rng.choice(VILLAGE_WORDS) + rng.choice(("家村", "庄村", "岗村", "湾村"))
        return f"{town}{village}{rng.randint(1, 12)}组{rng.randint(1, 120)}号"
    street = rng.choice(ROAD_WORDS) + "街道"
    return f"{street}{road}{rng.randint(1, 500)}号{rng.randint(1, 12)}号楼{rng.randint(101, 2404)}"


def address(rng: random.Random, region: Region) -> str:
    return region.prefix + street_address(rng)


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def id_number(rng: random.Random, region: Region, birth: date, sex: str) -> str:
    """An 18-character resident ID number: region, birth date, sequence, check digit."""
    seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "男" else (0, 2, 4, 6, 8))
    body = f"{region.code}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True)
class Person:
    name: str
    sex: str  # 男 / 女
    ethnicity: str
    birth: date
    region: Region
    address: str
    id_number: str


TODAY = date(2026, 1, 1)  # fixed, so a seed gives the same person on any day


def person(rng: random.Random, *, min_age: int = 16, max_age: int = 75) -> Person:
    """A consistent person: the ID number encodes the region, birth date and sex."""
    sex = rng.choice(("男", "女"))
    name = chinese_name(rng, sex)
    eth = ethnicity(rng)
    while True:
        region = random_region(rng)
        birth = random_date(
            rng, add_years(TODAY, -max_age), add_years(TODAY, -min_age) - timedelta(days=1)
        )
        if birth.year < region.since:
            continue
        number = id_number(rng, region, birth, sex)
        if ric.is_valid(number):
            break
    return Person(name, sex, eth, birth, region, address(rng, region), number)


def id_validity(rng: random.Random, birth: date) -> tuple[date, date | None]:
    """Issue date and expiry of an ID card (None: 长期), by the age at issue."""
    # Issued at 16 or later, by the end of 2025 (people are at least 16 on TODAY).
    issue = random_date(rng, max(add_years(birth, 16), date(2006, 1, 1)), TODAY - timedelta(days=1))
    age = (issue - birth).days // 365
    if age >= 46:
        return issue, None
    years = 5 if age < 16 else 10 if age < 26 else 20
    return issue, add_years(issue, years)


def police_authority(region: Region) -> str:
    """签发机关 as printed on the back of an ID card."""
    county = region.county
    if county.endswith("区") and region.city:
        return f"{region.city}公安局{county}分局"
    if county.endswith("区") and region.province.endswith("市"):  # municipalities
        return f"{region.province}公安局{county}分局"
    return f"{county}公安局"


BRAND_WORDS = "华鑫泰瑞恒达盛源丰宏兴隆博远弘创新嘉信诚通汇邦美辰星海安德"
INDUSTRIES = ("科技", "贸易", "信息技术", "电子", "建筑工程", "餐饮管理", "物流", "文化传媒",
              "医疗器械", "环保科技", "网络科技", "商贸", "机械设备", "食品")  # fmt: skip


def company_name(rng: random.Random, region: Region) -> str:
    """城市 + 字号 + 行业 + 组织形式, e.g. 深圳市鑫泰科技有限公司."""
    city = region.city or region.province
    suffix = "股份有限公司" if rng.random() < 0.1 else "有限公司"
    return city + "".join(rng.sample(BRAND_WORDS, 2)) + rng.choice(INDUSTRIES) + suffix
