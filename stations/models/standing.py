from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .station import Level, Station, Status


class LevelChange(models.Model):
    """One row per change of a station's level or status: the audit trail."""

    class Reason(models.TextChoices):
        RULE = "rule", _("3-month no-rating rule")
        INSPECTION = "inspection", _("inspection")
        MANUAL = "manual", _("manual decision")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="level_changes", verbose_name=_("station")
    )
    from_level = models.PositiveSmallIntegerField(_("from level"), choices=Level.choices)
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=Level.choices)
    from_status = models.CharField(_("from status"), max_length=16, choices=Status.choices)
    to_status = models.CharField(_("to status"), max_length=16, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    # Null actor means the system (the scheduled rule).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("changed by"),
    )
    # The rule's evaluation date, so a second run for the same day finds its own row.
    as_of = models.DateField(_("rule date"), null=True, blank=True)
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["-created_at"]
        indexes = [
            # The station's history in the admin, newest first.
            models.Index(fields=["station", "-created_at"], name="levelchange_station_created"),
            # Monthly report: downgrades and delistings in a date range.
            models.Index(fields=["created_at", "reason"], name="levelchange_created_reason"),
        ]

    def __str__(self):
        return f"{self.station.code}: {self.get_from_level_display()}/{self.from_status} → {self.get_to_level_display()}/{self.to_status}"
