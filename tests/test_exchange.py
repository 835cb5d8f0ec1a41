"""import_stations / export_stations: round trips, bad records, upserts."""

import csv
import datetime
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from stations import exchange
from stations.models import LevelChange, OpeningSpan, Station, StationPosition
from stations.services import station_move

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# The rating token is compared too: a restore must keep every printed QR poster working.
IGNORED = {"id", "created_at", "updated_at", "standing_changed_at"}


@pytest.fixture
def stations(make_station, shinan):
    """A small registry with every kind of field filled in some way."""
    made = [
        make_station(code="QD-SB-0101", name="辽宁路工会驿站", amenities=["drinking-water", "microwave"],
                     groups=["courier", "sanitation"], floor_area=Decimal("25.5"), contact_phone="0532-55501234",
                     manager_name="王建国", manager_phone="100-0000-0001", liaison_name="李娜",
                     liaison_phone="100-0000-0002", level=2, listed_on=datetime.date(2021, 5, 4)),
        make_station(code="QD-SN-0102", name="工商银行香港中路支行驿站", district=shinan, kind="partner",
                     partner_type="bank", operator="partner", latitude=Decimal("36.066123"),
                     longitude=Decimal("120.395001"), address="青岛市市南区香港中路 8 号，一层",
                     opening_hours={"mon": [["08:30", "17:30"]], "tue": [["08:30", "17:30"]],
                                    "sat": [["09:00", "12:00"]]}, status="suspended"),
        make_station(code="QD-SB-0103", name="夜间驿站", operator="property", operator_company="青岛海悦物业服务有限公司",
                     opening_hours={day: [["22:00", "06:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
                     amenities=["ebike-charging"], level=3, manager_email=""),
        make_station(code="QD-SB-0104", name="地铁工地移动驿站", kind="movable", address="工地一号门",
                     groups=["construction"]),
    ]
    StationPosition.objects.create(station=made[3], latitude=made[3].latitude, longitude=made[3].longitude,
                                   address="工地一号门", since=datetime.datetime(2024, 9, 1, 8, 0, tzinfo=TZ))
    station_move(station=made[3], latitude=Decimal("36.090000"), longitude=Decimal("120.380000"),
                 address="工地二号门", moved_at=datetime.datetime(2025, 6, 1, 8, 0, tzinfo=TZ), note="随工地迁移")
    return made


def snapshot():
    """Every stored field of every station, with its related rows, by code."""
    result = {}
    for station in Station.objects.order_by("code"):
        fields = {f.attname: getattr(station, f.attname) for f in Station._meta.concrete_fields
                  if f.attname not in IGNORED}
        fields["amenities"] = sorted(station.amenities.values_list("slug", flat=True))
        fields["groups"] = sorted(station.groups_served.values_list("slug", flat=True))
        fields["spans"] = list(station.opening_spans.order_by("start").values_list("start", "end"))
        fields["positions"] = list(station.positions.order_by("since").values_list(
            "since", "latitude", "longitude", "address", "note"))
        result[station.code] = fields
    return result


def wipe():
    LevelChange.objects.all().delete()
    Station.objects.all().delete()


@pytest.mark.parametrize("suffix", [".csv", ".geojson"])
def test_export_wipe_import_export_round_trips_exactly(stations, tmp_path, suffix):
    first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
    call_command("export_stations", str(first))
    before = snapshot()
    assert len(before["QD-SB-0104"]["positions"]) == 2

    wipe()
    call_command("import_stations", str(first))
    call_command("export_stations", str(second))

    assert second.read_bytes() == first.read_bytes()
    assert snapshot() == before


def test_exported_csv_has_every_field_in_readable_form(stations, tmp_path):
    path = tmp_path / "stations.csv"
    exchange.export_file(path)
    with open(path, encoding="utf-8") as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle)}
    assert list(rows["QD-SB-0101"]) == exchange.COLUMNS
    assert rows["QD-SB-0101"]["amenities"] == "drinking-water|microwave"
    assert rows["QD-SB-0101"]["level"] == "provincial"
    assert rows["QD-SB-0101"]["hours"] == "24/7"
    assert rows["QD-SN-0102"]["hours"] == "Mo-Tu 08:30-17:30; Sa 09:00-12:00"
    assert rows["QD-SB-0103"]["hours"] == "Mo-Fr 22:00-06:00"
    positions = json.loads(rows["QD-SB-0104"]["positions"])
    assert [p["address"] for p in positions] == ["工地一号门", "工地二号门"]
    assert positions[1]["since"] == "2025-06-01T08:00:00+08:00"
    assert rows["QD-SB-0101"]["positions"] == ""


def test_geojson_export_is_a_feature_collection_of_points(stations, tmp_path):
    path = tmp_path / "stations.geojson"
    exchange.export_file(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    feature = next(f for f in document["features"] if f["properties"]["code"] == "QD-SN-0102")
    assert feature["geometry"] == {"type": "Point", "coordinates": [120.395001, 36.066123]}
    assert set(feature["properties"]) == set(exchange.PROPERTIES)


@pytest.mark.django_db
def test_the_demo_seed_files_import_and_export_unchanged(tmp_path):
    """The committed seeds are in the exchange format: importing and exporting one gives its features back."""
    from stations import demo

    demo.load_geography(demo.SEEDS_DIR / demo.GEOGRAPHY_FILE)
    exchange.import_file(demo.SEEDS_DIR / "xianyang.geojson")
    out = tmp_path / "xianyang.geojson"
    exchange.export_file(out)
    seed = json.loads((demo.SEEDS_DIR / "xianyang.geojson").read_text(encoding="utf-8"))
    exported = json.loads(out.read_text(encoding="utf-8"))
    # The seeds carry no rating tokens (each database makes its own); everything else comes back.
    for feature in exported["features"]:
        assert feature["properties"].pop("rating_token")
    assert exported["features"] == seed["features"]


# --- Bad records ------------------------------------------------------------------------

GOOD = {
    "code": "QD-SB-0900", "name": "新驿站", "city": "qingdao", "district": "shibei", "address": "青岛市市北区辽宁路 9 号",
    "latitude": "36.087000", "longitude": "120.375000", "kind": "union", "partner_type": "", "operator": "union",
    "operator_company": "", "floor_area": "20.0", "contact_phone": "", "manager_name": "", "manager_phone": "",
    "manager_email": "", "liaison_name": "", "liaison_phone": "", "hours": "24/7", "amenities": "drinking-water",
    "groups_served": "courier", "level": "city", "status": "active", "listed_on": "2024-01-01", "positions": "",
}
BAD = [
    ({"code": ""}, "code"),
    ({"code": "qd sb 1"}, "code"),
    ({"latitude": "91"}, "latitude"),
    ({"longitude": "-180.5"}, "longitude"),
    ({"latitude": "north"}, "latitude"),
    ({"amenities": "drinking-water|jacuzzi"}, "amenities"),
    ({"groups_served": "astronauts"}, "groups_served"),
    ({"district": "atlantis"}, "district"),
    ({"city": "gotham"}, "city"),
    ({"hours": "Mo-Fr 8-20"}, "hours"),
    ({"hours": "Xx 08:00-20:00"}, "hours"),
    ({"hours": ""}, "hours"),
    ({"level": "galactic"}, "level"),
    ({"level": "2"}, "level"),
    ({"status": "open"}, "status"),
    ({"kind": "castle"}, "kind"),
    ({"kind": "partner"}, "partner_type"),
    ({"partner_type": "bank"}, "partner_type"),
    ({"operator": "property"}, "operator_company"),
    ({"listed_on": "01/02/2024"}, "listed_on"),
    ({"floor_area": "-3"}, "floor_area"),
    ({"manager_email": "not-an-address"}, "manager_email"),
    ({"contact_phone": "call me"}, "contact_phone"),
    ({"positions": '[{"since": "2025-01-01T08:00:00+08:00", "latitude": 36.087, "longitude": 120.375, '
                   '"address": "A", "note": ""}]'}, "positions"),  # not a movable station
    ({"kind": "movable", "positions": "[1, 2]"}, "positions"),
    ({"rating_token": "short"}, "rating_token"),
    ({"rating_token": "has spaces in it, not a token"}, "rating_token"),
    ({"kind": "movable", "positions": '[{"since": "2025-01-01T08:00:00", "latitude": 36.087, '
                                      '"longitude": 120.375, "address": "A", "note": ""}]'}, "positions"),
    ({"kind": "movable", "positions": '[{"since": "2025-01-01T08:00:00+08:00", "latitude": 30, '
                                      '"longitude": 120.375, "address": "A", "note": ""}]'}, "positions"),
]


def write_csv(path, rows, columns=exchange.COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_geojson(path, rows):
    features = []
    for row in rows:
        properties = {key: value for key, value in row.items() if key not in ("latitude", "longitude")}
        for key in ("amenities", "groups_served"):
            properties[key] = [slug for slug in properties[key].split("|") if slug]
        properties["positions"] = json.loads(properties["positions"]) if properties["positions"] else []
        properties["floor_area"] = float(properties["floor_area"]) if properties["floor_area"] not in ("", "-3") \
            else (None if properties["floor_area"] == "" else -3)
        try:
            coordinates = [float(row["longitude"]), float(row["latitude"])]
        except ValueError:
            coordinates = [row["longitude"], row["latitude"]]
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coordinates},
                         "properties": properties})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")


