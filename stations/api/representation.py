"""The station JSON of the API, built by plain functions.

StationSerializer / NearbyStationSerializer (serializers.py) document the
shape in the OpenAPI schema; the list, detail and nearby views build the same
dicts here instead, because a nested DRF serializer per station cost about
2 ms (field deep-copies, per-field dispatch) and was most of a nearby request
(docs/BENCHMARKS.md). tests/test_api_representation.py holds the two to the
same bytes: change a field in one place, change it in the other.

The caller prefetches what a card shows (selectors.public_stations +
with_details): nothing here queries the database.
"""

from django.urls import reverse
from rest_framework import serializers

from .. import hours, selectors
from ..models import Station

# DRF's own field, so the timestamp format and time zone stay exactly DRF's.
_DATETIME = serializers.DateTimeField()


class _Page:
    """What every station of one page shares, looked up once: the scheme, host
    and path of station URLs, the kind and level labels in the active
    language, and each catalogue entry (amenities and groups repeat across a page)."""

    def __init__(self, request):
        # Codes are capitals, digits and hyphens: nothing in them needs quoting.
        head, tail = reverse("stations:detail", args=["0"]).rsplit("0", 1)
        self.url_head = request.build_absolute_uri(head) if request is not None else head
        self.url_tail = tail
        self.kind_labels = _labels("kind")
        self.level_labels = _labels("level")
        self.entries = {}

    def url(self, code):
        return self.url_head + code + self.url_tail

    def catalogue(self, entries):
        return catalogue_entries(entries, build=self.entry)

    def entry(self, entry):
        key = (type(entry), entry.pk)
        if key not in self.entries:
            self.entries[key] = catalogue_entry(entry)
        return dict(self.entries[key])


def _labels(field_name):
    # As Model.get_FOO_display(): the label of a known value, else the value itself.
    return {value: str(label) for value, label in Station._meta.get_field(field_name).flatchoices}


def station_data(station, page):
    district = station.district
    city = district.city
    rating = selectors.rating_summary(station)
    schedule = station.opening_hours
    return {
        "code": station.code,
        "name": station.name,
        "kind": str(station.kind),
        "kind_label": str(page.kind_labels.get(station.kind, station.kind)),
        "level": int(station.level),
        "level_label": str(page.level_labels.get(station.level, station.level)),
        "status": str(station.status),
        "city": {"code": city.code, "name": city.name},
        "district": {"code": district.code, "name": district.name},
        "address": station.address,
        "latitude": float(station.latitude),
        "longitude": float(station.longitude),
        "hours": {
            "text": hours.to_text(schedule),
            "always_open": hours.is_always_open(schedule),
            "schedule": schedule,
        },
        "open_now": station.is_open(),
        "amenities": page.catalogue(station.amenities.all()),
        "groups": page.catalogue(station.groups_served.all()),
        "contact_phone": station.contact_phone,
        "manager_name": station.manager_name,
        "manager_phone": station.manager_phone,
        "rating": {
            "total": int(rating["total"]),
            "satisfaction_rate": None if rating["satisfaction_rate"] is None else float(rating["satisfaction_rate"]),
            "last_rated_at": _DATETIME.to_representation(rating["last_rated_at"]),
        },
        "url": page.url(station.code),
    }


def station_list_data(stations, request):
    """What StationSerializer(stations, many=True) gives, for the list and detail."""
    page = _Page(request)
    return [station_data(station, page) for station in stations]


def nearby_list_data(stations, request):
    """What NearbyStationSerializer(stations, many=True) gives: distance first."""
    page = _Page(request)
    return [{"distance_m": round(station.distance_m, 1), **station_data(station, page)} for station in stations]


def catalogue_entries(entries, build=None):
    """An amenity or worker-group list as the API shows it, in catalogue order.
    Prefetched: sorted here to keep the catalogue's own order without a query."""
    build = build or catalogue_entry
    return [build(e) for e in sorted(entries, key=lambda entry: (entry.position, entry.slug))]


def catalogue_entry(entry):
    return {"slug": entry.slug, "name": entry.name, "icon": entry.icon}
