"""QR codes and posters: staff only, scoped, and they decode to exactly the rating URL."""

import io
import re

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from oversight import roles
from ratings.admin_actions import print_posters
from ratings.qr import make_qr, rating_url

from .browser import chromium

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    """The admin, reading English (pytest-django's admin_client asks for no language)."""
    client.force_login(admin_user)
    return client


def decode(image):
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, f"expected one QR code, found {len(results)}"
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


@pytest.fixture
def station(make_station, settings):
    settings.PUBLIC_BASE_URL = "https://yizhan.example.org"
    return make_station()


def test_rating_url_is_built_from_the_public_base_url(station):
    assert rating_url(station) == f"https://yizhan.example.org/r/{station.rating_token}/"


def test_qr_uses_high_error_correction(station):
    assert make_qr(station).error == "H"


def test_png_decodes_to_exactly_the_rating_url(admin_client, station):
    response = admin_client.get(reverse("ratings:qr_png", args=[station.code]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert decode(Image.open(io.BytesIO(response.content))) == f"https://yizhan.example.org/r/{station.rating_token}/"


def test_png_survives_a_dirty_poster(admin_client, station):
    """Level H: a smudge over part of the code still reads."""
    image = Image.open(io.BytesIO(admin_client.get(reverse("ratings:qr_png", args=[station.code])).content)).convert("L")
    width, height = image.size
    image.paste(128, (width // 3, height // 3, width // 3 + width // 7, height // 3 + height // 7))
    assert decode(image) == rating_url(station)


def test_png_scale_is_checked(admin_client, station):
    response = admin_client.get(reverse("ratings:qr_png", args=[station.code]), {"scale": "x"})
    assert response.status_code == 400 and b"scale" in response.content


def test_svg_is_served(admin_client, station):
    response = admin_client.get(reverse("ratings:qr_svg", args=[station.code]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


@pytest.mark.parametrize("name", ["qr_svg", "qr_png", "poster"])
def test_anonymous_visitors_are_sent_to_login(client, station, name):
    response = client.get(reverse(f"ratings:{name}", args=[station.code]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert station.rating_token not in response.content.decode()


@pytest.mark.parametrize("name", ["qr_svg", "qr_png", "poster"])
def test_station_manager_cannot_fetch_another_stations_qr(client, make_station, make_staff, name):
    mine, other = make_station(), make_station()
    client.force_login(make_staff(roles.STATION_MANAGER, stations=[mine]))
    assert client.get(reverse(f"ratings:{name}", args=[mine.code])).status_code == 200
    response = client.get(reverse(f"ratings:{name}", args=[other.code]))
    assert response.status_code == 404
    assert other.rating_token not in response.content.decode()


def test_poster_names_station_and_embeds_the_qr(admin_client, station):
    page = admin_client.get(reverse("ratings:poster", args=[station.code])).content.decode()
    assert station.name in page and station.code in page
    assert "Scan to rate this station" in page
    assert "<svg" in page and "size:A4" in page
    a5 = admin_client.get(reverse("ratings:poster", args=[station.code]), {"size": "a5"}).content.decode()
    assert "size:A5" in a5


def test_district_batch_prints_one_poster_per_station_in_scope(client, make_station, make_staff, shibei, shinan):
    in_district = [make_station(), make_station()]
    make_station(district=shinan)
    make_station(status="delisted")
    client.force_login(make_staff(roles.DISTRICT_CHIEF, districts=[shibei]))
    page = client.get(reverse("ratings:district_posters", args=[shibei.pk])).content.decode()
    assert page.count('<section class="poster">') == 2
    assert all(s.code in page for s in in_district)
    assert client.get(reverse("ratings:district_posters", args=[shinan.pk])).status_code == 404


def test_print_posters_admin_action(admin_client, make_station):
    stations = [make_station(), make_station()]
    response = admin_client.post(reverse("admin:stations_station_changelist"), {
        "action": "print_posters", "_selected_action": [s.pk for s in stations],
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<section class="poster">') == 2
    assert print_posters.short_description


def test_regenerate_tokens_admin_action_confirms_first(admin_client, make_station):
    station = make_station()
    old = station.rating_token
    url = reverse("admin:stations_station_changelist")
    confirm = admin_client.post(url, {"action": "regenerate_rating_tokens", "_selected_action": [station.pk]})
    assert "Yes, replace the QR codes" in confirm.content.decode()
    station.refresh_from_db()
    assert station.rating_token == old
    admin_client.post(url, {"action": "regenerate_rating_tokens", "_selected_action": [station.pk], "confirm": "yes"})
    station.refresh_from_db()
    assert station.rating_token != old


@pytest.mark.browser
@pytest.mark.parametrize("size", ["a4", "a5"])
def test_printed_poster_decodes_to_the_rating_url(admin_client, station, size):
    """Render the poster in Chromium at print size and read the QR from the screenshot."""
    html = admin_client.get(reverse("ratings:poster", args=[station.code]), {"size": size}).content.decode()
    html = re.sub(r'<div class="toolbar">.*?</div>', "", html, flags=re.S)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.set_content(html)
        page.emulate_media(media="print")
        shot = page.locator("section.poster").screenshot()
    assert decode(Image.open(io.BytesIO(shot))) == rating_url(station)
