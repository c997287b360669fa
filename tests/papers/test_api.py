"""The catalogue's JSON API (papers/api.py): a paper by key, alias, arXiv id or DOI as /paper?bibtexKey= resolves
them; the venues; a venue and its papers by year, walked by cursors, in a constant number of queries."""

import pytest

from papers.models import PaperAlias
from tests.api_client import get_json, walk
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


@pytest.fixture
def resnet():
    paper = make_paper(
        bibtex_key="conf/cvpr/HeZRS16",
        title="Deep Residual Learning for Image Recognition",
        authors=["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"],
        year=2016,
        published_in="CVPR",
        arxiv_id="1512.03385",
        doi="10.1109/cvpr.2016.90",  # as the importers store it (parse_doi: DOIs are case-insensitive)
        abstract="Deeper neural networks are more difficult to train.",
    )
    PaperAlias.objects.create(alias="DBLP:conf/cvpr/HeZRS16", paper=paper)
    return paper


def test_paper_fields(client, resnet):
    data = get_json(client, "/api/paper", {"bibtexKey": "conf/cvpr/HeZRS16"})
    assert data == {
        "bibtex_key": "conf/cvpr/HeZRS16",
        "title": "Deep Residual Learning for Image Recognition",
        "authors": ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"],
        "year": 2016,
        "venue": {"key": "conf/cvpr", "name": resnet.venue.label},
        "arxiv_id": "1512.03385",
        "doi": "10.1109/cvpr.2016.90",
        "abstract": "Deeper neural networks are more difficult to train.",
        "url": f"{SITE}/paper?bibtexKey=conf/cvpr/HeZRS16",
        "bibtex_url": f"{SITE}/paper/bibtex?bibtexKey=conf/cvpr/HeZRS16",
    }
    assert client.get(data["bibtex_url"].removeprefix(SITE)).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "DBLP:conf/cvpr/HeZRS16",
        "1512.03385",
        "1512.03385v2",
        "https://arxiv.org/abs/1512.03385",
        "10.1109/CVPR.2016.90",
        "https://doi.org/10.1109/CVPR.2016.90",
    ],
)
def test_paper_by_alias_arxiv_id_or_doi_answers_the_canonical_paper(client, resnet, name):
    assert get_json(client, "/api/paper", {"bibtexKey": name})["bibtex_key"] == "conf/cvpr/HeZRS16"


def test_paper_without_arxiv_id_or_doi_says_null(client):
    make_paper(bibtex_key="conf/nips/Plain15", arxiv_id="", doi="")
    data = get_json(client, "/api/paper", {"bibtexKey": "conf/nips/Plain15"})
    assert data["arxiv_id"] is None and data["doi"] is None


def test_unknown_paper_is_a_json_404_and_nothing_is_imported(client):
    assert get_json(client, "/api/paper", {"bibtexKey": "9912.99999"}, status=404) == {
        "detail": "Unknown paper: 9912.99999"
    }
    assert get_json(client, "/api/paper", {"bibtexKey": "10.1234/none"}, status=404)["detail"]


@pytest.mark.parametrize(
    "params,message",
    [
        ({}, "The parameter “bibtexKey” is needed."),
        ({"bibtexKey": "x" * 501}, "The parameter “bibtexKey” is not valid: string should have at most 500"),
        ({"bibtexKey": "a\x01b"}, "The parameter “bibtexKey” is not valid: holds a control character"),
    ],
)
def test_unreadable_parameters_are_a_json_400_saying_why(client, params, message):
    assert get_json(client, "/api/paper", params, status=400)["detail"].startswith(message)


@pytest.mark.parametrize("n", [2, 4])
def test_paper_queries_are_constant(client, django_assert_num_queries, n):
    make_paper(bibtex_key="conf/nips/Many15", authors=[f"Author {i}" for i in range(n)])
    with django_assert_num_queries(2):  # the paper with its venue; its authors
        assert len(get_json(client, "/api/paper", {"bibtexKey": "conf/nips/Many15"})["authors"]) == n


