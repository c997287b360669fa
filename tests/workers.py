"""Real processes for tests: `manage.py db_worker` (and other commands) run against the test database, as a
deployment runs them. Used by tests marked `django_db(transaction=True)`, whose writes a subprocess can see."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

from django.db import connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

BASE_DIR = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """DATABASE_URL of the database this test runs on (test_<name>), for a subprocess."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The environment of a site process on the test database, with the database task backend and pacing,
    no shared cache, and `overrides`."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "EMAIL_HOST", "DEBUG"}}
    env.update(
        DATABASE_URL=test_database_url(),
        SECRET_KEY="test-only-secret-key",
        TASKS_BACKEND="database",
        HTTP_PACING="database",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `manage.py <args>` with its output in `log`."""
    out = log.open("ab")
    return subprocess.Popen(
        [sys.executable, str(BASE_DIR / "manage.py"), *args], cwd=BASE_DIR, env=env, stdout=out, stderr=out
    )


def worker(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """A job worker polling every 0.1 s (`args` add to it: --batch, --queue-name ...)."""
    return manage("db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload", *args, env=env, log=log)


def stop(process: subprocess.Popen, timeout: float = 10) -> int:
    """Stop a worker as a process manager does (SIGTERM: it finishes its job and exits)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def wait_for(condition, *, timeout: float = 30, what: str = "the condition", log: Path | None = None):
    """Poll `condition()` every 0.1 s until it is truthy (returned) or `timeout` passes (the test fails, with the
    subprocess log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    output = log.read_text(errors="replace") if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{output[-3000:]}")


def run_jobs() -> None:
    """Run every ready job in this process, as `db_worker --batch` does (no subprocess: the test's transaction
    stays: the worker's close_old_connections is left out), then return."""
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="in-test-worker",
            excluded_queue_names=[],
        ).run()
