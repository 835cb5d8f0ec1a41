from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Station

PROBLEM_TEXT_MAX_LENGTH = 500


class ProblemKind(models.TextChoices):
    CLOSED = "closed", _("Closed or locked during posted hours")
    LOCATION = "location", _("Wrong location on the map")
    SUPPLIES = "supplies", _("Out of water or supplies")
    EQUIPMENT = "equipment", _("Equipment broken")
    OTHER = "other", _("Other")


class ProblemReport(models.Model):
    """"This place is wrong": a report from the public, handled by staff."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="problem_reports", verbose_name=_("station")
    )
    kind = models.CharField(_("problem"), max_length=16, choices=ProblemKind.choices)
    text = models.CharField(_("details"), max_length=PROBLEM_TEXT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    device_hash = models.CharField(_("device fingerprint (salted hash)"), max_length=64, editable=False)

    handled = models.BooleanField(_("handled"), default=False)
    handled_note = models.TextField(_("handling note"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A station's latest report ("last reported problem") and its open ones.
            models.Index(fields=["station", "-created_at"], name="problem_station_created"),
            # The staff list: open reports first, newest first; alerts on piling-up reports.
            models.Index(fields=["handled", "-created_at"], name="problem_handled_created"),
            # The cooldown check for the same device, station and kind.
            models.Index(fields=["device_hash", "station", "-created_at"], name="problem_device_station"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="other") | ~models.Q(text=""), name="problem_other_has_text"
            ),
        ]

    def __str__(self):
        return f"{self.station_id} · {self.get_kind_display()}"
