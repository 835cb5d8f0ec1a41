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

from stations.models import District, Station

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
    """{user pk: set of station pks} among `stations` that each user may see: a few queries in all.

    The same rule as scoping.scope_q (superuser: everything; city union staff:
    their city; district chiefs and inspectors: their districts; station managers
    and liaisons: their stations; no scope row: nothing), applied in Python to
    the stations already read instead of one query per user. `accounts` is the
    queryset `users` were read from (a subquery here, never a list of ids).
    """
    from .models import StaffScope

    user_ids = accounts.values("pk")
    role_names = defaultdict(set)
    for user_id, name in get_user_model().groups.through.objects.filter(
        user_id__in=user_ids, group__name__in=roles.ROLE_LABELS
    ).values_list("user_id", "group__name"):
        role_names[user_id].add(name)
    city_of = {}
    for user_id, city_id in StaffScope.objects.filter(user_id__in=user_ids).values_list("user_id", "city_id"):
        city_of[user_id] = city_id
    scope_districts, scope_stations = defaultdict(set), defaultdict(set)
    for user_id, district_id in StaffScope.districts.through.objects.filter(
        staffscope__user_id__in=user_ids
    ).values_list("staffscope__user_id", "district_id"):
        scope_districts[user_id].add(district_id)
    for user_id, station_id in StaffScope.stations.through.objects.filter(
        staffscope__user_id__in=user_ids
    ).values_list("staffscope__user_id", "station_id"):
        scope_stations[user_id].add(station_id)

    in_district = defaultdict(set)
    for station in stations:
        in_district[station.district_id].add(station.pk)
    city_districts = defaultdict(set)
    for district_id, city_id in District.objects.values_list("pk", "city_id"):
        city_districts[city_id].add(district_id)
    everything = {station.pk for station in stations}

    result = {}
    for user in users:
        if user.is_superuser:  # scoping.is_all_seeing (the users are active)
            result[user.pk] = everything
            continue
        seen, names = set(), role_names[user.pk]
        if user.pk in city_of:  # without a StaffScope row a user sees nothing
            if roles.CITY_STAFF in names and city_of[user.pk]:
                for district_id in city_districts[city_of[user.pk]]:
                    seen |= in_district[district_id]
            if names & {roles.DISTRICT_CHIEF, roles.INSPECTOR}:
                for district_id in scope_districts[user.pk]:
                    seen |= in_district[district_id]
            if names & {roles.STATION_MANAGER, roles.LIAISON}:
                seen |= scope_stations[user.pk] & everything
        result[user.pk] = seen
    return result


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
