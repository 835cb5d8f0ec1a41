"""Shared fixtures: a small geography and a station factory."""

import itertools
from decimal import Decimal

import pytest
from django.core.servers import basehttp

from stations.models import Amenity, City, District, Station, WorkerGroup

pytest_plugins = ["tests.browser"]

# The live server (Django's development server) accepts only 10 pending
# connections; the concurrency tests open two dozen at once, and on a busy
# machine the kernel resets the ones that do not fit. Production servers
# (gunicorn) queue thousands, so give the test server a realistic backlog.
basehttp.WSGIServer.request_queue_size = 128

_codes = itertools.count(1)


@pytest.fixture
def qingdao(db):
    return City.objects.get_or_create(code="qingdao", defaults={"name_zh": "青岛市", "name_en": "Qingdao"})[0]


@pytest.fixture
def shibei(qingdao):
    return District.objects.get_or_create(
        city=qingdao, code="shibei",
        defaults={"name_zh": "市北区", "name_en": "Shibei", "chief_email": "chief.shibei@example.org"},
    )[0]


@pytest.fixture
def shinan(qingdao):
    return District.objects.get_or_create(
        city=qingdao, code="shinan",
        defaults={"name_zh": "市南区", "name_en": "Shinan", "chief_email": "chief.shinan@example.org"},
    )[0]


@pytest.fixture
def make_station(shibei):
    """Create a valid station; keyword arguments override any field.

    `amenities` and `groups` take lists of catalogue slugs.
    """

    def make(amenities=(), groups=(), **fields):
        number = next(_codes)
        values = {
            "code": f"QD-SB-{number:04d}",
            "name": f"测试驿站 {number}",
            "district": shibei,
            "address": "青岛市市北区辽宁路 1 号",
            "latitude": Decimal("36.087000"),
            "longitude": Decimal("120.375000"),
            "manager_email": "manager@example.org",
        }
        values.update(fields)
        station = Station(**values)
        station.full_clean()
        station.save()
        if amenities:
            station.amenities.set(Amenity.objects.filter(slug__in=amenities))
        if groups:
            station.groups_served.set(WorkerGroup.objects.filter(slug__in=groups))
        return station

    return make


@pytest.fixture(autouse=True)
def _catalogue_rows(request, django_db_setup, django_db_blocker):
    """Put back the amenity and worker-group catalogue before a database test.

    A data migration loads it once, but a transactional test (live server,
    browser) empties every table when it ends, and later tests expect it.
    Runs before the test's own transaction, so the rows stay for the rest
    of the session.
    """
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db and request.node.get_closest_marker("django_db") is None:
        return
    from stations import catalogue

    with django_db_blocker.unblock():
        if not Amenity.objects.exists():
            catalogue.load(Amenity, WorkerGroup)


@pytest.fixture(autouse=True)
def english():
    """Tests read English text; test_i18n proves the Chinese default separately."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A test client whose browser asks for English (the portal defaults to Chinese)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, but asking for English like `client`."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def make_staff(db):
    """Create a staff user in a role (a group name from oversight.roles) with a scope.

    make_staff(roles.STATION_MANAGER, stations=[station]); role=None gives a superuser.
    """
    from django.contrib.auth.models import Group, User

    from oversight.models import StaffScope

    def make(role=None, *, username=None, city=None, districts=(), stations=(), email=None):
        username = username or f"staff{next(_codes)}"
        email = email if email is not None else f"{username}@example.org"
        if role is None:
            return User.objects.create_superuser(username, email, "pw-for-tests-only")
        user = User.objects.create_user(username, email, "pw-for-tests-only", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        scope = StaffScope.objects.create(user=user, city=city)
        scope.districts.set(districts)
        scope.stations.set(stations)
        return User.objects.get(pk=user.pk)

    return make


@pytest.fixture
def set_last_rating(db):
    """Give a station a last visible rating at `moment` (None: no ratings), as ratings keep it."""
    from ratings.models import RatingStats

    def set_last(station, moment):
        if moment is None:
            RatingStats.objects.filter(station=station).delete()
        else:
            RatingStats.objects.update_or_create(
                station=station, defaults={"total": 1, "count_5": 1, "last_rated_at": moment}
            )
        if hasattr(station, "_state"):
            station._state.fields_cache.pop("rating_stats", None)

    return set_last


@pytest.fixture
def break_rule_for(monkeypatch):
    """Make the rating rule's writes fail for one station, as a database error would."""
    from stations import rating_rule

    def breaks(station, message):
        real = rating_rule.change_standings

        def change_standings(items, **kwargs):
            if any(item[0].pk == station.pk for item in items):
                raise RuntimeError(message)
            return real(items, **kwargs)

        monkeypatch.setattr(rating_rule, "change_standings", change_standings)

    return breaks
