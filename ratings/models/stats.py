from django.db import models
from django.utils.translation import gettext_lazy as _

from stations.models import Station


def satisfaction_rate(satisfied, total):
    """Share of visible ratings that are satisfied or very satisfied (0..1), None without ratings."""
    if not total:
        return None
    return satisfied / total


class RatingStats(models.Model):
    """A station's live score, counting visible ratings only.

    Kept current in the same transaction as every new, hidden or unhidden
    rating (ratings.services), so the map, the admin and the 3-month rule
    never scan the ratings table. No row means no ratings.
    `rebuild_rating_stats` recomputes it from the raw ratings.
    """

    station = models.OneToOneField(
        Station, on_delete=models.CASCADE, primary_key=True, related_name="rating_stats",
        verbose_name=_("station"),
    )
    total = models.PositiveIntegerField(_("ratings"), default=0)
    count_1 = models.PositiveIntegerField(_("very dissatisfied"), default=0)
    count_2 = models.PositiveIntegerField(_("dissatisfied"), default=0)
    count_3 = models.PositiveIntegerField(_("neutral"), default=0)
    count_4 = models.PositiveIntegerField(_("satisfied"), default=0)
    count_5 = models.PositiveIntegerField(_("very satisfied"), default=0)
    last_rated_at = models.DateTimeField(_("last rated"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating statistics")
        verbose_name_plural = _("rating statistics")
        indexes = [
            # The 3-month rule and the admin's "days since last rating" sort.
            models.Index(fields=["last_rated_at"], name="ratingstats_last_rated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    total=models.F("count_1") + models.F("count_2") + models.F("count_3")
                    + models.F("count_4") + models.F("count_5")
                ),
                name="ratingstats_total_is_sum",
            ),
        ]

    def __str__(self):
        return str(self.station)

    @property
    def satisfied(self):
        return self.count_4 + self.count_5

    @property
    def dissatisfied(self):
        return self.count_1 + self.count_2

    @property
    def satisfaction_rate(self):
        return satisfaction_rate(self.satisfied, self.total)


class StationDay(models.Model):
    """Per station and local date (Asia/Shanghai): scans and visible ratings.

    Scans exist only here (a scan stores nothing else), so a rebuild keeps
    them and recomputes the rating columns.
    """

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="days", verbose_name=_("station")
    )
    date = models.DateField(_("date"))
    scans = models.PositiveIntegerField(_("scans"), default=0)
    ratings = models.PositiveIntegerField(_("ratings"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    dissatisfied = models.PositiveIntegerField(_("dissatisfied"), default=0)

    class Meta:
        verbose_name = _("station day")
        verbose_name_plural = _("station days")
        ordering = ["-date", "station"]
        constraints = [
            # Also the index for one station's days ("ratings in the last 30 days").
            models.UniqueConstraint(fields=["station", "date"], name="stationday_station_date"),
        ]
        indexes = [
            # Daily supervision and reports: all stations' numbers for one date or range.
            models.Index(fields=["date", "station"], name="stationday_date_station"),
        ]

    def __str__(self):
        return f"{self.station_id} {self.date}"