def test_venues_index_walks_most_papers_first_through_ties(client):
    counts = {"conf/aaa": 3, "conf/bbb": 1, "conf/ccc": 3, "conf/ddd": 2, "conf/eee": 1}
    for key, count in counts.items():
        for i in range(count):
            make_paper(bibtex_key=f"{key}/P{i}", published_in=key.upper())
    items, pages = walk(client, "/api/venues", {"limit": 2})
    assert pages == 3
    assert [(v["key"], v["paper_count"]) for v in items] == [
        ("conf/aaa", 3),
        ("conf/ccc", 3),
        ("conf/ddd", 2),
        ("conf/bbb", 1),
        ("conf/eee", 1),
    ]
    assert items[0]["url"] == f"{SITE}/venue?key=conf/aaa"
    assert items[0]["api_url"] == f"{SITE}/api/venue?key=conf/aaa"


@pytest.mark.parametrize("n", [2, 4])
def test_venues_queries_are_constant(client, django_assert_num_queries, n):
    for i in range(n):
        make_paper(bibtex_key=f"conf/v{i}/P", published_in=f"V{i}")
    with django_assert_num_queries(1):
        assert len(get_json(client, "/api/venues")["results"]) == n


def test_venue_with_its_years(client):
    for year in (2015, 2015, 2016, None):
        make_paper(year=year)
    data = get_json(client, "/api/venue", {"key": "conf/nips"})
    assert data["key"] == "conf/nips" and data["paper_count"] == 4
    assert [(y["year"], y["paper_count"]) for y in data["years"]] == [(2016, 1), (2015, 2), (None, 1)]
    assert data["years"][1]["papers_url"] == f"{SITE}/api/venue/papers?key=conf/nips&year=2015"
    assert data["years"][2]["papers_url"] == f"{SITE}/api/venue/papers?key=conf/nips&year=unknown"
    missing = get_json(client, "/api/venue", {"key": "conf/none"}, status=404)
    assert missing == {"detail": "There is no venue “conf/none”."}


@pytest.mark.parametrize("n", [2, 4])
def test_venue_queries_are_constant(client, django_assert_num_queries, n):
    for year in range(2000, 2000 + n):
        make_paper(year=year)
    with django_assert_num_queries(2):  # the venue; its years
        assert len(get_json(client, "/api/venue", {"key": "conf/nips"})["years"]) == n


def test_venue_papers_of_a_year_walk_in_stored_order(client):
    papers = [make_paper(year=2015, title=f"Paper {i}") for i in range(5)]
    make_paper(year=2016)
    items, pages = walk(client, "/api/venue/papers", {"key": "conf/nips", "year": "2015", "limit": 2})
    assert pages == 3
    assert [p["bibtex_key"] for p in items] == [p.bibtex_key for p in papers]


def test_venue_papers_default_to_the_newest_year_and_unknown_is_those_without(client):
    newest = make_paper(year=2016)
    undated = [make_paper(year=None) for _ in range(3)]
    make_paper(year=2015)
    assert [p["bibtex_key"] for p in get_json(client, "/api/venue/papers", {"key": "conf/nips"})["results"]] == [
        newest.bibtex_key
    ]
    items, _ = walk(client, "/api/venue/papers", {"key": "conf/nips", "year": "unknown", "limit": 2})
    assert [p["bibtex_key"] for p in items] == [p.bibtex_key for p in undated]


@pytest.mark.parametrize("year", ["1999", "²", "-1", "twenty"])
def test_venue_papers_of_a_year_without_papers_is_a_404(client, year):
    make_paper(year=2015)
    assert get_json(client, "/api/venue/papers", {"key": "conf/nips", "year": year}, status=404)["detail"]


@pytest.mark.parametrize("n", [3, 6])
def test_venue_papers_queries_are_constant(client, django_assert_num_queries, n):
    for _ in range(n):
        make_paper(year=2015)
    with django_assert_num_queries(4):  # the venue; its years; the papers; their authors
        data = get_json(client, "/api/venue/papers", {"key": "conf/nips", "year": "2015"})
    assert len(data["results"]) == n
