from django.urls import path

from . import converters, views  # noqa: F401 (converters registers <station_code:>)

app_name = "stations"

urlpatterns = [
    path("", views.station_map, name="map"),
    path("stations/<station_code:code>/", views.station_detail, name="detail"),
]
