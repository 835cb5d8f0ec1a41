"""The benchmark harness (bench/) still runs end to end, at smoke scale.

One run of `python -m bench.run --smoke` in a subprocess, against its own
SQLite file in a temporary folder (whichever database the suite uses), so
the harness cannot rot unnoticed. The figures themselves are not asserted:
speed is measured by the full benchmark, never judged in unit tests. The HTTP
part needs Debian's `wrk`; without it that test skips and says how to get it.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = ["floor", "nearby_dense", "map_country", "station_page", "rate_post", "admin_district"]

pytestmark = pytest.mark.bench


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(folder):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'smoke.sqlite3'}"
    return env


@pytest.fixture(scope="module")
def smoke_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def smoke_run(smoke_folder):
    folder = smoke_folder
    out = folder / "results.json"
    env = _env(folder)
    command = [
        sys.executable, "-m", "bench.run", "--smoke", "--port", str(_free_port()), "--duration", "1",
        "--commands", "apply_rating_rule,daily_report", "--only", ",".join(SCENARIOS), "--out", str(out),
    ]
    has_wrk = shutil.which("wrk") is not None
    if not has_wrk:
        command.append("--skip-http")
    process = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return json.loads(out.read_text()), has_wrk


def test_smoke_dataset_is_generated_with_consistent_stats(smoke_run):
    results, _ = smoke_run
    dataset = results["dataset"]
    assert dataset["stations"] == 2000
    assert dataset["ratings"] == 50000
    # Some stations never got a rating: they have no stats row.
    assert 0 < dataset["rating_stats"] < dataset["stations"]
    assert dataset["station_days"] > 0


def test_smoke_measures_admin_server_time_and_explains_the_queries(smoke_run):
    results, _ = smoke_run
    for page in ("admin_list", "admin_district"):
        timing = results["server_time"][page]
        assert timing["requests"] > 0 and timing["queries"] > 0
    pages = {plan["page"] for plan in results["plans"]}
    assert {"nearby (dense point)", "map, city zoom", "admin station list"} <= pages
    assert all(plan["plan"].strip() for plan in results["plans"])


def test_smoke_times_commands_with_their_cpu_and_peak_memory(smoke_run):
    results, _ = smoke_run
    commands = results["commands"]
    assert {"apply_rating_rule", "daily_report --city", "daily_report"} <= set(commands)
    for name, command in commands.items():
        assert command["exit_code"] == 0, (name, command["output_tail"])
        assert 0 < command["cpu_seconds"] <= command["seconds"] * 1.5, name
        assert 20 < command["max_rss_mb"] < 400, name
    # Each command's own peak (bench/peak.py): wait4's figure was the runner's
    # memory copied at fork, the same for every command.
    assert len({command["max_rss_mb"] for command in commands.values()}) > 1


def test_smoke_http_scenarios_answer_and_every_rating_is_counted(smoke_run):
    results, has_wrk = smoke_run
    if not has_wrk:
        pytest.skip("wrk is not installed: `apt-get install wrk` (Debian) to run the HTTP part of the bench smoke test")
    http = results["http"]
    assert set(http) == set(SCENARIOS)
    for name, result in http.items():
        assert result["requests"] > 0, name
        assert result["non_2xx_3xx"] == 0, (name, result["statuses"])
        assert sum(result["errors"].values()) == 0, (name, result["errors"])
    check = http["rate_post"]["db_check"]
    assert check["accepted_303"] > 0
    assert check["every_rating_counted"], check
    assert results["memory"] and all(worker["peak_kb"] > 0 for worker in results["memory"])


def test_the_hand_written_lower_bound_finds_what_the_api_finds(smoke_run, smoke_folder):
    """bench.lower_bound stops unless its search returns the API's stations in
    the API's order at every point, dense and sparse."""
    process = subprocess.run(
        [sys.executable, "-m", "bench.lower_bound", "--requests", "20"],
        cwd=REPO, env=_env(smoke_folder), capture_output=True, text=True, timeout=300,
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    lines = process.stdout.splitlines()
    assert [line.split()[0] for line in lines[-3:]] == ["floor", "nearby_dense", "nearby_sparse"]
    assert all("the API's stations in its order at all 300 points" in line for line in lines[-2:])
