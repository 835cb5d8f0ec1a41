"""Generate a national-scale dataset: stations, opening spans, amenities, ratings, stats.

    python -m bench.generate --fresh --stations 200000 --ratings 10000000 --seed 1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yizhan_bench python -m bench.generate --fresh

Stations are spread over forty cities (bench/cities.py): a dense core, busy
district sub-centres and sparse outskirts. Ratings cover the two years up to
--end-date with an hour-of-day curve (lunch and afternoon peaks), weekends a
little quieter, summer heat and winter cold busier than spring, and adoption
growing over time. Busy central stations get far more ratings than outskirts;
some stations stopped receiving ratings part-way (the 3-month rule's work),
a few never got any, and a few ratings are hidden as spam.

RatingStats and StationDay are computed here, from the very rows written, so
they are consistent with the ratings; `rebuild_rating_stats` must agree (the
runner checks). Rows go in by executemany in large transactions on SQLite and
by COPY on PostgreSQL; the output is a pure function of --seed, the sizes and
--end-date. Pure Python: no numpy needed.
"""

import argparse
import base64
import contextlib
import bisect
import datetime as dt
import json
import math
import os
import random
import sys
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
DAYS = 730  # two years of ratings
CHUNK_STATIONS = 2000  # stations per transaction while writing ratings


def setup_django():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


# --- Database plumbing -------------------------------------------------------


