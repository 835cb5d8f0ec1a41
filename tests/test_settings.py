"""Settings come from the environment; production refuses unsafe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_django(args, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'settings-test.sqlite3'}"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_django(["manage.py", "check"], {"DEBUG": "0"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_starts_without_a_secret_key(tmp_path):
    result = run_django(["manage.py", "check"], {"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-secret-key-7fQ2p9LmZx4Rk8Vn3Tb6Yw1Hc5Jd0Gs",
            "ALLOWED_HOSTS": "yizhan.example.org",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sqlite_is_configured_for_concurrent_writers(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.db import connection;"
        "cursor = connection.cursor();"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0],"
        " cursor.execute('PRAGMA busy_timeout').fetchone()[0],"
        " connection.transaction_mode, connection.settings_dict['CONN_MAX_AGE'])"
    )
    result = run_django(["-c", script], {"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    # Connections persist across requests (opening one cost ~0.7 ms a request).
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE", "60"]


@pytest.mark.parametrize("variable", ["LANGUAGE_CODE", "TIME_ZONE", "USE_TZ"])
def test_locale_defaults(settings, variable):
    expected = {"LANGUAGE_CODE": "zh-hans", "TIME_ZONE": "Asia/Shanghai", "USE_TZ": True}
    assert getattr(settings, variable) == expected[variable]
