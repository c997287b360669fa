"""The JSON API as a whole (shortscience/api.py, api_kit.py, middleware.ApiMiddleware): its OpenAPI schema is valid
and lists every endpoint; CORS for GET, HEAD and OPTIONS under /api/ only, never with credentials; ETag, 304 and
Cache-Control; HEAD; the rate limit; and cursor pages that read an index from the cursor on (no OFFSET, no
COUNT). The endpoints themselves: tests/papers/test_api.py, tests/summaries/test_api.py, tests/accounts/test_api.py.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openapi_spec_validator import validate

from summaries.models import Summary
from tests.factories import UserFactory, make_paper, make_summary
from tests.plans import plan_of
from tests.url_patterns import all_patterns

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/paper": "api:paper",
    "/api/paper/summaries": "api:paper-summaries",
    "/api/summaries": "api:summaries",
    "/api/venues": "api:venues",
    "/api/venue": "api:venue",
    "/api/venue/papers": "api:venue-papers",
    "/api/user/summaries": "api:user-summaries",
}
DATA_URLS = [
    "/api/paper?bibtexKey=conf/nips/Api15",
    "/api/paper/summaries?bibtexKey=conf/nips/Api15",
    "/api/summaries",
    "/api/venues",
    "/api/venue?key=conf/nips",
    "/api/venue/papers?key=conf/nips",
    "/api/user/summaries?name=apiwriter",
    "/api/openapi.json",
]


@pytest.fixture
def world():
    paper = make_paper(bibtex_key="conf/nips/Api15")
    return make_summary(paper=paper, author=UserFactory(username="apiwriter"))


def test_schema_is_valid_openapi_3_and_lists_every_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)  # raises on any error against the OpenAPI 3.1 specification
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == set(ENDPOINTS)
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path  # HEAD answers too, but is not listed twice
        assert reverse(ENDPOINTS[path]) == path
    api_names = {p.name for p in all_patterns() if p.name.startswith("api:")}
    assert set(ENDPOINTS.values()) <= api_names
    assert api_names - set(ENDPOINTS.values()) == {"api:api-root", "api:openapi-json", "api:openapi-view"}


def test_schema_documents_the_stable_field_names(client):
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert list(components["PaperOut"]["properties"]) == [
        "bibtex_key", "title", "authors", "year", "venue", "arxiv_id", "doi", "abstract", "url", "bibtex_url"
    ]  # fmt: skip
    assert list(components["SummaryOut"]["properties"]) == [
        "id", "paper", "author", "score", "created_at", "edited_at", "body", "body_html", "url"
    ]  # fmt: skip
    assert list(components["VenueRef"]["properties"]) == ["key", "name"]
    assert list(components["AuthorOut"]["properties"]) == ["username", "display_name"]


def test_the_api_root_sends_people_to_the_docs_page(client):
    response = client.get("/api/")
    assert response.status_code == 302 and response["Location"] == "/api/docs"


def test_docs_page_loads_swagger_ui_from_our_static_files(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert '<link type="text/css" rel="stylesheet" href="/static/ninja/swagger-ui.css">' in html
    assert "//cdn" not in html and "https://" not in html
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == policy["style-src"] == "'self'"  # no inline script or style, no other origin
    assert "data:" in policy["img-src"].split()  # Swagger UI's stylesheet draws its icons as data: images


@pytest.mark.parametrize("url", DATA_URLS)
def test_get_and_head_carry_cors_and_cache_headers(client, world, url):
    for method in (client.get, client.head):
        response = method(url)
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert response["Cache-Control"] == "public, max-age=60"
        assert response["ETag"]
        assert response["X-Robots-Tag"] == "noindex"
    assert client.head(url).content == b""


def test_errors_carry_cors_too_so_that_scripts_can_read_them(client):
    response = client.get("/api/paper", {"bibtexKey": "conf/none/Nothing"})
    assert response.status_code == 404 and response["Access-Control-Allow-Origin"] == "*"
    assert "max-age" not in response.get("Cache-Control", "")


def test_preflight_allows_get_head_and_conditional_requests(client):
    response = client.options(
        "/api/summaries", HTTP_ORIGIN="https://other.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_other_methods_get_no_cors_and_are_refused(client):
    response = client.post("/api/summaries", {})
    assert response.status_code == 405
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("url", ["/", "/paper?bibtexKey=conf/nips/Api15", "/venue", "/rss.xml", "/apiary"])
def test_no_cors_outside_the_api(client, world, url):
    for response in (client.get(url), client.options(url, HTTP_ORIGIN="https://other.example")):
        assert "Access-Control-Allow-Origin" not in response, url


def test_an_unknown_api_address_is_not_preflighted(client):
    response = client.options("/api/nothing-here", HTTP_ORIGIN="https://other.example")
    assert response.status_code != 204 and "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("url", DATA_URLS)
def test_conditional_get_answers_304_until_the_content_changes(client, world, url):
    etag = client.get(url)["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Access-Control-Allow-Origin"] == "*"


def test_an_edit_changes_the_etag(client, world):
    etag = client.get("/api/summaries")["ETag"]
    Summary.objects.filter(pk=world.pk).update(score=5)
    response = client.get("/api/summaries", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_a_logged_in_request_is_private(client, world):
    client.force_login(UserFactory())
    response = client.get("/api/summaries")
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_the_api_shows_a_logged_in_author_nothing_more_than_a_guest(client):
    author = UserFactory(username="owner")
    make_summary(author=author, body="My private one", is_private=True)
    client.force_login(author)
    assert client.get("/api/summaries").json()["results"] == []
    assert client.get("/api/user/summaries", {"name": "owner"}).json()["results"] == []


def test_clients_past_the_rate_limit_get_429_with_retry_after(client, settings):
    settings.API_RATE_LIMIT = "3/60"
    for _ in range(3):
        assert client.get("/api/venues").status_code == 200
    response = client.get("/api/venues")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"].startswith("Too many requests from your address")
    other = client.get("/api/venues", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200  # counted per client


@pytest.mark.parametrize(
    "url,params,index",
    [
        ("/api/summaries", {}, "summary_listed_recent_idx"),
        ("/api/user/summaries", {"name": "apiwriter"}, "summary_author_idx"),
        ("/api/venues", {}, "venue_index_idx"),
        ("/api/venue/papers", {"key": "conf/nips", "year": "2015"}, "paper_venue_year_id_idx"),
    ],
)
def test_a_page_after_a_cursor_reads_the_index_from_there(client, url, params, index):
    """The second page's query starts its index at the cursor: no OFFSET, no COUNT, no sort of every row."""
    writer = UserFactory(username="apiwriter")
    for i in range(6):
        make_summary(paper=make_paper(bibtex_key=f"conf/{'nips' if i % 2 else f'v{i}'}/P{i}"), author=writer)
    next_url = client.get(url, {**params, "limit": 2}).json()["next"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(next_url.removeprefix("http://127.0.0.1:8000")).json()["results"]
    (sql,) = [q["sql"] for q in queries.captured_queries if q["sql"].endswith("LIMIT 3")]
    assert "OFFSET" not in sql and "COUNT(" not in sql.upper()
    plan = plan_of(sql, None)
    assert index in plan and "Seq Scan" not in plan, plan
    assert "Index Cond" in plan, plan  # the range starts at the cursor
