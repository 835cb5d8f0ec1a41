"""Recompute rating statistics from the raw ratings: the repair behind
`rebuild_rating_stats`, and how the demo seeder fills its counters.

The live counters (ratings.services) keep RatingStats and StationDay in
step with every rating; this gives the same numbers from scratch, in
chunks of stations, writing only what differs (docs/BENCHMARKS.md).
"""

import datetime
import functools
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Min, Q

from stations.models import Station

from .models import Rating, RatingStats, StationDay
from .models.rating import DISSATISFIED_MAX, SATISFIED_MIN

# Stations per transaction. Each chunk locks rating submissions (nationwide) for
# the time it takes, about a second per 10,000 stations at national scale.
REBUILD_CHUNK_STATIONS = 10_000
# Explicit station lists (--station) go into IN (...) lists of this size.
_REBUILD_LIST_CHUNK = 500


@dataclass
class RebuildResult:
    stations: int = 0  # stations with visible ratings (their RatingStats rows)
    days: int = 0  # station-days with visible ratings
    stations_changed: int = 0  # RatingStats rows inserted, updated or deleted
    days_changed: int = 0  # StationDay rows inserted, updated, zeroed or deleted

    def add(self, other):
        for field in ("stations", "days", "stations_changed", "days_changed"):
            setattr(self, field, getattr(self, field) + getattr(other, field))


class RebuildStopped(Exception):
    """A chunk of the rebuild failed and was rolled back.

    Chunks are transactions over station id ranges: the stations before
    `first_station_id` were rebuilt and committed (`done`), that chunk and the
    ones after it keep their previous statistics, whole (RatingStats and
    StationDay of one station always change together). Running the rebuild
    again finishes the job.
    """

    def __init__(self, done, first_station_id):
        self.done = done
        self.first_station_id = first_station_id
        super().__init__(
            f"rebuild stopped at station id {first_station_id}: the stations before it were rebuilt, "
            "that chunk and the ones after it keep their previous statistics"
        )


def _score_counts():
    return {f"count_{score}": Count("id", filter=Q(score=score)) for score in range(1, 6)}


def computed_stats(ratings):
    """{station_id: RatingStats} computed from a Rating queryset's visible rows, one grouped query."""
    rows = (
        ratings.filter(hidden=False).order_by().values("station_id")
        .annotate(total=Count("id"), last_rated_at=Max("created_at"), **_score_counts())
    )
    return {row["station_id"]: RatingStats(**row) for row in rows.iterator(chunk_size=5000)}


def stats_rebuild(*, stations=None, chunk_size=REBUILD_CHUNK_STATIONS, progress=None):
    """Recompute RatingStats and the rating columns of StationDay from the raw ratings.

    The result equals what the live counters hold (hidden ratings count
    nowhere; scans, which exist only in StationDay, are kept; a station-day
    left with neither scans nor visible ratings is deleted, and so is the
    RatingStats row of a station without visible ratings).

    Set-based, inside the database, one transaction per chunk of stations
    (`chunk_size` consecutive ids): the chunk's visible ratings are grouped
    by station and local date into a temporary table, compared with the
    stored rows, and only the rows that differ are written. A rebuild of
    correct statistics writes nothing. While a chunk runs, new ratings and
    hides wait for it (they would otherwise be counted twice or not at all).
    On failure the current chunk rolls back and RebuildStopped is raised.

    `stations` (a queryset or a list of stations or ids) limits the work;
    None means all. `progress(result_so_far, next_station_id)` is called
    after each committed chunk.
    """
    if stations is None:
        bounds = Station.objects.aggregate(first=Min("pk"), last=Max("pk"))
        chunks = []
        if bounds["first"] is not None:
            chunks = [
                _StationRange(start, min(start + chunk_size, bounds["last"] + 1))
                for start in range(bounds["first"], bounds["last"] + 1, chunk_size)
            ]
    else:
        ids = stations.values_list("pk", flat=True) if hasattr(stations, "values_list") else stations
        ids = sorted({getattr(s, "pk", s) for s in ids})
        size = min(chunk_size, _REBUILD_LIST_CHUNK)
        chunks = [_StationList(ids[i:i + size]) for i in range(0, len(ids), size)]

    result = RebuildResult()
    with _RebuildTables() as tables:
        for chunk in chunks:
            try:
                with transaction.atomic():
                    done = tables.rebuild(chunk)
            except Exception as error:
                raise RebuildStopped(result, chunk.first) from error
            result.add(done)
            if progress:
                progress(result, chunk.first)
    return result


