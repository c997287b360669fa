"""Issue 10 finding 7: every response carries a strict Content-Security-Policy, a Permissions-Policy denying what
the site never uses, and Django's other security headers. tests/browser/ checks that the pages keep to the policy."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def policy(response) -> dict[str, list[str]]:
    """{directive: its sources} of a response's Content-Security-Policy."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def page_urls():
    summary = make_summary(paper=make_paper(bibtex_key="conf/nips/RenHGS15"))
    return [
        "/",
        "/about",
        summary.paper.get_absolute_url(),
        "/venue",
        "/users",
        f"/user?name={summary.author.username}",
        "/search?q=residual",
        "/accounts/login/",
        "/admin/login/",
        "/no-such-page",
        "/robots.txt",
        "/static/css/site.css",
    ]


def test_every_response_has_a_strict_content_security_policy(client, settings):
    urls = page_urls()
    for as_user in (False, True):
        if as_user:
            client.force_login(UserFactory())
            urls += ["/settings", reverse("admin:index")]
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            csp = policy(response)
            assert csp["default-src"] == ["'self'"], url
            assert csp["script-src"] == ["'self'"], url
            assert csp["style-src"] == ["'self'"], url
            assert csp["img-src"] == ["'self'", *settings.SUMMARY_IMAGE_HOSTS], url
            assert csp["object-src"] == ["'none'"]
            assert csp["base-uri"] == ["'none'"]
            assert csp["frame-ancestors"] == ["'none'"]
            assert csp["form-action"] == ["'self'"]
            assert "unsafe" not in response["Content-Security-Policy"]  # unsafe-inline, -eval, -hashes


def test_pages_from_the_page_cache_have_the_policy_too(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    client.get("/about")
    response = client.get("/about")
    assert response["X-Page-Cache"] == "hit"
    assert policy(response)["script-src"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"]


def test_the_database_down_page_has_the_policy_too(client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr("shortscience.views.Paper.objects.estimated_count", down)
    response = client.get("/about")
    assert response.status_code == 503
    assert policy(response)["script-src"] == ["'self'"]


def test_permissions_policy_denies_the_features_the_site_does_not_use(client):
    response = client.get("/about")
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics", "interest-cohort"):
        assert features[feature] == "()", feature


def test_the_other_security_headers(client):
    response = client.get("/about")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def run_settings(**env):
    """Start the settings in a new process with `env`; (exit status, its img-src or the error)."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "shortscience.settings",
        "SECRET_KEY": "test-only-secret-key",
        **env,
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return result.returncode, (result.stdout + result.stderr).strip()


def test_image_hosts_come_from_the_environment():
    status, out = run_settings(SUMMARY_IMAGE_HOSTS=" img.example.org , *.CDN.example,localhost:8443")
    assert status == 0, out
    assert out == "'self' img.example.org *.cdn.example localhost:8443"


def test_default_image_hosts():
    status, out = run_settings()
    assert status == 0, out
    assert out == "'self' i.imgur.com upload.wikimedia.org arxiv.org"


@pytest.mark.parametrize(
    "value", ["img.example.org; script-src *", "https://img.example.org", "*", "img.example.org/path", "'self'"]
)
def test_an_image_host_that_would_change_the_policy_stops_start_up(value):
    status, out = run_settings(SUMMARY_IMAGE_HOSTS=value)
    assert status != 0
    assert "SUMMARY_IMAGE_HOSTS" in out and "is not a host name" in out


INLINE = {
    # Data blocks (JSON-LD, the API docs' settings) are not scripts: the policy does not block them.
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*\stype=\"application/(?:ld\+)?json\")", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_have_nothing_inline_that_the_policy_blocks():
    """The Chromium tests see the pages they open; this sees every template, the error pages too."""
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
