import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stations.models import Level, Status

# The checklist, in the order inspectors walk through a station.
CHECKLIST = (
    ("signage_ok", _("signage in place")),
    ("clean_and_tidy", _("clean and tidy")),
    ("equipment_working", _("equipment working")),
    ("water_stocked", _("drinking water stocked")),
    ("medicine_stocked", _("medicine kit stocked")),
    ("umbrellas_stocked", _("umbrellas stocked")),
    ("open_as_posted", _("open as posted")),
    ("staff_present", _("staff present")),
)


class Inspection(models.Model):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        UNANNOUNCED = "unannounced", _("unannounced (暗访)")

    station = models.ForeignKey(
        "stations.Station", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("station")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections",
        verbose_name=_("inspector"),
    )
    date = models.DateField(_("date of visit"), default=timezone.localdate)
    kind = models.CharField(_("kind of visit"), max_length=16, choices=Kind.choices, default=Kind.SCHEDULED)

    signage_ok = models.BooleanField(_("signage in place"), default=False)
    clean_and_tidy = models.BooleanField(_("clean and tidy"), default=False)
    equipment_working = models.BooleanField(_("equipment working"), default=False)
    water_stocked = models.BooleanField(_("drinking water stocked"), default=False)
    medicine_stocked = models.BooleanField(_("medicine kit stocked"), default=False)
    umbrellas_stocked = models.BooleanField(_("umbrellas stocked"), default=False)
    open_as_posted = models.BooleanField(_("open as posted"), default=False)
    staff_present = models.BooleanField(_("staff present"), default=False)

    score = models.PositiveSmallIntegerField(
        _("overall score"), validators=[MaxValueValidator(100)], help_text=_("0 to 100.")
    )
    findings = models.TextField(_("findings"), blank=True)

    proposed_level = models.PositiveSmallIntegerField(
        _("proposed level"), choices=Level.choices, null=True, blank=True,
        help_text=_("Leave empty if the inspection does not call for a change."),
    )
    proposed_status = models.CharField(
        _("proposed status"), max_length=16, choices=Status.choices, blank=True,
    )
    # Set when city staff apply the proposal; the LevelChange is the audit trail.
    applied_change = models.OneToOneField(
        "stations.LevelChange", on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="inspection", verbose_name=_("applied level change"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-pk"]
        permissions = [("apply_proposed_level", _("Can apply an inspection's proposed level change"))]
        indexes = [
            # The station page's inspections and the campaign's "last inspected" per station.
            models.Index(fields=["station", "-date"], name="inspection_station_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=100), name="inspection_score_at_most_100"),
        ]

    def __str__(self):
        return f"{self.station.code} {self.date:%Y-%m-%d}"

    @property
    def checklist(self):
        """[(label, passed)] in checklist order."""
        return [(label, getattr(self, name)) for name, label in CHECKLIST]

    @property
    def proposes_change(self):
        return self.proposed_level is not None or bool(self.proposed_status)

    @property
    def proposal_pending(self):
        return self.proposes_change and self.applied_change_id is None


MAX_PHOTO_BYTES = 10 * 1024 * 1024


def inspection_photo_path(photo, filename):
    # A random name: photos are served only through the scoped staff view, and
    # a guessable path would invite trying others.
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"inspections/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{extension}"


def validate_photo_size(file):
    if file.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("A photo may be at most %(mb)d MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)})


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="photos", verbose_name=_("inspection")
    )
    image = models.ImageField(_("photo"), upload_to=inspection_photo_path, validators=[validate_photo_size])
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["pk"]

    def __str__(self):
        return self.caption or self.image.name


class RectificationTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=RectificationTask.Status.OPEN)

    def overdue(self, today=None):
        return self.open().filter(deadline__lt=today or timezone.localdate())


class RectificationTask(models.Model):
    """Something a station must fix, usually opened from an inspection finding."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task status", "open")
        DONE = "done", _("done (awaiting verification)")
        VERIFIED = "verified", _("verified")

    station = models.ForeignKey(
        "stations.Station", on_delete=models.PROTECT, related_name="rectification_tasks",
        verbose_name=_("station"),
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks",
        verbose_name=_("inspection"),
    )
    finding = models.TextField(_("what must be fixed"))
    deadline = models.DateField(_("deadline"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="rectification_tasks", verbose_name=_("owner (station manager)"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    done_note = models.TextField(_("what was done"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("verified by"),
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    objects = RectificationTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")
        ordering = ["status", "deadline", "pk"]
        permissions = [("verify_rectificationtask", _("Can verify a rectification task"))]
        indexes = [
            # Overdue list and "has open tasks" filter: open tasks by deadline.
            models.Index(fields=["status", "deadline"], name="task_status_deadline"),
            models.Index(fields=["station", "status"], name="task_station_status"),
        ]

    def __str__(self):
        return f"{self.station.code}: {self.finding[:60]}"

    def clean(self):
        from ..scoping import manages_station

        if self.owner_id and self.station_id and not manages_station(self.owner, self.station):
            raise ValidationError({"owner": _("The owner must be a station manager of this station.")})
        if self.inspection_id and self.station_id and self.inspection.station_id != self.station_id:
            raise ValidationError({"inspection": _("The inspection is of another station.")})

    def is_overdue(self, today=None):
        return self.status == self.Status.OPEN and self.deadline < (today or timezone.localdate())
