"""Staff roles: Django groups, and the model permissions each one carries.

The groups are created by a data migration; `sync_role_groups()` runs again
after every `migrate` (see apps.py) so that permissions of models added later
(by any app) reach the groups without a new migration.
"""

from django.utils.translation import gettext_lazy as _

CITY_STAFF = "city union staff"
DISTRICT_CHIEF = "district chief station manager"
STATION_MANAGER = "station manager"
LIAISON = "liaison"
INSPECTOR = "third-party inspector"

ROLE_LABELS = {
    CITY_STAFF: _("city union staff"),
    DISTRICT_CHIEF: _("district chief station manager"),
    STATION_MANAGER: _("station manager"),
    LIAISON: _("liaison"),
    INSPECTOR: _("third-party inspector"),
}

_VIEW = ("view",)
_EDIT = ("view", "change")
_ALL = ("view", "add", "change", "delete")

# app_label.model -> actions. Permissions of models that do not exist (yet) are skipped.
ROLE_PERMISSIONS = {
    CITY_STAFF: {
        "stations.city": _VIEW,
        "stations.district": _EDIT,
        "stations.amenity": _VIEW,
        "stations.workergroup": _VIEW,
        "stations.station": ("view", "add", "change"),
        "stations.stationposition": _ALL,
        # Adding a LevelChange is how a level or status is changed (stations.standing).
        "stations.levelchange": ("view", "add"),
        "ratings.rating": _EDIT,
        "ratings.ratingstats": _VIEW,
        "ratings.stationday": _VIEW,
        "ratings.problemreport": _EDIT,
        "oversight.inspection": _ALL + ("apply_proposed_level",),
        "oversight.inspectionphoto": _ALL,
        "oversight.rectificationtask": _ALL + ("verify_rectificationtask",),
        "oversight.alert": _EDIT,
    },
    DISTRICT_CHIEF: {
        "stations.district": _VIEW,
        "stations.station": _EDIT,
        "stations.stationposition": _ALL,
        "stations.levelchange": _VIEW,
        "ratings.rating": _EDIT,
        "ratings.ratingstats": _VIEW,
        "ratings.stationday": _VIEW,
        "ratings.problemreport": _EDIT,
        "oversight.inspection": ("view", "add", "change"),
        "oversight.inspectionphoto": _ALL,
        "oversight.rectificationtask": ("view", "add", "change", "verify_rectificationtask"),
        "oversight.alert": _EDIT,
    },
    STATION_MANAGER: {
        "stations.station": _EDIT,
        "stations.stationposition": _ALL,
        "stations.levelchange": _VIEW,
        "ratings.rating": _VIEW,
        "ratings.ratingstats": _VIEW,
        "ratings.stationday": _VIEW,
        "ratings.problemreport": _EDIT,
        "oversight.inspection": _VIEW,
        "oversight.inspectionphoto": _VIEW,
        "oversight.rectificationtask": _EDIT,
        "oversight.alert": _EDIT,
    },
    # Read-only on their station.
    LIAISON: {
        "stations.station": _VIEW,
        "stations.stationposition": _VIEW,
        "stations.levelchange": _VIEW,
        "ratings.rating": _VIEW,
        "ratings.ratingstats": _VIEW,
        "ratings.stationday": _VIEW,
        "ratings.problemreport": _VIEW,
        "oversight.inspection": _VIEW,
        "oversight.inspectionphoto": _VIEW,
        "oversight.rectificationtask": _VIEW,
        "oversight.alert": _VIEW,
    },
    # Visits stations of assigned districts; sees scores but never workers' comments
    # (see scoping.can_read_rating_comments).
    INSPECTOR: {
        "stations.station": _VIEW,
        "stations.levelchange": _VIEW,
        "ratings.rating": _VIEW,
        "ratings.ratingstats": _VIEW,
        "ratings.stationday": _VIEW,
        "oversight.inspection": ("view", "add", "change"),
        "oversight.inspectionphoto": _ALL,
        "oversight.rectificationtask": ("view", "add"),
    },
}


def _codename(action, model):
    return action if "_" in action else f"{action}_{model}"


def sync_role_groups(apps=None, **kwargs):
    """Create the role groups and give each exactly its permissions (idempotent)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            wanted += Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__in=[_codename(action, model) for action in actions],
            )
        group.permissions.set(wanted)
