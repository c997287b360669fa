import pytest
from django.urls import reverse

from papers.models import Paper
from tests.factories import UserFactory

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
