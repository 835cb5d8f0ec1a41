"""daily_report: each station manager and district chief gets their stations' day, as on the dashboard."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from oversight import roles
from oversight.reports import daily_reports
from ratings.models import StationDay
from stations.models import City

DAY = datetime.date(2026, 5, 20)


@pytest.fixture
def world(make_station, make_staff, shibei, shinan):
    a = make_station(code="QD-SB-A", manager_email="a.manager@example.org")
    b = make_station(code="QD-SB-B", manager_email="")
    c = make_station(code="QD-SN-C", district=shinan, manager_email="c.contact@example.org")
    StationDay.objects.create(station=a, date=DAY, scans=10, ratings=4, satisfied=3, dissatisfied=1)
    StationDay.objects.create(station=b, date=DAY, scans=7, ratings=2, satisfied=0, dissatisfied=2)
    StationDay.objects.create(station=c, date=DAY, scans=1, ratings=1, satisfied=1, dissatisfied=0)
    StationDay.objects.create(station=a, date=DAY - datetime.timedelta(days=1), scans=99, ratings=9, satisfied=9)
    return {
        "a": a, "b": b, "c": c,
        # The manager's account holds the same address as the registry: one report, not two.
        "manager": make_staff(roles.STATION_MANAGER, stations=[a], email="A.Manager@example.org"),
        "chief": make_staff(roles.DISTRICT_CHIEF, districts=[shibei], email="chief@example.org"),
    }


def by_email(reports):
    reports = list(reports)
    assert len({report.email.lower() for report in reports}) == len(reports)  # one report per address
    return {report.email.lower(): report for report in reports}


def test_each_manager_and_chief_gets_their_stations(world):
    reports = by_email(daily_reports(DAY))
    # shinan's registry chief address and c's contact have no account: they still get theirs.
    assert set(reports) == {
        "a.manager@example.org", "chief@example.org", "chief.shibei@example.org",
        "c.contact@example.org", "chief.shinan@example.org",
    }
    manager = reports["a.manager@example.org"].activity
    assert (manager.total.scans, manager.total.ratings, manager.total.satisfied) == (10, 4, 3)
    assert [row.code for row in manager.stations] == ["QD-SB-A"]

    chief = reports["chief@example.org"].activity
    assert (chief.total.scans, chief.total.ratings, chief.total.dissatisfied) == (17, 6, 3)
    assert [row.code for row in chief.stations] == ["QD-SB-A", "QD-SB-B"]  # most scans first
    assert reports["chief.shinan@example.org"].activity.total.scans == 1


def test_command_emails_one_report_per_address(world):
    call_command("daily_report", "--date", DAY.isoformat())
    assert len(mail.outbox) == 5
    to_manager = next(m for m in mail.outbox if m.to == ["A.Manager@example.org"])
    assert "QD-SB-A" in to_manager.body and "QD-SB-B" not in to_manager.body
    assert "10" in to_manager.subject and "2026-05-20" in to_manager.subject
    to_chief = next(m for m in mail.outbox if m.to == ["chief@example.org"])
    assert "QD-SB-A" in to_chief.body and "QD-SB-B" in to_chief.body and "QD-SN-C" not in to_chief.body


def test_station_lines_read_whole_in_each_language(world, settings):
    """Each station line is one translated sentence, its satisfaction rate
    included; reports are written in the portal's language."""
    call_command("daily_report", "--date", DAY.isoformat())
    settings.LANGUAGE_CODE = "en"
    call_command("daily_report", "--date", DAY.isoformat())
    chinese, english = (next(m for m in mail.outbox[i * 5:(i + 1) * 5] if m.to == ["chief@example.org"])
                        for i in (0, 1))
    line = next(line for line in chinese.body.splitlines() if line.startswith("- QD-SB-A"))
    assert line.endswith("扫码 10 次，评价 4 条，不满意 1 条，满意率 75%")
    line = next(line for line in english.body.splitlines() if line.startswith("- QD-SB-A"))
    assert line.endswith("10 scans, 4 ratings, 1 dissatisfied, 75% satisfied")


def test_stdout_prints_instead_of_sending(world, capsys):
    call_command("daily_report", "--date", DAY.isoformat(), "--stdout")
    output = capsys.readouterr().out
    assert not mail.outbox
    assert "To: chief@example.org" in output
    assert output.count("To: ") == 5
    assert "QD-SB-B" in output
    assert output.rstrip().endswith("Printed 5 daily report(s) for 2026-05-20.")


