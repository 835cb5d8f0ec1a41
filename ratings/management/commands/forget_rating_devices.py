from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ...services import device_hashes_forget


class Command(BaseCommand):
    help = (
        "Privacy housekeeping, run daily (e.g. from cron): blank the salted device hashes of ratings "
        "and problem reports older than the cooldown (RATING_COOLDOWN_HOURS), which only the "
        "cooldown needs, and delete rate-limit buckets that have been idle long enough to be full."
    )

    def handle(self, *args, **options):
        ratings, reports, buckets = device_hashes_forget()
        self.stdout.write(
            _("Forgot the device hash of %(ratings)d rating(s) and %(reports)d problem report(s); "
              "deleted %(buckets)d idle rate-limit bucket(s).")
            % {"ratings": ratings, "reports": reports, "buckets": buckets}
        )
