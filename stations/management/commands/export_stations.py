from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stations import exchange


class Command(BaseCommand):
    help = (
        "Export every station, ordered by code, to a .csv or .geojson file with all the "
        "fields that import_stations reads, so export, import and export again give the "
        "same file. An existing file is overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .csv or .geojson file to write.")

    def handle(self, *args, file, **options):
        try:
            count = exchange.export_file(file)
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("%(count)s stations written to %(file)s.") % {"count": count, "file": file})
