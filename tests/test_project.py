"""Guards every project here keeps: no pending migrations, a clean deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
