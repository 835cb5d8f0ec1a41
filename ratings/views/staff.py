"""Staff-only: QR images and printable posters, scoped to the user's stations."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from oversight.scoping import scoped_station_or_404, stations_for
from stations.models import District, Status

from .. import qr

POSTER_SIZES = ("a4", "a5")
MAX_POSTERS = 1000


def poster_size(request):
    size = (request.GET.get("size") or request.POST.get("size") or "a4").lower()
    return size if size in POSTER_SIZES else "a4"


@staff_member_required
def qr_svg(request, code):
    station = scoped_station_or_404(request.user, code=code)
    response = HttpResponse(qr.qr_svg(station), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{station.code}-qr.svg"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_member_required
def qr_png(request, code):
    station = scoped_station_or_404(request.user, code=code)
    scale = request.GET.get("scale", "10")
    if not scale.isdigit() or not 1 <= int(scale) <= 40:
        return HttpResponse(_("“scale” must be a whole number from 1 to 40."), status=400, content_type="text/plain")
    response = HttpResponse(qr.qr_png(station, scale=int(scale)), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{station.code}-qr.png"'
    response["Cache-Control"] = "private, no-store"
    return response


def render_posters(request, stations, *, title, size="a4", resubmit=None):
    """Print-ready HTML, one poster per page. `resubmit` re-posts an admin action to switch size."""
    posters = [{"station": s, "svg": qr.qr_svg_inline(s), "url": qr.rating_url(s)} for s in stations]
    return render(request, "ratings/posters.html", {
        "posters": posters, "size": size, "sizes": POSTER_SIZES, "title": title, "resubmit": resubmit,
    })


@staff_member_required
def poster(request, code):
    station = scoped_station_or_404(request.user, code=code)
    return render_posters(request, [station], title=station.name, size=poster_size(request))


@staff_member_required
def district_posters(request, district_id):
    district = get_object_or_404(District.objects.select_related("city"), pk=district_id)
    stations = list(
        stations_for(request.user).filter(district=district).exclude(status=Status.DELISTED)
        .select_related("district").order_by("code")[: MAX_POSTERS + 1]
    )
    if not stations:
        raise Http404("No stations of this district in your scope.")
    if len(stations) > MAX_POSTERS:
        return HttpResponse(
            _("Too many stations to print at once (more than %(n)d).") % {"n": MAX_POSTERS},
            status=400, content_type="text/plain",
        )
    return render_posters(request, stations, title=str(district), size=poster_size(request))
