"""The scan-and-rate page: what a worker sees and what a submission stores."""

import re

import pytest
from django.urls import reverse

from ratings.models import Rating, RatingStats, RetiredToken, StationDay
from ratings.services import local_date, rating_token_regenerate
from stations.models import Status, WorkerGroup

from .browser import screenshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    """The admin, reading English (pytest-django's admin_client asks for no language)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def station(make_station):
    return make_station(name="辽宁路驿站")


def rate_url(station):
    return reverse("ratings:rate", args=[station.rating_token])


def csrf_client(client, url):
    """GET the page first, as a phone does, so the CSRF cookie and device cookie are set."""
    response = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    return response, token


def test_rating_url_is_the_token_not_the_code(station):
    assert rate_url(station) == f"/r/{station.rating_token}/"
    assert station.code not in rate_url(station)


def test_page_shows_station_name_scale_and_no_login(client, station):
    response = client.get(rate_url(station))
    assert response.status_code == 200
    page = response.content.decode()
    assert "辽宁路驿站" in page
    for label in ("Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"):
        assert f"</span>{label}</label>" in page
    for tag in ("Clean", "Water available", "Equipment working", "Staff friendly", "Open as posted", "Needs improvement"):
        assert tag in page
    assert "<script" not in page
    assert 'name="website"' in page  # honeypot
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_each_get_counts_a_scan_and_nothing_personal(client, station):
    client.get(rate_url(station))
    client.get(rate_url(station))
    day = StationDay.objects.get(station=station)
    assert (day.scans, day.ratings) == (2, 0)
    assert day.date == local_date(__import__("django.utils.timezone", fromlist=["now"]).now())
    assert not Rating.objects.exists()


def test_post_stores_rating_and_shows_summary(client, station):
    group = WorkerGroup.objects.order_by("position").first()
    _, token = csrf_client(client, rate_url(station))
    client.handler.enforce_csrf_checks = True
    response = client.post(rate_url(station), {
        "csrfmiddlewaretoken": token, "score": "5", "tags": ["tag_clean", "tag_water"],
        "comment": "很干净", "worker_group": group.pk,
    }, follow=True)
    assert response.redirect_chain[0][1] == 303
    assert response.status_code == 200
    assert "Thank you!" in response.content.decode()
    assert "100%" in response.content.decode()
    rating = Rating.objects.get()
    assert (rating.score, rating.tag_clean, rating.tag_water, rating.tag_staff) == (5, True, True, False)
    assert rating.comment == "很干净" and rating.worker_group == group
    assert len(rating.device_hash) == 64
    stats = RatingStats.objects.get(station=station)
    assert (stats.total, stats.count_5, stats.last_rated_at) == (1, 1, rating.created_at)
    assert StationDay.objects.get(station=station).ratings == 1


def test_post_without_csrf_token_is_refused(client, station):
    client.get(rate_url(station))
    client.handler.enforce_csrf_checks = True
    response = client.post(rate_url(station), {"score": "5"})
    assert response.status_code == 403
    assert "Please open the page again" in response.content.decode()
    assert f'href="{rate_url(station)}"' in response.content.decode()
    assert not Rating.objects.exists()


def test_missing_score_redisplays_form_with_message(client, station):
    response = client.post(rate_url(station), {"tags": ["tag_clean"], "comment": "hello"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please choose how satisfied you are." in page
    assert 'value="tag_clean" id="tag-tag_clean" checked' in page
    assert "hello" in page
    assert not Rating.objects.exists()


def test_overlong_comment_is_refused(client, station):
    response = client.post(rate_url(station), {"score": "4", "comment": "x" * 301})
    assert "at most 300 characters" in response.content.decode()
    assert not Rating.objects.exists()


def test_comment_is_escaped_on_every_page(client, station, admin_client):
    client.post(rate_url(station), {"score": "2", "comment": "<script>alert(1)</script>"})
    rating = Rating.objects.get()
    page = admin_client.get(reverse("admin:ratings_rating_changelist")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert rating.comment == "<script>alert(1)</script>"


def test_honeypot_gets_thanks_but_stores_nothing(client, station):
    response = client.post(rate_url(station), {"score": "5", "website": "http://spam.example"})
    assert response.status_code == 302
    assert not Rating.objects.exists()


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.DELISTED])
def test_suspended_and_delisted_show_notice_and_accept_nothing(client, make_station, status):
    station = make_station(status=status)
    page = client.get(rate_url(station))
    text = page.content.decode()
    assert 'name="score"' not in text
    if status == Status.SUSPENDED:
        assert page.status_code == 200 and "temporarily closed" in text
    else:
        assert page.status_code == 410 and "no longer listed" in text
    response = client.post(rate_url(station), {"score": "5"})
    assert 'name="score"' not in response.content.decode()
    assert not Rating.objects.exists()
    assert not RatingStats.objects.filter(total__gt=0).exists()


def test_regenerated_token_shows_replaced_page(client, station):
    old = station.rating_token
    rating_token_regenerate(station=station)
    station.refresh_from_db()
    assert station.rating_token != old
    assert RetiredToken.objects.filter(token=old, station=station).exists()
    response = client.get(f"/r/{old}/")
    assert response.status_code == 410
    assert "This QR code has been replaced" in response.content.decode()
    client.post(f"/r/{old}/", {"score": "5"})
    assert not Rating.objects.exists()
    assert client.get(rate_url(station)).status_code == 200


def test_unknown_token_is_a_friendly_404(client, db):
    response = client.get("/r/not-a-real-token/")
    assert response.status_code == 404
    assert "We do not know this QR code" in response.content.decode()


def test_page_weight_stays_tiny(client, station):
    """Cheap phones on weak networks: the whole page (HTML with inline CSS) stays small."""
    html = client.get(rate_url(station)).content
    assert len(html) < 12_000, len(html)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rating_on_a_360px_phone_without_javascript(open_page, live_server, make_station, settings):
    """Two taps and Send on a small screen with JavaScript off; the screenshot is kept for review."""
    settings.CSRF_COOKIE_SECURE = False  # the live server speaks plain HTTP
    station = make_station(name="辽宁路环卫工人爱心驿站")
    page = open_page({"width": 360, "height": 740}, java_script_enabled=False)
    page.goto(live_server.url + rate_url(station))
    screenshot(page, "rate-360")
    box = page.locator("label[for=score-5]").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    assert page.locator("label[for=score-1]").bounding_box()["x"] + box["width"] <= 360
    page.click("label[for=score-4]")
    page.click("label[for=tag-tag_water]")
    page.click("button.send")
    assert "Thank you!" in page.content()
    rating = Rating.objects.get(station=station)
    assert (rating.score, rating.tag_water) == (4, True)
    assert StationDay.objects.get(station=station).scans == 1