def test_operators_read_the_summary_in_the_portal_language(world, capsys):
    from django.utils import translation

    with translation.override("zh-hans"):
        call_command("daily_report", "--date", DAY.isoformat())
        call_command("daily_report", "--date", DAY.isoformat(), "--city", "qingdao", "--stdout")
        with pytest.raises(CommandError, match="必须是 YYYY-MM-DD"):
            call_command("daily_report", "--date", "20.5.2026")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "已发送 2026-05-20 的日报 5 份。"
    assert lines[-1] == "已输出 qingdao 2026-05-20 的日报 5 份。"


def test_defaults_to_yesterday(world):
    with time_machine.travel(datetime.datetime(2026, 5, 21, 7, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))):
        call_command("daily_report")
    to_manager = next(m for m in mail.outbox if m.to == ["A.Manager@example.org"])
    assert "2026-05-20" in to_manager.subject


def test_bad_date_is_a_clear_error(world):
    with pytest.raises(CommandError, match="--date"):
        call_command("daily_report", "--date", "20-05-2026")
    assert not mail.outbox


@pytest.mark.parametrize("who", ["manager", "chief"])
def test_report_numbers_equal_the_dashboard(client, world, who):
    client.force_login(world[who])
    response = client.get(reverse("oversight:dashboard"), {"date": DAY.isoformat()})
    assert response.status_code == 200
    on_dashboard = response.context["activity"]
    report = by_email(daily_reports(DAY))[world[who].email.lower()].activity
    assert report.total == on_dashboard.total
    assert [(r.code, r.counts) for r in report.stations] == [(r.code, r.counts) for r in on_dashboard.stations]
    assert [(d.district.pk, d.counts) for d in report.districts] == [
        (d.district.pk, d.counts) for d in on_dashboard.districts
    ]
    assert report.stations_in_scope == on_dashboard.stations_in_scope


def test_one_failed_address_does_not_stop_the_others(world, monkeypatch):
    from oversight import reports

    real = reports.send_daily_report

    def flaky(report, connection=None):
        if report.email == "chief@example.org":
            raise OSError("mailbox unavailable")
        real(report, connection=connection)

    monkeypatch.setattr("oversight.management.commands.daily_report.send_daily_report", flaky)
    with pytest.raises(CommandError, match="chief@example.org"):
        call_command("daily_report", "--date", DAY.isoformat())
    assert len(mail.outbox) == 4


@pytest.fixture
def other_city(world, make_station, make_staff):
    from stations.models import District

    jinan = City.objects.create(code="jinan", name_zh="济南市", name_en="Jinan")
    lixia = District.objects.create(
        city=jinan, code="lixia", name_zh="历下区", name_en="Lixia", chief_email="chief.lixia@example.org"
    )
    station = make_station(code="JN-LX-D", district=lixia, manager_email="d.manager@example.org")
    StationDay.objects.create(station=station, date=DAY, scans=5, ratings=1, satisfied=1)
    # One manager who looks after a station in each city.
    both = make_staff(roles.STATION_MANAGER, stations=[station, world["c"]], email="both@example.org")
    return {"station": station, "both": both}


def test_city_limits_recipients_and_stations_to_that_city(world, other_city):
    everywhere = by_email(daily_reports(DAY))
    assert {"d.manager@example.org", "chief.lixia@example.org", "chief@example.org"} <= set(everywhere)
    assert [row.code for row in everywhere["both@example.org"].activity.stations] == ["JN-LX-D", "QD-SN-C"]

    qingdao = by_email(daily_reports(DAY, City.objects.get(code="qingdao")))
    assert set(qingdao) == {
        "a.manager@example.org", "chief@example.org", "chief.shibei@example.org",
        "c.contact@example.org", "chief.shinan@example.org", "both@example.org",
    }
    assert [row.code for row in qingdao["both@example.org"].activity.stations] == ["QD-SN-C"]
    jinan = by_email(daily_reports(DAY, City.objects.get(code="jinan")))
    assert set(jinan) == {"d.manager@example.org", "chief.lixia@example.org", "both@example.org"}
    assert [row.code for row in jinan["both@example.org"].activity.stations] == ["JN-LX-D"]
    assert jinan["chief.lixia@example.org"].activity.total.scans == 5


def test_city_option_of_the_command(world, other_city, capsys):
    call_command("daily_report", "--date", DAY.isoformat(), "--city", "jinan", "--stdout")
    output = capsys.readouterr().out
    assert output.count("To: ") == 3
    assert "JN-LX-D" in output and "QD-SB-A" not in output
    call_command("daily_report", "--date", DAY.isoformat(), "--city", "qingdao")
    assert len(mail.outbox) == 6
    assert not any("JN-LX-D" in message.body for message in mail.outbox)


def test_unknown_city_is_a_clear_error(world):
    with pytest.raises(CommandError, match="'atlantis'.*jinan|'atlantis'.*qingdao"):
        call_command("daily_report", "--date", DAY.isoformat(), "--city", "atlantis")
    assert not mail.outbox