class _StationRange:
    def __init__(self, start, stop):
        self.first, self.stop = start, stop

    def where(self, column):
        return f"{column} >= %s AND {column} < %s", [self.first, self.stop]


class _StationList:
    def __init__(self, ids):
        self.ids = ids
        self.first = ids[0]

    def where(self, column):
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", list(self.ids)


class _RebuildTables:
    """The rebuild's temporary tables (this connection only) and the statements over them.

    days:       the chunk's visible ratings per station and local date
    stats:      the same per station
    day_fixes:  StationDay rows to change (day_id), or to insert (day_id NULL); `gone`: the row has
                no visible ratings any more (deleted without scans, else its rating counts are zeroed)
    stat_fixes: rows of `stats` that RatingStats lacks (missing) or holds differently
    """

    COUNTS = "count_1, count_2, count_3, count_4, count_5"

    def __enter__(self):
        self.pg = connection.vendor == "postgresql"
        q = connection.ops.quote_name
        self.rating, self.day, self.stat = (q(m._meta.db_table) for m in (Rating, StationDay, RatingStats))
        self.names = {name: f"ratings_rebuild_{name}" for name in ("days", "stats", "day_fixes", "stat_fixes")}
        temp = "CREATE TEMPORARY TABLE"
        ints = lambda *names: ", ".join(f"{n} integer NOT NULL" for n in names)  # noqa: E731
        counts = ints("count_1", "count_2", "count_3", "count_4", "count_5")
        ts = "timestamp with time zone" if self.pg else "datetime"
        rowid = "" if self.pg else " WITHOUT ROWID"
        if self.pg:
            # Temporary tables live in this session's own buffers (8 MB by default): a chunk's
            # numbers need about 60 MB. Only possible before the session's first temporary table.
            try:
                with transaction.atomic():
                    self._execute(["SET temp_buffers = '256MB'"])
            except DatabaseError:
                pass
        self._execute([
            f"{temp} {self.names['days']} (station_id bigint NOT NULL, date date NOT NULL, "
            f"{ints('ratings', 'satisfied', 'dissatisfied')}, {counts}, last_rated_at {ts} NOT NULL, "
            f"PRIMARY KEY (station_id, date)){rowid}",
            f"{temp} {self.names['stats']} (station_id bigint NOT NULL PRIMARY KEY, total integer NOT NULL, "
            f"{counts}, last_rated_at {ts} NOT NULL)",
            f"{temp} {self.names['day_fixes']} (day_id bigint NULL, station_id bigint NOT NULL, date date NOT NULL, "
            f"{ints('ratings', 'satisfied', 'dissatisfied')}, gone boolean NOT NULL)",
            # The updates below look rows up by day_id.
            f"CREATE INDEX {self.names['day_fixes']}_day ON {self.names['day_fixes']} (day_id)",
            f"{temp} {self.names['stat_fixes']} (station_id bigint NOT NULL PRIMARY KEY, missing boolean NOT NULL, "
            f"total integer NOT NULL, {counts}, last_rated_at {ts} NOT NULL)",
        ])
        return self

    def __exit__(self, exc_type, *exc_info):
        if connection.needs_rollback:
            return  # created in the enclosing transaction: they go with its rollback
        try:
            self._execute([f"DROP TABLE {name}" for name in self.names.values()])
        except Exception:
            if exc_type is None:
                raise  # otherwise the original error matters, not this one

    def _execute(self, statements, params=()):
        rows = 0
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement, params)
                rows += max(cursor.rowcount, 0)
        return rows

    def rebuild(self, chunk):
        """Rebuild one chunk of stations; call inside a transaction."""
        t = self.names
        day, stat = self.day, self.stat
        if self.pg:
            # Submissions lock a stats row first, then insert the rating: take the
            # tables in the same order. SQLite's IMMEDIATE transactions already serialize.
            self._execute([f"LOCK TABLE {stat}, {self.rating} IN SHARE ROW EXCLUSIVE MODE",
                           "SET LOCAL work_mem = '128MB'",  # grouping a chunk's ratings in memory
                           f"TRUNCATE {', '.join(t.values())}"])
        else:
            self._execute([f"DELETE FROM {name}" for name in t.values()])

        scope, scope_params = chunk.where("station_id")
        local_date, date_params = _local_date_sql("created_at")
        score_counts = ", ".join(f"SUM(CASE WHEN score = {n} THEN 1 ELSE 0 END)" for n in range(1, 6))
        result = RebuildResult()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {t['days']} (station_id, date, ratings, satisfied, dissatisfied, {self.COUNTS}, last_rated_at) "
                f"SELECT station_id, local_date, COUNT(*), SUM(CASE WHEN score >= %s THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN score <= %s THEN 1 ELSE 0 END), {score_counts}, MAX(created_at) "
                f"FROM (SELECT station_id, score, created_at, {local_date} AS local_date FROM {self.rating} "
                f"      WHERE NOT hidden AND {scope}) AS visible "
                "GROUP BY station_id, local_date",
                [SATISFIED_MIN, DISSATISFIED_MAX, *date_params, *scope_params],
            )
            result.days = cursor.rowcount
            cursor.execute(
                f"INSERT INTO {t['stats']} (station_id, total, {self.COUNTS}, last_rated_at) "
                f"SELECT station_id, SUM(ratings), SUM(count_1), SUM(count_2), SUM(count_3), SUM(count_4), "
                f"SUM(count_5), MAX(last_rated_at) FROM {t['days']} GROUP BY station_id"
            )
            result.stations = cursor.rowcount
        if self.pg:
            self._execute([f"ANALYZE {t['days']}", f"ANALYZE {t['stats']}"])

        # StationDay: one pass over the chunk's rows (what differs, what has no visible
        # ratings any more), one over the new numbers (what is missing). CROSS JOIN
        # (an inner join to PostgreSQL) makes SQLite walk the big table in order and
        # look up the small one, rather than the other way round.
        day_scope, day_params = chunk.where("d.station_id")
        counts = ("ratings", "satisfied", "dissatisfied")
        fixed_days = ", ".join(counts)
        self._execute([
            f"INSERT INTO {t['day_fixes']} (day_id, station_id, date, {fixed_days}, gone) "
            f"SELECT d.id, d.station_id, d.date, n.ratings, n.satisfied, n.dissatisfied, %s FROM {day} d "
            f"CROSS JOIN {t['days']} n WHERE n.station_id = d.station_id AND n.date = d.date AND {day_scope} "
            "AND (d.ratings <> n.ratings OR d.satisfied <> n.satisfied OR d.dissatisfied <> n.dissatisfied)",
        ], [False, *day_params])
        self._execute([
            f"INSERT INTO {t['day_fixes']} (day_id, station_id, date, {fixed_days}, gone) "
            f"SELECT d.id, d.station_id, d.date, 0, 0, 0, %s FROM {day} d WHERE {day_scope} "
            "AND (d.scans = 0 OR d.ratings <> 0 OR d.satisfied <> 0 OR d.dissatisfied <> 0) "
            f"AND NOT EXISTS (SELECT 1 FROM {t['days']} n WHERE n.station_id = d.station_id AND n.date = d.date)",
        ], [True, *day_params])
        self._execute([
            f"INSERT INTO {t['day_fixes']} (day_id, station_id, date, {fixed_days}, gone) "
            f"SELECT NULL, n.station_id, n.date, n.ratings, n.satisfied, n.dissatisfied, %s FROM {t['days']} n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {day} d WHERE d.station_id = n.station_id AND d.date = n.date "
            # The chunk's range once more: PostgreSQL then reads only that part of the index.
            f"AND {day_scope})",
        ], [False, *day_params])
        if self.pg:
            self._execute([f"ANALYZE {t['day_fixes']}"])
        result.days_changed = self._execute([
            # A scan may have arrived meanwhile (PostgreSQL): such a row is kept, and zeroed below.
            f"DELETE FROM {day} WHERE id IN (SELECT day_id FROM {t['day_fixes']} WHERE gone) AND scans = 0",
            f"UPDATE {day} SET ({fixed_days}) = (SELECT {fixed_days} FROM {t['day_fixes']} f WHERE f.day_id = {day}.id) "
            f"WHERE id IN (SELECT day_id FROM {t['day_fixes']} WHERE day_id IS NOT NULL)",
            # A scan may create the row meanwhile (PostgreSQL): then it is an update.
            f"INSERT INTO {day} (station_id, date, scans, {fixed_days}) "
            f"SELECT station_id, date, 0, {fixed_days} FROM {t['day_fixes']} WHERE day_id IS NULL "
            f"ON CONFLICT (station_id, date) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in counts),
        ])

        # RatingStats: the same, per station.
        distinct = "IS DISTINCT FROM" if self.pg else "IS NOT"
        stat_scope, stat_params = chunk.where("station_id")
        stat_columns = f"total, {self.COUNTS}, last_rated_at"
        self._execute([
            f"INSERT INTO {t['stat_fixes']} (station_id, missing, {stat_columns}) "
            f"SELECT n.station_id, s.station_id IS NULL, n.total, n.count_1, n.count_2, n.count_3, n.count_4, "
            f"n.count_5, n.last_rated_at FROM {t['stats']} n LEFT JOIN {stat} s ON s.station_id = n.station_id "
            "WHERE s.station_id IS NULL OR s.total <> n.total OR s.count_1 <> n.count_1 OR s.count_2 <> n.count_2 "
            "OR s.count_3 <> n.count_3 OR s.count_4 <> n.count_4 OR s.count_5 <> n.count_5 "
            f"OR s.last_rated_at {distinct} n.last_rated_at",
        ])
        result.stations_changed = self._execute([
            f"UPDATE {stat} SET ({stat_columns}) = (SELECT {stat_columns} FROM {t['stat_fixes']} f "
            f"WHERE f.station_id = {stat}.station_id) "
            f"WHERE station_id IN (SELECT station_id FROM {t['stat_fixes']} WHERE NOT missing)",
            f"INSERT INTO {stat} (station_id, {stat_columns}) "
            f"SELECT station_id, {stat_columns} FROM {t['stat_fixes']} WHERE missing",
        ])
        result.stations_changed += self._execute([
            f"DELETE FROM {stat} WHERE {stat_scope} AND station_id NOT IN (SELECT station_id FROM {t['stats']})",
        ], stat_params)
        return result


