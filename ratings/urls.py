from django.urls import path

from .views import public, staff

app_name = "ratings"

urlpatterns = [
    path("r/<str:token>/", public.rate, name="rate"),
    path("r/<str:token>/thanks/", public.rate_thanks, name="rate_thanks"),
    path("stations/posters/district/<int:district_id>/", staff.district_posters, name="district_posters"),
    path("stations/<str:code>/qr.svg", staff.qr_svg, name="qr_svg"),
    path("stations/<str:code>/qr.png", staff.qr_png, name="qr_png"),
    path("stations/<str:code>/poster/", staff.poster, name="poster"),
    path("stations/<str:code>/report/", public.report_problem, name="report_problem"),
    path("stations/<str:code>/report/thanks/", public.report_thanks, name="report_thanks"),
]
