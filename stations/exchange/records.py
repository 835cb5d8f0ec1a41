"""Checking one raw record into a canonical record, and building records from saved stations.

Two canonical records compare equal exactly when an import would change nothing.
"""

import datetime
import json
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import hours
from ..models import Amenity, District, Station, StationPosition, WorkerGroup
from ..models.station import Kind, Level, Operator, PartnerType, Status, code_validator, phone_validator
from ..services import round_coordinate
from .formats import LIST_SEPARATOR, POSITION_KEYS

LEVEL_NAMES = {Level.CITY: "city", Level.PROVINCIAL: "provincial", Level.NATIONAL: "national"}
LEVELS_BY_NAME = {name: level for level, name in LEVEL_NAMES.items()}
# Plain fields copied between a record and a Station as they are.
_TEXT_FIELDS = {
    "name": 200, "address": 255, "operator_company": 200, "manager_name": 100, "liaison_name": 100,
}
_PHONE_FIELDS = ["contact_phone", "manager_phone", "liaison_phone"]
_BATCH = 900  # rows per IN (...) lookup: under SQLite's oldest parameter limit
# The model validators' own patterns, compiled once (the validators compile lazily per call site).
_CODE_RE = re.compile(code_validator.regex.pattern)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,43}$")
_PHONE_RE = re.compile(phone_validator.regex.pattern)
KINDS, PARTNER_TYPES, OPERATORS, STATUSES = Kind.values, PartnerType.values, Operator.values, Status.values


class _RecordError(Exception):
    def __init__(self, field_name, message):
        self.field = field_name
        self.message = message


class _Catalogues:
    """Everything a record refers to, loaded once per import."""

    def __init__(self):
        self.districts = {
            (district.city.code, district.code): district
            for district in District.objects.select_related("city")
        }
        self.cities = {city for city, _district in self.districts}
        self.amenities = dict(Amenity.objects.values_list("slug", "pk"))
        self.groups = dict(WorkerGroup.objects.values_list("slug", "pk"))
        # A file has few distinct schedules and kind/operator combinations:
        # each is parsed and checked once.
        self._hours = {}
        self._rules = {}

    def hours(self, text):
        """(canonical text, schedule, weekly spans) for an hours text; _RecordError if malformed."""
        if text not in self._hours:
            try:
                schedule = hours.parse_text(text)
                self._hours[text] = (hours.to_text(schedule), schedule, hours.weekly_spans(schedule))
            except ValidationError as error:
                self._hours[text] = _RecordError("hours", error.messages[0])
        found = self._hours[text]
        if isinstance(found, _RecordError):
            raise found
        return found

    def check_rules(self, data):
        """The model's own cross-field rules (partner type iff partner, a named company)."""
        key = (data["kind"], data["partner_type"], data["operator"], bool(data["operator_company"]))
        if key not in self._rules:
            self._rules[key] = None
            try:
                Station(kind=data["kind"], partner_type=data["partner_type"], operator=data["operator"],
                        operator_company=data["operator_company"], opening_hours=hours.ALWAYS).clean()
            except ValidationError as error:
                name, messages = next(iter(error.message_dict.items()))
                self._rules[key] = _RecordError(name, messages[0])
        if self._rules[key] is not None:
            raise self._rules[key]


def _text(record, name, *, required=False, max_length=None):
    value = record.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _RecordError(name, _("text is expected"))
    value = value.strip()
    if required and not value:
        raise _RecordError(name, _("this field is required"))
    if max_length and len(value) > max_length:
        raise _RecordError(name, _("at most %(count)s characters") % {"count": max_length})
    return value


