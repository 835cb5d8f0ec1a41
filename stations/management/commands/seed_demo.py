from django.core.management.base import BaseCommand, CommandError

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
            f"Demo data: {report.districts_created} districts and {report.stations_created} stations created, "
            f"{report.stations_kept} stations already there; {report.ratings_created} ratings created."
        )
