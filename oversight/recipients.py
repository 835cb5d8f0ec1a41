"""Who is told about a station: its managers and its district chiefs.

Both staff accounts (role + scope) and the contact emails kept in the registry
(Station.manager_email, District.chief_email) count, so a district whose chief
has no account yet is still informed. Addresses are deduplicated
case-insensitively.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q

from stations.models import Station

from . import roles


def _dedupe(emails):
    seen, result = set(), []
    for email in emails:
        key = (email or "").strip().lower()
        if key and key not in seen:
            seen.add(key)
            result.append(email.strip())
    return result


def responsible_users(station):
    """Active staff accounts managing this station or chiefing its district."""
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(
            Q(groups__name=roles.STATION_MANAGER, staff_scope__stations=station)
            | Q(groups__name=roles.DISTRICT_CHIEF, staff_scope__districts=station.district_id)
        )
        .distinct()
        .order_by("pk")
    )


def station_recipients(station):
    """Email addresses of the station's managers and district chiefs."""
    users = [user.email for user in responsible_users(station)]
    return _dedupe(users + [station.manager_email, station.district.chief_email])


def report_recipients(city=None):
    """[(email, user or None, stations queryset)] for the daily report.

    Every active station manager and district chief account with an email gets
    the stations of their scope; registry addresses not held by such an account
    get the stations listed under them. With `city`, only that city's stations
    count (a recipient with none there gets no report).
    """
    from .scoping import stations_for

    recipients, covered = [], set()
    users = (
        get_user_model().objects.filter(
            is_active=True, groups__name__in=[roles.STATION_MANAGER, roles.DISTRICT_CHIEF]
        )
        .exclude(email="")
        .distinct()
        .order_by("username")
    )
    for user in users:
        stations = stations_for(user)
        if city is not None:
            stations = stations.filter(district__city=city)
        recipients.append((user.email, user, stations))
        covered.add(user.email.strip().lower())

    # Registry contacts: one entry per address, covering every station listed under it.
    # Station ids are gathered in one pass (the email columns have no index, and
    # at national scale there are about as many addresses as stations).
    station_ids, spelling = defaultdict(set), {}
    registry = Station.objects.all() if city is None else Station.objects.filter(district__city=city)
    rows = registry.values_list("pk", "manager_email", "district__chief_email").iterator(chunk_size=5000)
    for pk, manager_email, chief_email in rows:
        for email in (manager_email, chief_email):
            key = (email or "").strip().lower()
            if key and key not in covered:
                station_ids[key].add(pk)
                spelling.setdefault(key, email.strip())
    for key in sorted(station_ids):
        recipients.append((spelling[key], None, Station.objects.filter(pk__in=sorted(station_ids[key]))))
    return recipients
