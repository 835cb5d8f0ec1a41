"""Anti-abuse and privacy: cooldown per device, per-network limit, nothing personal stored."""

import datetime
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ratings import antiabuse
from ratings.models import RateLimitBucket, Rating

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (Linux; Android 12) MicroMessenger/8.0.49"


def phone(ip="10.1.2.3", ua=UA):
    """A phone with its own cookie jar, as seen from one IP."""
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)


def rate(client, station, score=5, **extra):
    url = reverse("ratings:rate", args=[station.rating_token])
    client.get(url)
    return client.post(url, {"score": str(score), **extra})


def test_second_rating_within_cooldown_gets_friendly_page(make_station):
    station = make_station()
    worker = phone()
    assert rate(worker, station).status_code == 303
    response = rate(worker, station, 1)
    assert response.status_code == 200
    assert "you have already rated this station recently" in response.content.decode()
    assert Rating.objects.count() == 1
    # The GET after rating shows the same friendly page instead of the form.
    page = worker.get(reverse("ratings:rate", args=[station.rating_token])).content.decode()
    assert 'name="score"' not in page and "already rated" in page


def test_cooldown_is_per_station_and_expires(make_station, settings):
    settings.RATING_COOLDOWN_HOURS = 12
    first, second = make_station(), make_station()
    worker = phone()
    start = datetime.datetime(2026, 7, 1, 8, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert rate(worker, first).status_code == 303
        assert rate(worker, second).status_code == 303
    with time_machine.travel(start + datetime.timedelta(hours=11, minutes=59), tick=False):
        assert rate(worker, first).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1), tick=False):
        assert rate(worker, first).status_code == 303
    assert Rating.objects.filter(station=first).count() == 2


def test_two_phones_on_the_same_station_wifi_may_both_rate(make_station):
    station = make_station()
    assert rate(phone(), station).status_code == 303
    assert rate(phone(), station).status_code == 303  # same IP and UA, own device cookies
    assert Rating.objects.count() == 2


def test_cookies_refused_falls_back_to_ip_and_user_agent(make_station):
    station = make_station()
    url = reverse("ratings:rate", args=[station.rating_token])
    for _ in range(2):
        refuser = phone()  # a fresh jar each time: the device cookie never comes back
        refuser.post(url, {"score": "5"})
    assert Rating.objects.count() == 1
    other_network = phone(ip="10.9.9.9")
    assert other_network.post(url, {"score": "5"}).status_code == 303
    assert Rating.objects.count() == 2


def test_per_network_limit_across_stations(make_station, settings):
    settings.RATING_IP_LIMIT_PER_HOUR = 3
    stations = [make_station() for _ in range(4)]
    shared_ip = "10.7.7.7"
    codes = [rate(phone(ip=shared_ip), s).status_code for s in stations]
    assert codes == [303, 303, 303, 429]
    last = rate(phone(ip=shared_ip), make_station())
    assert "Please try again a little later" in last.content.decode()
    assert Rating.objects.count() == 3
    assert rate(phone(ip="10.8.8.8"), stations[3]).status_code == 303


def test_token_bucket_refills_over_time():
    start = datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert RateLimitBucket.authorize("k", capacity=2, refill_seconds=3600)
        assert RateLimitBucket.authorize("k", capacity=2, refill_seconds=3600)
        assert not RateLimitBucket.authorize("k", capacity=2, refill_seconds=3600)
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        assert RateLimitBucket.authorize("k", capacity=2, refill_seconds=3600)
        assert not RateLimitBucket.authorize("k", capacity=2, refill_seconds=3600)


def test_no_raw_ip_cookie_or_user_agent_is_stored(make_station):
    station = make_station()
    worker = phone(ip="203.0.113.77")
    rate(worker, station)
    cookie = worker.cookies[antiabuse.DEVICE_COOKIE].value
    rating = Rating.objects.get()
    stored = " ".join(str(v) for v in Rating.objects.values().get().values())
    stored += " ".join(RateLimitBucket.objects.values_list("key", flat=True))
    for secret in ("203.0.113.77", cookie, "MicroMessenger"):
        assert secret not in stored
    assert rating.device_hash == antiabuse.salted_hash(f"device:{cookie}")


def test_device_cookie_is_long_lived_and_http_only(make_station):
    station = make_station()
    response = phone().get(reverse("ratings:rate", args=[station.rating_token]))
    cookie = response.cookies[antiabuse.DEVICE_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) > 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"


def test_client_ip_header_is_used_only_when_configured(rf, settings):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.1")
    settings.CLIENT_IP_HEADER = ""
    assert antiabuse.client_ip(request) == "127.0.0.1"
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert antiabuse.client_ip(request) == "198.51.100.1"


def test_device_hashes_are_forgotten_after_the_cooldown(make_station, settings):
    from django.core.management import call_command

    from ratings.models import ProblemReport

    settings.RATING_COOLDOWN_HOURS = 12
    station = make_station()
    start = datetime.datetime(2026, 7, 1, 8, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        rate(phone(), station)
        phone().post(reverse("ratings:report_problem", args=[station.code]), {"kind": "closed"})
    with time_machine.travel(start + datetime.timedelta(hours=11, minutes=30), tick=False):
        rate(phone(ip="10.2.2.2"), station)
        out = io.StringIO()
        call_command("forget_rating_devices", stdout=out)
    # Within the cooldown every hash stays; the two buckets idle for 11 hours are full and go.
    assert "of 0 rating(s) and 0 problem report(s); deleted 2 idle" in out.getvalue()
    assert Rating.objects.exclude(device_hash="").count() == 2
    assert RateLimitBucket.objects.count() == 1
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1), tick=False):
        out = io.StringIO()
        call_command("forget_rating_devices", stdout=out)
    assert "Forgot the device hash of 1 rating(s) and 1 problem report(s); deleted 0 idle" in out.getvalue()
    assert Rating.objects.filter(device_hash="").count() == 1
    assert ProblemReport.objects.get().device_hash == ""


def test_forget_rating_devices_reports_in_the_operators_language():
    """From cron no language is chosen, so the summary comes in the portal's default, Chinese."""
    from django.core.management import call_command
    from django.utils import translation

    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("forget_rating_devices", stdout=out)
    assert out.getvalue() == "已清除 0 条评价和 0 条问题反馈的设备哈希；删除了 0 条闲置的限流计数记录。\n"
