"""Staff-only pieces of station pages.

- ratings_staff_box: on the public station page, the last reported problem,
  QR code and poster. It renders only for signed-in staff whose scope
  includes the station, so nothing changes for workers.
- station_ratings_panel: on the station's admin page, its latest ratings with
  hide/unhide buttons that run the ratings list's own actions.
"""

from django import template
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils.http import urlencode

from oversight.scoping import can_read_rating_comments, is_staff_member, station_in_scope

from ..aspects import ASPECTS, SCALE
from ..models import Rating
from ..selectors import last_problem_report, open_problem_counts

# The admin station page shows this many of the newest ratings; the ratings
# list, linked from the panel, has them all.
LATEST_RATINGS_SHOWN = 20
_SCALE = {score: (face, label) for score, face, label in SCALE}

register = template.Library()


@register.inclusion_tag("ratings/_staff_box.html", takes_context=True)
def ratings_staff_box(context, station):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_staff_member(user) or not station_in_scope(user, station):
        return {"show": False}
    can_see_reports = user.has_perm("ratings.view_problemreport")
    return {
        "show": True,
        "station": station,
        "report": last_problem_report(station) if can_see_reports else None,
        "open_reports": open_problem_counts(type(station).objects.filter(pk=station.pk)).get(station.pk, 0)
        if can_see_reports else 0,
        "reports_url": reverse("admin:ratings_problemreport_changelist") + "?" + urlencode({"station_code": station.code})
        if can_see_reports else "",
    }


@register.inclusion_tag("admin/ratings/station_ratings_panel.html", takes_context=True)
def station_ratings_panel(context, station):
    request = context["request"]
    user = request.user
    if not user.has_perm("ratings.view_rating") or not station_in_scope(user, station):
        return {"show": False}
    ratings = (
        Rating.objects.filter(station=station).select_related("worker_group", "hidden_by")
        .order_by("-created_at")[:LATEST_RATINGS_SHOWN]
    )
    rows = [
        {
            "rating": rating,
            "face": _SCALE[rating.score][0],
            "label": _SCALE[rating.score][1],
            "tags": [f"{icon} {label}" for field, label, icon in ASPECTS if getattr(rating, field)],
        }
        for rating in ratings
    ]
    changelist = reverse("admin:ratings_rating_changelist")
    return {
        "show": True,
        "rows": rows,
        "show_comments": can_read_rating_comments(user),
        "can_hide": user.has_perm("ratings.change_rating"),
        "action_url": changelist,
        "all_url": changelist + "?" + urlencode({"station_code": station.code}),
        "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "csrf_token": context.get("csrf_token"),
    }
