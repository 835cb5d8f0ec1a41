from django.core.management.base import BaseCommand, CommandError

from stations.models import Station

from ...models import Rating
from ...services import computed_stats, stats_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every station's rating statistics (RatingStats) and the rating columns of the "
        "per-day table (StationDay) from the raw ratings; hidden ratings count nowhere, scans are kept. "
        "The live counters are kept in step with each rating, so this is for repairs, imports and "
        "checks. --station limits it to some stations; --dry-run only reports how many stations' "
        "statistics differ from the raw ratings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--station", action="append", default=[], metavar="CODE",
                            help="Only this station (repeatable).")
        parser.add_argument("--dry-run", action="store_true", help="Compare only; write nothing.")

    def handle(self, *args, station, dry_run, **options):
        stations = None
        if station:
            stations = list(Station.objects.filter(code__in=station))
            missing = sorted(set(station) - {s.code for s in stations})
            if missing:
                raise CommandError(f"Unknown station code: {', '.join(missing)}")
        if dry_run:
            self._compare(stations)
            return
        result = stats_rebuild(stations=stations)
        self.stdout.write(f"Rebuilt rating statistics for {result.stations} station(s) and {result.days} station-day(s).")

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
