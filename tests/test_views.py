import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def test_about_page(client, django_assert_num_queries):
    make_paper()
    with django_assert_num_queries(3):  # the papers' estimate, then (a small table) their count; the venues
        response = client.get(reverse("about"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>About ShortScience</title>" in html
    assert re.search(r"Papers</th><td>1</td>", html)


def test_about_page_estimates_the_papers_of_a_big_catalogue(client, monkeypatch, django_assert_num_queries):
    for n in range(3):
        make_paper(bibtex_key=f"conf/x/P{n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE papers_paper")
    monkeypatch.setattr("papers.models.COUNT_ESTIMATE_FROM", 2)  # as if 3 papers were a big catalogue

    with django_assert_num_queries(2):  # the estimate (no COUNT over the papers), the venues
        html = client.get(reverse("about")).content.decode()

    assert re.search(r"Papers</th><td>3</td>", html)


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_503_when_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise ConnectionError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_friendly_500_page(client, settings):
    from shortscience.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_robots_txt(client):
    assert "Disallow: /search" in client.get("/robots.txt").content.decode()
