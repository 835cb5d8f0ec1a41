"""The station JSON of the API, built by plain functions from plain rows.

StationSerializer / NearbyStationSerializer (serializers.py) document the
shape in the OpenAPI schema; the list, detail and nearby views build the same
dicts here instead. A nested DRF serializer per station cost about 2 ms, and
model instances with select_related and two prefetches most of the rest of a
nearby request (docs/BENCHMARKS.md): here a page of stations is three
queries of tuples (the stations with their district, city and stats; their
amenities; their worker groups) and a loop. tests/test_api_representation.py
holds the builder and the serializers to the same bytes: change a field in
one place, change it in the other.
"""

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from ratings.models.stats import satisfaction_rate

from .. import hours
from ..models import Station
from ..models.bilingual import english_is_active

# DRF's own field, so the timestamp format and time zone stay exactly DRF's.
_DATETIME = serializers.DateTimeField()

_COLUMNS = (
    "pk", "code", "name", "kind", "level", "status", "address", "latitude", "longitude", "opening_hours",
    "contact_phone", "manager_name", "manager_phone",
    "district__code", "district__name_zh", "district__name_en",
    "district__city__code", "district__city__name_zh", "district__city__name_en",
    "rating_stats__total", "rating_stats__count_4", "rating_stats__count_5", "rating_stats__last_rated_at",
)
_CATALOGUE = ("slug", "name_zh", "name_en", "icon", "position")


def card_rows(queryset):
    """The rows a station card is built from, in the queryset's order (a
    queryset of tuples: paginate it, slice it, or pass it on as it is)."""
    return queryset.values_list(*_COLUMNS)


def station_list_data(rows, request):
    """What StationSerializer(stations, many=True) gives, for card_rows()
    (the list, the detail)."""
    return _Builder(request).cards(list(rows))


def nearby_list_data(found, request):
    """What NearbyStationSerializer gives for selectors.nearby()'s hits,
    nearest first: distance first."""
    rows = {row[0]: row for row in card_rows(Station.objects.filter(pk__in=[hit.pk for hit in found]).order_by())}
    # A station deleted since the search is left out.
    present = [hit for hit in found if hit.pk in rows]
    cards = _Builder(request).cards([rows[hit.pk] for hit in present])
    return [{"distance_m": round(hit.distance_m, 1), **card} for hit, card in zip(present, cards)]


class _Builder:
    """What every station of one page shares, worked out once: the scheme,
    host and path of station URLs, the kind and level labels in the active
    language, the minute of the week for "open now"."""

    def __init__(self, request):
        # Codes are capitals, digits and hyphens: nothing in them needs quoting.
        head, tail = reverse("stations:detail", args=["0"]).rsplit("0", 1)
        self.url_head = request.build_absolute_uri(head) if request is not None else head
        self.url_tail = tail
        self.kind_labels = _labels("kind")
        self.level_labels = _labels("level")
        self.minute = hours.minute_of_week(timezone.now())
        self.english = english_is_active()

    def cards(self, rows):
        if not rows:
            return []
        pks = [row[0] for row in rows]
        amenities = _catalogue_of(Station.amenities.through, "amenity", pks, self.english)
        groups = _catalogue_of(Station.groups_served.through, "workergroup", pks, self.english)
        return [self.card(row, amenities.get(row[0], []), groups.get(row[0], [])) for row in rows]

    def card(self, row, amenities, groups):
        (
            _pk, code, name, kind, level, status, address, latitude, longitude, schedule,
            contact_phone, manager_name, manager_phone,
            district_code, district_zh, district_en, city_code, city_zh, city_en,
            total, count_4, count_5, last_rated_at,
        ) = row
        rate = satisfaction_rate((count_4 or 0) + (count_5 or 0), total)
        return {
            "code": code,
            "name": name,
            "kind": str(kind),
            "kind_label": str(self.kind_labels.get(kind, kind)),
            "level": int(level),
            "level_label": str(self.level_labels.get(level, level)),
            "status": str(status),
            "city": {"code": city_code, "name": city_en if self.english else city_zh},
            "district": {"code": district_code, "name": district_en if self.english else district_zh},
            "address": address,
            "latitude": float(latitude),
            "longitude": float(longitude),
            "hours": {
                "text": hours.to_text(schedule),
                "always_open": hours.is_always_open(schedule),
                "schedule": schedule,
            },
            "open_now": hours.is_open_at_minute(schedule, self.minute),
            "amenities": amenities,
            "groups": groups,
            "contact_phone": contact_phone,
            "manager_name": manager_name,
            "manager_phone": manager_phone,
            "rating": {
                "total": int(total or 0),
                "satisfaction_rate": None if rate is None else round(float(rate), 4),
                "last_rated_at": _DATETIME.to_representation(last_rated_at) if rate is not None else None,
            },
            "url": self.url_head + code + self.url_tail,
        }


def _labels(field_name):
    # As Model.get_FOO_display(): the label of a known value, else the value itself.
    return {value: str(label) for value, label in Station._meta.get_field(field_name).flatchoices}


def _catalogue_of(through, target, pks, english):
    """{station pk: [catalogue entry, ...]} in catalogue order, from the
    many-to-many table joined to its catalogue in one query."""
    rows = (
        through.objects.filter(station_id__in=pks)
        .order_by()
        .values_list("station_id", *(f"{target}__{column}" for column in _CATALOGUE))
    )
    by_station = {}
    for station_pk, slug, name_zh, name_en, icon, position in sorted(rows, key=lambda row: (row[5], row[1])):
        by_station.setdefault(station_pk, []).append(
            {"slug": slug, "name": name_en if english else name_zh, "icon": icon}
        )
    return by_station


_FEATURE_COLUMNS = ("pk", "code", "name", "level", "status", "latitude", "longitude", "opening_hours")


def feature_rows(queryset):
    """The rows a map feature is built from (a queryset of tuples)."""
    return queryset.values_list(*_FEATURE_COLUMNS)


def station_features(rows):
    """RFC 7946 point features for feature_rows(), each with its amenity slugs
    (one more query for all of them)."""
    rows = list(rows)
    if not rows:
        return []
    links = (
        Station.amenities.through.objects.filter(station_id__in=[row[0] for row in rows])
        .order_by()
        .values_list("station_id", "amenity__slug", "amenity__position")
    )
    slugs = {}
    for station_pk, slug, _position in sorted(links, key=lambda link: (link[2], link[1])):
        slugs.setdefault(station_pk, []).append(slug)
    minute = hours.minute_of_week(timezone.now())
    return [
        {
            "type": "Feature",
            "id": code,
            "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
            "properties": {
                "name": name,
                "level": level,
                "status": status,
                "open_now": hours.is_open_at_minute(schedule, minute),
                "amenities": slugs.get(pk, []),
            },
        }
        for pk, code, name, level, status, latitude, longitude, schedule in rows
    ]


def catalogue_entries(entries):
    """An amenity or worker-group list as the API shows it, in catalogue order.
    Prefetched: sorted here to keep the catalogue's own order without a query."""
    return [catalogue_entry(e) for e in sorted(entries, key=lambda entry: (entry.position, entry.slug))]


def catalogue_entry(entry):
    return {"slug": entry.slug, "name": entry.name, "icon": entry.icon}
