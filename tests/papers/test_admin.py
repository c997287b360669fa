import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.urls import reverse

from papers.models import Paper
from tests.factories import UserFactory, make_paper
from tests.plans import plan_of

pytestmark = pytest.mark.django_db


def test_admin_adding_a_paper_gives_it_the_venue_of_its_key(client):
    client.force_login(UserFactory(username="moderator", is_staff=True, is_superuser=True))
    data = {
        "bibtex_key": "conf/iclr/Added17",
        "title": "A paper added by hand",
        "published_in": "ICLR",
        "source": "manual",
        "urls": "[]",
        "keywords": "[]",
        "paper_authors-TOTAL_FORMS": "0",
        "paper_authors-INITIAL_FORMS": "0",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:papers_paper_add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    paper = Paper.objects.get(bibtex_key="conf/iclr/Added17")
    assert (paper.venue.key, paper.venue.name) == ("conf/iclr", "ICLR")


def test_admin_title_search_finds_title_words_through_the_search_vector(client, rf):
    wanted = make_paper(title="Residual learning for image recognition")
    make_paper(title="Something else", abstract="Residual learning is in this abstract only.")
    with connection.cursor() as cursor:  # a paper the bulk import stored, its vector still to be made by the job
        cursor.execute("SELECT set_config('shortscience.search_deferred', 'on', true)")
        pending = make_paper(title="Residual learning, imported in bulk")
        cursor.execute("SELECT set_config('shortscience.search_deferred', 'off', true)")
    assert Paper.objects.get(pk=pending.pk).search_vector is None
    client.force_login(UserFactory(username="moderator", is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:papers_paper_changelist"), {"q": "residual learning"}).content.decode()
    assert wanted.bibtex_key in html and pending.bibtex_key in html and "Something else" not in html

    admin = site._registry[Paper]
    request = rf.get("/admin/papers/paper/", {"q": "residual learning"})
    found, _ = admin.get_search_results(request, Paper.objects.all(), "residual learning")
    sql, params = found.query.sql_with_params()
    plan = plan_of(sql, params)
    assert "paper_search_document_idx" in plan and "paper_search_pending_idx" in plan and "Seq Scan" not in plan
