"""Guards every project here keeps: no pending migrations, a clean deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.commands import run_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_pending_migrations():
    out, _, status = run_command("makemigrations", "--check", "--dry-run")
    assert status == 0 and "No changes detected" in out


def test_check_deploy_is_clean_with_production_env():
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "shortscience.settings",
        "SECRET_KEY": "k" * 20 + "production-like-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "shortscience.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_start_up_fails_without_secret_key_when_debug_off():
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "shortscience.settings"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("setting", "frozen"), [(None, True), ("0", False)])
def test_wsgi_loads_the_views_and_freezes_start_up_objects_out_of_the_collector(setting, frozen):
    env = {**os.environ, "SECRET_KEY": "wsgi-test-secret-key", "DATABASE_URL": "sqlite:///:memory:"}
    env.pop("WSGI_GC_FREEZE", None)
    if setting is not None:
        env["WSGI_GC_FREEZE"] = setting
    probe = "import gc, sys; import shortscience.wsgi; print(gc.get_freeze_count(), 'summaries.views' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    count, views_loaded = result.stdout.split()
    assert (int(count) > 50_000, views_loaded) == ((True, "True") if frozen else (False, "False")), result.stderr


@pytest.mark.django_db
def test_postgres_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
