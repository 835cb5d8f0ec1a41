"""The two file layouts, CSV and GeoJSON: reading raw records, writing canonical ones.

A raw record is (where, {column: value as found}); `where` names the CSV line
or the GeoJSON feature index for error messages. A canonical record is what
records.parse_record returns and records.records_for builds from the database.
"""

import csv
import json
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

CSV_FORMAT = "csv"
GEOJSON_FORMAT = "geojson"
FORMATS = {".csv": CSV_FORMAT, ".geojson": GEOJSON_FORMAT}
COLUMNS = [
    "code", "name", "city", "district", "address", "latitude", "longitude",
    "kind", "partner_type", "operator", "operator_company", "floor_area",
    "contact_phone", "manager_name", "manager_phone", "manager_email", "liaison_name", "liaison_phone",
    "hours", "amenities", "groups_served", "level", "status", "listed_on", "positions", "rating_token",
]
# Columns a file may leave out. Without rating_token a new station gets a fresh
# token and an existing one keeps its own; with it, a restore keeps every
# printed QR poster working.
OPTIONAL_COLUMNS = ["rating_token"]
PROPERTIES = [column for column in COLUMNS if column not in ("latitude", "longitude")]
LIST_SEPARATOR = "|"
POSITION_KEYS = ["since", "latitude", "longitude", "address", "note"]


class ImportFailed(Exception):
    """Bad records in an import file; `errors` holds (where, field, message) triples."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(_("%(where)s, field “%(field)s”: %(message)s") % {
            "where": where, "field": name, "message": message} for where, name, message in errors))


def format_for(path):
    """The exchange format for a file name, by extension; ValueError for others."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(_("Unknown file type “%(suffix)s”: use .csv or .geojson.") % {"suffix": suffix or path})
    return FORMATS[suffix]


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
    missing = [name for name in expected if name not in names and name not in OPTIONAL_COLUMNS]
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
    # Optional columns a record does not carry (demo seeds have no tokens) are left out.
    properties = {name: record[name] for name in PROPERTIES if name in record or name not in OPTIONAL_COLUMNS}
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

