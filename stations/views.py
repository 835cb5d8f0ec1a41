"""Public pages: the map (home page) and the station page."""

from django.conf import settings
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import display, selectors
from .filters import StationFilter
from .models import Amenity, City, Level, Status
from .models.station import Kind
from .navigation import navigation_links

# How many stations the no-JavaScript fallback list shows.
FALLBACK_LIST_SIZE = 20


def station_map(request):
    filterset = StationFilter(request.GET or None, queryset=selectors.public_stations())
    valid = filterset.is_valid() if filterset.is_bound else True
    chosen = filterset.form.cleaned_data if filterset.is_bound and valid else {}
    # Without geolocation a worker picks a place or types a keyword; the page
    # answers even without JavaScript.
    place_chosen = any(chosen.get(name) for name in ("city", "district", "q"))
    fallback = []
    if place_chosen:
        fallback = list(selectors.with_details(filterset.qs)[:FALLBACK_LIST_SIZE])
    source = settings.MAP_TILE_SOURCES[settings.MAP_TILES]
    amenities = list(Amenity.objects.all())
    context = {
        "filter_errors": None if valid else filterset.errors,
        "chosen": chosen,
        "chosen_amenities": set(chosen.get("amenities") or []),
        "amenities": amenities,
        "kinds": Kind.choices,
        "levels": Level.choices,
        "cities": City.objects.prefetch_related("districts"),
        "fallback": fallback,
        "place_chosen": place_chosen,
        "leaflet_overrides": {"TILES": source["tiles"], "OVERLAYS": source["overlays"]},
        "map_config": {
            "crs": source["crs"],
            "geojsonUrl": reverse("api:station-geojson"),
            "nearbyUrl": reverse("api:station-nearby"),
            "listUrl": reverse("api:station-list"),
            "clusterMaxZoom": selectors.CLUSTER_MAX_ZOOM,
            "nearbyRadius": selectors.MAX_RADIUS_M,
            "nearbyLimit": 10,
            "amenities": {a.slug: {"name": a.name, "icon": a.icon} for a in amenities},
            "levels": {str(value): capfirst(str(label)) for value, label in Level.choices},
            "text": {
                "open": _("Open now"),
                "closed": _("Closed now"),
                "suspended": _("Temporarily closed"),
                "details": _("Station page"),
                # A cluster's count, "%(count)s" replaced in the script. Two forms
                # cover English and Chinese; the script picks "one" for 1.
                "stationCount": {
                    "one": ngettext("%(count)s station", "%(count)s stations", 1),
                    "other": ngettext("%(count)s station", "%(count)s stations", 2),
                },
                "zoomIn": _("Zoom in to see them"),
                "locating": _("Finding your location…"),
                "denied": _("Location is not available here. Choose a city or district, or type an address keyword."),
                "none": _("No station found nearby with these filters."),
                "you": _("You are here"),
                "failed": _("The station list could not be loaded. Check your connection and try again."),
                "km": _("km"),
                "m": _("m"),
            },
        },
    }
    return render(request, "stations/map.html", context)


def station_detail(request, code):
    station = selectors.station_for_page(code)
    try:
        report_url = reverse("ratings:report_problem", args=[station.code])
    except NoReverseMatch:
        report_url = None
    context = {
        "station": station,
        "suspended": station.status == Status.SUSPENDED,
        "week": display.week_table(station.opening_hours),
        "amenities": sorted(station.amenities.all(), key=lambda a: (a.position, a.slug)),
        "groups": sorted(station.groups_served.all(), key=lambda g: (g.position, g.slug)),
        "rating": selectors.rating_summary(station),
        "navigation": navigation_links(station),
        "report_url": report_url,
    }
    return render(request, "stations/detail.html", context)
