"""Every model registered in the admin, of every app, lists, searches and opens for a moderator."""

import pytest
from django.contrib import admin
from django.urls import reverse

from papers.works import works_link
from summaries import services
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="moderator", is_staff=True, is_superuser=True))
    return client


def test_admin_changelists_search_and_change_pages_render(staff_client):
    paper = make_paper(bibtex_key="journals/corr/1512.03385", arxiv_id="1512.03385", title="Deep Residual Learning")
    make_paper(bibtex_key="journals/corr/HeZRS15", arxiv_id="1512.03385", title="Deep Residual Learning.")
    works_link()
    summary = make_summary(paper=paper)
    comment = services.comment_create(summary=summary, author=UserFactory(), body="hello")
    services.report_create(reporter=UserFactory(), reason="spam", comment=comment)
    services.vote_cast(summary=summary, voter=UserFactory(), value=1)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = staff_client.get(url)
        assert response.status_code == 200, url
        if model_admin.search_fields:
            assert staff_client.get(url, {"q": "residual"}).status_code == 200, url
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert staff_client.get(change).status_code == 200, change
