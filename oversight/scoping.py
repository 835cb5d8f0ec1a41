"""Row-level access: which stations (and rows hanging off them) a staff user may see.

Roles (groups, see roles.py) say *what* a user may do; their StaffScope says
*where*. Every staff-facing admin class, export, dashboard number, report and
staff-only URL goes through `stations_for()` / `scope_queryset()`.

The user's roles and scope ids are read once per user object and cached on it
(as Django caches permissions in `_perm_cache`); a request gets a fresh user.
Call `forget_scope(user)` after changing a user's groups or scope in place.
"""

import hashlib
from collections import defaultdict

from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from stations.models import City, District, Station

from . import roles

_CACHE_ATTR = "_oversight_scope"


class _Scope:
    __slots__ = ("roles", "city_ids", "district_ids", "station_ids", "_city_district_ids")

    def __init__(self, role_names=(), city_ids=(), district_ids=(), station_ids=()):
        self.roles = frozenset(role_names)
        self.city_ids = list(city_ids)
        self.district_ids = list(district_ids)
        self.station_ids = list(station_ids)
        self._city_district_ids = None

    @property
    def city_district_ids(self):
        """The districts of the user's cities. City staff are scoped by these
        ids rather than through a join to the district's city: the planner
        then reads the (district, code) index instead of walking every
        station in code order to find one city's (docs/BENCHMARKS.md)."""
        if self._city_district_ids is None:
            self._city_district_ids = list(
                District.objects.filter(city_id__in=self.city_ids).order_by("pk").values_list("pk", flat=True)
            )
        return self._city_district_ids


def _scope(user):
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import StaffScope

    scope = _Scope()
    if user.is_authenticated and user.is_active:
        role_names = user.groups.filter(name__in=roles.ROLE_LABELS).values_list("name", flat=True)
        row = StaffScope.objects.filter(user=user).first()
        if row is not None:
            scope = _Scope(
                role_names,
                [row.city_id] if row.city_id else [],
                row.districts.values_list("pk", flat=True),
                row.stations.values_list("pk", flat=True),
            )
        else:
            scope = _Scope(role_names)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user):
    """Drop the cached scope, e.g. after a test changes the user's groups."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_of(user):
    """The user's role group names (a frozenset; superusers may have none)."""
    return _scope(user).roles


def is_all_seeing(user):
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def scope_key(user):
    """A short string equal for users with the same scope: a cache key part for scoped numbers."""
    if is_all_seeing(user):
        return "all"
    scope = _scope(user)
    signature = repr((sorted(scope.roles), sorted(scope.city_ids), sorted(scope.district_ids), sorted(scope.station_ids)))
    return hashlib.sha256(signature.encode()).hexdigest()[:32]


# Which part of a StaffScope each role reaches: the one rule behind both
# scope_q (in the database) and station_ids_in_scope (in Python, for reports
# over many users at once).
CITY, DISTRICTS, STATIONS = "city", "districts", "stations"
REACH = (
    (frozenset({roles.CITY_STAFF}), CITY),
    (frozenset({roles.DISTRICT_CHIEF, roles.INSPECTOR}), DISTRICTS),
    (frozenset({roles.STATION_MANAGER, roles.LIAISON}), STATIONS),
)


def _reaches(scope):
    """The parts of the scope the user's roles reach."""
    return {reach for role_names, reach in REACH if scope.roles & role_names}


def scope_q(user, path=""):
    """A Q object selecting rows whose station (reached by `path`) the user may see.

    `path` is the lookup from the model to its station: "" for Station itself,
    "station" for a model with a station foreign key, "inspection__station", ...
    """
    if is_all_seeing(user):
        return Q()
    prefix = f"{path}__" if path else ""
    scope = _scope(user)
    reaches = _reaches(scope)
    q = Q(pk__in=[]) if not path else Q(**{f"{prefix}pk__in": []})
    if CITY in reaches and scope.city_ids:
        q |= Q(**{f"{prefix}district_id__in": scope.city_district_ids})
    if DISTRICTS in reaches and scope.district_ids:
        q |= Q(**{f"{prefix}district_id__in": scope.district_ids})
    if STATIONS in reaches and scope.station_ids:
        q |= Q(**{f"{prefix}pk__in": scope.station_ids})
    return q


