"""The editor's preview (summaries.views.summary_preview): rate-limited per user in the default cache, and a text
too complex to render refused with the renderer's reason; saving refuses it too."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from shortscience import markdown_linear
from summaries.models import Summary
from tests.factories import UserFactory, make_paper

PREVIEW = reverse("summaries:preview")


@pytest.fixture
def author(client, db):
    user = UserFactory()
    client.force_login(user)
    return user


def test_preview_is_rate_limited_per_user(client, author, settings):
    settings.SUMMARY_PREVIEW_LIMIT, settings.SUMMARY_PREVIEW_SECONDS = 3, 3600

    statuses = [client.post(PREVIEW, {"body": f"*{n}*"}).status_code for n in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = client.post(PREVIEW, {"body": "x"})
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/plain")
    assert "Too many previews (3 in 3600 seconds)" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 3600
    client.force_login(UserFactory())  # another user has a count of their own
    assert client.post(PREVIEW, {"body": "x"}).status_code == 200


def test_preview_limit_counts_in_the_default_cache(client, author, settings):
    settings.SUMMARY_PREVIEW_LIMIT, settings.SUMMARY_PREVIEW_SECONDS = 2, 3600
    client.post(PREVIEW, {"body": "x"})
    cache.clear()  # the count lives in the cache: a shared cache means a count shared by every app server
    assert [client.post(PREVIEW, {"body": "x"}).status_code for _ in range(3)] == [200, 200, 429]


def test_preview_refuses_a_text_too_complex_with_the_reason(client, author):
    response = client.post(PREVIEW, {"body": "# a\n" * (markdown_linear.MAX_ELEMENTS + 1)})

    assert response.status_code == 422
    assert "too many paragraphs, headings" in response.content.decode()


def test_preview_of_the_issue_10_brackets_is_refused_with_the_reason(client, author):
    response = client.post(PREVIEW, {"body": "[" * 60_000})
    assert response.status_code == 422
    assert "too many brackets" in response.content.decode()
    assert client.post(PREVIEW, {"body": "[" * 5_000}).content.decode().count("[") == 5_000  # fewer: shown as text


def test_save_refuses_a_text_too_complex_with_the_reason(client, author):
    paper = make_paper()
    response = client.post(
        reverse("summaries:save", args=[paper.pk]),
        {"body": "# a\n" * (markdown_linear.MAX_ELEMENTS + 1), "base_version": "0"},
    )

    assert response.status_code == 400
    assert "too many paragraphs, headings" in response.content.decode()
    assert not Summary.objects.filter(author=author).exists()
