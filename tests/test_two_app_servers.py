"""Two app servers (gunicorn, production settings) sharing Postgres and one Redis, as deployed: a session made on one
is valid on the other, allauth's log-in limits count the attempts made on both, a page cached by one is served
by the other, and a write through one shows at once on the other's cached pages."""

import html
import http.client
import re
import shutil
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from tests.factories import UserFactory, make_summary
from tests.servers import AppServer, RedisServer, collect_static

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the servers read what the test committed
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]

PASSWORD = "a-Real-password-42"
TOO_MANY = "Too many failed login attempts"


class Browser:
    """Just enough of a browser: cookies kept by hand (the site's are Secure, which a cookie jar would not send
    over plain HTTP), any of several servers at a time."""

    def __init__(self):
        self.cookies = {}

    def request(self, server, method, path, data=None):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, content

    def get(self, server, path):
        return self.request(server, "GET", path)

    def post_form(self, server, page, action, data):
        """POST `data` to `action` with the CSRF token of `page`, as a form on that page would."""
        _, content = self.get(server, page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
        return self.request(server, "POST", action, {"csrfmiddlewaretoken": token, **data})

    def log_in(self, server, login, password):
        return self.post_form(server, "/accounts/login/", "/accounts/login/", {"login": login, "password": password})


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("staticfiles")
    collect_static(root)
    return root


@pytest.fixture
def servers(settings, static_root):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the servers' own
    redis = RedisServer()
    redis.start()
    started = [AppServer(redis.url, static_root), AppServer(redis.url, static_root)]
    try:
        for server in started:
            server.start()
        yield started
    finally:
        for server in started:
            server.stop()
        redis.stop()


def test_a_session_made_on_one_server_is_valid_on_the_other(servers):
    a, b = servers
    UserFactory(username="ada", password=PASSWORD)
    browser = Browser()
    response, _ = browser.log_in(a, "ada", PASSWORD)
    assert response.status == 302
    for server in (b, a):
        response, content = browser.get(server, "/settings")
        assert response.status == 200, server.url
        assert "Log out" in content


def test_failed_log_ins_are_counted_across_servers(servers):
    a, b = servers
    UserFactory(username="bob", password=PASSWORD)
    for attempt in range(5):  # 5 failures per client and account in 5 minutes; 3 here on A, 2 on B
        response, content = Browser().log_in((a, b)[attempt % 2], "bob", "wrong-password")
        assert response.status in (200, 400) and TOO_MANY not in content, attempt
    for server in (a, b):  # each server saw fewer than 5: only a shared count locks the account
        response, content = Browser().log_in(server, "bob", PASSWORD)
        assert response.status != 302, server.url
        assert TOO_MANY in html.unescape(content)


def test_pages_cached_by_one_server_are_served_and_invalidated_by_the_other(servers):
    a, b = servers
    summary = make_summary(body="Seen through two servers.")
    paper_url = summary.paper.get_absolute_url()
    guest = Browser()
    response, content = guest.get(a, paper_url)
    assert response.getheader("X-Page-Cache") == "miss"
    response, cached = guest.get(b, paper_url)
    assert response.getheader("X-Page-Cache") == "hit" and cached == content
    assert '<output class="score" aria-label="Score">0</output>' in cached

    UserFactory(username="voter", password=PASSWORD)
    voter = Browser()
    assert voter.log_in(b, "voter", PASSWORD)[0].status == 302
    response, _ = voter.post_form(b, paper_url, urlsplit(f"/summary/{summary.pk}/vote").path, {"value": "1"})
    assert response.status == 302
    for server in (a, b):
        response, content = guest.get(server, paper_url)
        assert '<output class="score" aria-label="Score">1</output>' in content, server.url
