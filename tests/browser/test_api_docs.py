"""The API's docs page (/api/docs: Swagger UI from django-ninja's own static files) in Chromium, under the site's
Content-Security-Policy (the `page` fixture fails on any violation): it lists every endpoint, and "Try it out"
runs a request against the live server and shows its JSON. Nothing is loaded from another origin."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory, make_paper, make_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATHS = [
    "/api/paper",
    "/api/venues",
    "/api/venue",
    "/api/venue/papers",
    "/api/summaries",
    "/api/paper/summaries",
    "/api/user/summaries",
]


def test_docs_page_lists_every_endpoint_and_runs_one_under_the_policy(page, live_server):
    make_summary(paper=make_paper(bibtex_key="conf/nips/Docs15"), author=UserFactory(username="docswriter"))
    elsewhere = []
    page.context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: _abort(route, elsewhere))
    response = page.goto("/api/docs")
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ShortScience API")
    shown = page.locator(".opblock-summary-path")
    expect(shown).to_have_count(len(PATHS))
    assert sorted(shown.all_inner_texts()) == sorted(PATHS)

    operation = page.locator("#operations-summaries-summaries_api_summary_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    body = operation.locator(".responses-wrapper .live-responses-table .response-col_description pre").first
    expect(body).to_contain_text('"bibtex_key": "conf/nips/Docs15"')
    expect(body).to_contain_text('"username": "docswriter"')
    assert elsewhere == []
    assert page.console_errors == []


def _abort(route, requests):
    requests.append(route.request.url)
    route.abort()
