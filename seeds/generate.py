"""Generate the demo data files in seeds/ (all of it invented DEMO DATA).

    .venv/bin/python seeds/generate.py

Writes, deterministically (same code, same bytes):

- seeds/districts.geojson: one feature per district with its core-area polygon
  in WGS-84 and its names, codes and (invented) chief station manager;
- seeds/qingdao.geojson, seeds/xianyang.geojson: the stations, in the exchange
  format of `manage.py import_stations` / `export_stations`.

Stations are sampled inside each district's core polygon (ray casting),
denser near the district's centres; see seeds/README.md.
"""

import datetime
import json
import math
import os
import random
import sys
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(SEEDS_DIR.parent))

from seeds.districts import CITIES, DISTRICTS  # noqa: E402
from seeds.geometry import gcj02_to_wgs84, point_in_ring  # noqa: E402

SEED = 20251122
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
STEP = Decimal("0.000001")
DEMO_NOTE = ("DEMO DATA: invented stations, people, phone numbers and e-mail addresses "
             "in real districts; not a register of real stations.")
EMAIL_DOMAIN = "demo.yizhan.example"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["建国", "建华", "志强", "志刚", "海涛", "秀英", "丽娟", "晓梅", "文斌", "德明", "玉兰", "永刚", "红梅",
         "国庆", "桂芳", "春生", "立新", "小红", "海燕", "军", "伟", "敏", "静", "磊", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "华", "丹", "萍", "鹏", "辉", "婷", "宁",
         "晓东", "晓燕", "雪梅", "志华", "振宇", "子涵", "浩然", "思远", "欣怡", "雨桐", "嘉怡", "俊杰"]
PROPERTY_COMPANIES = {
    "qingdao": ["青岛海悦物业服务有限公司", "青岛鑫城物业管理有限公司", "青岛海晨物业服务有限公司",
                "青岛瑞源物业管理有限公司", "青岛百合园物业服务有限公司", "青岛安居乐物业管理有限公司"],
    "xianyang": ["咸阳秦苑物业管理有限公司", "咸阳渭滨物业服务有限公司", "咸阳长乐物业管理有限公司",
                 "咸阳丰泽物业服务有限公司"],
}
PARTNER_BRANDS = {
    "bank": {"qingdao": ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "青岛银行",
                         "青岛农商银行", "中国邮政储蓄银行"],
             "xianyang": ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "长安银行", "秦农银行",
                          "中国邮政储蓄银行"]},
    "hotel": {"qingdao": ["如家酒店", "汉庭酒店", "锦江之星", "7天酒店", "格林豪泰酒店"],
              "xianyang": ["如家酒店", "汉庭酒店", "锦江之星", "7天酒店", "城市便捷酒店"]},
    "supermarket": {"qingdao": ["利群超市", "家乐福", "永辉超市", "大润发", "维客超市"],
                    "xianyang": ["人人乐超市", "华润万家", "永辉超市", "好又多超市"]},
    "petrol": {"qingdao": ["中国石化", "中国石油"], "xianyang": ["中国石化", "中国石油", "延长壳牌"]},
    "other": {"qingdao": ["中国移动营业厅", "新华书店", "海尔服务中心"],
              "xianyang": ["中国移动营业厅", "新华书店", "中国电信营业厅"]},
}
UNION_SUFFIXES = ["职工爱心驿站", "户外劳动者驿站", "工会驿站", "暖心驿站", "户外劳动者服务站"]
COMMUNITIES = ["幸福", "和平", "光明", "新兴", "朝阳", "团结", "民主", "文化", "建设", "育才", "阳光",
               "春晖", "秀水", "兴华", "康宁", "福安"]