def recreate_database():
    """Start from an empty database: delete the SQLite file or recreate the PG database."""
    from django.conf import settings
    from django.db import connections

    db = settings.DATABASES["default"]
    connections["default"].close()
    if db["ENGINE"].endswith("sqlite3"):
        path = Path(db["NAME"])
        if path.resolve() == (REPO / "db.sqlite3").resolve():
            raise SystemExit("Refusing to delete the development database; set DATABASE_URL to a bench file.")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        import psycopg

        name = db["NAME"]
        if not name.startswith(("yizhan_bench", "test_yizhan_bench")):
            raise SystemExit(f"Refusing to drop database {name!r}: bench databases are named yizhan_bench*.")
        params = {k: v for k, v in {
            "host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
            "password": db.get("PASSWORD"),
        }.items() if v}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class BulkWriter:
    """executemany on SQLite, COPY on PostgreSQL; the caller owns the transaction."""

    def __init__(self, connection):
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw = connection.connection
        self.qn = connection.ops.quote_name
        if self.vendor == "sqlite":
            cursor = self.raw.cursor()
            # The loading connection only: an 8 GB page cache holds the whole
            # dataset with its indexes, so the one big transaction (see
            # write_ratings) writes each page once; regenerate after a crash.
            cursor.execute("PRAGMA cache_size=-8000000")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.close()

    def write(self, table, columns, rows):
        cols = ", ".join(self.qn(c) for c in columns)
        cursor = self.raw.cursor()
        try:
            if self.vendor == "postgresql":
                with cursor.copy(f"COPY {self.qn(table)} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                sql = f"INSERT INTO {self.qn(table)} ({cols}) VALUES ({', '.join('?' * len(columns))})"
                rows = iter(rows)
                while batch := list(islice(rows, 100_000)):
                    cursor.executemany(sql, batch)
        finally:
            cursor.close()

    def datetime_text(self):
        """How a UTC timestamp is written: Django's SQLite format, or with an offset for PG."""
        return "+00" if self.vendor == "postgresql" else ""


def constant_defaults(model, connection, exclude):
    """Columns this generator does not know about, filled with their field default.

    Keeps the generator working when a model gains a field with a default or
    a nullable one; a new required field without a default stops it clearly.
    """
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in exclude or field.name in exclude:
            continue
        if field.has_default():
            value = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            value = None
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
        elif field.blank and field.get_internal_type() in {"CharField", "TextField", "SlugField", "EmailField"}:
            value = ""
        else:
            raise SystemExit(
                f"bench.generate does not know how to fill {model.__name__}.{field.name}; teach it."
            )
        if connection.vendor == "postgresql" and hasattr(value, "obj"):  # psycopg Jsonb wrapper
            value = json.dumps(value.obj)
        columns.append(field.column)
        values.append(value)
    return columns, tuple(values)


# --- The shape of the data ------------------------------------------------------

HOUR_WEIGHTS = [
    0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.2, 3.0, 3.5, 4.5, 6.5,
    7.5, 6.5, 5.0, 5.0, 5.5, 5.5, 4.5, 3.5, 2.5, 1.8, 1.0, 0.5,
]
WEEKDAY_WEIGHTS = [1.0, 1.0, 1.0, 1.0, 1.0, 0.85, 0.75]

# (OSM-style text, share): parsed with the portal's own rule.
HOURS_TEMPLATES = [
    ("24/7", 40), ("Mo-Su 08:00-20:00", 20), ("Mo-Su 07:00-22:00", 10),
    ("Mo-Fr 09:00-18:00; Sa 09:00-12:00", 12), ("Mo-Fr 08:30-12:00,13:30-17:30", 8),
    ("Mo-Sa 06:00-21:00", 6), ("Mo-Su 10:00-02:00", 4),
]
AMENITY_SHARES = {
    "drinking-water": 0.95, "seating": 0.9, "phone-charging": 0.8, "hot-water": 0.7,
    "first-aid": 0.6, "air-conditioning": 0.6, "microwave": 0.5, "toilet": 0.5, "wifi": 0.4,
    "umbrella-loan": 0.35, "reading": 0.3, "heating": 0.3, "refrigerator": 0.25,
    "ebike-charging": 0.15, "discounted-meals": 0.08, "legal-aid": 0.05, "counselling": 0.05,
    "goods-exchange": 0.05, "haircut": 0.03,
}
GROUP_SHARES = {
    "food-delivery": 0.9, "courier": 0.85, "sanitation": 0.7, "driver": 0.5,
    "construction": 0.35, "traffic-police": 0.3, "other": 0.6,
}
# Satisfaction 1..5 by station quality: (share of stations, weights of scores 1..5).
QUALITY = [(70, (1, 1, 3, 25, 70)), (22, (2, 3, 8, 40, 47)), (8, (8, 10, 17, 35, 30))]
COMMENTS = [
    "很干净，谢谢！", "热水很方便", "空调坏了", "开门时间和写的不一样", "工作人员很热情",
    "希望增加充电插座", "夏天来喝水很方便", "厕所需要打扫", "座位太少", "下雨天能进来避雨，感谢",
]
KINDS = [("union", 55), ("partner", 30), ("movable", 5), ("booth", 10)]
PARTNER_TYPES = ["bank", "hotel", "supermarket", "petrol", "post", "other"]
KIND_SUFFIX = {"union": "工会驿站", "partner": "爱心驿站", "movable": "流动驿站", "booth": "社区服务点"}


def weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


def cumulative(weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def day_weights(start):
    """Relative rating volume of each day of the window (see the module docstring)."""
    weights = []
    for d in range(DAYS):
        day = start + dt.timedelta(days=d)
        doy = day.timetuple().tm_yday
        season = 1 + 0.35 * math.cos(2 * math.pi * (doy - 200) / 365)  # summer heat
        season += 0.25 * math.exp(-(((doy + 20) % 365 - 35) / 30) ** 2)  # mid-winter cold
        growth = 0.6 + 0.8 * d / DAYS
        weights.append(season * growth * WEEKDAY_WEIGHTS[day.weekday()])
    return weights


def offset_km(lat, lng, dx_km, dy_km):
    return lat + dy_km / 111.32, lng + dx_km / (111.32 * math.cos(math.radians(lat)))


# --- Stations --------------------------------------------------------------------


def plan_stations(rng, n_stations, cities, districts_by_city, window_start):
    """Yield one dict per station (positions, district, popularity, listing, stop day)."""
    from bench.cities import STREETS

    total_weight = sum(c["weight"] for c in cities)
    counts = [int(n_stations * c["weight"] / total_weight) for c in cities]
    for i in range(n_stations - sum(counts)):
        counts[i % len(counts)] += 1
    sequence = {}
    for city, count in zip(cities, counts):
        scale = min(1.6, max(0.6, math.sqrt(city["weight"] / 10)))
        districts = districts_by_city[city["id"]]
        pick_weights = [3 if d["inner"] else 1 for d in districts]
        for _ in range(count):
            u = rng.random()
            if u < 0.55:  # the dense core
                centre, sigma, where = (city["lat"], city["lng"]), 4.0 * scale, "core"
                lat, lng = offset_km(*centre, rng.gauss(0, sigma), rng.gauss(0, sigma))
            elif u < 0.85:  # district sub-centres
                d = rng.choices(districts, weights=pick_weights)[0]
                lat, lng = offset_km(d["lat"], d["lng"], rng.gauss(0, 2.0 * scale), rng.gauss(0, 2.0 * scale))
                where = "district"
            else:  # sparse outskirts
                angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(10, 45) * scale
                lat, lng = offset_km(city["lat"], city["lng"], radius * math.cos(angle), radius * math.sin(angle))
                where = "outskirts"
            district = min(districts, key=lambda d: (d["lat"] - lat) ** 2 + (d["lng"] - lng) ** 2)
            key = (city["prefix"], district["abbr"])
            sequence[key] = sequence.get(key, 0) + 1
            popularity = rng.lognormvariate(0, 1.0) * {"core": 2.0, "district": 1.0, "outskirts": 0.35}[where]
            listed = (
                window_start - dt.timedelta(days=rng.randint(1, 1000))
                if rng.random() < 0.55
                else window_start + dt.timedelta(days=rng.randrange(DAYS - 30))
            )
            fate = rng.random()
            stop_day = None
            if fate < 0.015:
                popularity = 0.0  # never rated
            elif fate < 0.085:
                first = max(0, (listed - window_start).days)
                stop_day = rng.randint(first, DAYS - 1)  # stopped receiving ratings
            yield {
                "city": city, "district": district, "lat": lat, "lng": lng, "where": where,
                "code": f"{city['prefix']}-{district['abbr']}-{sequence[key]:05d}",
                "street": rng.choice(STREETS), "number": rng.randint(1, 999),
                "popularity": popularity, "listed": listed, "stop_day": stop_day,
            }


def create_geography(rng):
    from bench.cities import CITIES, DISTRICTS
    from stations.models import City, District

    cities, districts_by_city = [], {}
    for code, prefix, zh, en, lat, lng, weight in CITIES:
        city = City.objects.create(code=code, name_zh=zh, name_en=en)
        row = {"id": city.pk, "code": code, "prefix": prefix, "zh": zh, "lat": lat, "lng": lng, "weight": weight}
        cities.append(row)
        scale = min(1.6, max(0.6, math.sqrt(weight / 10)))
        count = min(len(DISTRICTS), 6 + int(weight / 6))
        districts_by_city[city.pk] = []
        for dcode, dzh, den, (near, far), inner in DISTRICTS[:count]:
            district = District.objects.create(
                city=city, code=dcode, name_zh=dzh, name_en=den,
                chief_name=rng.choice("王李张刘陈") + "站长", chief_email=f"chief.{code}.{dcode}@example.org",
            )
            angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(near, far) * scale
            dlat, dlng = offset_km(lat, lng, radius * math.cos(angle), radius * math.sin(angle))
            districts_by_city[city.pk].append({
                "id": district.pk, "abbr": dcode[:3].upper(),
                "zh": dzh, "lat": dlat, "lng": dlng, "inner": inner,
            })
    return cities, districts_by_city


def _person(rng):
    from bench.cities import GIVEN, SURNAMES

    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def write_stations(rng, writer, connection, plans, window_start, end_date):
    """Insert stations, spans, amenities and groups; return per-station rating plans."""
    from stations import hours
    from stations.models import Amenity, LevelChange, OpeningSpan, Station, WorkerGroup

    amenity_ids = dict(Amenity.objects.values_list("slug", "pk"))
    group_ids = dict(WorkerGroup.objects.values_list("slug", "pk"))
    schedules = []
    for text, share in HOURS_TEMPLATES:
        schedule = hours.parse_text(text)
        schedules.append(((json.dumps(schedule), hours.weekly_spans(schedule)), share))
    tz_suffix = writer.datetime_text()

    station_cols = [
        "id", "code", "name", "district_id", "address", "latitude", "longitude", "kind", "partner_type",
        "operator", "operator_company", "floor_area", "contact_phone", "manager_name", "manager_phone",
        "manager_email", "liaison_name", "liaison_phone", "opening_hours", "level", "status", "listed_on",
        "standing_changed_at", "rating_token", "created_at", "updated_at",
    ]
    extra_cols, extra_vals = constant_defaults(Station, connection, set(station_cols))
    stations, spans, amenities, groups, changes, rating_plans = [], [], [], [], [], []
    pg = writer.vendor == "postgresql"
    for station_id, p in enumerate(plans, start=1):
        kind = weighted(rng, KINDS)
        partner_type = rng.choice(PARTNER_TYPES) if kind == "partner" else ""
        operator = "partner" if kind == "partner" else ("property" if rng.random() < 0.3 else "union")
        company = f"{p['city']['zh'][:-1]}{rng.choice('华安信诚嘉')}物业管理有限公司" if operator == "property" else ""
        level = weighted(rng, [(1, 70), (2, 22), (3, 8)])
        status, changed_at = "active", None
        stop_day = p["stop_day"]
        if stop_day is not None and stop_day < DAYS - 120 and rng.random() < 0.4:
            # Delisted by the rule ~3 months after the last rating, as a city-level station.
            status, level = "delisted", 1
            changed = window_start + dt.timedelta(days=stop_day + 93)
            changed_at = f"{changed.isoformat()} 18:00:00{tz_suffix}"
            changes.append((station_id, 1, 1, "active", "delisted", "rule", "", changed.isoformat(), changed_at))
        elif rng.random() < 0.02:
            status = "suspended"
            changed = end_date - dt.timedelta(days=rng.randint(1, 60))
            changed_at = f"{changed.isoformat()} 09:00:00{tz_suffix}"
            changes.append((station_id, level, level, "active", "suspended", "manual", "暂停维修", None, changed_at))
        schedule_json, schedule_spans = weighted(rng, schedules)
        lat, lng = round(p["lat"], 6), round(p["lng"], 6)
        listed = p["listed"].isoformat()
        created = f"{listed} 08:00:00{tz_suffix}"
        token = base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode()
        district = p["district"]
        stations.append((
            station_id, p["code"], f"{district['zh']}{p['street']}{KIND_SUFFIX[kind]}", district["id"],
            f"{p['city']['zh']}{district['zh']}{p['street']}{p['number']}号",
            f"{lat:.6f}" if pg else lat, f"{lng:.6f}" if pg else lng, kind, partner_type, operator, company,
            (f"{rng.uniform(8, 60):.1f}" if pg else round(rng.uniform(8, 60), 1)) if kind == "union" else None,
            f"0{rng.randint(10, 999)}-{rng.randint(10000000, 99999999)}" if rng.random() < 0.8 else "",
            _person(rng), f"13{rng.randint(100000000, 999999999)}",
            f"manager{station_id}@example.org" if rng.random() < 0.6 else "",
            _person(rng) if rng.random() < 0.5 else "", "", schedule_json, level, status, listed,
            changed_at, token, created, created,
        ) + extra_vals)
        for start, end in schedule_spans:
            spans.append((station_id, start, end))
        north = p["city"]["lat"] > 33
        for slug, share in AMENITY_SHARES.items():
            if slug == "heating":
                share = 0.7 if north else 0.05
            if rng.random() < share and slug in amenity_ids:
                amenities.append((station_id, amenity_ids[slug]))
        for slug, share in GROUP_SHARES.items():
            if rng.random() < share and slug in group_ids:
                groups.append((station_id, group_ids[slug]))
        first_day = max(0, (p["listed"] - window_start).days + 1)
        last_day = DAYS - 1 if stop_day is None else stop_day
        active_days = max(0, last_day - first_day + 1)
        rating_plans.append((station_id, p["popularity"] * active_days, first_day, last_day))

    writer.write(Station._meta.db_table, station_cols + extra_cols, stations)
    writer.write(OpeningSpan._meta.db_table, ["station_id", "start", "end"], spans)
    through = Station.amenities.through
    writer.write(through._meta.db_table, ["station_id", "amenity_id"], amenities)
    through = Station.groups_served.through
    writer.write(through._meta.db_table, ["station_id", "workergroup_id"], groups)
    writer.write(
        LevelChange._meta.db_table,
        ["station_id", "from_level", "to_level", "from_status", "to_status", "reason", "note", "as_of", "created_at"],
        changes,
    )
    return rating_plans, {"stations": len(stations), "opening_spans": len(spans),
                          "station_amenities": len(amenities), "station_groups": len(groups),
                          "level_changes": len(changes)}


# --- Ratings ----------------------------------------------------------------------


def allocate(total, weights):
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    weight_sum = sum(weights) or 1.0
    exact = [total * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    short = total - sum(counts)
    for i in sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])[:short]:
        counts[i] += 1
    return counts


def write_ratings(rng, writer, connection, rating_plans, n_ratings, window_start, progress):
    from ratings.models import Rating, RatingStats, StationDay
    from stations.models import WorkerGroup

    tz_suffix = writer.datetime_text()
    counts = allocate(n_ratings, [plan[1] for plan in rating_plans])

    day_cum = cumulative(day_weights(window_start))
    hour_cum = cumulative(HOUR_WEIGHTS)
    hours_range = range(24)
    # UTC day strings: local midnight of day 0 is 16:00 UTC of the day before.
    utc_days = [(window_start + dt.timedelta(days=d)).isoformat() for d in range(-1, DAYS + 1)]
    local_days = [(window_start + dt.timedelta(days=d)).isoformat() for d in range(DAYS)]
    clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
    devices = [f"{rng.getrandbits(256):064x}" for _ in range(1 << 18)]
    device_mask = (1 << 18) - 1
    group_ids = list(WorkerGroup.objects.order_by("position").values_list("pk", flat=True))
    # A third of the workers skip the optional "who are you" question.
    group_picks = [
        rng.choices(group_ids, weights=[4, 5, 3, 2, 1, 0.5, 1][: len(group_ids)])[0] if rng.random() < 0.65 else None
        for _ in range(1024)
    ]
    quality = [(cumulative(w), share) for share, w in QUALITY]
    # Tag combinations (clean, water, equipment, staff, open as posted, needs improvement).
    def tag_table(probabilities):
        return [tuple(rng.random() < p for p in probabilities) for _ in range(1024)]
    happy_tags = tag_table((0.5, 0.4, 0.3, 0.4, 0.3, 0.03))
    unhappy_tags = tag_table((0.1, 0.15, 0.1, 0.1, 0.2, 0.6))

    rating_cols = [
        "station_id", "score", "tag_clean", "tag_water", "tag_equipment", "tag_staff",
        "tag_open_as_posted", "tag_needs_improvement", "comment", "created_at", "device_hash",
        "hidden", "hidden_reason", "hidden_note", "hidden_at", "hidden_by_id", "worker_group_id",
    ]
    extra_cols, extra_vals = constant_defaults(Rating, connection, set(rating_cols) | {"id"})
    stats_cols = ["station_id", "total", "count_1", "count_2", "count_3", "count_4", "count_5", "last_rated_at"]
    day_cols = ["station_id", "date", "scans", "ratings", "satisfied", "dissatisfied"]
    day_extra_cols, day_extra_vals = constant_defaults(StationDay, connection, set(day_cols) | {"id"})

    from django.db import transaction

    rnd, randrange, choices = rng.random, rng.randrange, rng.choices
    bisect_right = bisect.bisect_right
    written = {"ratings": 0, "hidden": 0, "rating_stats": 0, "station_days": 0}
    started = time.perf_counter()
    # SQLite: one transaction for everything. The device and time indexes take
    # rows at random places, so each commit would rewrite most of their pages;
    # PostgreSQL commits per chunk (its deferred foreign-key checks run then).
    with transaction.atomic() if writer.vendor == "sqlite" else contextlib.nullcontext():
        for chunk_start in range(0, len(rating_plans), CHUNK_STATIONS):
            rating_rows, stats_rows, day_rows = [], [], []
            for (station_id, _, first_day, last_day), n in zip(
                rating_plans[chunk_start:chunk_start + CHUNK_STATIONS], counts[chunk_start:chunk_start + CHUNK_STATIONS]
            ):
                if n == 0:
                    continue
                lo = day_cum[first_day - 1] if first_day else 0.0
                width = day_cum[last_day] - lo
                score_cum = weighted(rng, quality)
                device_base = randrange(1 << 18)
                regulars = max(8, n // 4)  # the same workers come back
                local_seconds = sorted(
                    bisect_right(day_cum, lo + rnd() * width) * 86400 + h * 3600 + int(rnd() * 3600)
                    for h in choices(hours_range, cum_weights=hour_cum, k=n)
                )
                scores = choices((1, 2, 3, 4, 5), cum_weights=score_cum, k=n)
                tally = [0, 0, 0, 0, 0, 0]
                last_visible = None
                day, day_all, day_visible, day_sat, day_dis = -1, 0, 0, 0, 0
                for seconds, score in zip(local_seconds, scores):
                    local_day = seconds // 86400
                    if local_day != day:
                        if day_all:
                            day_rows.append((station_id, local_days[day],
                                             day_all + int(day_all * 0.8 * rnd()) + (rnd() < 0.3),
                                             day_visible, day_sat, day_dis) + day_extra_vals)
                        day, day_all, day_visible, day_sat, day_dis = local_day, 0, 0, 0, 0
                    utc_day, utc_second = divmod(seconds - 8 * 3600, 86400)
                    created = f"{utc_days[utc_day + 1]} {clock[utc_second]}{tz_suffix}"
                    tags = (happy_tags if score >= 4 else unhappy_tags)[int(rnd() * 1024)]
                    hidden = rnd() < 0.003
                    rating_rows.append((
                        station_id, score, *tags,
                        COMMENTS[int(rnd() * len(COMMENTS))] if rnd() < 0.02 else "",
                        created, devices[(device_base + int(rnd() * regulars)) & device_mask],
                        hidden, "spam" if hidden else "", "", created if hidden else None, None,
                        group_picks[int(rnd() * 1024)],
                    ) + extra_vals)
                    day_all += 1
                    if hidden:
                        written["hidden"] += 1
                        continue
                    day_visible += 1
                    tally[score] += 1
                    day_sat += score >= 4
                    day_dis += score <= 2
                    last_visible = created
                day_rows.append((station_id, local_days[day],
                                 day_all + int(day_all * 0.8 * rnd()) + (rnd() < 0.3),
                                 day_visible, day_sat, day_dis) + day_extra_vals)
                if last_visible is not None:
                    stats_rows.append((station_id, sum(tally), *tally[1:], last_visible))
            with transaction.atomic():
                writer.write(Rating._meta.db_table, rating_cols + extra_cols, rating_rows)
                writer.write(RatingStats._meta.db_table, stats_cols, stats_rows)
                writer.write(StationDay._meta.db_table, day_cols + day_extra_cols, day_rows)
            written["ratings"] += len(rating_rows)
            written["rating_stats"] += len(stats_rows)
            written["station_days"] += len(day_rows)
            done = min(chunk_start + CHUNK_STATIONS, len(rating_plans))
            if progress and (done // CHUNK_STATIONS) % 10 == 0:
                rate = written["ratings"] / max(time.perf_counter() - started, 1e-9)
                progress(f"  {done:>7} stations, {written['ratings']:>10} ratings ({rate:,.0f}/s)")
    return written


# --- Entry point -------------------------------------------------------------------


def generate(*, stations, ratings, seed, end_date=None, fresh=False, progress=print):
    """Fill the configured database; return counts and per-phase seconds."""
    from django.db import connection, transaction

    from stations.models import Station

    end_date = end_date or (dt.date.today() - dt.timedelta(days=1))
    window_start = end_date - dt.timedelta(days=DAYS - 1)
    timings = {}
    t0 = time.perf_counter()
    if fresh:
        recreate_database()
        timings["recreate + migrate"] = time.perf_counter() - t0
    if Station.objects.exists():
        raise SystemExit("The database already has stations; use --fresh (it recreates the bench database).")

    rng = random.Random(seed)
    writer = BulkWriter(connection)
    t = time.perf_counter()
    with transaction.atomic():
        cities, districts = create_geography(rng)
        plans = plan_stations(rng, stations, cities, districts, window_start)
        rating_plans, counts = write_stations(rng, writer, connection, plans, window_start, end_date)
    timings["stations"] = time.perf_counter() - t
    progress(f"stations: {counts['stations']:,} in {timings['stations']:.1f} s")

    t = time.perf_counter()
    counts.update(write_ratings(rng, writer, connection, rating_plans, ratings, window_start, progress))
    timings["ratings + stats + days"] = time.perf_counter() - t
    progress(f"ratings: {counts['ratings']:,} in {timings['ratings + stats + days']:.1f} s")

    t = time.perf_counter()
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        from ratings.models import Rating, StationDay
        from stations.models import LevelChange, OpeningSpan

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Station, Rating, StationDay, OpeningSpan, LevelChange]
            ):
                cursor.execute(sql)
        old_autocommit = connection.get_autocommit()
        connection.set_autocommit(True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        connection.set_autocommit(old_autocommit)
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    progress(f"analyze: {timings['analyze']:.1f} s; total {timings['total']:.1f} s")
    return {"counts": counts, "timings": timings, "end_date": end_date.isoformat(), "seed": seed}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=200_000)
    parser.add_argument("--ratings", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=None,
                        help="Last day of the two-year rating window (default: yesterday).")
    parser.add_argument("--fresh", action="store_true",
                        help="Recreate the bench database (SQLite file or yizhan_bench*) and migrate first.")
    parser.add_argument("--smoke", action="store_true", help="2,000 stations and 50,000 ratings.")
    args = parser.parse_args(argv)
    if args.smoke:
        args.stations, args.ratings = 2_000, 50_000
    setup_django()
    from django.conf import settings

    print(f"database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default']['NAME']}")
    result = generate(stations=args.stations, ratings=args.ratings, seed=args.seed,
                      end_date=args.end_date, fresh=args.fresh)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
