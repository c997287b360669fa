"""The summaries' JSON API (summaries/api.py): the latest public summaries and a paper's, with the pages' visibility
rules (private, hidden and banned authors' never; anonymous ones name nobody), walked by cursors, in a constant
number of queries."""

import json

import pytest
from django.utils import timezone

from papers.works import works_link
from summaries import services
from summaries.models import Summary
from tests.api_client import get_json, walk
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_world():
    """A paper with one summary of each kind: public, private, hidden by a moderator, by a banned author,
    anonymous."""
    paper = make_paper(bibtex_key="conf/nips/Visible15")
    names = {kind: UserFactory(username=f"{kind}writer", display_name=f"{kind.title()} Writer") for kind in KINDS}
    summaries = {
        "public": make_summary(paper=paper, author=names["public"], body="Public text"),
        "private": make_summary(paper=paper, author=names["private"], body="Private text", is_private=True),
        "hidden": make_summary(paper=paper, author=names["hidden"], body="Hidden text"),
        "banned": make_summary(paper=paper, author=names["banned"], body="Banned text"),
        "anonymous": make_summary(paper=paper, author=names["anonymous"], body="Anonymous text", is_anonymous=True),
    }
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=summaries["hidden"].pk), is_hidden=True)
    services.user_banned_set(users=type(names["banned"]).objects.filter(pk=names["banned"].pk), is_banned=True)
    return {"paper": paper, "summaries": summaries, "users": names}


KINDS = ("public", "private", "hidden", "banned", "anonymous")


@pytest.mark.parametrize(
    "url", ["/api/summaries", "/api/paper/summaries?bibtexKey=conf/nips/Visible15"], ids=["latest", "paper"]
)
def test_summary_lists_show_public_summaries_only_and_anonymous_ones_name_nobody(client, hidden_world, url):
    response = client.get(url)
    assert response.status_code == 200
    items = response.json()["results"]
    assert sorted(item["body"] for item in items) == ["Anonymous text", "Public text"]
    text = response.content.decode()
    for kind in ("private", "hidden", "banned"):
        assert f"{kind.title()} text" not in text
    anonymous_author = hidden_world["users"]["anonymous"]
    assert anonymous_author.username not in text and anonymous_author.display_name not in text
    (anonymous,) = [item for item in items if item["body"] == "Anonymous text"]
    assert anonymous["author"] is None
    assert anonymous["url"].endswith(f"&a=anon-{hidden_world['summaries']['anonymous'].pk}")
    (public,) = [item for item in items if item["body"] == "Public text"]
    assert public["author"] == {"username": "publicwriter", "display_name": "Public Writer"}


def test_summary_fields(client):
    paper = make_paper(bibtex_key="conf/nips/Fields15", title="Deep Residual Learning", authors=["He", "Zhang"])
    summary = make_summary(paper=paper, author=UserFactory(username="ada"), body="It uses **skips** and $x^2$.")
    (item,) = get_json(client, "/api/summaries")["results"]
    assert set(item) == {"id", "paper", "author", "score", "created_at", "edited_at", "body", "body_html", "url"}
    assert item["id"] == summary.pk
    assert item["paper"]["bibtex_key"] == "conf/nips/Fields15"
    assert item["paper"]["authors"] == ["He", "Zhang"]
    assert item["author"] == {"username": "ada", "display_name": "ada"}
    assert item["score"] == 0
    assert item["body"] == "It uses **skips** and $x^2$."
    assert "<strong>skips</strong>" in item["body_html"]
    assert item["url"] == "http://127.0.0.1:8000/paper?bibtexKey=conf/nips/Fields15&a=ada"
    assert item["created_at"].startswith(str(timezone.now().year))


def test_body_html_is_the_sanitised_rendering(client):
    make_summary(body='Look <script>alert(1)</script> <img src=x onerror="alert(2)"> [a](javascript:alert(3))')
    (item,) = get_json(client, "/api/summaries")["results"]
    assert "<script" not in item["body_html"] and "<img" not in item["body_html"]
    assert "javascript:" not in item["body_html"]


