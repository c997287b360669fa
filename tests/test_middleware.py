"""Who may cache a response, and the 503 page when the database goes away mid-request."""

import psycopg2
import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from shortscience.views import server_error
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


def cache_control(response):
    return {word.strip() for word in response.get("Cache-Control", "").split(",") if word.strip()}


def vary(response):
    return {word.strip().lower() for word in response.get("Vary", "").split(",")}


def test_logged_in_pages_are_private_and_vary_on_cookie(client):
    make_summary(paper=make_paper())
    client.force_login(UserFactory())
    for url in ["/", "/about", "/venue"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in cache_control(response), url
        assert "public" not in cache_control(response)
        assert "cookie" in vary(response)


def test_anonymous_pages_are_not_public_by_default(client):
    response = client.get("/about")
    assert response.status_code == 200
    assert not cache_control(response) & {"public", "private"}


def test_anonymous_pages_are_public_for_a_short_while_when_configured(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    response = client.get("/about")
    assert cache_control(response) == {"public", "max-age=60"}
    assert "cookie" in vary(response)

    client.force_login(UserFactory())
    assert "private" in cache_control(client.get("/about"))


def test_a_response_that_sets_a_cookie_is_private(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    response = client.get("/accounts/login/")  # its form has a CSRF token: the cookie is set
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "private" in cache_control(response) and "public" not in cache_control(response)


def test_a_page_with_a_csrf_token_stays_private_once_the_visitor_has_the_cookie(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    login_url = reverse("account_login")  # its form holds the CSRF token
    client.get(login_url)
    assert "csrftoken" in client.cookies
    response = client.get(login_url)  # served to someone else, the page would hand them this visitor's token
    assert "private" in cache_control(response) and "public" not in cache_control(response)


def test_guests_paper_page_has_no_token_and_is_public(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    response = client.get(make_summary(paper=make_paper()).paper.get_absolute_url())  # guests' votes: log-in links
    assert not response.cookies
    assert cache_control(response) == {"public", "max-age=60"}


def test_explicit_no_cache_is_kept(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    response = client.get("/healthz")  # never_cache
    assert {"no-cache", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)


def test_only_successful_gets_are_public(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    assert "public" not in cache_control(client.get("/paper?bibtexKey=no/such/paper"))
    assert "public" not in cache_control(client.get("/random"))


def test_unchanged_page_answers_304_with_its_etag(client):
    first = client.get("/about")
    assert first.has_header("ETag")
    again = client.get("/about", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def terminate_backend_of(conn):
    """Kill Django's database session from a second connection, as a Postgres restart or failover would."""
    conn.ensure_connection()
    pid = conn.connection.get_backend_pid()
    settings = conn.settings_dict
    admin = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"],
    )
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        admin.close()


@pytest.mark.django_db(transaction=True)
def test_database_lost_mid_request_gives_503_then_recovers(client):
    assert client.get("/about").status_code == 200
    terminate_backend_of(connection)

    response = client.get("/about")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in cache_control(response)
    assert "briefly unavailable" in response.content.decode()
    assert connection.connection is None  # the broken connection was dropped

    assert client.get("/about").status_code == 200  # no restart: the next request reconnects


@pytest.mark.django_db(transaction=True)
def test_healthz_503_when_the_connection_dies_then_200(client):
    client.get("/healthz")
    terminate_backend_of(connection)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert client.get("/healthz").status_code == 200


def test_database_error_outside_a_view_is_a_503_too(rf):
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert response.has_header("Retry-After")


# --- NUL bytes are refused at the door ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/summaries/summary/?q=a%00b",  # the admin's search
        "/admin/papers/paper/?q=%00",
        "/accounts/login/?next=/%00",
        "/accounts/confirm-email/a%00b/",  # allauth looks the key up
        "/user?name=a%00b",
        "/venue?key=conf%00",
        "/paper%00",
    ],
)
def test_a_nul_byte_in_the_address_is_the_400_page(client, url):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert "NUL byte" in html and "This address cannot be read" in html


def test_a_nul_byte_in_a_form_or_a_cookie_is_the_400_page(client):
    response = client.post("/accounts/login/", {"login": "a\x00b", "password": "pw"})
    assert response.status_code == 400
    response = client.post("/accounts/password/reset/", {"email": "a\x00@example.org"})
    assert response.status_code == 400
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/about").status_code == 400
