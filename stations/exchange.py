"""Station data exchange: CSV and GeoJSON files in, the same files out.

One record per station with every field staff maintain, so that
export → import → export gives the same bytes. The format (documented in
README, "Station data exchange"):

- CSV: UTF-8 (a byte-order mark is accepted), a header row naming exactly the
  columns in COLUMNS, in any order. Lists (amenities, groups served) are
  catalogue slugs separated by "|"; `positions` is a compact JSON list.
- GeoJSON: a FeatureCollection of Point features ([longitude, latitude],
  WGS-84); the properties are the CSV columns without latitude/longitude,
  lists as JSON arrays. Members of the collection other than "type" and
  "features" (a "name", a "demo" flag) are ignored.

Importing upserts by code inside one transaction. Every record is checked
before anything is written; any bad record aborts the whole file with an
ImportFailed that names the record (CSV line number / GeoJSON feature index)
and the field. Queries are batched (a few per thousand records), so a file of
hundreds of thousands of stations imports in well under a minute.
"""

import csv
import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import hours
from .models import Amenity, District, OpeningSpan, Station, StationPosition, WorkerGroup
from .models.station import Kind, Level, Operator, PartnerType, Status, code_validator, phone_validator
from .services import round_coordinate

CSV_FORMAT = "csv"
GEOJSON_FORMAT = "geojson"
FORMATS = {".csv": CSV_FORMAT, ".geojson": GEOJSON_FORMAT}

COLUMNS = [
    "code", "name", "city", "district", "address", "latitude", "longitude",
    "kind", "partner_type", "operator", "operator_company", "floor_area",
    "contact_phone", "manager_name", "manager_phone", "manager_email", "liaison_name", "liaison_phone",
    "hours", "amenities", "groups_served", "level", "status", "listed_on", "positions",
]
PROPERTIES = [column for column in COLUMNS if column not in ("latitude", "longitude")]
LIST_SEPARATOR = "|"
LEVEL_NAMES = {Level.CITY: "city", Level.PROVINCIAL: "provincial", Level.NATIONAL: "national"}
LEVELS_BY_NAME = {name: level for level, name in LEVEL_NAMES.items()}
POSITION_KEYS = ["since", "latitude", "longitude", "address", "note"]

# Plain fields copied between a record and a Station as they are.
_TEXT_FIELDS = {
    "name": 200, "address": 255, "operator_company": 200, "manager_name": 100, "liaison_name": 100,
}
_PHONE_FIELDS = ["contact_phone", "manager_phone", "liaison_phone"]
_BATCH = 900  # rows per IN (...) lookup: under SQLite's oldest parameter limit
_WRITE_BATCH = 5000
# The model validators' own patterns, compiled once (the validators compile lazily per call site).
_CODE_RE = re.compile(code_validator.regex.pattern)
_PHONE_RE = re.compile(phone_validator.regex.pattern)
KINDS, PARTNER_TYPES, OPERATORS, STATUSES = Kind.values, PartnerType.values, Operator.values, Status.values


class ImportFailed(Exception):
    """Bad records in an import file; `errors` holds (where, field, message) triples."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(_("%(where)s, field “%(field)s”: %(message)s") % {
            "where": where, "field": name, "message": message} for where, name, message in errors))


class _RecordError(Exception):
    def __init__(self, field_name, message):
        self.field = field_name
        self.message = message


@dataclass
class ImportResult:
    created: list = field(default_factory=list)  # ids of the new stations
    updated: int = 0
    unchanged: int = 0
    standing_changes: int = 0


def format_for(path):
    """The exchange format for a file name, by extension; ValueError for others."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(_("Unknown file type “%(suffix)s”: use .csv or .geojson.") % {"suffix": suffix or path})
    return FORMATS[suffix]


# --- Reading files into raw records -------------------------------------------


