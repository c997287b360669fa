"""Test settings and shared fixtures. Tests run on Postgres (DATABASE_URL, default the local server)."""

import os
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test.utils import override_settings

from accounts.moderators import MODERATORS, moderators_group_sync
from shortscience import http, locks
from tests.http_replay import FIXTURES

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by browser tests are still
# synchronous, so Django's async-safety guard is lifted for the test process only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
    },
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    # Jobs run in the test process unless a test chooses the database backend and a worker (tests/test_jobs.py).
    "TASKS": {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "harvest"]}
    },
    "HTTP_PACING": "process",
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    # Production security settings stay on, except the ones that need HTTPS, which test servers do not speak.
    "SECURE_SSL_REDIRECT": False,
    "SECURE_HSTS_SECONDS": 0,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "ALLOWED_HOSTS": ["testserver", "localhost", "127.0.0.1"],
    # Writes invalidate cached pages when their transaction commits, and most tests never commit (each runs in a
    # transaction rolled back at its end): the page cache is on only in tests whose writes commit, the page
    # cache's own (tests/test_page_cache.py) and the browser tests.
    "PAGE_CACHE_SECONDS": 0,
    "PAPER_VIEWS_BATCH": 1,  # each view written at once (tests/summaries/test_counters.py tests the buffer)
}


@pytest.fixture(autouse=True, scope="session")
def _session_settings():
    """Applied before session-scoped fixtures such as live_server, whose middleware reads settings once."""
    with override_settings(**TEST_SETTINGS):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    locks.lock_connection_close()  # a lock connection left open would keep the test database from being dropped


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the page cache's generations live there, not in the database that
    each test rolls back."""
    caches["default"].clear()
    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never touch the internet: a client left on the real transport fails loudly (loopback is allowed)."""
    real = http.urllib_transport

    def loopback_only(request):
        if urlsplit(request.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise AssertionError(f"a test tried to reach the network: {request.url}")
        return real(request)

    monkeypatch.setattr(http, "urllib_transport", loopback_only)


@pytest.fixture
def fixture_path():
    """Path of a file under tests/fixtures/."""
    return lambda name: FIXTURES / name


@pytest.fixture
def fixture_bytes():
    return lambda name: (FIXTURES / name).read_bytes()


@pytest.fixture
def moderators(db):
    """The Moderators group as migration accounts/0007 makes it. A transactional test's flush empties what data
    migrations made, so a test that needs the group asks for it here rather than trusting the migration."""
    moderators_group_sync(apps)
    return Group.objects.get(name=MODERATORS)
