"""What every page's template owes to browsers: unique ids, and <time datetime> values HTML accepts."""

import re
from collections import Counter

import pytest

from summaries import services
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    """One person's summaries of two papers (their ids meet on the homepage), one of them commented on."""
    writer = UserFactory(username="writer", display_name="Wri Ter", bio="Reads papers\non trains.")
    first = make_summary(
        author=writer,
        paper=make_paper(title="Deep Residual Learning", abstract="Deeper neural networks are\nmore difficult."),
    )
    second = make_summary(author=writer, paper=make_paper(title="Faster R-CNN", authors=["Shaoqing Ren"]))
    services.comment_create(summary=first, author=UserFactory(), body="Nice")
    return {"writer": writer, "first": first, "second": second}


def test_ids_are_unique_where_one_persons_summaries_meet(client, site):
    for path in ["/", "/user?name=writer", site["first"].paper.get_absolute_url()]:
        html = client.get(path).content.decode()
        repeated = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
        assert repeated == [], path
    # The paper page keeps the anchors that addresses (#writer, &a=writer) use.
    assert 'id="writer"' in client.get(site["first"].paper.get_absolute_url()).content.decode()


def test_time_elements_carry_whole_seconds(client, site):
    for path in ["/", site["first"].paper.get_absolute_url()]:
        stamps = re.findall(r'<time datetime="([^"]+)"', client.get(path).content.decode())
        assert stamps, path
        for stamp in stamps:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?", stamp), stamp
