"""`manage.py apply_rating_rule [--as-of YYYY-MM-DD] [--dry-run]`."""

import datetime
import io
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from stations import rating_rule
from stations.models import Level, LevelChange, RuleWarning, Station, Status

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def apply(*args):
    out = io.StringIO()
    call_command("apply_rating_rule", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def registry(make_station, set_last_rating):
    """On 2025-04-01: two stations due (national, city), one at risk, one rated recently, one suspended."""
    national = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    city = make_station(level=Level.CITY, listed_on=D(2024, 6, 1))
    set_last_rating(city, datetime.datetime(2024, 12, 31, 23, 59, tzinfo=SHANGHAI))
    at_risk = make_station(level=Level.PROVINCIAL, listed_on=D(2025, 1, 20))
    rated = make_station(level=Level.PROVINCIAL, listed_on=D(2024, 1, 1))
    set_last_rating(rated, datetime.datetime(2025, 3, 30, 12, tzinfo=SHANGHAI))
    suspended = make_station(level=Level.CITY, listed_on=D(2024, 1, 1), status=Status.SUSPENDED)
    return {"national": national, "city": city, "at_risk": at_risk, "rated": rated, "suspended": suspended}


def standings():
    return {code: (level, status) for code, level, status in Station.objects.values_list("code", "level", "status")}


def test_prints_what_changed_and_a_summary(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = apply("--as-of", "2025-04-01")
    national, city, at_risk = registry["national"], registry["city"], registry["at_risk"]
    assert out.startswith("Rating rule as of 2025-04-01\n")
    assert f"{national.code}: national standard -> provincial standard (step due 2025-04-01)" in out
    assert f"{city.code}: city standard -> delisted (step due 2025-03-31)" in out
    assert f"{at_risk.code}: at risk, warned to manager@example.org, chief.shibei@example.org (step due 2025-04-20)" in out
    assert "Stations checked: 4 active (1 suspended, exempt)" in out
    assert "At risk (step due within the warning period): 1" in out
    assert "Warned: 1" in out
    assert "Downgraded: 1\n  national standard -> provincial standard: 1\n" in out
    assert "Delisted: 1" in out
    assert "Failed" not in out
    assert standings() == {
        national.code: (Level.PROVINCIAL, Status.ACTIVE),
        city.code: (Level.CITY, Status.DELISTED),
        at_risk.code: (Level.PROVINCIAL, Status.ACTIVE),
        registry["rated"].code: (Level.PROVINCIAL, Status.ACTIVE),
        registry["suspended"].code: (Level.CITY, Status.SUSPENDED),
    }
    assert LevelChange.objects.filter(reason="rule", actor=None, as_of=D(2025, 4, 1)).count() == 2
    assert len(mail.outbox) == 3  # one warning, two notices


def test_a_second_run_for_the_same_date_changes_nothing(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        apply("--as-of", "2025-04-01")
        before = standings()
        out = apply("--as-of", "2025-04-01")
    assert "Downgraded: 0" in out and "Delisted: 0" in out and "Warned: 0" in out
    assert "At risk (step due within the warning period): 1" in out
    assert standings() == before
    assert LevelChange.objects.count() == 2 and RuleWarning.objects.count() == 1
    assert len(mail.outbox) == 3


def test_dry_run_prints_the_same_changes_and_writes_nothing(registry, django_capture_on_commit_callbacks):
    before = standings()
    with django_capture_on_commit_callbacks(execute=True):
        out = apply("--as-of", "2025-04-01", "--dry-run")
    assert "(dry run: nothing written, nothing sent)" in out
    assert f"{registry['national'].code}: would step national standard -> provincial standard (step due" in out
    assert f"{registry['at_risk'].code}: at risk, would be warned (step due 2025-04-20)" in out
    assert "Downgraded: 1" in out and "Delisted: 1" in out and "Warned (would be): 1" in out
    assert standings() == before
    assert not LevelChange.objects.exists() and not RuleWarning.objects.exists()
    assert Station.objects.filter(standing_changed_at__isnull=False).count() == 0
    assert mail.outbox == []


def test_output_is_in_the_operators_language(registry, django_capture_on_commit_callbacks):
    """From cron no language is chosen, so the report comes in the portal's default, Chinese."""
    national, city, at_risk = registry["national"], registry["city"], registry["at_risk"]
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        dry = apply("--as-of", "2025-04-01", "--dry-run")
        out = apply("--as-of", "2025-04-01")
        with pytest.raises(CommandError, match="^--as-of 必须是 YYYY-MM-DD 格式的日历日期"):
            apply("--as-of", "yesterday")
    assert dry.startswith("三个月无评价规则，执行日期 2025-04-01（演练：不写入、不发送任何内容）\n")
    assert f"{national.code}：将调整 国家级标准 -> 省级标准（应于 2025-04-01 降级或摘牌）" in dry
    assert f"{at_risk.code}：有风险，将发送提醒（将于 2025-04-20 降级或摘牌）" in dry
    assert "将提醒：1\n" in dry
    assert out.startswith("三个月无评价规则，执行日期 2025-04-01\n")
    assert f"{city.code}：市级标准 -> 摘牌（应于 2025-03-31 降级或摘牌）" in out
    assert (f"{at_risk.code}：有风险，已提醒 manager@example.org, chief.shibei@example.org"
            "（将于 2025-04-20 降级或摘牌）") in out
    assert out.endswith(
        "已检查驿站：4 个正常（1 个暂停开放，不适用）\n"
        "有风险（提醒期内将降级或摘牌）：1\n"
        "已提醒：1\n"
        "降级：1\n"
        "  国家级标准 -> 省级标准：1\n"
        "摘牌：1\n"
        "已发送邮件：3\n"
    )


def test_default_date_is_today_in_shanghai(make_station):
    station = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    # 2025-03-31 17:00 UTC is already 2025-04-01 in Shanghai.
    with time_machine.travel(datetime.datetime(2025, 3, 31, 17, 0, tzinfo=datetime.UTC), tick=False):
        out = apply()
    assert out.startswith("Rating rule as of 2025-04-01")
    station.refresh_from_db()
    assert station.level == Level.PROVINCIAL


@pytest.mark.parametrize("value", ["yesterday", "2025-4-1", "2025-02-30", "01/04/2025", ""])
def test_a_bad_date_is_a_command_error(db, value):
    with pytest.raises(CommandError, match="--as-of must be a calendar date written YYYY-MM-DD"):
        apply("--as-of", value)


def test_a_future_date_needs_dry_run(make_station):
    make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    with time_machine.travel(datetime.datetime(2025, 3, 1, 12, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(CommandError, match="future"):
            apply("--as-of", "2025-04-01")
        assert "Downgraded: 1" in apply("--as-of", "2025-04-01", "--dry-run")
    assert not LevelChange.objects.exists()


def test_a_failed_station_is_reported_and_the_exit_status_is_one(registry, break_rule_for):
    broken = registry["national"]
    break_rule_for(broken, "constraint violated")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 station\\(s\\) failed") as raised:
        call_command("apply_rating_rule", "--as-of", "2025-04-01", stdout=out)
    assert raised.value.returncode == 1  # manage.py exits with this status
    assert f"{broken.code}: FAILED: constraint violated" in out.getvalue()
    assert "Delisted: 1" in out.getvalue() and "Failed: 1" in out.getvalue()
    # The other stations were handled.
    assert Station.objects.get(pk=registry["city"].pk).status == Status.DELISTED
    assert Station.objects.get(pk=broken.pk).level == Level.NATIONAL


def test_help_spells_out_the_rule(capsys):
    with pytest.raises(SystemExit):
        execute_from_command_line(["manage.py", "apply_rating_rule", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for phrase in ["latest of", "3 calendar months", "28/29 Feb", "national to provincial to city",
                   "delisted", "Suspended", "hidden ratings do not count", "--as-of", "--dry-run"]:
        assert phrase in text


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_never_step_twice(make_station, monkeypatch):
    """Two runs read the same due stations before either writes; each station steps once."""
    stations = [make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1)) for _ in range(6)]
    both_have_read = threading.Barrier(2, timeout=30)
    real_chunks = rating_rule.candidate_chunks

    def chunks(as_of, chunk_size=rating_rule.CHUNK_SIZE):
        read = list(real_chunks(as_of, chunk_size))
        both_have_read.wait()
        yield from read

    monkeypatch.setattr(rating_rule, "candidate_chunks", chunks)
    reports, errors = [], []

    def run():
        try:
            reports.append(rating_rule.apply_rating_rule(as_of=D(2025, 4, 1)))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(len(report.steps) for report in reports) == len(stations)
    assert sum(len(report.skipped) for report in reports) == len(stations)
    assert LevelChange.objects.count() == len(stations)
    assert set(Station.objects.values_list("level", flat=True)) == {Level.PROVINCIAL}


def test_a_delisted_station_leaves_the_public_site_but_nothing_is_deleted(make_station, client):
    from django.urls import reverse

    station = make_station(level=Level.CITY, listed_on=D(2025, 1, 1))
    kept = make_station(level=Level.CITY, listed_on=D(2025, 3, 1))
    assert client.get(reverse("stations:detail", args=[station.code])).status_code == 200
    apply("--as-of", "2025-04-01")

    assert client.get(reverse("stations:detail", args=[station.code])).status_code == 404
    assert client.get(reverse("api:station-detail", args=[station.code])).status_code == 404
    listed = client.get(reverse("api:station-list")).json()
    codes = {row["code"] for row in listed.get("results", listed)}
    assert station.code not in codes and kept.code in codes
    qr = client.get(reverse("ratings:rate", args=[station.rating_token]))
    assert "no longer listed" in qr.content.decode()
    assert Station.objects.filter(pk=station.pk, status=Status.DELISTED).exists()
    assert LevelChange.objects.filter(station=station, to_status=Status.DELISTED).exists()