BASE_AMENITIES = {
    "union": ["drinking-water", "hot-water", "seating", "phone-charging", "first-aid", "air-conditioning"],
    "booth": ["drinking-water", "phone-charging", "umbrella-loan"],
    "movable": ["drinking-water", "hot-water", "seating", "air-conditioning", "heating", "first-aid",
                "microwave", "toilet"],
    "bank": ["drinking-water", "seating", "phone-charging", "air-conditioning", "wifi", "toilet"],
    "hotel": ["drinking-water", "hot-water", "seating", "toilet", "phone-charging", "wifi"],
    "supermarket": ["drinking-water", "seating", "microwave", "phone-charging", "toilet"],
    "petrol": ["drinking-water", "toilet", "seating", "phone-charging"],
    "post": ["drinking-water", "seating", "reading", "phone-charging"],
    "other": ["drinking-water", "seating", "phone-charging"],
}
EXTRA_AMENITIES = ["microwave", "refrigerator", "heating", "toilet", "ebike-charging", "wifi", "umbrella-loan",
                   "reading", "legal-aid", "counselling", "haircut", "discounted-meals", "goods-exchange"]
HOURS = {
    "union": [("24/7", 60), ("Mo-Su 07:00-21:00", 18), ("Mo-Fr 08:00-20:00; Sa-Su 09:00-18:00", 10),
              ("Mo-Su 18:00-08:00", 6), ("Mo-Su 06:00-22:00", 6)],
    "courier": [("Mo-Su 08:00-22:00", 60), ("24/7", 40)],
    "booth": [("Mo-Su 10:00-14:00,17:00-21:00", 50), ("Mo-Su 22:00-06:00", 20), ("24/7", 30)],
    "movable": [("Mo-Su 06:00-20:00", 60), ("24/7", 40)],
    "bank": [("Mo-Fr 08:30-17:30; Sa-Su 09:00-17:00", 70), ("Mo-Su 09:00-17:00", 30)],
    "hotel": [("24/7", 100)],
    "supermarket": [("Mo-Su 07:30-22:00", 60), ("Mo-Su 08:00-21:30", 40)],
    "petrol": [("24/7", 80), ("Mo-Su 06:00-23:00", 20)],
    "post": [("Mo-Fr 08:30-17:30; Sa 09:00-12:00", 70), ("Mo-Su 08:30-17:00", 30)],
    "other": [("Mo-Su 09:00-21:00", 100)],
}


def weighted(rng, options):
    values, weights = zip(*options)
    return rng.choices(values, weights)[0]


def rounded(value):
    return Decimal(repr(value)).quantize(STEP, rounding=ROUND_HALF_UP)


def to_wgs_ring(ring):
    """A GCJ-02 core ring as a closed WGS-84 GeoJSON ring, 6 decimals."""
    points = []
    for lng, lat in ring:
        wgs_lat, wgs_lng = gcj02_to_wgs84(lat, lng)
        points.append([float(rounded(wgs_lng)), float(rounded(wgs_lat))])
    return points + [points[0]]


class DistrictSampler:
    def __init__(self, district, rng):
        self.district = district
        self.rng = rng
        self.wgs_ring = to_wgs_ring(district["core"])
        self.used = set()

    def point(self, around=None, spread_km=None):
        """A WGS-84 (lat, lng) inside the core, near a centre (or near `around`)."""
        for _ in range(10_000):
            if around is None:
                lng0, lat0, _weight, spread = self.rng.choices(
                    self.district["centres"], [c[2] for c in self.district["centres"]])[0]
            else:
                (lng0, lat0), spread = around, spread_km
            lat = lat0 + self.rng.gauss(0, spread) / 111.0
            lng = lng0 + self.rng.gauss(0, spread) / (111.0 * math.cos(math.radians(lat0)))
            if not point_in_ring(lng, lat, self.district["core"]):
                continue
            wgs_lat, wgs_lng = gcj02_to_wgs84(lat, lng)
            wgs_lat, wgs_lng = rounded(wgs_lat), rounded(wgs_lng)
            if (wgs_lat, wgs_lng) in self.used or not point_in_ring(float(wgs_lng), float(wgs_lat), self.wgs_ring):
                continue
            self.used.add((wgs_lat, wgs_lng))
            return wgs_lat, wgs_lng
        raise RuntimeError(f"cannot place a point in {self.district['code']}")


class Names:
    """Invented people and unique station names."""

    def __init__(self, rng):
        self.rng = rng
        self.station_names = set()

    def person(self):
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def unique(self, name):
        candidate, number = name, 2
        while candidate in self.station_names:
            candidate = f"{name}（{number}号点）"
            number += 1
        self.station_names.add(candidate)
        return candidate


