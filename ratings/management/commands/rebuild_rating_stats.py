from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stations.models import Station

from ...models import Rating
from ...rebuild import REBUILD_CHUNK_STATIONS, RebuildStopped, computed_stats, stats_rebuild


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
                raise CommandError(_("Unknown station code: %(codes)s") % {"codes": ", ".join(missing)})
        if dry_run:
            self._compare(stations)
            return
        if chunk_size < 1:
            raise CommandError(_("--chunk-size must be at least 1."))

        def progress(result, first_station_id):
            if verbosity >= 2:
                self.stdout.write(_("  from station id %(id)s: %(stations)d station(s), %(days)d station-day(s) so far")
                                  % {"id": first_station_id, "stations": result.stations, "days": result.days})

        try:
            result = stats_rebuild(stations=stations, chunk_size=chunk_size, progress=progress)
        except RebuildStopped as stopped:
            raise CommandError(
                _("The rebuild stopped at station id %(id)s (%(cause)r): the %(count)d station(s) before it were "
                  "rebuilt, that chunk and the ones after it keep their previous statistics. Run the command again.")
                % {"id": stopped.first_station_id, "cause": stopped.__cause__, "count": stopped.done.stations}
            ) from stopped
        self.stdout.write(
            _("Rebuilt rating statistics for %(stations)d station(s) and %(days)d station-day(s); "
              "changed %(stations_changed)d statistics row(s) and %(days_changed)d station-day row(s).")
            % {"stations": result.stations, "days": result.days,
               "stations_changed": result.stations_changed, "days_changed": result.days_changed}
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
        self.stdout.write(_("%(count)d station(s) have statistics that differ from the raw ratings "
                            "(dry run, nothing written).") % {"count": differing})
