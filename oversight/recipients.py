"""Who is told about a station: its managers and its district chiefs.

Both staff accounts (role + scope) and the contact emails kept in the registry
(Station.manager_email, District.chief_email) count, so a district whose chief
has no account yet is still informed. Addresses are deduplicated
case-insensitively.
"""

from collections import defaultdict
from typing import NamedTuple

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


class ReportStation(NamedTuple):
    """A station as the daily report needs it (see registry_stations)."""

    pk: int
    code: str
    name: str
    district_id: int
    manager_email: str
    chief_email: str


def registry_stations(city=None):
    """Every station (of `city`) in code order, with its registry contact addresses: one query.

    At national scale this is about 200,000 small tuples; the daily report reads
    them once instead of asking the database about each recipient's stations.
    """
    stations = Station.objects.all() if city is None else Station.objects.filter(district__city=city)
    rows = stations.order_by("code").values_list(
        "pk", "code", "name", "district_id", "manager_email", "district__chief_email"
    )
    return [ReportStation(*row) for row in rows.iterator(chunk_size=5000)]


def _staff_station_ids(accounts, users, stations):
    """{user pk: set of station pks} among `stations` that each user may see,
    by scoping's own rule applied in Python: a few queries for all users."""
    from .scoping import StationIndex, scopes_of, station_ids_in_scope

    scopes, index = scopes_of(users, accounts), StationIndex(stations)
    return {user.pk: station_ids_in_scope(user, scopes[user.pk], index) for user in users}


def report_recipients(stations):
    """[(email, user or None, set of station pks)] for the daily report.

    `stations` are the registry_stations() the report covers (a city's, or all).
    Every active station manager and district chief account with an email gets
    the stations of their scope among them; registry addresses not held by such
    an account get the stations listed under them. A recipient may get an empty
    set (nothing of theirs among `stations`). The number of queries does not
    depend on the number of recipients or stations.
    """
    recipients, covered = [], set()
    accounts = get_user_model().objects.filter(
        is_active=True, groups__name__in=[roles.STATION_MANAGER, roles.DISTRICT_CHIEF]
    ).exclude(email="")
    users = list(accounts.distinct().order_by("username"))
    station_ids = _staff_station_ids(accounts, users, stations)
    for user in users:
        recipients.append((user.email, user, station_ids[user.pk]))
        covered.add(user.email.strip().lower())

    # Registry contacts: one entry per address, covering every station listed under it.
    registry, spelling = defaultdict(set), {}
    for station in stations:
        for email in (station.manager_email, station.chief_email):
            key = (email or "").strip().lower()
            if key and key not in covered:
                registry[key].add(station.pk)
                spelling.setdefault(key, email.strip())
    for key in sorted(registry):
        recipients.append((spelling[key], None, registry[key]))
    return recipients
