"""The read-replica router (shortscience/db_router.py), on two real Postgres databases that are *not* replicated:
the same user is stored in both with a different bio, so what a page shows tells which database it read.

Runs only with a second database configured (pytest-django creates and drops test_<name> of both), e.g.
    DATABASE_REPLICA_URL=postgres://root@127.0.0.1:5432/shortscience_replica \
        make check PYTEST_ARGS=tests/test_db_router.py
"""

import pytest

from accounts.models import User
from shortscience import db_router
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.skipif(not db_router.replica_configured(), reason="set DATABASE_REPLICA_URL to a second database"),
    pytest.mark.django_db(databases=["default", "replica"]),
]

PRIMARY_BIO, REPLICA_BIO = "Bio on the primary.", "Bio on the replica."


@pytest.fixture
def reader():
    """A user in both databases, as replication would have them, but with a different bio in each."""
    user = UserFactory(username="reader", bio=PRIMARY_BIO)
    copy = User.objects.get(pk=user.pk)
    copy.bio = REPLICA_BIO
    copy.save(using="replica", force_insert=True)
    return user


def profile(client) -> str:
    response = client.get("/user?name=reader")
    assert response.status_code == 200
    return response.content.decode()


def test_logged_in_read_only_page_reads_the_replica_with_the_session_from_the_primary(client, reader):
    client.force_login(reader)  # the session is on the primary only
    html = profile(client)
    assert REPLICA_BIO in html
    assert 'class="nav-user">reader<' in html  # logged in: the session was read from the primary


def test_other_pages_read_the_primary(client, reader):
    client.force_login(reader)
    assert PRIMARY_BIO in client.get("/settings").content.decode()  # the settings form, not a read-only page


def test_after_a_post_the_browser_reads_its_own_writes_from_the_primary(client, reader, settings):
    client.force_login(reader)
    response = client.post("/settings", {"display_name": "Renamed", "bio": "Written just now."})
    assert response.status_code == 302
    assert response.cookies[db_router.PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS
    html = profile(client)
    assert "Written just now." in html and "Renamed" in html  # the replica, not replicated here, has neither


def test_guests_pages_the_page_cache_stores_render_from_the_primary(client, reader, settings):
    settings.PAGE_CACHE_SECONDS = 600
    assert PRIMARY_BIO in profile(client)  # a lagging replica's page would be kept under the new generation


def test_guests_read_the_replica_when_nothing_is_cached(client, reader, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert REPLICA_BIO in profile(client)


def test_a_requests_first_write_sends_its_later_reads_to_the_primary():
    router = db_router.ReplicaRouter()
    token = db_router._replica_reads.set(True)
    try:
        assert router.db_for_read(User) == db_router.REPLICA
        assert router.db_for_read(User._meta.apps.get_model("sessions", "Session")) == db_router.PRIMARY
        assert router.db_for_write(User) == db_router.PRIMARY
        assert router.db_for_read(User) == db_router.PRIMARY
    finally:
        db_router._replica_reads.reset(token)
