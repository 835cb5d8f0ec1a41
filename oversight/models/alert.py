from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(acknowledged_at__isnull=True)


class Alert(models.Model):
    """A station whose recent ratings turned bad, or whose problem reports pile up.

    Stays on the dashboard until someone acknowledges it with a note; at most
    one open alert per station and kind (a database constraint).
    """

    class Kind(models.TextChoices):
        BAD_RATINGS = "bad_ratings", _("ratings turned bad")
        PROBLEM_REPORTS = "problem_reports", _("problem reports piling up")

    station = models.ForeignKey(
        "stations.Station", on_delete=models.CASCADE, related_name="alerts", verbose_name=_("station")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=255)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    notified = models.TextField(_("emailed to"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("acknowledged by"),
    )
    note = models.TextField(_("acknowledgement note"), blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_at"]
        constraints = [
            # Idempotent alerting: checking a station twice never opens a second alert.
            models.UniqueConstraint(
                fields=["station", "kind"], condition=models.Q(acknowledged_at__isnull=True),
                name="alert_one_open_per_station_kind",
            ),
        ]
        indexes = [
            # Dashboard: open alerts, newest first.
            models.Index(fields=["acknowledged_at", "-opened_at"], name="alert_ack_opened"),
        ]

    def __str__(self):
        return f"{self.station.code}: {self.get_kind_display()}"

    @property
    def is_open(self):
        return self.acknowledged_at is None