def scopes_of(users, accounts):
    """{user pk: scope} for many users in four queries (what _scope reads for
    one). `accounts` is the user queryset `users` were read from: the queries
    filter by it as a subquery, never by a list of thousands of ids."""
    from .models import StaffScope

    user_ids = accounts.values("pk")
    role_names, districts, stations = defaultdict(set), defaultdict(list), defaultdict(list)
    for user_id, name in get_user_model().groups.through.objects.filter(
        user_id__in=user_ids, group__name__in=roles.ROLE_LABELS
    ).values_list("user_id", "group__name"):
        role_names[user_id].add(name)
    rows = dict(StaffScope.objects.filter(user_id__in=user_ids).values_list("user_id", "city_id"))
    for user_id, district_id in StaffScope.districts.through.objects.filter(
        staffscope__user_id__in=user_ids
    ).values_list("staffscope__user_id", "district_id"):
        districts[user_id].append(district_id)
    for user_id, station_id in StaffScope.stations.through.objects.filter(
        staffscope__user_id__in=user_ids
    ).values_list("staffscope__user_id", "station_id"):
        stations[user_id].append(station_id)
    scopes = {}
    for user in users:
        if not (user.is_authenticated and user.is_active):
            scopes[user.pk] = _Scope()
        elif user.pk not in rows:  # without a StaffScope row a user sees nothing
            scopes[user.pk] = _Scope(role_names[user.pk])
        else:
            city_id = rows[user.pk]
            scopes[user.pk] = _Scope(role_names[user.pk], [city_id] if city_id else [],
                                     districts[user.pk], stations[user.pk])
    return scopes


class StationIndex:
    """Stations grouped by district, and districts by city, built once so
    station_ids_in_scope can answer for thousands of users."""

    def __init__(self, stations):
        self.everything = set()
        self.by_district = defaultdict(set)
        for station in stations:
            self.everything.add(station.pk)
            self.by_district[station.district_id].add(station.pk)
        self.city_districts = defaultdict(list)
        for district_id, city_id in District.objects.values_list("pk", "city_id"):
            self.city_districts[city_id].append(district_id)


def station_ids_in_scope(user, scope, index):
    """The pks among a StationIndex's stations that scope_q lets the user
    see (scope from scopes_of), worked out in Python."""
    if is_all_seeing(user):
        return set(index.everything)
    reaches = _reaches(scope)
    districts = set()
    if CITY in reaches:
        for city_id in scope.city_ids:
            districts.update(index.city_districts.get(city_id, ()))
    if DISTRICTS in reaches:
        districts.update(scope.district_ids)
    seen = set()
    for district_id in districts:
        seen |= index.by_district.get(district_id, set())
    if STATIONS in reaches:
        seen |= set(scope.station_ids) & index.everything
    return seen


def district_scope_q(user, path=""):
    """Like scope_q, for rows reached through a District (`path` from the model to it)."""
    if is_all_seeing(user):
        return Q()
    prefix = f"{path}__" if path else ""
    scope = _scope(user)
    reaches = _reaches(scope)
    q = Q(**{f"{prefix}pk__in": []})
    if CITY in reaches and scope.city_ids:
        q |= Q(**{f"{prefix}city_id__in": scope.city_ids})
    if DISTRICTS in reaches and scope.district_ids:
        q |= Q(**{f"{prefix}pk__in": scope.district_ids})
    if STATIONS in reaches and scope.station_ids:
        q |= Q(**{f"{prefix}pk__in": Station.objects.filter(pk__in=scope.station_ids).values("district_id")})
    return q


def districts_for(user):
    """Districts the user works in (a station manager: their stations' districts)."""
    return District.objects.filter(district_scope_q(user))


def cities_for(user):
    return City.objects.filter(pk__in=districts_for(user).values("city_id"))


def stations_for(user):
    """Station queryset the user may see (superuser: all; no role or scope: none)."""
    return Station.objects.filter(scope_q(user))


def scope_queryset(queryset, user, path):
    return queryset.filter(scope_q(user, path))


def scoped_station_or_404(user, **lookup):
    """The station for a staff-only URL (QR image, poster, export), or 404 if out of scope."""
    try:
        return stations_for(user).get(**lookup)
    except Station.DoesNotExist:
        raise Http404("No such station in your scope.") from None


def station_in_scope(user, station):
    if station is None:
        return False
    return is_all_seeing(user) or stations_for(user).filter(pk=station.pk).exists()


