from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stations import demo, exchange


class Command(BaseCommand):
    help = (
        "Load the invented demo data from seeds/: the cities and districts of Qingdao and "
        "Xianyang, their 970 stations and (through ratings.demo) a rating history for the "
        "stations it creates. Safe to run again: what exists is left as it is, so a second "
        "run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ratings", type=int, default=None, metavar="N",
                            help="About how many demo ratings to create (default: the ratings app's own).")

    def handle(self, *args, ratings=None, **options):
        try:
            report = demo.seed_demo(ratings_target=ratings)
        except exchange.ImportFailed as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Demo data: %(districts)s districts and %(stations)s stations created, %(kept)s stations "
              "already there; %(ratings)s ratings created.")
            % {"districts": report.districts_created, "stations": report.stations_created,
               "kept": report.stations_kept, "ratings": report.ratings_created}
        )
