"""Loading the invented demo data of seeds/ (Qingdao and Xianyang) into the database.

The geography comes from seeds/districts.geojson, the stations from one
exchange file per city. Loading only ever creates what is missing: running
it again, or on a database where staff have edited demo stations, changes
nothing that exists.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import exchange
from .models import City, District, Station

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
GEOGRAPHY_FILE = "districts.geojson"
STATION_FILES = ["qingdao.geojson", "xianyang.geojson"]
RATING_SEED = 20251122


@dataclass
class SeedReport:
    districts_created: int = 0
    stations_created: int = 0
    stations_kept: int = 0
    ratings_created: int = 0


def load_geography(path):
    """Create the cities and districts described in a districts.geojson; returns how many districts were new."""
    with open(path, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    created = 0
    for feature in features:
        info = feature["properties"]
        city, _new = City.objects.get_or_create(
            code=info["city"], defaults={"name_zh": info["city_name_zh"], "name_en": info["city_name_en"]}
        )
        _district, new = District.objects.get_or_create(
            city=city, code=info["code"],
            defaults={"name_zh": info["name_zh"], "name_en": info["name_en"],
                      "chief_name": info["chief_name"], "chief_email": info["chief_email"]},
        )
        created += new
    return created


def seed_demo(seeds_dir=SEEDS_DIR, *, ratings_target=None):
    """Load what is missing of the demo data; `ratings_target` sizes the rating history."""
    report = SeedReport()
    with transaction.atomic():
        report.districts_created = load_geography(seeds_dir / GEOGRAPHY_FILE)
        created = []
        for name in STATION_FILES:
            result = exchange.import_file(seeds_dir / name, update_existing=False)
            created += result.created
            report.stations_kept += result.unchanged
        report.stations_created = len(created)
        report.ratings_created = _seed_ratings(
            Station.objects.filter(pk__in=created).order_by("code"), ratings_target)
    return report


def _seed_ratings(stations, target):
    """Rating history for newly created stations, when the ratings app provides it."""
    try:
        from ratings.demo import seed_rating_history
    except ImportError:
        return 0
    options = {} if target is None else {"target": target}
    return seed_rating_history(stations, seed=RATING_SEED, **options) or 0
