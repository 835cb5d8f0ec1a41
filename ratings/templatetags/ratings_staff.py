"""A staff-only box for the public station page: last reported problem, QR code and poster.

The station page is public; the box renders only for signed-in staff whose
scope includes the station, so nothing changes for workers.
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from oversight.scoping import is_staff_member, station_in_scope

from ..selectors import last_problem_report, open_problem_counts

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