def _local_date_sql(column):
    """SQL (and params) for the settings.TIME_ZONE calendar date of a datetime column: local_date() in SQL.

    PostgreSQL converts with its own time zone rules (AT TIME ZONE, as
    TruncDate does). SQLite stores UTC text; Django's TruncDate there calls
    Python once per row, so instead the zone's UTC offsets over the ratings'
    time span are looked up here and applied with date(), per span of
    constant offset. Seconds are cut first: date() would round 23:59:59.9996
    up to the next day.
    """
    if connection.vendor != "sqlite":
        return connection.ops.datetime_cast_date_sql(column, (), settings.TIME_ZONE)
    # Two queries: SQLite answers a lone MIN() or MAX() from the index, both together by a scan.
    first = Rating.objects.aggregate(first=Min("created_at"))["first"]
    last = Rating.objects.aggregate(last=Max("created_at"))["last"]
    if first is None:
        return "NULL", ()
    spans = _utc_offset_spans(int(first.timestamp()) - 1, int(last.timestamp()) + 1, settings.TIME_ZONE)
    cut = f"substr({column}, 1, 19)"
    if len(spans) == 1:
        return f"date({cut}, %s)", (f"{spans[0][1]:+d} seconds",)
    sql, params = "CASE", []
    for (_start, offset), (end, _next) in zip(spans, spans[1:]):
        sql += f" WHEN {column} < %s THEN date({cut}, %s)"
        params += [_utc_text(end), f"{offset:+d} seconds"]
    sql += f" ELSE date({cut}, %s) END"
    return sql, (*params, f"{spans[-1][1]:+d} seconds")


def _utc_text(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


@functools.lru_cache(maxsize=8)
def _utc_offset_spans(first, last, tzname):
    """[(start, offset seconds)] of tzname between two POSIX timestamps: when each UTC offset begins.

    Steps an hour at a time and bisects to the second where the offset
    changes (time zone transitions are months apart).
    """
    tz = zoneinfo.ZoneInfo(tzname)

    def offset(timestamp):
        return int(datetime.datetime.fromtimestamp(timestamp, tz).utcoffset().total_seconds())

    spans = [(first, offset(first))]
    moment = first
    while moment < last:
        step = min(moment + 3600, last)
        if offset(step) != spans[-1][1]:
            before, after = moment, step
            while after - before > 1:
                middle = (before + after) // 2
                before, after = (middle, after) if offset(middle) == spans[-1][1] else (before, middle)
            spans.append((after, offset(after)))
        moment = step
    return spans