def manages_station(user, station):
    """True if the user is a station manager whose scope lists this station."""
    from .models import StaffScope

    return StaffScope.objects.filter(
        user=user, user__is_active=True, user__groups__name=roles.STATION_MANAGER, stations=station
    ).exists()


def station_managers(stations):
    """Active station-manager accounts covering any of these stations (task owners)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model().objects.filter(
            is_active=True, groups__name=roles.STATION_MANAGER, staff_scope__stations__in=stations
        )
        .distinct()
        .order_by("username")
    )


def can_read_rating_comments(user):
    """Workers' comments are not for third-party inspectors (unless they hold another role)."""
    if is_all_seeing(user):
        return True
    held = roles_of(user)
    if roles.INSPECTOR in held and not (held - {roles.INSPECTOR}):
        return False
    return user.has_perm("ratings.view_rating")


def can_apply_proposed_level(user):
    return user.has_perm("oversight.apply_proposed_level")


def is_staff_member(user):
    """May open the staff pages at all: superusers and anyone with a role."""
    return is_all_seeing(user) or bool(user.is_authenticated and user.is_active and roles_of(user))


def _related_station_path(model):
    """How to reach Station from a model used as a foreign-key target, or None."""
    if model is Station:
        return ""
    for field in model._meta.get_fields():
        if field.many_to_one and field.related_model is Station:
            return field.name
    return None


def scope_choices(queryset, user):
    """`queryset` narrowed to the user's scope if its model is scoped (Station, District,
    City, or a model with a station foreign key); None for unscoped models."""
    model = queryset.model
    if model is District:
        return queryset.filter(district_scope_q(user))
    if model is City:
        return queryset.filter(pk__in=cities_for(user).values("pk"))
    path = _related_station_path(model)
    if path is None:
        return None
    return scope_queryset(queryset, user, path)


class ScopedAdminMixin:
    """Row-level scope for a ModelAdmin (put it before admin.ModelAdmin in the bases).

    Set `scope_station_path` to "" for Station itself, "station" for models
    with a station foreign key. Lists, change/delete/history pages, exports
    built on get_queryset() and foreign-key choices all respect the user's
    scope; an object outside it is a 404, whatever ID is typed into the URL.
    """

    scope_station_path = None

    def scope(self, queryset, user):
        """The rows of `queryset` the user may see."""
        if self.scope_station_path is None:
            raise TypeError(f"{type(self).__name__} must set scope_station_path")
        return scope_queryset(queryset, user, self.scope_station_path)

    def get_queryset(self, request):
        return self.scope(super().get_queryset(request), request.user)

    def _limit_choices(self, db_field, request, kwargs):
        if "queryset" not in kwargs:
            scoped = scope_choices(db_field.related_model._default_manager.all(), request.user)
            if scoped is not None:
                kwargs["queryset"] = scoped

    def get_form(self, request, obj=None, **kwargs):
        """Also scope choice fields a custom form declares itself (formfield_for_* never sees those)."""
        form = super().get_form(request, obj, **kwargs)
        user = request.user

        class ScopedForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    queryset = getattr(field, "queryset", None)
                    if queryset is not None:
                        scoped = scope_choices(queryset, user)
                        if scoped is not None:
                            field.queryset = scoped

        ScopedForm.__name__ = form.__name__
        return ScopedForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Out of scope and missing look the same: nothing to learn by editing IDs.
            raise Http404("No such object in your scope.")
        return obj

    def _in_scope(self, request, obj):
        if obj is None or isinstance(self, InlineModelAdmin) or is_all_seeing(request.user):
            return True
        return self.scope(type(obj)._default_manager.filter(pk=obj.pk), request.user).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)


class DistrictScopedAdminMixin(ScopedAdminMixin):
    """For the District admin: the districts the user works in."""

    def scope(self, queryset, user):
        return queryset.filter(district_scope_q(user))


class CityScopedAdminMixin(ScopedAdminMixin):
    """For the City admin: the cities the user works in."""

    def scope(self, queryset, user):
        return queryset.filter(pk__in=cities_for(user).values("pk"))


def require_in_scope(user, station):
    """Raise PermissionDenied unless the station is in the user's scope (for services)."""
    if not station_in_scope(user, station):
        raise PermissionDenied
