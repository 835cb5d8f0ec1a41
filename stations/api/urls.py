from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .. import converters  # noqa: F401 (registers <station_code:>)
from . import views

app_name = "api"

urlpatterns = [
    path("stations/", views.StationListView.as_view(), name="station-list"),
    path("stations/nearby/", views.NearbyStationsView.as_view(), name="station-nearby"),
    path("stations.geojson", views.StationGeoJSONView.as_view(), name="station-geojson"),
    path("stations/<station_code:code>/", views.StationDetailView.as_view(), name="station-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
