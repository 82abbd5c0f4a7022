"""Just enough Hanyu Pinyin to romanise the names the generator makes for
passports and business cards (no tone marks; as printed in passports)."""

from __future__ import annotations

import random

SURNAMES: dict[str, str] = {
    "王": "WANG", "李": "LI", "张": "ZHANG", "刘": "LIU", "陈": "CHEN", "杨": "YANG",
    "黄": "HUANG", "赵": "ZHAO", "吴": "WU", "周": "ZHOU", "徐": "XU", "孙": "SUN", "马": "MA",
    "朱": "ZHU", "胡": "HU", "郭": "GUO", "何": "HE", "高": "GAO", "林": "LIN", "罗": "LUO",
    "郑": "ZHENG", "梁": "LIANG", "谢": "XIE", "宋": "SONG", "唐": "TANG", "许": "XU",
    "韩": "HAN", "冯": "FENG", "邓": "DENG", "曹": "CAO", "彭": "PENG", "曾": "ZENG",
    "肖": "XIAO", "田": "TIAN", "董": "DONG", "袁": "YUAN", "潘": "PAN", "蒋": "JIANG",
    "蔡": "CAI", "余": "YU", "杜": "DU", "叶": "YE", "程": "CHENG", "苏": "SU", "魏": "WEI",
    "丁": "DING", "沈": "SHEN", "姚": "YAO", "卢": "LU", "钟": "ZHONG", "欧阳": "OUYANG",
    "司马": "SIMA", "上官": "SHANGGUAN",
}  # fmt: skip
GIVEN_MALE: dict[str, str] = {
    "伟": "WEI", "强": "QIANG", "磊": "LEI", "军": "JUN", "勇": "YONG", "杰": "JIE", "涛": "TAO",
    "斌": "BIN", "超": "CHAO", "明": "MING", "刚": "GANG", "平": "PING", "辉": "HUI",
    "鹏": "PENG", "华": "HUA", "飞": "FEI", "鑫": "XIN", "波": "BO", "宇": "YU", "浩": "HAO",
    "凯": "KAI", "健": "JIAN", "俊": "JUN", "帆": "FAN", "龙": "LONG", "成": "CHENG",
    "建": "JIAN", "国": "GUO", "志": "ZHI", "文": "WEN", "博": "BO", "天": "TIAN",
    "翔": "XIANG", "轩": "XUAN", "帅": "SHUAI", "旭": "XU", "宁": "NING",
}  # fmt: skip
GIVEN_FEMALE: dict[str, str] = {
    "芳": "FANG", "娜": "NA", "敏": "MIN", "静": "JING", "丽": "LI", "艳": "YAN", "娟": "JUAN",
    "霞": "XIA", "燕": "YAN", "玲": "LING", "婷": "TING", "雪": "XUE", "琳": "LIN", "洁": "JIE",
    "莉": "LI", "颖": "YING", "慧": "HUI", "倩": "QIAN", "晶": "JING", "悦": "YUE", "怡": "YI",
    "欣": "XIN", "梅": "MEI", "兰": "LAN", "红": "HONG", "云": "YUN", "琪": "QI", "萱": "XUAN",
    "涵": "HAN", "雨": "YU", "诗": "SHI", "梦": "MENG", "瑶": "YAO",
}  # fmt: skip
GIVEN_ANY: dict[str, str] = {
    "一": "YI", "小": "XIAO", "春": "CHUN", "秋": "QIU", "海": "HAI", "晨": "CHEN",
    "阳": "YANG", "光": "GUANG", "新": "XIN", "永": "YONG", "德": "DE", "正": "ZHENG",
    "金": "JIN", "玉": "YU", "子": "ZI", "家": "JIA", "思": "SI", "佳": "JIA", "安": "AN",
    "嘉": "JIA", "晓": "XIAO", "月": "YUE",
}  # fmt: skip
PROVINCES: dict[str, str] = {
    "北京": "BEIJING", "天津": "TIANJIN", "河北": "HEBEI", "山西": "SHANXI",
    "内蒙古": "NEIMENGGU", "辽宁": "LIAONING", "吉林": "JILIN", "黑龙江": "HEILONGJIANG",
    "上海": "SHANGHAI", "江苏": "JIANGSU", "浙江": "ZHEJIANG", "安徽": "ANHUI", "福建": "FUJIAN",
    "江西": "JIANGXI", "山东": "SHANDONG", "河南": "HENAN", "湖北": "HUBEI", "湖南": "HUNAN",
    "广东": "GUANGDONG", "广西": "GUANGXI", "海南": "HAINAN", "重庆": "CHONGQING",
    "四川": "SICHUAN", "贵州": "GUIZHOU", "云南": "YUNNAN", "西藏": "XIZANG", "陕西": "SHAANXI",
    "甘肃": "GANSU", "青海": "QINGHAI", "宁夏": "NINGXIA", "新疆": "XINJIANG",
}  # fmt: skip


def name(rng: random.Random, sex: str) -> tuple[str, str, str, str]:
    """(surname, given name, SURNAME, GIVENNAME): Chinese characters and passport pinyin."""
    compound = rng.random() < 0.03
    surname = rng.choice(sorted(s for s in SURNAMES if (len(s) > 1) == compound))
    pool = {**(GIVEN_MALE if sex == "男" else GIVEN_FEMALE), **GIVEN_ANY}
    chars = [rng.choice(sorted(pool)) for _ in range(1 if rng.random() < 0.25 else 2)]
    return surname, "".join(chars), SURNAMES[surname], "".join(pool[c] for c in chars)


def province(full_name: str) -> tuple[str, str]:
    """The short Chinese province name and its pinyin, from e.g. 广西壮族自治区."""
    for short, latin in PROVINCES.items():
        if full_name.startswith(short):
            return short, latin
    raise KeyError(full_name)