def _decimal(name, value):
    if isinstance(value, bool) or value is None:
        raise _RecordError(name, _("a number is expected"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _RecordError(name, _("“%(value)s” is not a number") % {"value": value}) from None
    if not number.is_finite():
        raise _RecordError(name, _("“%(value)s” is not a number") % {"value": value})
    return number


def _coordinate(name, value, limit):
    if value == "":
        raise _RecordError(name, _("this field is required"))
    number = _decimal(name, value)
    if not -limit <= number <= limit:
        raise _RecordError(name, _("%(value)s is out of range (-%(limit)s to %(limit)s)")
                           % {"value": value, "limit": limit})
    return round_coordinate(number)


def _choice(record, name, choices, *, blank=False):
    value = _text(record, name, required=not blank)
    if value and value not in choices:
        raise _RecordError(name, _("“%(value)s” is not one of: %(choices)s")
                           % {"value": value, "choices": ", ".join(choices)})
    return value


def _slugs(record, name, catalogue):
    value = record.get(name)
    if value is None or value == "":
        items = []
    elif isinstance(value, str):
        items = [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = [item.strip() for item in value]
    else:
        raise _RecordError(name, _("a list of codes is expected"))
    unknown = [item for item in items if item not in catalogue]
    if unknown:
        raise _RecordError(name, _("unknown code “%(code)s”") % {"code": unknown[0]})
    return tuple(sorted(set(items)))


def _positions(record):
    value = record.get("positions")
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise _RecordError("positions", _("not valid JSON: %(error)s") % {"error": error.msg}) from None
    if not isinstance(value, list):
        raise _RecordError("positions", _("a list of positions is expected"))
    positions = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) != set(POSITION_KEYS):
            raise _RecordError("positions", _("position %(number)s needs exactly the keys %(keys)s")
                               % {"number": number, "keys": ", ".join(POSITION_KEYS)})
        try:
            since = datetime.datetime.fromisoformat(str(item["since"]))
        except ValueError:
            since = None
        if since is None or timezone.is_naive(since):
            raise _RecordError("positions", _("position %(number)s: “since” must be a date and time with its "
                                              "UTC offset, e.g. 2025-03-01T08:00:00+08:00") % {"number": number})
        try:
            latitude = _coordinate("positions", item["latitude"], 90)
            longitude = _coordinate("positions", item["longitude"], 180)
        except _RecordError as error:
            raise _RecordError("positions", _("position %(number)s: %(message)s")
                               % {"number": number, "message": error.message}) from None
        address, note = item["address"], item["note"]
        if not isinstance(address, str) or not isinstance(note, str) or len(address) > 255 or len(note) > 200:
            raise _RecordError("positions", _("position %(number)s: address and note must be text "
                                              "(at most 255 and 200 characters)") % {"number": number})
        positions.append((since, latitude, longitude, address.strip(), note.strip()))
    positions.sort(key=lambda position: position[0])
    if len({position[0] for position in positions}) != len(positions):
        raise _RecordError("positions", _("two positions start at the same moment"))
    return tuple(positions)


def parse_record(record, catalogues):
    """A checked, canonical record (a dict) or _RecordError naming the field."""
    data = {"code": _text(record, "code", required=True, max_length=32)}
    if not _CODE_RE.search(data["code"]):
        raise _RecordError("code", str(code_validator.message))
    for name, max_length in _TEXT_FIELDS.items():
        data[name] = _text(record, name, required=name in ("name", "address"), max_length=max_length)
    city = _text(record, "city", required=True)
    district = _text(record, "district", required=True)
    if city not in catalogues.cities:
        raise _RecordError("city", _("unknown city “%(code)s”") % {"code": city})
    if (city, district) not in catalogues.districts:
        raise _RecordError("district", _("unknown district “%(code)s” in %(city)s") % {"code": district, "city": city})
    data["city"], data["district"] = city, district
    data["latitude"] = _coordinate("latitude", record.get("latitude", ""), 90)
    data["longitude"] = _coordinate("longitude", record.get("longitude", ""), 180)
    data["kind"] = _choice(record, "kind", KINDS)
    data["partner_type"] = _choice(record, "partner_type", PARTNER_TYPES, blank=True)
    data["operator"] = _choice(record, "operator", OPERATORS)
    floor_area = record.get("floor_area")
    if floor_area is None or (isinstance(floor_area, str) and not floor_area.strip()):
        data["floor_area"] = None
    else:
        area = _decimal("floor_area", floor_area)
        if not Decimal("0.1") <= area < Decimal("1000000"):
            raise _RecordError("floor_area", _("%(value)s is not a floor area in m² (0.1 or more)") % {"value": floor_area})
        data["floor_area"] = area.quantize(Decimal("0.1"))
    for name in _PHONE_FIELDS:
        data[name] = _text(record, name, max_length=20)
        if data[name] and not _PHONE_RE.search(data[name]):
            raise _RecordError(name, str(phone_validator.message))
    data["manager_email"] = _text(record, "manager_email", max_length=254)
    if data["manager_email"]:
        try:
            validate_email(data["manager_email"])
        except ValidationError as error:
            raise _RecordError("manager_email", error.messages[0]) from None
    data["hours"] = catalogues.hours(_text(record, "hours", required=True))[0]
    data["amenities"] = _slugs(record, "amenities", catalogues.amenities)
    data["groups_served"] = _slugs(record, "groups_served", catalogues.groups)
    data["level"] = _choice(record, "level", list(LEVELS_BY_NAME))
    data["status"] = _choice(record, "status", STATUSES)
    try:
        data["listed_on"] = datetime.date.fromisoformat(_text(record, "listed_on", required=True))
    except ValueError:
        raise _RecordError("listed_on", _("a date such as 2024-05-01 is expected")) from None
    data["positions"] = _positions(record)
    if data["positions"]:
        if data["kind"] != Kind.MOVABLE:
            raise _RecordError("positions", _("only movable stations have a position history"))
        newest = data["positions"][-1]
        if (newest[1], newest[2]) != (data["latitude"], data["longitude"]):
            raise _RecordError("positions", _("the newest position must be the station's own latitude and longitude"))
    data["rating_token"] = _text(record, "rating_token", max_length=43)
    if data["rating_token"] and not _TOKEN_RE.search(data["rating_token"]):
        raise _RecordError("rating_token", _("16 to 43 letters, digits, “-” or “_” are expected"))
    catalogues.check_rules(data)
    return data


_MODEL_FIELDS = [
    "name", "address", "latitude", "longitude", "kind", "partner_type", "operator", "operator_company",
    "floor_area", "contact_phone", "manager_name", "manager_phone", "manager_email", "liaison_name",
    "liaison_phone", "listed_on",
]


def records_for(stations):
    """Canonical records for saved stations (one query per related table per batch)."""
    stations = list(stations)
    ids = [station.pk for station in stations]
    amenities, groups, positions = {}, {}, {}
    for chunk in _chunks(ids, _BATCH):
        through = Station.amenities.through.objects.filter(station_id__in=chunk)
        for station_id, slug in through.values_list("station_id", "amenity__slug"):
            amenities.setdefault(station_id, []).append(slug)
        through = Station.groups_served.through.objects.filter(station_id__in=chunk)
        for station_id, slug in through.values_list("station_id", "workergroup__slug"):
            groups.setdefault(station_id, []).append(slug)
        rows = StationPosition.objects.filter(station_id__in=chunk).values_list(
            "station_id", "since", "latitude", "longitude", "address", "note")
        for station_id, *position in rows:
            positions.setdefault(station_id, []).append(tuple(position))
    records = []
    for station in stations:
        record = {"code": station.code, "city": station.district.city.code, "district": station.district.code}
        for name in _MODEL_FIELDS:
            record[name] = getattr(station, name)
        record["hours"] = hours.to_text(station.opening_hours)
        record["amenities"] = tuple(sorted(amenities.get(station.pk, ())))
        record["groups_served"] = tuple(sorted(groups.get(station.pk, ())))
        record["level"] = LEVEL_NAMES[Level(station.level)]
        record["status"] = station.status
        record["positions"] = tuple(sorted(positions.get(station.pk, ()), key=lambda position: position[0]))
        record["rating_token"] = station.rating_token
        records.append(record)
    return records


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]

