import pytest

from papers.models import Paper
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def test_paper_gets_venue_from_key_prefix():
    paper = make_paper(bibtex_key="conf/iccv/Girshick15", published_in="ICCV")
    assert paper.venue.key == "conf/iccv"
    assert paper.venue.label == "ICCV"
    arxiv = make_paper(bibtex_key="journals/corr/1608.06993", source="arxiv")
    assert arxiv.venue.key == "journals/corr"


def test_paper_count_is_stable_across_upserts():
    make_paper(bibtex_key="conf/x/Y")
    make_paper(bibtex_key="conf/x/Y")
    assert Paper.objects.filter(bibtex_key="conf/x/Y").count() == 1