def _report_queries(day=DAY, city=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        reports = list(daily_reports(day, city))
    return len(queries), reports


def test_queries_do_not_grow_with_recipients_or_stations(world, make_station, make_staff, shinan):
    from stations.models import District

    before, reports = _report_queries()
    assert len(reports) == 5
    # Ten more stations with scans, each with a manager account and a registry contact,
    # and a new district with a chief account.
    laoshan = District.objects.create(
        city=world["a"].district.city, code="laoshan", name_zh="崂山区", name_en="Laoshan",
        chief_email="chief.laoshan@example.org",
    )
    for n in range(10):
        station = make_station(
            code=f"QD-LS-{n:02d}", district=laoshan if n % 2 else shinan, manager_email=f"contact{n}@example.org"
        )
        StationDay.objects.create(station=station, date=DAY, scans=n, ratings=1, satisfied=1)
        make_staff(roles.STATION_MANAGER, stations=[station], email=f"manager{n}@example.org")
    make_staff(roles.DISTRICT_CHIEF, districts=[laoshan, shinan], email="new.chief@example.org")

    after, reports = _report_queries()
    assert len(reports) == 5 + 10 + 10 + 1 + 1
    assert after == before
    assert after <= 10


@pytest.fixture
def mixed_accounts(world, make_station, make_staff, shibei, shinan, qingdao):
    from django.contrib.auth.models import Group

    extra = make_station(code="QD-SN-E", district=shinan, manager_email="")
    StationDay.objects.create(station=extra, date=DAY, scans=3, ratings=3, satisfied=2, dissatisfied=1)
    city_chief = make_staff(roles.CITY_STAFF, city=qingdao, email="city.chief@example.org")
    city_chief.groups.add(Group.objects.get(name=roles.DISTRICT_CHIEF))
    chief_manager = make_staff(roles.DISTRICT_CHIEF, districts=[shinan], stations=[world["a"]], email="cm@example.org")
    chief_manager.groups.add(Group.objects.get(name=roles.STATION_MANAGER))
    manager_inspector = make_staff(roles.STATION_MANAGER, districts=[shibei], stations=[extra], email="mi@example.org")
    manager_inspector.groups.add(Group.objects.get(name=roles.INSPECTOR))
    chief_without_districts = make_staff(roles.DISTRICT_CHIEF, stations=[extra], email="nodistricts@example.org")
    super_manager = make_staff(None, email="super@example.org")
    super_manager.groups.add(Group.objects.get(name=roles.STATION_MANAGER))
    return [world["manager"], world["chief"], city_chief, chief_manager, manager_inspector,
            chief_without_districts, super_manager]


@pytest.mark.parametrize("city_code", [None, "qingdao"])
def test_each_account_gets_exactly_its_scope(mixed_accounts, city_code):
    from django.contrib.auth.models import User

    from oversight import selectors
    from oversight.scoping import stations_for

    city = City.objects.get(code=city_code) if city_code else None
    reports = by_email(daily_reports(DAY, city))
    for account in mixed_accounts:
        stations = stations_for(User.objects.get(pk=account.pk))
        expected = selectors.day_activity(stations, DAY)
        if not expected.stations_in_scope:
            assert account.email.lower() not in reports
            continue
        report = reports[account.email.lower()].activity
        assert report.stations_in_scope == expected.stations_in_scope, account.email
        assert report.total == expected.total, account.email
        assert [(r.code, r.counts) for r in report.stations] == [(r.code, r.counts) for r in expected.stations]
        assert [(d.district.pk, d.counts, d.stations) for d in report.districts] == [
            (d.district.pk, d.counts, d.stations) for d in expected.districts
        ]


def test_stations_not_scanned_are_listed_by_code_up_to_the_limit(world, make_station, make_staff, shinan):
    from oversight.reports import IDLE_LIST_LIMIT

    idle = [make_station(code=f"QD-IDLE-{n:02d}", district=shinan, manager_email="")
            for n in reversed(range(IDLE_LIST_LIMIT + 2))]
    make_staff(roles.STATION_MANAGER, stations=[world["c"], *idle], email="many@example.org")
    body = by_email(daily_reports(DAY))["many@example.org"].body
    listed = [line[2:].split()[0] for line in body.splitlines() if line.startswith("- QD-IDLE-")]
    assert listed == [f"QD-IDLE-{n:02d}" for n in range(IDLE_LIST_LIMIT)]
    assert "- QD-SN-C" in body  # the scanned one, under "per station"
    assert "2" in body.split("QD-IDLE-49")[1]  # "… and 2 more"