def test_a_papers_summaries_include_its_other_versions(client):
    preprint = make_paper(bibtex_key="journals/corr/1512.03385", title="Deep Residual Learning", authors=["K. He"])
    published = make_paper(bibtex_key="conf/cvpr/HeZRS16", title="Deep Residual Learning", authors=["K. He"])
    works_link(paper_ids=[preprint.pk, published.pk])
    make_summary(paper=preprint, body="On the preprint")
    make_summary(paper=published, body="On the conference version")
    make_summary(body="On another paper")
    items = get_json(client, "/api/paper/summaries", {"bibtexKey": "conf/cvpr/HeZRS16"})["results"]
    assert sorted(item["body"] for item in items) == ["On the conference version", "On the preprint"]


def test_a_papers_summaries_by_arxiv_id_and_unknown_papers(client):
    paper = make_paper(bibtex_key="journals/corr/1706.03762", arxiv_id="1706.03762")
    make_summary(paper=paper, body="Attention")
    assert get_json(client, "/api/paper/summaries", {"bibtexKey": "1706.03762"})["results"][0]["body"] == "Attention"
    missing = get_json(client, "/api/paper/summaries", {"bibtexKey": "conf/none/Nothing99"}, status=404)
    assert missing == {"detail": "Unknown paper: conf/none/Nothing99"}


def test_latest_summaries_walk_newest_edit_first_without_duplicates_or_gaps_through_ties(client):
    summaries = [make_summary(body=f"Summary {i}") for i in range(7)]
    moment = timezone.now()
    # Five summaries edited at the same instant: the id orders them.
    Summary.objects.filter(pk__in=[s.pk for s in summaries[1:6]]).update(edited_at=moment)
    make_summary(body="Private", is_private=True)
    items, pages = walk(client, "/api/summaries", {"limit": 2})
    assert pages == 4
    ids = [item["id"] for item in items]
    expected = list(Summary.objects.public().order_by("-edited_at", "-id").values_list("pk", flat=True))
    assert ids == expected and len(set(ids)) == 7


def test_the_walk_keeps_its_other_parameters(client):
    paper = make_paper(bibtex_key="conf/nips/Many15")
    for _ in range(3):
        make_summary(paper=paper)
    make_summary(body="Elsewhere")
    first = get_json(client, "/api/paper/summaries", {"bibtexKey": "conf/nips/Many15", "limit": 2})
    assert "bibtexKey=conf/nips/Many15" in first["next"] and "limit=2" in first["next"]
    items, _ = walk(client, "/api/paper/summaries", {"bibtexKey": "conf/nips/Many15", "limit": 2})
    assert len(items) == 3


def test_a_cursor_of_another_list_is_refused(client):
    make_paper()
    make_paper()
    venues_next = get_json(client, "/api/venue/papers", {"key": "conf/nips", "limit": 1})["next"]
    cursor = venues_next.split("cursor=")[1]
    refused = get_json(client, "/api/summaries", {"cursor": cursor}, status=400)
    assert "cursor" in refused["detail"]


@pytest.mark.parametrize("n", [3, 6])
def test_latest_summaries_queries_are_constant(client, django_assert_num_queries, n):
    for i in range(n):
        make_summary(body=f"Summary {i}")
    with django_assert_num_queries(2):  # the summaries with paper, venue and author; the papers' authors
        assert len(get_json(client, "/api/summaries")["results"]) == n


@pytest.mark.parametrize("n", [3, 6])
def test_a_papers_summaries_queries_are_constant(client, django_assert_num_queries, n):
    paper = make_paper(bibtex_key="conf/nips/Counted15")
    for i in range(n):
        make_summary(paper=paper, body=f"Summary {i}")
    with django_assert_num_queries(3):  # the paper; its summaries with paper, venue and author; the authors
        data = get_json(client, "/api/paper/summaries", {"bibtexKey": "conf/nips/Counted15"})
    assert len(data["results"]) == n


def test_json_is_json(client):
    make_summary(body='Quotes " and \\ and </script>')
    data = json.loads(client.get("/api/summaries").content)
    assert data["results"][0]["body"] == 'Quotes " and \\ and </script>'