@pytest.mark.django_db
@pytest.mark.parametrize("suffix, writer, where", [(".csv", write_csv, "line 3"),
                                                   (".geojson", write_geojson, "feature 1")])
@pytest.mark.parametrize("change, field", BAD)
def test_a_bad_record_names_where_and_field_and_writes_nothing(shibei, tmp_path, suffix, writer, where,
                                                               change, field):
    path = tmp_path / f"stations{suffix}"
    writer(path, [GOOD, {**GOOD, "code": "QD-SB-0901", **change}])
    with pytest.raises(CommandError) as caught:
        call_command("import_stations", str(path))
    message = str(caught.value)
    assert where in message and f"“{field}”" in message
    assert not Station.objects.exists()  # not even the good first record


@pytest.mark.django_db
def test_a_code_twice_in_one_file_is_refused(shibei, tmp_path):
    path = tmp_path / "stations.csv"
    write_csv(path, [GOOD, {**GOOD, "name": "另一个"}, {**GOOD, "code": "QD-SB-0902"}])
    with pytest.raises(CommandError, match="line 3, field “code”: code QD-SB-0900 is already used at line 2"):
        call_command("import_stations", str(path))
    assert not Station.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("columns, problem", [
    ([c for c in exchange.COLUMNS if c != "hours"], "missing hours"),
    ([*exchange.COLUMNS, "colour"], "unknown colour"),
])
def test_a_wrong_column_set_is_refused(shibei, tmp_path, columns, problem):
    path = tmp_path / "stations.csv"
    write_csv(path, [{**GOOD, "colour": "red"}], columns=columns)
    with pytest.raises(CommandError, match=f"line 1, field “columns”: {problem}"):
        call_command("import_stations", str(path))
    assert not Station.objects.exists()


