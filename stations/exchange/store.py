"""Writing records to the database (import) and reading them out to a file (export).

Imports are all or nothing: every record is checked before the first write,
and the writes run in one transaction. Writes are batched: one INSERT per
table per few thousand records, a few lookups per thousand codes, and only
one batch of existing stations in memory at a time.
"""

import csv
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..bulk import insert_rows
from ..models import LevelChange, OpeningSpan, Station, StationPosition
from ..models.station import new_rating_token
from ..standing import change_standing
from .formats import COLUMNS, CSV_FORMAT, ImportFailed, csv_row, format_for, geojson_feature, read_records
from .records import _BATCH, _MODEL_FIELDS, LEVELS_BY_NAME, _Catalogues, _chunks, _RecordError, parse_record, records_for

_WRITE_BATCH = 5000  # records checked against the database and written per batch


@dataclass
class ImportResult:
    created: list = field(default_factory=list)  # ids of the new stations
    updated: int = 0
    unchanged: int = 0
    standing_changes: int = 0


def import_file(path, *, update_existing=True, actor=None):
    """Check and upsert every station in the file; all or nothing.

    With update_existing=False, stations whose code exists are left as they
    are (the demo seeder uses this, so edits made in the admin survive).
    Raises ImportFailed (nothing written) for any bad record.
    """
    return import_records(read_records(path), update_existing=update_existing, actor=actor)


def import_records(raw_records, *, update_existing=True, actor=None):
    catalogues = _Catalogues()
    records, errors, seen, seen_tokens = [], [], {}, {}
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
        token = data["rating_token"]
        if token and token in seen_tokens:
            errors.append((where, "rating_token", _("this rating token is already used at %(where)s")
                           % {"where": seen_tokens[token]}))
            continue
        seen[data["code"]] = where
        seen_tokens[token] = where
        records.append(data)
        if len(errors) >= 20:
            break
    if not errors:
        errors = _tokens_taken(records, seen_tokens)
    if errors:
        raise ImportFailed(errors)

    result = ImportResult()
    with transaction.atomic():
        # A batch at a time, so only one batch of existing stations is held
        # in memory (all of them at once took 2 GB for 200,000 stations).
        for batch in _chunks(records, _WRITE_BATCH):
            existing = {}
            for chunk in _chunks([data["code"] for data in batch], _BATCH):
                for station in Station.objects.filter(code__in=chunk).select_related("district__city"):
                    existing[station.code] = station
            new = [data for data in batch if data["code"] not in existing]
            result.created += _create(new, catalogues)
            if update_existing:
                _update([data for data in batch if data["code"] in existing], existing, catalogues, actor, result)
            else:
                result.unchanged += len(batch) - len(new)
    return result


def _tokens_taken(records, seen_tokens):
    """A rating token in the file that another station (another code) already holds."""
    by_token = {data["rating_token"]: data["code"] for data in records if data["rating_token"]}
    errors = []
    for chunk in _chunks(list(by_token), _BATCH):
        for token, code in Station.objects.filter(rating_token__in=chunk).values_list("rating_token", "code"):
            if by_token[token] != code:
                errors.append((seen_tokens[token], "rating_token",
                               _("this rating token belongs to station %(code)s") % {"code": code}))
    return errors


def _station_values(data, catalogues):
    values = {name: data[name] for name in _MODEL_FIELDS}
    values["district"] = catalogues.districts[(data["city"], data["district"])]
    values["opening_hours"] = catalogues.hours(data["hours"])[1]
    values["rating_token"] = data["rating_token"]
    return values


_STATION_COLUMNS = ["code", *_MODEL_FIELDS, "district_id", "opening_hours", "level", "status",
                    "rating_token", "created_at", "updated_at"]


def _create(records, catalogues):
    """Insert new stations and everything hanging off them, a batch at a time; returns their ids."""
    now = timezone.now()
    created = []
    for batch in _chunks(records, _WRITE_BATCH):
        rows = []
        for data in batch:
            district = catalogues.districts[(data["city"], data["district"])]
            rows.append((data["code"], *[data[name] for name in _MODEL_FIELDS], district.pk,
                         catalogues.hours(data["hours"])[1], LEVELS_BY_NAME[data["level"]], data["status"],
                         data["rating_token"] or new_rating_token(), now, now))
        insert_rows(Station, _STATION_COLUMNS, rows)
        ids = {}
        for chunk in _chunks([data["code"] for data in batch], _BATCH):
            ids.update(Station.objects.filter(code__in=chunk).values_list("code", "pk"))
        _write_related([(ids[data["code"]], data) for data in batch], catalogues)
        created += [ids[data["code"]] for data in batch]
    return created


def _write_related(pairs, catalogues):
    """Amenities, groups, opening spans and positions of freshly written stations, by station id."""
    amenity_links, group_links, spans, positions = [], [], [], []
    amenities, groups = catalogues.amenities, catalogues.groups
    for station_id, data in pairs:
        amenity_links += [(station_id, amenities[slug]) for slug in data["amenities"]]
        group_links += [(station_id, groups[slug]) for slug in data["groups_served"]]
        spans += [(station_id, start, end) for start, end in catalogues.hours(data["hours"])[2]]
        positions += [(station_id, *position) for position in data["positions"]]
    insert_rows(Station.amenities.through, ["station_id", "amenity_id"], amenity_links)
    insert_rows(Station.groups_served.through, ["station_id", "workergroup_id"], group_links)
    insert_rows(OpeningSpan, ["station_id", "start", "end"], spans)
    insert_rows(StationPosition, ["station_id", "since", "latitude", "longitude", "address", "note"], positions)


def _update(records, existing, catalogues, actor, result):
    stations = [existing[data["code"]] for data in records]
    current = {record["code"]: record for record in records_for(stations)}
    changed = []
    now = timezone.now()
    for data in records:
        station = existing[data["code"]]
        before = current[data["code"]]
        if not data["rating_token"]:
            data["rating_token"] = before["rating_token"]  # a file without tokens keeps the station's
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
                                [*_MODEL_FIELDS, "district", "opening_hours", "rating_token", "updated_at"],
                                batch_size=_WRITE_BATCH)
    ids = [station.pk for station, _data in changed]
    for chunk in _chunks(ids, _BATCH):
        Station.amenities.through.objects.filter(station_id__in=chunk).delete()
        Station.groups_served.through.objects.filter(station_id__in=chunk).delete()
        OpeningSpan.objects.filter(station_id__in=chunk).delete()
        StationPosition.objects.filter(station_id__in=chunk).delete()
    _write_related([(station.pk, data) for station, data in changed], catalogues)


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

