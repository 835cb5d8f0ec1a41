"""Demo rating history for seeded stations: about two years, realistic and reproducible.

`seed_rating_history(stations, seed=...)` is called by the demo seeder. Same
seed, same stations and same `today` give the same rows. Ratings are
bulk-inserted and the statistics are then built by the same
`stats_rebuild()` the repair command uses, so they agree by construction.

Realism: most stations are rated most days (about 99 % satisfied), with more
ratings at lunch time and after the shift, in summer and on weekdays; a few
stations are a bit worse; a few have had no rating for 60-88 days (at risk
under the 3-month rule) and a couple for 95-120 days (past the mark).
"""

import datetime
import random
import zoneinfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from stations.models import WorkerGroup

from .aspects import ASPECTS
from .models import HideReason, Rating, StationDay
from .rebuild import stats_rebuild

TARGET_RATINGS = 30_000
HISTORY_DAYS = 730
_HOUR_WEIGHTS = [0, 0, 0, 0, 0, 1, 3, 5, 5, 4, 5, 9, 12, 9, 5, 4, 5, 8, 9, 6, 4, 3, 1, 0]
_SCORES = (5, 4, 3, 2, 1)
_GOOD = (0.86, 0.13, 0.007, 0.002, 0.001)
_FAIR = (0.70, 0.22, 0.05, 0.02, 0.01)
_COMMENTS = (
    "很干净，谢谢！", "夏天有凉水喝，太好了", "热水器坏了", "工作人员很热情", "微波炉很方便",
    "充电很方便", "希望延长开放时间", "厕所要多打扫", "环境很好", "冬天很暖和",
)


def seed_rating_history(stations, *, seed, today=None, target=TARGET_RATINGS):
    """Create ratings, scans and statistics for `stations`; returns the number of ratings."""
    stations = list(stations)
    if not stations:
        return 0
    rng = random.Random(seed)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = today or timezone.localdate()
    groups = list(WorkerGroup.objects.order_by("pk").values_list("pk", flat=True))
    tag_fields = [field for field, _label, _icon in ASPECTS]

    # Station roles: a few at risk, a couple past the mark, a few merely fair.
    order = list(range(len(stations)))
    rng.shuffle(order)
    n = len(stations)
    at_risk = set(order[: max(1, n // 50)]) if n >= 4 else set()
    past_mark = set(order[len(at_risk): len(at_risk) + (2 if n >= 10 else 0)])
    fair = set(order[len(at_risk) + len(past_mark): len(at_risk) + len(past_mark) + max(1, n // 15)])
    popularity = [rng.lognormvariate(0, 0.6) for _ in stations]
    per_weight = target / sum(popularity)

    ratings, days = [], {}
    for index, station in enumerate(stations):
        start = max(today - datetime.timedelta(days=HISTORY_DAYS), station.listed_on)
        end = today
        if index in at_risk:
            end = today - datetime.timedelta(days=rng.randint(60, 88))
        elif index in past_mark:
            end = today - datetime.timedelta(days=rng.randint(95, 120))
        span = (end - start).days
        if span <= 0:
            continue
        count = max(1, int(popularity[index] * per_weight * span / HISTORY_DAYS))
        weights = _FAIR if index in fair else _GOOD
        recent = index not in at_risk and index not in past_mark
        for number in range(count):
            if number == 0:
                # The latest rating: recent for active stations (the 3-month rule leaves
                # them alone), exactly `end` for the at-risk and overdue ones.
                day = max(start, end - datetime.timedelta(days=rng.randint(1, 20))) if recent else end
            else:
                day = _weighted_day(rng, start, span)
            moment = datetime.datetime.combine(
                day, datetime.time(rng.choices(range(24), _HOUR_WEIGHTS)[0], rng.randrange(60), rng.randrange(60)),
                tzinfo=tz,
            )
            score = rng.choices(_SCORES, weights)[0]
            tags = {field: rng.random() < 0.25 for field in tag_fields[:5]}
            tags["tag_needs_improvement"] = score <= 3 and rng.random() < 0.6
            hidden = number > 0 and rng.random() < 0.002
            ratings.append({
                "station_id": station.pk, "score": score, "created_at": moment, **tags,
                "comment": rng.choice(_COMMENTS) if rng.random() < 0.06 else "",
                "worker_group_id": rng.choice(groups) if groups and rng.random() < 0.6 else None,
                "device_hash": f"{rng.getrandbits(256):064x}",
                "hidden": hidden, "hidden_reason": HideReason.SPAM.value if hidden else "",
                "hidden_note": "", "hidden_by_id": None,
                "hidden_at": moment + datetime.timedelta(hours=3) if hidden else None,
            })
            if (station.pk, day) not in days:
                # Scans beyond the ratings: people who looked and did not rate.
                days[(station.pk, day)] = rng.randint(0, 3)

    ratings_per_day = {}
    for rating in ratings:
        key = (rating["station_id"], rating["created_at"].date())  # created_at is in local time
        ratings_per_day[key] = ratings_per_day.get(key, 0) + 1
    with transaction.atomic():
        _insert(Rating, ratings)
        existing = set(
            StationDay.objects.filter(station__in=stations).values_list("station_id", "date")
        )
        _insert(StationDay, [
            {"station_id": station_id, "date": day, "scans": extra + ratings_per_day.get((station_id, day), 0),
             "ratings": 0, "satisfied": 0, "dissatisfied": 0}
            for (station_id, day), extra in days.items() if (station_id, day) not in existing
        ])
        stats_rebuild(stations=stations)
    return len(ratings)


def _insert(model, rows):
    """Insert new rows (dicts of attribute name -> value) with one executemany per 5,000.

    Much faster than bulk_create() here: no model instances, and no
    statements of at most 999 parameters (about 50 ratings) as on SQLite.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in rows[0]]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    adapt = {
        "DateTimeField": connection.ops.adapt_datetimefield_value,
        "DateField": connection.ops.adapt_datefield_value,
    }
    converters = [adapt.get(f.get_internal_type(), lambda value: value) for f in fields]
    values = [[convert(value) for convert, value in zip(converters, row.values())] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start:start + 5000])


def _weighted_day(rng, start, span):
    """A day in [start, start+span), busier in summer (heat) and on weekdays."""
    while True:
        day = start + datetime.timedelta(days=rng.randrange(span))
        weight = 1.0 + (0.6 if day.month in (6, 7, 8) else 0.0) - (0.25 if day.weekday() >= 5 else 0.0)
        if rng.random() * 1.6 < weight:
            return day