def read_records(path):
    """Yield (where, {column: raw value}) from a CSV or GeoJSON file; ImportFailed on a bad layout."""
    fmt = format_for(path)
    if fmt == CSV_FORMAT:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            yield from _csv_records(handle)
        return
    with open(path, encoding="utf-8-sig") as handle:
        try:
            document = json.load(handle)
        except json.JSONDecodeError as error:
            raise ImportFailed([(_("line %(line)s") % {"line": error.lineno}, "-", _("not valid JSON: %(error)s")
                                 % {"error": error.msg})]) from None
    yield from _geojson_records(document)


def _csv_records(handle):
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise ImportFailed([(_("line %(line)s") % {"line": 1}, _("columns"), _("the file is empty"))])
    header = [name.strip() for name in header]
    _check_names(_("line %(line)s") % {"line": 1}, header, COLUMNS, _("columns"))
    template = _("line %(line)s")
    for row in reader:
        where = _Where(template, "line", reader.line_num)
        if not any(cell.strip() for cell in row):
            continue  # blank lines, e.g. at the end of a hand-edited file
        if len(row) != len(header):
            raise ImportFailed([(where, _("columns"), _("%(found)s values for %(expected)s columns")
                                 % {"found": len(row), "expected": len(header)})])
        yield where, dict(zip(header, row))


class _Where:
    """Where a record is ("line 12", "feature 3"), formatted only if it is reported."""

    __slots__ = ("template", "key", "number")

    def __init__(self, template, key, number):
        self.template, self.key, self.number = template, key, number

    def __str__(self):
        return self.template % {self.key: self.number}


def _check_names(where, names, expected, label):
    duplicated = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in expected if name not in names]
    unknown = [name for name in names if name not in expected]
    problems = []
    if missing:
        problems.append(_("missing %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown %(names)s") % {"names": ", ".join(unknown)})
    if duplicated:
        problems.append(_("repeated %(names)s") % {"names": ", ".join(duplicated)})
    if problems:
        raise ImportFailed([(where, label, "; ".join(problems))])


def _geojson_records(document):
    top = _("the file")
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ImportFailed([(top, "type", _("a GeoJSON FeatureCollection is expected"))])
    features = document.get("features")
    if not isinstance(features, list):
        raise ImportFailed([(top, "features", _("a list of features is expected"))])
    template = _("feature %(index)s")
    for index, feature in enumerate(features):
        where = _Where(template, "index", index)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ImportFailed([(where, "type", _("a GeoJSON Feature is expected"))])
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            raise ImportFailed([(where, "geometry", _("a Point geometry is expected"))])
        coordinates = geometry.get("coordinates")
        if not (isinstance(coordinates, list) and len(coordinates) == 2):
            raise ImportFailed([(where, "geometry", _("a point needs [longitude, latitude]"))])
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            raise ImportFailed([(where, "properties", _("an object of properties is expected"))])
        _check_names(where, list(properties), PROPERTIES, _("properties"))
        record = dict(properties)
        record["longitude"], record["latitude"] = coordinates
        yield where, record


# --- Checking one record ----------------------------------------------------------


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
    catalogues.check_rules(data)
    return data


# --- Stations as records ----------------------------------------------------------

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
        records.append(record)
    return records


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- Import ------------------------------------------------------------------------


def import_file(path, *, update_existing=True, actor=None):
    """Check and upsert every station in the file; all or nothing.

    With update_existing=False, stations whose code exists are left as they
    are (the demo seeder uses this, so edits made in the admin survive).
    Raises ImportFailed (nothing written) for any bad record.
    """
    return import_records(read_records(path), update_existing=update_existing, actor=actor)


