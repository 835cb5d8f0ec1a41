from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Station


class RetiredToken(models.Model):
    """A rating token that was replaced: old posters get a clear page, not a 404."""

    token = models.CharField(_("rating token"), max_length=43, unique=True)
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="retired_tokens", verbose_name=_("station")
    )
    retired_at = models.DateTimeField(_("replaced at"), default=timezone.now)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("replaced by"),
    )

    class Meta:
        verbose_name = _("retired rating token")
        verbose_name_plural = _("retired rating tokens")
        ordering = ["-retired_at"]

    def __str__(self):
        return f"{self.station_id} {self.retired_at:%Y-%m-%d}"


class RateLimitBucket(models.Model):
    """A token bucket per salted key (e.g. a hashed IP), as in healthchecks' TokenBucket.

    The bucket holds up to 1.0; each request takes 1/capacity and it refills
    completely in `refill_seconds`. The row is locked while it is read and
    written, so concurrent requests cannot both take the last token.
    """

    key = models.CharField(max_length=80, unique=True)
    tokens = models.FloatField(default=1.0)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rate-limit bucket")
        verbose_name_plural = _("rate-limit buckets")

    @classmethod
    def authorize(cls, key, *, capacity, refill_seconds):
        now = timezone.now()
        with transaction.atomic():
            cls.objects.bulk_create([cls(key=key, tokens=1.0, updated=now)], ignore_conflicts=True)
            bucket = cls.objects.select_for_update().get(key=key)
            elapsed = max((now - bucket.updated).total_seconds(), 0.0)
            tokens = min(1.0, bucket.tokens + elapsed / refill_seconds) - 1.0 / capacity
            if tokens < -1e-9:
                return False
            cls.objects.filter(pk=bucket.pk).update(tokens=tokens, updated=now)
            return True