def station_profile(rng, city, district, index, movable_left):
    """Kind and partner type for the index-th station of a district."""
    if district["code"] == "huangdao" and index < movable_left:
        return "movable", ""
    roll = rng.random()
    if city["code"] == "qingdao":
        if roll < 0.56:
            return "union", ""
        if roll < 0.62:
            return "booth", ""
    else:
        if roll < 0.45:
            return "union", ""
        if roll < 0.70:
            return "booth", ""
    partner = weighted(rng, [("bank", 30), ("supermarket", 20), ("petrol", 15), ("hotel", 14), ("post", 16),
                             ("other", 5)])
    return "partner", partner


def make_station(rng, names, city, district, sampler, number, kind, partner_type):
    street = rng.choice(district["streets"])
    house = rng.randint(1, 320)
    place = f"{city['name_zh']}{district['name_zh'].split('（')[0]}"
    address = f"{place}{street}{house}号"
    code = f"{city['prefix']}-{district['abbr']}-{number:04d}"
    courier = city["code"] == "xianyang" and kind == "union" and rng.random() < 0.5
    groups = set()
    positions = []
    if kind == "union":
        name = f"{street}快递员之家" if courier else f"{street}{rng.choice(UNION_SUFFIXES)}"
        operator = "property" if rng.random() < 0.3 else "union"
        area = rng.uniform(15, 80)
        hours_key = "courier" if courier else "union"
        groups |= {"courier", "food-delivery"} if courier else {"courier", "food-delivery", "sanitation"}
    elif kind == "booth":
        community = rng.choice(COMMUNITIES)
        name = (f"{community}社区骑手交接点" if rng.random() < 0.6 else f"{street}{community}社区便民服务亭")
        operator = "property" if rng.random() < 0.5 else "union"
        area = rng.uniform(3, 8)
        hours_key = "booth"
        groups |= {"courier", "food-delivery"}
    elif kind == "movable":
        operator, area, hours_key = "union", rng.uniform(12, 18), "movable"
        groups |= {"construction", "sanitation"}
        name = None  # from its current site, below
    else:
        brand = rng.choice(PARTNER_BRANDS.get(partner_type, {}).get(city["code"], [""])) if partner_type != "post" else ""
        short = city["name_zh"].removesuffix("市")
        name = {
            "bank": f"{brand}{short}{street}支行爱心驿站",
            "hotel": f"{brand}（{district['name_zh'].split('（')[0]}{street}店）爱心驿站",
            "supermarket": f"{brand}{street}店爱心驿站",
            "petrol": f"{brand}{street}加油站爱心驿站",
            "post": f"{short}{street}邮政支局爱心驿站",
            "other": f"{brand}（{street}）爱心驿站",
        }[partner_type]
        operator, area, hours_key = "partner", rng.uniform(8, 40), partner_type
        groups |= set(rng.sample(["courier", "food-delivery", "sanitation", "driver"], rng.randint(2, 4)))
    if rng.random() < 0.15:
        groups.add("traffic-police")
    if rng.random() < 0.1:
        groups.add("other")

    level = "city" if kind in ("movable", "booth") else weighted(rng, [("city", 75), ("provincial", 20), ("national", 5)])
    start = datetime.date(2019, 3, 1) if level == "national" else datetime.date(2020, 6, 1)
    end = datetime.date(2021, 12, 31) if level == "national" else datetime.date(2025, 9, 30)
    listed_on = start + datetime.timedelta(days=rng.randrange((end - start).days))
    status = weighted(rng, [("active", 96), ("suspended", 3), ("delisted", 1)])

    amenity_key = partner_type if kind == "partner" else kind
    amenities = set(BASE_AMENITIES[amenity_key])
    amenities |= set(rng.sample(EXTRA_AMENITIES, rng.randint(0, 4 if kind == "union" else 2)))
    if courier:
        amenities.add("ebike-charging")

    if kind == "movable":
        sites = rng.sample(district["sites"], rng.randint(2, 4))
        moment = datetime.datetime.combine(listed_on, datetime.time(9, 0), tzinfo=TZ)
        for site_name, site in sites:
            lat, lng = sampler.point(around=site, spread_km=0.3)
            positions.append((moment, lat, lng, f"{place}{site_name}施工现场", f"随{site_name}进场"))
            moment += datetime.timedelta(days=rng.randint(90, 270), hours=rng.randint(-2, 2))
        lat, lng = positions[-1][1], positions[-1][2]
        address = positions[-1][3]
        name = f"{sites[-1][0].removesuffix('项目')}移动驿站"
    else:
        lat, lng = sampler.point()

    operator_company = rng.choice(PROPERTY_COMPANIES[city["code"]]) if operator == "property" else ""
    phone_tail = int(code.rsplit("-", 1)[1]) + 1000 * (DISTRICTS.index(district) + 1)
    hours_text = weighted(rng, HOURS[hours_key])
    return {
        "code": code,
        "name": names.unique(name),
        "city": city["code"],
        "district": district["code"],
        "address": address,
        "latitude": lat,
        "longitude": lng,
        "kind": kind,
        "partner_type": partner_type,
        "operator": operator,
        "operator_company": operator_company,
        "floor_area": Decimal(repr(area)).quantize(Decimal("0.1")),
        "contact_phone": f"{city['area_code']}-5550{phone_tail % 10000:04d}",
        "manager_name": names.person(),
        "manager_phone": f"100-{phone_tail % 10000:04d}-{rng.randrange(10000):04d}",
        "manager_email": f"{code.lower()}@{EMAIL_DOMAIN}",
        "liaison_name": names.person(),
        "liaison_phone": f"100-{rng.randrange(10000):04d}-{phone_tail % 10000:04d}",
        "hours": hours_text,
        "amenities": tuple(sorted(amenities)),
        "groups_served": tuple(sorted(groups)),
        "level": level,
        "status": status,
        "listed_on": listed_on,
        "positions": tuple(positions),
    }