def import_records(raw_records, *, update_existing=True, actor=None):
    catalogues = _Catalogues()
    records, errors, seen = [], [], {}
    for where, raw in raw_records:
        try:
            data = parse_record(raw, catalogues)
        except _RecordError as error:
            errors.append((where, error.field, error.message))
            continue
        if data["code"] in seen:
            errors.append((where, "code", _("code %(code)s is already used at %(where)s")
                           % {"code": data["code"], "where": seen[data["code"]]}))
            continue
        seen[data["code"]] = where
        records.append(data)
        if len(errors) >= 20:
            break
    if errors:
        raise ImportFailed(errors)

    result = ImportResult()
    with transaction.atomic():
        existing = {}
        codes = [data["code"] for data in records]
        for chunk in _chunks(codes, _BATCH):
            for station in Station.objects.filter(code__in=chunk).select_related("district__city"):
                existing[station.code] = station
        new = [data for data in records if data["code"] not in existing]
        result.created = _create(new, catalogues)
        if update_existing:
            _update([data for data in records if data["code"] in existing], existing, catalogues, actor, result)
        else:
            result.unchanged = len(records) - len(new)
    return result


def _station_values(data, catalogues):
    values = {name: data[name] for name in _MODEL_FIELDS}
    values["district"] = catalogues.districts[(data["city"], data["district"])]
    values["opening_hours"] = catalogues.hours(data["hours"])[1]
    return values


def _create(records, catalogues):
    """Insert new stations and everything hanging off them, a batch at a time; returns their ids."""
    now = timezone.now()
    created = []
    for batch in _chunks(records, _WRITE_BATCH):
        rows = []
        for data in batch:
            values = _station_values(data, catalogues)
            values["district_id"] = values.pop("district").pk
            rows.append({**values, "code": data["code"], "level": LEVELS_BY_NAME[data["level"]],
                         "status": data["status"], "created_at": now, "updated_at": now})
        _insert(Station, rows)
        ids = {}
        for chunk in _chunks([data["code"] for data in batch], _BATCH):
            ids.update(Station.objects.filter(code__in=chunk).values_list("code", "pk"))
        _write_related([(ids[data["code"]], data) for data in batch], catalogues)
        created += [ids[data["code"]] for data in batch]
    return created


def _write_related(pairs, catalogues):
    """Amenities, groups, opening spans and positions of freshly written stations, by station id."""
    amenity_links, group_links, spans, positions = [], [], [], []
    for station_id, data in pairs:
        amenity_links += [{"station_id": station_id, "amenity_id": catalogues.amenities[slug]}
                          for slug in data["amenities"]]
        group_links += [{"station_id": station_id, "workergroup_id": catalogues.groups[slug]}
                        for slug in data["groups_served"]]
        spans += [{"station_id": station_id, "start": start, "end": end}
                  for start, end in catalogues.hours(data["hours"])[2]]
        positions += [{"station_id": station_id, "since": since, "latitude": latitude, "longitude": longitude,
                       "address": address, "note": note}
                      for since, latitude, longitude, address, note in data["positions"]]
    _insert(Station.amenities.through, amenity_links)
    _insert(Station.groups_served.through, group_links)
    _insert(OpeningSpan, spans)
    _insert(StationPosition, positions)


def _insert(model, rows):
    """INSERT many rows (dicts by attribute name) without building model instances.

    bulk_create spends most of its time preparing each value of each instance;
    here each column gets its database adaptation chosen once. Columns a row
    does not give take the field's default, as Model() would.
    """
    if not rows:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)))
    given = rows[0].keys()
    defaults = [(index, field.get_default) for index, field in enumerate(fields) if field.attname not in given]
    names = [field.attname if field.attname in given else None for field in fields]
    adapted = [(index, adapt) for index, adapt in enumerate(adapters) if adapt is not None]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, _WRITE_BATCH):
            params = []
            for row in chunk:
                values = [row[name] if name else None for name in names]
                for index, default in defaults:
                    values[index] = default()
                for index, adapt in adapted:
                    if values[index] is not None:
                        values[index] = adapt(values[index])
                params.append(values)
            cursor.executemany(sql, params)


