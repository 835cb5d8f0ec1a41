"""manage.py demo: the one command behind README's serve command."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core import management
from django.core.management import CommandError, call_command
from django.test import override_settings

from stations.management.commands import demo as demo_command
from stations.models import Station


@pytest.fixture
def calls(monkeypatch):
    """Record the commands `demo` runs; keep the demo's rating history small and never serve."""
    made = []

    def fake_call_command(name, *args, **options):
        made.append((name, args, options))
        if name == "runserver":
            return None
        if name == "seed_demo":
            options["ratings"] = 50
        return management.call_command(name, *args, **options)

    monkeypatch.setattr(demo_command, "call_command", fake_call_command)
    return made


@pytest.mark.django_db
def test_demo_refuses_without_debug(calls):
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo", "--no-serve")
    assert calls == []


@pytest.mark.django_db(transaction=True)
@override_settings(DEBUG=True)
def test_demo_migrates_seeds_creates_the_admin_and_prints_the_login(calls):
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)

    assert [name for name, _args, _options in calls] == ["migrate", "seed_demo"]
    assert Station.objects.count() == 970
    user = get_user_model().objects.get(username=demo_command.DEMO_USERNAME)
    assert user.check_password(demo_command.DEMO_PASSWORD) and user.is_superuser and user.is_staff
    text = out.getvalue()
    assert f"username: {demo_command.DEMO_USERNAME}" in text
    assert f"password: {demo_command.DEMO_PASSWORD}" in text
    assert "http://127.0.0.1:8000/" in text


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_resets_the_admin_and_serves_on_the_given_address(calls):
    User = get_user_model()
    User.objects.create_user(demo_command.DEMO_USERNAME, password="changed-by-someone", is_staff=False)

    call_command("demo", "--addrport", "127.0.0.1:8123", stdout=io.StringIO())

    user = User.objects.get(username=demo_command.DEMO_USERNAME)
    assert user.check_password(demo_command.DEMO_PASSWORD) and user.is_superuser
    runserver = [(args, options) for name, args, options in calls if name == "runserver"]
    assert runserver == [(("127.0.0.1:8123",), {"use_reloader": False})]