def generate_city(city):
    rng = random.Random(f"{SEED}-{city['code']}")
    names = Names(rng)
    records = []
    for district in (d for d in DISTRICTS if d["city"] == city["code"]):
        sampler = DistrictSampler(district, rng)
        movable = 12 if district["code"] == "huangdao" else 0
        for index in range(district["count"]):
            kind, partner_type = station_profile(rng, city, district, index, movable)
            records.append(make_station(rng, names, city, district, sampler, index + 1, kind, partner_type))
    return records


def district_features():
    cities = {city["code"]: city for city in CITIES}
    features = []
    for district in DISTRICTS:
        city = cities[district["city"]]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [to_wgs_ring(district["core"])]},
            "properties": {
                "city": city["code"], "city_name_zh": city["name_zh"], "city_name_en": city["name_en"],
                "code": district["code"], "abbr": district["abbr"], "adcode": district["adcode"],
                "name_zh": district["name_zh"], "name_en": district["name_en"],
                "chief_name": f"{district['chief']}（演示）",
                "chief_email": f"chief.{district['code']}@{EMAIL_DOMAIN}",
                "stations": district["count"], "demo": True,
            },
        })
    return features


def write_collection(path, header, features_json):
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                                     for k, v in header.items()) + ', "features": [\n')
        handle.write(",".join(line + "\n" for line in features_json))
        handle.write("]}\n")


def main(out_dir=SEEDS_DIR):
    out_dir = Path(out_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", "seeds-generator-needs-no-secret")
    import django

    django.setup()
    from stations import hours
    from stations.exchange import geojson_feature

    write_collection(
        out_dir / "districts.geojson",
        {"type": "FeatureCollection", "name": "Demo districts: core areas (WGS-84)", "demo": True,
         "description": "Hand-drawn core areas inside each district, on land; see seeds/README.md."},
        [json.dumps(feature, ensure_ascii=False) for feature in district_features()],
    )
    for city in CITIES:
        records = sorted(generate_city(city), key=lambda record: record["code"])  # the order of an export
        for record in records:
            # The files must be in the canonical form an export would write.
            assert hours.to_text(hours.parse_text(record["hours"])) == record["hours"], record["hours"]
        write_collection(
            out_dir / f"{city['code']}.geojson",
            {"type": "FeatureCollection", "name": f"{city['name_en']} demo stations", "demo": True,
             "description": DEMO_NOTE},
            [json.dumps(geojson_feature(record), ensure_ascii=False) for record in records],
        )
        print(f"{city['code']}: {len(records)} stations written to {out_dir}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
