from django.core.management.base import BaseCommand, CommandError

from stations.models import Station

from ...models import Rating
from ...services import REBUILD_CHUNK_STATIONS, RebuildStopped, computed_stats, stats_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every station's rating statistics (RatingStats) and the rating columns of the "
        "per-day table (StationDay) from the raw ratings; hidden ratings count nowhere, scans are kept. "
        "The live counters are kept in step with each rating, so this is for repairs, imports and "
        "checks. Only rows that differ are written. It works in chunks of stations, one transaction each: "
        "new ratings wait while a chunk runs, and if it fails, that chunk rolls back, the stations before it "
        "stay rebuilt and the rest keep their previous statistics (run it again). --station limits it to "
        "some stations; --dry-run only reports how many stations' statistics differ from the raw ratings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--station", action="append", default=[], metavar="CODE",
                            help="Only this station (repeatable).")
        parser.add_argument("--dry-run", action="store_true", help="Compare only; write nothing.")
        parser.add_argument("--chunk-size", type=int, default=REBUILD_CHUNK_STATIONS, metavar="N",
                            help=f"Station ids per transaction (default {REBUILD_CHUNK_STATIONS}).")

    def handle(self, *args, station, dry_run, chunk_size, verbosity, **options):
        stations = None
        if station:
            stations = list(Station.objects.filter(code__in=station))
            missing = sorted(set(station) - {s.code for s in stations})
            if missing:
                raise CommandError(f"Unknown station code: {', '.join(missing)}")
        if dry_run:
            self._compare(stations)
            return
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")

        def progress(result, first_station_id):
            if verbosity >= 2:
                self.stdout.write(f"  from station id {first_station_id}: {result.stations} station(s), "
                                  f"{result.days} station-day(s) so far")

        try:
            result = stats_rebuild(stations=stations, chunk_size=chunk_size, progress=progress)
        except RebuildStopped as stopped:
            raise CommandError(
                f"{stopped} ({stopped.__cause__!r}). Rebuilt before that: {stopped.done.stations} station(s). "
                "Run the command again."
            ) from stopped
        self.stdout.write(
            f"Rebuilt rating statistics for {result.stations} station(s) and {result.days} station-day(s); "
            f"changed {result.stations_changed} statistics row(s) and {result.days_changed} station-day row(s)."
        )

    def _compare(self, stations):
        from ...models import RatingStats

        ratings = Rating.objects.all()
        current = RatingStats.objects.all()
        if stations is not None:
            ratings = ratings.filter(station__in=stations)
            current = current.filter(station__in=stations)
        expected = computed_stats(ratings)
        fields = ["total", "count_1", "count_2", "count_3", "count_4", "count_5", "last_rated_at"]
        differing = 0
        seen = set()
        for stats in current.iterator(chunk_size=5000):
            seen.add(stats.pk)
            want = expected.get(stats.pk)
            have = [getattr(stats, f) for f in fields]
            if want is None:
                differing += any(have[:6]) or have[6] is not None
            elif have != [getattr(want, f) for f in fields]:
                differing += 1
        differing += len(set(expected) - seen)
        self.stdout.write(f"{differing} station(s) have statistics that differ from the raw ratings (dry run, nothing written).")
