"""stations.bulk.insert_rows, and the rule's batch writes built on it."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from stations import hours, rating_rule, standing
from stations.bulk import insert_rows
from stations.models import Level, LevelChange, RuleWarning, Station, Status

D = datetime.date


@pytest.fixture
def few_params(monkeypatch):
    """Three LevelChange rows per statement, so a handful of rows spans several."""
    monkeypatch.setattr(connection.features, "max_query_params", 30)


def change_row(station, note, now):
    return (station.pk, Level.NATIONAL, Level.PROVINCIAL, Status.ACTIVE, Status.ACTIVE, "rule", note, None,
            D(2026, 3, 1), now)


COLUMNS = ["station_id", "from_level", "to_level", "from_status", "to_status", "reason", "note", "actor_id",
           "as_of", "created_at"]


def test_returned_keys_belong_to_the_rows_they_came_back_with(make_station, few_params):
    stations = [make_station() for _ in range(8)]
    now = timezone.now()
    returned = insert_rows(LevelChange, COLUMNS, [change_row(station, station.code, now) for station in stations],
                           returning=("id", "station_id"))
    assert len(returned) == 8
    by_key = {change.pk: change for change in LevelChange.objects.all()}
    for pk, station_pk in returned:
        change = by_key[pk]
        assert change.station_id == station_pk
        assert change.note == change.station.code  # the row's own values, not a neighbour's
        assert (change.as_of, change.created_at) == (D(2026, 3, 1), now)


def test_without_returning_rows_are_written_and_missing_columns_take_their_default(make_station):
    station = make_station()
    now = timezone.now()
    assert insert_rows(RuleWarning, ["station_id", "due_on", "level", "as_of", "sent_at"],
                       [(station.pk, D(2026, 4, 1), Level.CITY, D(2026, 3, 2), now)]) is None
    warning = RuleWarning.objects.get()
    assert (warning.station, warning.due_on, warning.level, warning.recipients) == (station, D(2026, 4, 1), 1, "")


def test_callable_defaults_are_worked_out_for_each_row(shibei):
    now = timezone.now()
    insert_rows(Station, ["code", "name", "district_id", "address", "latitude", "longitude", "created_at",
                          "updated_at"],
                [(code, code, shibei.pk, "Address", Decimal("36.1"), Decimal("120.4"), now, now)
                 for code in ("QD-SB-9001", "QD-SB-9002")])
    first, second = Station.objects.order_by("code")
    assert first.rating_token != second.rating_token  # unique: one new token per row
    assert first.opening_hours == second.opening_hours == hours.always_open_schedule()
    assert first.listed_on == timezone.localdate()
    assert (first.level, first.status, first.latitude) == (Level.CITY, Status.ACTIVE, Decimal("36.100000"))


def test_no_rows_write_nothing(db):
    assert insert_rows(LevelChange, COLUMNS, [], returning=("id",)) == []
    assert LevelChange.objects.count() == 0


def test_a_batch_change_returns_its_rows_as_saved(make_station, make_staff, few_params):
    staff = make_staff()
    stations = [make_station(level=Level.NATIONAL) for _ in range(5)] + [make_station(level=Level.CITY)]
    items = [(station, Level.PROVINCIAL, Status.ACTIVE, f"Merged {station.code}") for station in stations[:5]]
    items.append((stations[5], Level.CITY, Status.DELISTED, "Closed"))
    changes, stale = standing.change_standings(items, reason="manual", actor=staff)
    assert stale == []
    assert [change.station for change in changes] == stations
    for change in changes:
        saved = LevelChange.objects.get(pk=change.pk)
        assert model_to_dict(change) == model_to_dict(saved)
        assert change.created_at == saved.created_at
        assert not change._state.adding


def test_a_batch_takes_each_station_once(make_station):
    station = make_station(level=Level.NATIONAL)
    with pytest.raises(ValueError, match="once"):
        standing.change_standings([(station, Level.PROVINCIAL, Status.ACTIVE, ""),
                                   (station, Level.CITY, Status.ACTIVE, "")], reason="rule")
    assert LevelChange.objects.count() == 0


def test_the_rules_warning_rows_are_those_in_the_database(make_station, few_params):
    stations = [make_station(level=Level.NATIONAL, listed_on=D(2026, 1, 10)) for _ in range(4)]
    as_of = D(2026, 3, 20)  # due on 10 April: at risk, not yet due
    verdicts = [(station, standing.verdict_for(station, as_of)) for station in stations]
    rows = rating_rule._record_warnings(verdicts, as_of)
    assert [row.station_id for row in rows] == [station.pk for station in stations]
    for row in rows:
        assert model_to_dict(row) == model_to_dict(RuleWarning.objects.get(pk=row.pk))
        assert (row.due_on, row.recipients) == (D(2026, 4, 10), "manager@example.org chief.shibei@example.org")