@pytest.mark.django_db
def test_a_geojson_feature_with_a_missing_property_is_refused(shibei, tmp_path):
    path = tmp_path / "stations.geojson"
    write_geojson(path, [GOOD])
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["features"][0]["properties"]["level"]
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="feature 0, field “properties”: missing level"):
        call_command("import_stations", str(path))


@pytest.mark.django_db
def test_a_rating_token_held_by_another_station_is_refused(stations, tmp_path):
    path = tmp_path / "stations.csv"
    taken = stations[0].rating_token
    write_csv(path, [GOOD, {**GOOD, "code": "QD-SB-0901", "rating_token": taken}])
    with pytest.raises(CommandError, match=f"line 3, field “rating_token”: .*{stations[0].code}"):
        call_command("import_stations", str(path))
    assert not Station.objects.filter(code__in=["QD-SB-0900", "QD-SB-0901"]).exists()

    write_csv(path, [{**GOOD, "rating_token": "A" * 22}, {**GOOD, "code": "QD-SB-0901", "rating_token": "A" * 22}])
    with pytest.raises(CommandError, match="line 3, field “rating_token”: .*line 2"):
        call_command("import_stations", str(path))


@pytest.mark.django_db
def test_a_file_without_rating_tokens_keeps_existing_ones_and_makes_new_ones(stations, tmp_path):
    before = {station.code: station.rating_token for station in stations}
    path = tmp_path / "stations.csv"
    exchange.export_file(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    columns = [column for column in exchange.COLUMNS if column != "rating_token"]
    write_csv(path, [*rows, {**GOOD, "rating_token": ""}], columns=columns)

    call_command("import_stations", str(path))

    after = dict(Station.objects.values_list("code", "rating_token"))
    assert {code: after[code] for code in before} == before
    assert len(after["QD-SB-0900"]) >= 16 and after["QD-SB-0900"] not in before.values()


@pytest.mark.django_db
def test_unknown_file_types_and_missing_files_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match=".xlsx"):
        call_command("import_stations", str(tmp_path / "stations.xlsx"))
    with pytest.raises(CommandError):
        call_command("import_stations", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match=".txt"):
        call_command("export_stations", str(tmp_path / "stations.txt"))


