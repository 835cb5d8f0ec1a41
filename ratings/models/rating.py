from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Station, WorkerGroup

COMMENT_MAX_LENGTH = 300


class Score(models.IntegerChoices):
    """The five-point satisfaction scale workers know from service counters.

    "Satisfied" means 4 or 5: the satisfaction rate is the share of visible
    ratings scored 4 or 5 (see RatingStats.satisfaction_rate).
    """

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neutral")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


SATISFIED_MIN = 4
DISSATISFIED_MAX = 2


class HideReason(models.TextChoices):
    SPAM = "spam", _("spam or ballot stuffing")
    ABUSE = "abuse", _("abusive or personal attack")
    OFF_TOPIC = "off_topic", _("off-topic")
    PERSONAL_DATA = "personal_data", _("contains personal data")
    TEST = "test", _("test or mistaken submission")
    OTHER = "other", _("other (see note)")


class Rating(models.Model):
    """One worker's answer after scanning a station's QR code.

    Aspect tags are one boolean column each (not a bitmask or a join table):
    the admin filters on them with a plain WHERE that both SQLite and
    PostgreSQL plan well, and exports read them without joins.
    Nothing here identifies a person: `device_hash` is a salted hash used only
    for the cooldown (see ratings.antiabuse).
    """

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("station")
    )
    score = models.PositiveSmallIntegerField(_("satisfaction"), choices=Score.choices)

    tag_clean = models.BooleanField(_("clean"), default=False)
    tag_water = models.BooleanField(_("water available"), default=False)
    tag_equipment = models.BooleanField(_("equipment working"), default=False)
    tag_staff = models.BooleanField(_("staff friendly"), default=False)
    tag_open_as_posted = models.BooleanField(_("open as posted"), default=False)
    tag_needs_improvement = models.BooleanField(_("needs improvement"), default=False)

    comment = models.CharField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    worker_group = models.ForeignKey(
        WorkerGroup, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("worker group"),
    )
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)
    device_hash = models.CharField(_("device fingerprint (salted hash)"), max_length=64, editable=False)

    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=16, choices=HideReason.choices, blank=True)
    hidden_note = models.CharField(_("note on hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A station's ratings newest first (admin station page), and the
            # latest visible rating when the newest one is hidden.
            models.Index(fields=["station", "-created_at"], name="rating_station_created"),
            # The admin ratings list (newest first) and every date-range filter,
            # report and export across stations.
            models.Index(fields=["-created_at"], name="rating_created"),
            # The cooldown check: has this device rated this station lately?
            models.Index(fields=["device_hash", "station", "-created_at"], name="rating_device_station"),
            # The admin's "hidden" filter: a few rows among millions.
            models.Index(
                fields=["-created_at"], condition=models.Q(hidden=True), name="rating_hidden_created"
            ),
            # Weekly rectification: "needs improvement" tags per station in a period.
            models.Index(
                fields=["station", "-created_at"], condition=models.Q(tag_needs_improvement=True),
                name="rating_needs_improvement",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(hidden=False) | ~models.Q(hidden_reason=""), name="rating_hidden_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.station_id} · {self.get_score_display()}"

    @property
    def satisfied(self):
        return self.score >= SATISFIED_MIN

    @property
    def dissatisfied(self):
        return self.score <= DISSATISFIED_MAX
