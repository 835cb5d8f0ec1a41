from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("campaign/", views.campaign, name="campaign"),
    path("photos/<int:pk>/", views.inspection_photo, name="inspection_photo"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge_alert, name="acknowledge_alert"),
]