def _adapter(field):
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "JSONField":
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _update(records, existing, catalogues, actor, result):
    from .models.standing import LevelChange
    from .standing import change_standing

    stations = [existing[data["code"]] for data in records]
    current = {record["code"]: record for record in records_for(stations)}
    changed = []
    now = timezone.now()
    for data in records:
        station = existing[data["code"]]
        before = current[data["code"]]
        standing = (LEVELS_BY_NAME[data["level"]], data["status"])
        standing_changed = standing != (station.level, station.status)
        if standing_changed:
            # Through the rule's one door, so the audit trail and the clock see it.
            change_standing(station=station, level=standing[0], status=standing[1],
                            reason=LevelChange.Reason.MANUAL, note="import", actor=actor)
            result.standing_changes += 1
        if {**before, "level": data["level"], "status": data["status"]} == data:
            if standing_changed:
                result.updated += 1
            else:
                result.unchanged += 1
            continue
        for name, value in _station_values(data, catalogues).items():
            setattr(station, name, value)
        station.updated_at = now
        changed.append((station, data))
        result.updated += 1
    if not changed:
        return
    Station.objects.bulk_update([station for station, _data in changed],
                                [*_MODEL_FIELDS, "district", "opening_hours", "updated_at"], batch_size=_WRITE_BATCH)
    ids = [station.pk for station, _data in changed]
    for chunk in _chunks(ids, _BATCH):
        Station.amenities.through.objects.filter(station_id__in=chunk).delete()
        Station.groups_served.through.objects.filter(station_id__in=chunk).delete()
        OpeningSpan.objects.filter(station_id__in=chunk).delete()
        StationPosition.objects.filter(station_id__in=chunk).delete()
    _write_related([(station.pk, data) for station, data in changed], catalogues)


# --- Export ------------------------------------------------------------------------


def export_file(path, queryset=None):
    """Write stations (default: all, by code) to a .csv or .geojson file; returns the count."""
    fmt = format_for(path)
    queryset = (queryset if queryset is not None else Station.objects.all()).select_related(
        "district__city").order_by("code")
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        if fmt == CSV_FORMAT:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for record in _iter_records(queryset):
                row = csv_row(record)
                writer.writerow([row[column] for column in COLUMNS])
                count += 1
        else:
            handle.write('{"type": "FeatureCollection", "features": [\n')
            for record in _iter_records(queryset):
                handle.write(("," if count else "") + json.dumps(geojson_feature(record), ensure_ascii=False) + "\n")
                count += 1
            handle.write("]}\n")
    return count


def _iter_records(queryset):
    batch = []
    for station in queryset.iterator(chunk_size=_WRITE_BATCH):
        batch.append(station)
        if len(batch) == _WRITE_BATCH:
            yield from records_for(batch)
            batch = []
    yield from records_for(batch)


def _number(value):
    """Decimal → JSON number with no trailing noise (36.087000 → 36.087)."""
    return None if value is None else float(value)


def _position_json(position):
    since, latitude, longitude, address, note = position
    return {"since": timezone.localtime(since).isoformat(), "latitude": _number(latitude),
            "longitude": _number(longitude), "address": address, "note": note}


def csv_row(record):
    row = {name: record[name] for name in COLUMNS if name not in ("positions",)}
    row["latitude"], row["longitude"] = str(record["latitude"]), str(record["longitude"])
    row["floor_area"] = "" if record["floor_area"] is None else str(record["floor_area"])
    row["amenities"] = LIST_SEPARATOR.join(record["amenities"])
    row["groups_served"] = LIST_SEPARATOR.join(record["groups_served"])
    row["listed_on"] = record["listed_on"].isoformat()
    row["positions"] = json.dumps([_position_json(p) for p in record["positions"]], ensure_ascii=False,
                                  separators=(",", ":")) if record["positions"] else ""
    return row


def geojson_feature(record):
    properties = {name: record[name] for name in PROPERTIES}
    properties["floor_area"] = _number(record["floor_area"])
    properties["amenities"] = list(record["amenities"])
    properties["groups_served"] = list(record["groups_served"])
    properties["listed_on"] = record["listed_on"].isoformat()
    properties["positions"] = [_position_json(p) for p in record["positions"]]
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [_number(record["longitude"]), _number(record["latitude"])]},
        "properties": properties,
    }
