"""Writes for ratings: every rule that changes a rating, a scan or a score lives here.

Views, the admin, management commands and the demo seeder call these
functions; none of them writes Rating, RatingStats or StationDay itself.

Counters change by F() expressions inside the transaction that writes the
rating, so concurrent submissions never lose a count. A new rating first
locks its station's RatingStats row: submissions for one station queue for
a moment (which also makes the cooldown check race-free), other stations
are not affected. Hide/unhide lock the same row before touching the rating,
so lock order is always stats -> rating -> station day.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.alerts import alerts_check_after_commit
from oversight.models import Alert
from stations.models import Status

from . import antiabuse
from .aspects import ASPECTS
from .models import (
    HideReason,
    ProblemKind,
    ProblemReport,
    RateLimitBucket,
    Rating,
    RatingStats,
    RetiredToken,
    StationDay,
)
from .models.problem import PROBLEM_TEXT_MAX_LENGTH
from .models.rating import COMMENT_MAX_LENGTH, DISSATISFIED_MAX, SATISFIED_MIN

TAG_FIELDS = tuple(field for field, _label, _icon in ASPECTS)


class Refused(Exception):
    """A submission the anti-abuse or station rules turn away; the view explains it kindly."""

    reason = "refused"


class StationNotAccepting(Refused):
    reason = "not_accepting"


class CooldownActive(Refused):
    reason = "cooldown"


class RateLimited(Refused):
    reason = "rate_limited"


def local_tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_date(moment):
    """The Asia/Shanghai calendar date of an aware datetime (StationDay's date)."""
    return timezone.localtime(moment, local_tz()).date()


# --- counters -----------------------------------------------------------------


def _bump_day(station_id, date, **deltas):
    """Add `deltas` to a StationDay row, creating it if needed, without losing concurrent counts."""
    updates = {field: F(field) + delta for field, delta in deltas.items()}
    rows = StationDay.objects.filter(station_id=station_id, date=date)
    if not rows.update(**updates):
        StationDay.objects.bulk_create([StationDay(station_id=station_id, date=date)], ignore_conflicts=True)
        rows.update(**updates)


def _lock_stats(station_id):
    """Create the station's stats row if missing and lock it for this transaction."""
    RatingStats.objects.bulk_create([RatingStats(station_id=station_id)], ignore_conflicts=True)
    return RatingStats.objects.select_for_update().get(pk=station_id)


def _count_rating(rating, sign):
    """Add (+1) or remove (-1) a rating from its station's stats and day; stats row already locked."""
    stats = RatingStats.objects.filter(pk=rating.station_id)
    updates = {"total": F("total") + sign, f"count_{rating.score}": F(f"count_{rating.score}") + sign}
    if sign > 0:
        updates["last_rated_at"] = Case(
            When(Q(last_rated_at__isnull=True) | Q(last_rated_at__lt=rating.created_at), then=Value(rating.created_at)),
            default=F("last_rated_at"),
        )
    stats.update(**updates)
    if sign < 0:
        # The latest visible rating may just have gone: look up the one before it.
        latest = (
            Rating.objects.filter(station_id=rating.station_id, hidden=False)
            .order_by("-created_at").values_list("created_at", flat=True).first()
        )
        stats.update(last_rated_at=latest)
    _bump_day(
        rating.station_id,
        local_date(rating.created_at),
        ratings=sign,
        satisfied=sign if rating.score >= SATISFIED_MIN else 0,
        dissatisfied=sign if rating.score <= DISSATISFIED_MAX else 0,
    )


# --- public writes --------------------------------------------------------------


def scan_record(*, station, at=None):
    """Count one visit of the station's rating page; nothing about the visitor is stored."""
    with transaction.atomic():
        _bump_day(station.pk, local_date(at or timezone.now()), scans=1)


def _check_network(network_key, prefix):
    capacity, refill = antiabuse.ip_limit()
    if network_key and not RateLimitBucket.authorize(f"{prefix}:{network_key}", capacity=capacity, refill_seconds=refill):
        raise RateLimited


def _within_cooldown(model, *, station, device_hash, now, **extra):
    since = now - datetime.timedelta(hours=antiabuse.cooldown_hours())
    return model.objects.filter(
        device_hash=device_hash, station=station, created_at__gt=since, **extra
    ).exists()


def rating_submit(
    *, station, score, tags=(), comment="", worker_group=None, device_hash, network_key="", now=None
):
    """Store a rating and count it, or raise a Refused subclass (nothing is written then).

    `tags` are field names from TAG_FIELDS. `device_hash` and `network_key`
    come from antiabuse.identify().
    """
    now = now or timezone.now()
    if station.status != Status.ACTIVE:
        raise StationNotAccepting
    score = int(score)
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Choose one of the five answers.")})
    unknown = set(tags) - set(TAG_FIELDS)
    if unknown:
        raise ValidationError({"tags": _("Unknown aspect: %(tags)s") % {"tags": ", ".join(sorted(unknown))}})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": _("Keep the comment under %(n)d characters.") % {"n": COMMENT_MAX_LENGTH}})

    with transaction.atomic():
        _lock_stats(station.pk)
        if _within_cooldown(Rating, station=station, device_hash=device_hash, now=now):
            raise CooldownActive
        _check_network(network_key, "rate")
        rating = Rating.objects.create(
            station=station, score=score, comment=comment, worker_group=worker_group,
            device_hash=device_hash, created_at=now, **{field: field in tags for field in TAG_FIELDS},
        )
        _count_rating(rating, +1)
        alerts_check_after_commit(station, now=now, kinds=[Alert.Kind.BAD_RATINGS])
    return rating


def rating_hide(*, rating, reason, note="", actor, now=None):
    """Hide a rating (kept, but counted nowhere). Hiding a hidden rating only updates the reason."""
    if reason not in HideReason.values:
        raise ValidationError({"hidden_reason": _("Choose a reason for hiding the rating.")})
    with transaction.atomic():
        _lock_stats(rating.station_id)
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        was_visible = not rating.hidden
        rating.hidden = True
        rating.hidden_reason = reason
        rating.hidden_note = (note or "").strip()[:200]
        rating.hidden_by = actor
        rating.hidden_at = now or timezone.now()
        rating.save(update_fields=["hidden", "hidden_reason", "hidden_note", "hidden_by", "hidden_at"])
        if was_visible:
            _count_rating(rating, -1)
    return rating


def rating_unhide(*, rating, actor=None):
    """Show a hidden rating again and count it back in. Unhiding a visible rating does nothing."""
    with transaction.atomic():
        _lock_stats(rating.station_id)
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        if rating.hidden:
            rating.hidden = False
            rating.hidden_reason = ""
            rating.hidden_note = ""
            rating.hidden_by = None
            rating.hidden_at = None
            rating.save(update_fields=["hidden", "hidden_reason", "hidden_note", "hidden_by", "hidden_at"])
            _count_rating(rating, +1)
    return rating


def problem_report_submit(*, station, kind, text="", device_hash, network_key="", now=None):
    """Store a problem report from the public, or raise a Refused subclass.

    One report of each kind per device and station per cooldown; the same
    per-network limit as ratings (its own bucket).
    """
    now = now or timezone.now()
    if station.status == Status.DELISTED:
        raise StationNotAccepting
    if kind not in ProblemKind.values:
        raise ValidationError({"kind": _("Choose what is wrong.")})
    text = (text or "").strip()
    if kind == ProblemKind.OTHER and not text:
        raise ValidationError({"text": _("Please describe the problem.")})
    if len(text) > PROBLEM_TEXT_MAX_LENGTH:
        raise ValidationError({"text": _("Keep it under %(n)d characters.") % {"n": PROBLEM_TEXT_MAX_LENGTH}})
    with transaction.atomic():
        if _within_cooldown(ProblemReport, station=station, device_hash=device_hash, now=now, kind=kind):
            raise CooldownActive
        _check_network(network_key, "report")
        report = ProblemReport.objects.create(
            station=station, kind=kind, text=text, device_hash=device_hash, created_at=now
        )
        alerts_check_after_commit(station, now=now, kinds=[Alert.Kind.PROBLEM_REPORTS])
        return report


def device_hashes_forget(*, now=None):
    """Blank the device hashes the cooldown no longer needs, and drop idle rate-limit buckets.

    A hash kept beyond the cooldown would only let someone link a device's
    ratings over time. Returns (ratings, problem reports, buckets) changed.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=antiabuse.cooldown_hours())
    with transaction.atomic():
        ratings = Rating.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
        reports = ProblemReport.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
        # A bucket idle for its refill time is full again: deleting it changes nothing.
        _capacity, refill = antiabuse.ip_limit()
        buckets, _ = RateLimitBucket.objects.filter(updated__lt=now - datetime.timedelta(seconds=refill)).delete()
    return ratings, reports, buckets


def problem_report_handle(*, report, note="", actor, handled=True, now=None):
    """Mark a problem report handled (with a note) or open again."""
    report.handled = handled
    report.handled_note = (note or "").strip()
    report.handled_by = actor if handled else None
    report.handled_at = (now or timezone.now()) if handled else None
    report.save(update_fields=["handled", "handled_note", "handled_by", "handled_at"])
    return report


def rating_token_regenerate(*, station, actor=None):
    """Give the station a new rating token; the old one is kept as retired (old posters explain)."""
    from stations.models.station import new_rating_token

    with transaction.atomic():
        RetiredToken.objects.create(token=station.rating_token, station=station, retired_by=actor)
        station.rating_token = new_rating_token()
        type(station).objects.filter(pk=station.pk).update(rating_token=station.rating_token)
    return station