# --- Upserts --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("batch", [5000, 2], ids=["one batch", "batches of two"])
def test_import_creates_new_codes_and_updates_existing_ones(stations, tmp_path, monkeypatch, batch):
    monkeypatch.setattr("stations.exchange.store._WRITE_BATCH", batch)
    path = tmp_path / "stations.csv"
    exchange.export_file(path)
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["name"] = "改名后的驿站"
    rows[0]["amenities"] = "toilet|wifi"
    rows[0]["hours"] = "Mo-Su 07:00-19:00"
    rows.append({**GOOD, "code": "QD-SB-0950"})
    write_csv(path, rows)
    before = Station.objects.get(code=rows[1]["code"]).updated_at

    result = exchange.import_file(path)

    assert (len(result.created), result.updated, result.unchanged) == (1, 1, 3)
    changed = Station.objects.get(code=rows[0]["code"])
    assert changed.name == "改名后的驿站"
    assert sorted(changed.amenities.values_list("slug", flat=True)) == ["toilet", "wifi"]
    assert list(changed.opening_spans.values_list("start", "end"))[0] == (7 * 60, 19 * 60)
    assert changed.opening_spans.count() == 7
    assert Station.objects.get(code=rows[1]["code"]).updated_at == before  # unchanged rows are not rewritten
    assert Station.objects.get(code="QD-SB-0950").opening_spans.count() == 1


@pytest.mark.django_db
def test_a_failure_in_a_later_batch_leaves_nothing_written(shibei, tmp_path, monkeypatch):
    from stations.exchange import store

    path = tmp_path / "stations.csv"
    write_csv(path, [{**GOOD, "code": f"QD-SB-{n:04d}"} for n in range(900, 906)])
    monkeypatch.setattr(store, "_WRITE_BATCH", 2)
    calls = []
    real = store._write_related

    def fail_on_the_third_batch(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real(*args)

    monkeypatch.setattr(store, "_write_related", fail_on_the_third_batch)
    with pytest.raises(RuntimeError):
        exchange.import_file(path)
    assert len(calls) == 3
    assert not Station.objects.filter(code__startswith="QD-SB-09").exists()
    assert OpeningSpan.objects.count() == 0


@pytest.mark.django_db
def test_importing_a_new_level_records_a_manual_change(stations, tmp_path):
    path = tmp_path / "stations.csv"
    exchange.export_file(path)
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    target = next(row for row in rows if row["code"] == "QD-SB-0101")
    target["level"], target["status"] = "national", "suspended"
    write_csv(path, rows)

    out = call_command("import_stations", str(path))

    station = Station.objects.get(code="QD-SB-0101")
    assert (station.level, station.status) == (3, "suspended")
    change = LevelChange.objects.get(station=station)
    assert (change.from_level, change.to_level, change.reason, change.note) == (2, 3, "manual", "import")
    assert station.standing_changed_at is not None
    assert out is None or "1 level" in out


@pytest.mark.django_db
def test_a_moved_station_in_the_file_replaces_its_history(stations, tmp_path):
    path = tmp_path / "stations.geojson"
    exchange.export_file(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    feature = next(f for f in document["features"] if f["properties"]["code"] == "QD-SB-0104")
    feature["properties"]["positions"].append({
        "since": "2025-09-01T08:00:00+08:00", "latitude": 36.1, "longitude": 120.39, "address": "工地三号门",
        "note": "第二次迁移"})
    feature["geometry"]["coordinates"] = [120.39, 36.1]
    feature["properties"]["address"] = "工地三号门"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    exchange.import_file(path)

    station = Station.objects.get(code="QD-SB-0104")
    assert (station.latitude, station.longitude) == (Decimal("36.100000"), Decimal("120.390000"))
    assert list(station.positions.order_by("since").values_list("address", flat=True)) == [
        "工地一号门", "工地二号门", "工地三号门"]
    assert StationPosition.objects.count() == 3
    assert OpeningSpan.objects.filter(station=station).count() == 1


@pytest.mark.django_db
def test_import_queries_do_not_grow_with_the_number_of_records(shibei, tmp_path):
    """Batched writes: ten times the records, about the same number of queries (no per-row storm)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count, prefix):
        path = tmp_path / f"{prefix}.csv"
        write_csv(path, [{**GOOD, "code": f"{prefix}-{n:04d}", "hours": "Mo-Fr 08:00-20:00"} for n in range(count)])
        with CaptureQueriesContext(connection) as captured:
            exchange.import_file(path)
        return len(captured)

    few, many = queries_for(30, "A"), queries_for(300, "B")
    assert Station.objects.count() == 330
    assert many <= few + 2
    assert OpeningSpan.objects.count() == 330 * 5
