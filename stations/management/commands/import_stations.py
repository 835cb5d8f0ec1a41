from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stations import exchange


class Command(BaseCommand):
    help = (
        "Import stations from a .csv or .geojson file (the format of export_stations; see "
        "README, 'Station data exchange'), creating new codes and updating existing ones. "
        "Districts and catalogue entries must already exist. Every record is checked first: "
        "one bad record (named by CSV line or GeoJSON feature index, and field) aborts the "
        "import and nothing is written. Level or status changes of existing stations are "
        "recorded in their level history as a manual change with the note 'import'."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to a .csv or .geojson file.")

    def handle(self, *args, file, **options):
        try:
            result = exchange.import_file(file)
        except (exchange.ImportFailed, ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged "
              "(%(standing)s level or status changes recorded).")
            % {"created": len(result.created), "updated": result.updated, "unchanged": result.unchanged,
               "standing": result.standing_changes}
        )
