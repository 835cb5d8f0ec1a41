"""Admin pages for cities, districts (with their chief station manager), amenities and worker groups."""

import pytest
from django.urls import reverse

from stations.models import Amenity, District, WorkerGroup


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ["city", "district", "amenity", "workergroup"])
def test_list_and_add_pages_open(staff_client, shibei, model):
    assert staff_client.get(reverse(f"admin:stations_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:stations_{model}_add")).status_code == 200


def test_district_list_counts_stations_and_shows_the_chief(staff_client, make_station, shibei, shinan):
    make_station()
    make_station()
    District.objects.filter(pk=shibei.pk).update(chief_name="李总站长")
    response = staff_client.get(reverse("admin:stations_district_changelist"))
    rows = {district.code: district for district in response.context["cl"].result_list}
    assert (rows["shibei"].station_count, rows["shinan"].station_count) == (2, 0)
    html = response.content.decode()
    assert "李总站长" in html and "chief.shibei@example.org" in html


def test_edit_a_district_chief(staff_client, shibei):
    response = staff_client.post(reverse("admin:stations_district_change", args=[shibei.pk]), {
        "city": shibei.city_id, "code": "shibei", "name_zh": "市北区", "name_en": "Shibei",
        "chief_name": "张总站长", "chief_email": "zhang@example.org",
    })
    assert response.status_code == 302
    shibei.refresh_from_db()
    assert (shibei.chief_name, shibei.chief_email) == ("张总站长", "zhang@example.org")


def test_bad_chief_email_is_a_form_error(staff_client, shibei):
    response = staff_client.post(reverse("admin:stations_district_change", args=[shibei.pk]), {
        "city": shibei.city_id, "code": "shibei", "name_zh": "市北区", "name_en": "Shibei",
        "chief_name": "", "chief_email": "not an email",
    })
    assert response.status_code == 200
    assert "chief_email" in response.context["adminform"].form.errors


def test_amenity_list_shows_icons_and_usage(staff_client, make_station):
    make_station(amenities=["toilet", "wifi"])
    make_station(amenities=["toilet"])
    response = staff_client.get(reverse("admin:stations_amenity_changelist"))
    rows = {amenity.slug: amenity for amenity in response.context["cl"].result_list}
    assert len(rows) == Amenity.objects.count() >= 19
    assert (rows["toilet"].station_count, rows["wifi"].station_count, rows["haircut"].station_count) == (2, 1, 0)
    assert Amenity.objects.get(slug="toilet").icon in response.content.decode()


def test_add_a_worker_group(staff_client):
    response = staff_client.post(reverse("admin:stations_workergroup_add"), {
        "slug": "street-vendor", "name_zh": "流动摊贩", "name_en": "Street vendors", "icon": "🛒", "position": "200",
    })
    assert response.status_code == 302
    assert WorkerGroup.objects.get(slug="street-vendor").name_en == "Street vendors"
