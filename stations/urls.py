from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("", views.station_map, name="map"),
    path("stations/<str:code>/", views.station_detail, name="detail"),
]
