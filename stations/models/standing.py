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


class RuleWarning(models.Model):
    """An "at risk" email sent for one clock period: the guard against warning twice.

    The clock period is named by the date its step falls due; a new rating or a
    level change moves that date, and the next period gets its own warning.
    """

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="rule_warnings", verbose_name=_("station")
    )
    due_on = models.DateField(_("step due on"))
    level = models.PositiveSmallIntegerField(_("level when warned"), choices=Level.choices)
    recipients = models.TextField(_("sent to"), blank=True)
    as_of = models.DateField(_("rule date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating-rule warning")
        verbose_name_plural = _("rating-rule warnings")
        ordering = ["-sent_at"]
        constraints = [
            # One warning per station and clock period, even if two runs overlap.
            models.UniqueConstraint(fields=["station", "due_on"], name="rulewarning_once_per_period"),
        ]

    def __str__(self):
        return f"{self.station.code}: {self.due_on}"
