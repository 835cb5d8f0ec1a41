"""Admin login protection: lockout after repeated failures (django-axes), expiring sessions."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from oversight import roles

PASSWORD = "correct horse battery staple"


@pytest.fixture
def chief(db, shibei, make_staff):
    user = make_staff(roles.DISTRICT_CHIEF, districts=[shibei], username="chief")
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def logged_in(client):
    return client.get(reverse("admin:index")).status_code == 200


def test_correct_password_logs_in_through_axes(client, chief):
    response = attempt(client, "chief", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_lockout_after_the_failure_limit_even_with_the_right_password(client, chief):
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "chief", "wrong")
        assert response.status_code == 200  # the form again, with an error
    assert attempt(client, "chief", "wrong").status_code == 429  # the last allowed failure locks
    response = attempt(client, "chief", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_failures_below_the_limit_do_not_lock(client, chief):
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "chief", "wrong")
    assert attempt(client, "chief", PASSWORD).status_code == 302
    assert logged_in(client)


def test_lockout_is_per_username_and_address(client, chief):
    User.objects.create_user("other", password=PASSWORD, is_staff=True, is_superuser=True)
    for _n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "chief", "wrong")
    # Another account from the same office, and the same account from another address, still work.
    assert attempt(client, "other", PASSWORD).status_code == 302
    client.logout()
    assert attempt(client, "chief", PASSWORD, ip="10.0.0.2").status_code == 302


def test_lockout_ends_after_the_cooloff(client, chief):
    for _n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "chief", "wrong")
    assert attempt(client, "chief", PASSWORD).status_code == 429
    with time_machine.travel(datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)):
        assert attempt(client, "chief", PASSWORD).status_code == 302


def test_sessions_expire(client, chief):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client.force_login(chief)
    assert logged_in(client)
    with time_machine.travel(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
