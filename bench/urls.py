"""The portal's URLs plus the framework floor (benchmark settings only)."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def floor(request):
    """The cheapest Django response through the full middleware stack.

    No database, no template: what every other benchmark is compared to.
    """
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *portal_urlpatterns]
