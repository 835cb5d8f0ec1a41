"""Inspections, rectification tasks, proposed level changes and the yearly campaign."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from oversight import roles
from oversight.inspections import (
    inspection_apply_proposed_level,
    task_mark_done,
    task_open,
    task_reopen,
    task_verify,
)
from oversight.models import Inspection, InspectionPhoto, RectificationTask
from stations.models import LevelChange
from stations.models.station import Level, Status

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def station(make_station):
    return make_station(level=Level.PROVINCIAL)


@pytest.fixture
def other_station(make_station, shinan):
    return make_station(district=shinan, code="QD-SN-9001")


@pytest.fixture
def people(make_staff, qingdao, shibei, station):
    return {
        "city": make_staff(roles.CITY_STAFF, city=qingdao),
        "chief": make_staff(roles.DISTRICT_CHIEF, districts=[shibei]),
        "manager": make_staff(roles.STATION_MANAGER, stations=[station]),
        "inspector": make_staff(roles.INSPECTOR, districts=[shibei]),
    }


def inspect(station, inspector, **fields):
    values = {"date": TODAY, "score": 80, "findings": "Water dispenser empty."}
    values.update(fields)
    inspection = Inspection(station=station, inspector=inspector, **values)
    inspection.full_clean()
    inspection.save()
    return inspection


# --- Tasks ------------------------------------------------------------------------


def test_task_is_overdue_only_while_open_and_past_deadline(station, people):
    task = task_open(station=station, finding="Refill water", deadline=TODAY, owner=people["manager"])
    assert not task.is_overdue(TODAY)
    assert task.is_overdue(TODAY + datetime.timedelta(days=1))
    assert list(RectificationTask.objects.overdue(TODAY + datetime.timedelta(days=1))) == [task]
    task_mark_done(task=task, actor=people["manager"], note="Refilled.")
    assert not task.is_overdue(TODAY + datetime.timedelta(days=1))
    assert not RectificationTask.objects.overdue(TODAY + datetime.timedelta(days=1)).exists()


def test_task_flow_open_done_verified(station, people):
    inspection = inspect(station, people["inspector"])
    task = task_open(inspection=inspection, finding="Refill water", deadline=TODAY, owner=people["manager"])
    assert task.station == station and task.status == RectificationTask.Status.OPEN

    with pytest.raises(ValidationError):
        task_verify(task=task, actor=people["chief"])  # not done yet
    with pytest.raises(ValidationError):
        task_mark_done(task=task, actor=people["manager"], note="   ")
    task_mark_done(task=task, actor=people["manager"], note="Refilled, new supplier.")
    assert task.status == RectificationTask.Status.DONE and task.done_at

    with pytest.raises(PermissionDenied):
        task_verify(task=task, actor=people["manager"])  # managers do not verify their own fixes
    task_verify(task=task, actor=people["chief"])
    task.refresh_from_db()
    assert task.status == RectificationTask.Status.VERIFIED
    assert task.verified_by == people["chief"]


def test_task_sent_back_reopens(station, people):
    task = task_open(station=station, finding="Fix the fan", deadline=TODAY)
    task_mark_done(task=task, actor=people["manager"], note="Fixed")
    task_reopen(task=task, actor=people["city"])
    task.refresh_from_db()
    assert task.status == RectificationTask.Status.OPEN and task.done_at is None


def test_manager_cannot_touch_another_stations_task(other_station, people):
    task = task_open(station=other_station, finding="Clean", deadline=TODAY)
    with pytest.raises(PermissionDenied):
        task_mark_done(task=task, actor=people["manager"], note="done")


def test_task_owner_must_manage_the_station(station, other_station, people):
    task = RectificationTask(station=other_station, finding="x", deadline=TODAY, owner=people["manager"])
    with pytest.raises(ValidationError) as error:
        task.full_clean()
    assert "owner" in error.value.message_dict


def test_task_from_inspection_must_be_for_the_inspected_station(station, other_station, people):
    inspection = inspect(station, people["inspector"])
    with pytest.raises(ValidationError):
        task_open(inspection=inspection, station=other_station, finding="x", deadline=TODAY)


# --- Proposed level changes ----------------------------------------------------------


def test_city_staff_apply_a_proposed_downgrade_with_the_audit_trail(station, people):
    inspection = inspect(station, people["inspector"], proposed_level=Level.CITY, score=40)
    change = inspection_apply_proposed_level(inspection=inspection, actor=people["city"])

    station.refresh_from_db()
    inspection.refresh_from_db()
    assert station.level == Level.CITY
    assert change.reason == LevelChange.Reason.INSPECTION
    assert (change.from_level, change.to_level, change.actor) == (Level.PROVINCIAL, Level.CITY, people["city"])
    assert inspection.applied_change == change
    assert not inspection.proposal_pending

    with pytest.raises(ValidationError):  # only once
        inspection_apply_proposed_level(inspection=inspection, actor=people["city"])


def test_proposed_delisting_keeps_the_level(station, people):
    inspection = inspect(station, people["inspector"], proposed_status=Status.DELISTED)
    inspection_apply_proposed_level(inspection=inspection, actor=people["city"])
    station.refresh_from_db()
    assert (station.level, station.status) == (Level.PROVINCIAL, Status.DELISTED)


@pytest.mark.parametrize("who", ["chief", "manager", "inspector"])
def test_only_city_staff_apply_proposals(station, people, who):
    inspection = inspect(station, people["inspector"], proposed_level=Level.CITY)
    with pytest.raises(PermissionDenied):
        inspection_apply_proposed_level(inspection=inspection, actor=people[who])
    station.refresh_from_db()
    assert station.level == Level.PROVINCIAL
    assert not LevelChange.objects.exists()


def test_city_staff_of_another_city_cannot_apply(station, people, make_staff):
    from stations.models import City

    yantai = City.objects.create(code="yantai", name_zh="烟台市", name_en="Yantai")
    outsider = make_staff(roles.CITY_STAFF, city=yantai)
    inspection = inspect(station, people["inspector"], proposed_level=Level.CITY)
    with pytest.raises(PermissionDenied):
        inspection_apply_proposed_level(inspection=inspection, actor=outsider)


def test_inspection_without_proposal_cannot_be_applied(station, people):
    inspection = inspect(station, people["inspector"])
    with pytest.raises(ValidationError):
        inspection_apply_proposed_level(inspection=inspection, actor=people["city"])


# --- Admin -------------------------------------------------------------------------------


def _inspection_post(station, **extra):
    data = {
        "station": station.pk, "inspector": "", "date": "2026-06-15", "kind": "unannounced",
        "signage_ok": "on", "clean_and_tidy": "on", "score": "72", "findings": "No umbrellas.",
        "proposed_level": "", "proposed_status": "",
        "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0",
        "tasks-TOTAL_FORMS": "0", "tasks-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_inspector_records_an_unannounced_visit_in_the_admin(client, station, people, settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    photo = SimpleUploadedFile("sign.png", buffer.getvalue(), content_type="image/png")

    client.force_login(people["inspector"])
    data = _inspection_post(
        station,
        **{
            "photos-TOTAL_FORMS": "1", "photos-0-image": photo, "photos-0-caption": "Sign",
            "tasks-TOTAL_FORMS": "1", "tasks-0-finding": "Stock umbrellas",
            "tasks-0-deadline": "2026-06-30", "tasks-0-owner": people["manager"].pk,
        },
    )
    response = client.post(reverse("admin:oversight_inspection_add"), data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response

    inspection = Inspection.objects.get()
    assert inspection.inspector == people["inspector"]  # inspectors always record their own visits
    assert inspection.kind == Inspection.Kind.UNANNOUNCED
    assert [name for name, passed in [("signage", inspection.signage_ok), ("water", inspection.water_stocked)] if passed] == ["signage"]
    assert InspectionPhoto.objects.get().caption == "Sign"
    task = RectificationTask.objects.get()
    assert (task.station, task.inspection, task.owner) == (station, inspection, people["manager"])


def test_uploading_a_non_image_is_refused(client, station, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["inspector"])
    fake = SimpleUploadedFile("evil.png", b"not an image", content_type="image/png")
    data = _inspection_post(station, **{"photos-TOTAL_FORMS": "1", "photos-0-image": fake})
    response = client.post(reverse("admin:oversight_inspection_add"), data)
    assert response.status_code == 200
    assert not Inspection.objects.exists()


def test_inspector_cannot_inspect_outside_assigned_districts(client, other_station, people):
    client.force_login(people["inspector"])
    response = client.post(reverse("admin:oversight_inspection_add"), _inspection_post(other_station))
    assert response.status_code == 200
    assert "station" in response.context["adminform"].form.errors
    assert not Inspection.objects.exists()


def test_apply_action_offered_to_city_staff_only(client, station, people):
    inspect(station, people["inspector"], proposed_level=Level.CITY)
    url = reverse("admin:oversight_inspection_changelist")
    for who, offered in [("city", True), ("chief", False), ("inspector", False)]:
        client.force_login(people[who])
        response = client.get(url)
        assert response.status_code == 200
        form = response.context["action_form"]  # None when no action is allowed at all
        actions = [name for name, _label in form.fields["action"].choices] if form else []
        assert ("apply_proposed_level" in actions) is offered, who


def test_apply_action_changes_the_level(client, station, people):
    inspection = inspect(station, people["inspector"], proposed_level=Level.CITY)
    client.force_login(people["city"])
    response = client.post(
        reverse("admin:oversight_inspection_changelist"),
        {"action": "apply_proposed_level", "_selected_action": [inspection.pk]},
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.level == Level.CITY
    assert LevelChange.objects.get().reason == "inspection"


def test_manager_marks_a_task_done_in_the_admin(client, station, people):
    task = task_open(station=station, finding="Fix the light", deadline=TODAY, owner=people["manager"])
    client.force_login(people["manager"])
    url = reverse("admin:oversight_rectificationtask_change", args=[task.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"done_note": "New bulb fitted.", "mark_done": "on"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == RectificationTask.Status.DONE
    assert task.done_note == "New bulb fitted."
    assert task.finding == "Fix the light"  # read-only for managers


def test_station_list_filter_has_open_tasks(client, make_station, station, people, make_staff):
    idle = make_station()
    task_open(station=station, finding="x", deadline=TODAY)
    client.force_login(make_staff(None))
    response = client.get(reverse("admin:stations_station_changelist"), {"open_tasks": "yes"})
    assert response.status_code == 200
    shown = {s.pk for s in response.context["cl"].result_list}
    assert station.pk in shown and idle.pk not in shown


# --- Campaign --------------------------------------------------------------------------


def test_campaign_lists_last_inspection_open_tasks_and_the_never_inspected(
    client, make_station, station, other_station, people, make_staff
):
    this_year = timezone.localdate().year
    never = make_station(code="QD-SB-NEVER")
    inspect(station, people["inspector"], date=datetime.date(this_year, 1, 10))
    inspect(never, people["inspector"], date=datetime.date(this_year - 1, 11, 2))
    task_open(station=station, finding="x", deadline=TODAY)

    client.force_login(people["chief"])
    response = client.get(reverse("oversight:campaign"))
    assert response.status_code == 200
    rows = {s.code: s for s in response.context["page"]}
    assert set(rows) == {station.code, never.code}  # chief: Shibei only, not other_station
    assert rows[station.code].last_inspected == datetime.date(this_year, 1, 10)
    assert rows[station.code].open_tasks == 1
    assert rows[station.code].inspected_this_year
    assert rows[never.code].last_inspected == datetime.date(this_year - 1, 11, 2)
    assert not rows[never.code].inspected_this_year

    response = client.get(reverse("oversight:campaign"), {"never": "1"})
    assert [s.code for s in response.context["page"]] == [never.code]
    assert response.context["summary"] == {"stations": 2, "never": 1}


def test_campaign_rejects_a_bad_year(client, people):
    client.force_login(people["city"])
    response = client.get(reverse("oversight:campaign"), {"year": "abc"})
    assert response.status_code == 400
    assert b"year" in response.content


def test_station_page_shows_its_inspections_and_tasks(client, station, people):
    inspect(station, people["inspector"], findings="Umbrella stand broken")
    task_open(station=station, finding="Replace the umbrella stand", deadline=TODAY)
    client.force_login(people["chief"])
    response = client.get(reverse("admin:stations_station_change", args=[station.pk]))
    assert response.status_code == 200
    assert b"Umbrella stand broken" in response.content
    assert b"Replace the umbrella stand" in response.content


def test_inspector_choices_are_oneself_or_inspectors_of_ones_districts(client, station, people, make_staff, shinan):
    elsewhere = make_staff(roles.INSPECTOR, districts=[shinan])
    client.force_login(people["chief"])
    response = client.get(reverse("admin:oversight_inspection_add"))
    choices = set(response.context["adminform"].form.fields["inspector"].queryset)
    assert choices == {people["chief"], people["inspector"]}
    assert elsewhere not in choices


def _png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_photos_are_served_only_within_scope(client, station, other_station, people, make_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inspection = inspect(station, people["inspector"])
    photo = InspectionPhoto.objects.create(inspection=inspection, image=_png())
    assert "photo" not in photo.image.name  # stored under a random name
    url = reverse("oversight:inspection_photo", args=[photo.pk])

    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(people["manager"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(make_staff(roles.STATION_MANAGER, stations=[other_station]))
    assert client.get(url).status_code == 404


def test_oversized_photo_is_refused(station, people, settings, tmp_path, monkeypatch):
    from oversight.models import inspection as inspection_module

    monkeypatch.setattr(inspection_module, "MAX_PHOTO_BYTES", 10)
    photo = InspectionPhoto(inspection=inspect(station, people["inspector"]), image=_png())
    with pytest.raises(ValidationError) as error:
        photo.full_clean()
    assert "image" in error.value.message_dict


def test_apply_button_on_the_inspection_page(client, station, people):
    inspection = inspect(station, people["inspector"], proposed_level=Level.CITY)
    url = reverse("admin:oversight_inspection_change", args=[inspection.pk])
    client.force_login(people["chief"])
    assert b"_apply_proposed_level" not in client.get(url).content
    client.force_login(people["city"])
    page = client.get(url)
    assert b"_apply_proposed_level" in page.content

    data = _inspection_post(station, inspector=people["inspector"].pk, proposed_level=Level.CITY, _apply_proposed_level="1")
    response = client.post(url, data)
    assert response.status_code == 302
    station.refresh_from_db()
    inspection.refresh_from_db()
    assert station.level == Level.CITY and inspection.applied_change is not None
    assert b"_apply_proposed_level" not in client.get(url).content  # applied once
