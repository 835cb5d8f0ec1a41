"""Alerts: a station whose recent ratings turned bad, or whose problem reports pile up.

`alerts_check_station(station)` is called after a rating or a problem report is
stored (ratings.services, on commit). It is idempotent: a station has at most
one open alert per kind (database constraint), and only a newly opened alert
sends its ONE email to the station's managers and district chief.
Thresholds are settings (see portal/settings.py, "Supervision alerts").
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Alert
from .recipients import station_recipients
from .scoping import require_in_scope

logger = logging.getLogger(__name__)


def _alert_state(station, kinds):
    """{kind: (has an open alert, last acknowledgement time)} in one query."""
    rows = (
        Alert.objects.filter(station=station, kind__in=kinds).values("kind")
        .annotate(open=Count("pk", filter=Q(acknowledged_at__isnull=True)), last_ack=Max("acknowledged_at"))
    )
    state = {kind: (False, None) for kind in kinds}
    state.update({row["kind"]: (row["open"] > 0, row["last_ack"]) for row in rows})
    return state


def _window_start(now, acknowledged):
    """The window's start: ALERT_WINDOW_HOURS ago, or the last acknowledgement if later.

    What happened before an acknowledgement has been dealt with; only what
    comes after it can open the next alert of that kind.
    """
    start = now - timedelta(hours=settings.ALERT_WINDOW_HOURS)
    return max(start, acknowledged) if acknowledged else start


def bad_ratings_summary(station, now, since):
    """A summary line when visible ratings since `since` turned bad, else None."""
    from ratings.models import Rating

    counts = Rating.objects.filter(
        station=station, hidden=False, created_at__gt=since, created_at__lte=now
    ).aggregate(total=Count("pk"), dissatisfied=Count("pk", filter=Q(score__lte=2)))
    total, dissatisfied = counts["total"], counts["dissatisfied"]
    if total >= settings.ALERT_MIN_RATINGS and dissatisfied >= settings.ALERT_DISSATISFIED_SHARE * total:
        return _("%(dissatisfied)d of %(total)d ratings in the last %(hours)d hours were dissatisfied.") % {
            "dissatisfied": dissatisfied, "total": total, "hours": settings.ALERT_WINDOW_HOURS,
        }
    return None


def problem_reports_summary(station, now, since):
    """A summary line when unhandled problem reports piled up since `since`, else None."""
    from ratings.models import ProblemReport

    count = ProblemReport.objects.filter(
        station=station, handled=False, created_at__gt=since, created_at__lte=now
    ).count()
    if count >= settings.ALERT_PROBLEM_REPORTS:
        return _("%(count)d unhandled problem reports in the last %(hours)d hours.") % {
            "count": count, "hours": settings.ALERT_WINDOW_HOURS,
        }
    return None


CHECKS = {
    Alert.Kind.BAD_RATINGS: bad_ratings_summary,
    Alert.Kind.PROBLEM_REPORTS: problem_reports_summary,
}


def alerts_check_station(station, *, now=None, kinds=None):
    """Open (and email) any alert the station's recent activity calls for.

    `kinds` limits the check (a new rating cannot pile up problem reports).
    Returns the alerts opened by this call (usually none).
    """
    now = now or timezone.now()
    kinds = list(kinds or CHECKS)
    opened = []
    for kind, (is_open, acknowledged) in _alert_state(station, kinds).items():
        if is_open:
            continue
        summary = CHECKS[kind](station, now, _window_start(now, acknowledged))
        if summary is None:
            continue
        alert = _open_alert(station, kind, summary)
        if alert is not None:
            opened.append(alert)
    return opened


def _open_alert(station, kind, summary):
    try:
        with transaction.atomic():
            alert = Alert.objects.create(station=station, kind=kind, summary=summary)
    except IntegrityError:
        # A concurrent check opened it first: that one sends the email.
        return None
    # Email only once the alert row is committed: a rolled-back alert never mails.
    transaction.on_commit(lambda: _notify(alert.pk))
    return alert


def _notify(alert_pk):
    alert = Alert.objects.select_related("station__district").get(pk=alert_pk)
    recipients = station_recipients(alert.station)
    if not recipients:
        logger.warning("Alert %s for %s has nobody to email", alert.pk, alert.station.code)
        return
    # Staff read Chinese by default; the email is written in the portal's language.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "alert": alert,
            "station": alert.station,
            "dashboard_url": settings.PUBLIC_BASE_URL + reverse("oversight:dashboard"),
        }
        subject = _("Yizhan alert: %(station)s: %(kind)s") % {
            "station": alert.station, "kind": alert.get_kind_display(),
        }
        body = render_to_string("oversight/email/alert.txt", context)
    send_mail(subject, body, None, recipients)
    Alert.objects.filter(pk=alert.pk).update(notified=", ".join(recipients))


def alert_acknowledge(*, alert, actor, note):
    """Close an open alert with a note saying what was done about it."""
    require_in_scope(actor, alert.station)
    if not actor.has_perm("oversight.change_alert"):
        raise PermissionDenied(_("You may not acknowledge alerts."))
    if not alert.is_open:
        raise ValidationError(_("This alert has already been acknowledged."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Write a note saying what was done.")})
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.note = note.strip()
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
    return alert


def alerts_check_after_commit(station, *, now=None, kinds=None):
    """Schedule alerts_check_station once the caller's transaction commits.

    For the rating and problem-report services: the check sees the committed
    row, and a failure in it is logged, never turned into a failed submission.
    """
    transaction.on_commit(lambda: alerts_check_station(station, now=now, kinds=kinds), robust=True)
