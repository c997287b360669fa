"""Summaries on /search: only public ones (not private, hidden or by a banned author), anonymous ones without
their author, each with its paper and a highlighted fragment; and an author's page."""

import re

import pytest

from summaries.models import Summary
from summaries.services import summary_hidden_set, user_banned_set
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db

URL = "/search"


def summary_titles(html):
    section = html.split('id="summary-results"', 1)[-1].split("</section>", 1)[0] if "summary-results" in html else ""
    return re.findall(r'<h3 class="paper-title"><a [^>]*>(.*?)</a>', section)


def test_public_summaries_are_found_with_their_paper_and_a_highlight(client):
    make_summary(paper=make_paper(title="On lattices"), body="Explains **Voronoi** cells with care.")
    html = client.get(URL, {"q": "voronoi"}).content.decode()
    assert summary_titles(html) == ["On lattices"]
    assert "Explains **<mark>Voronoi</mark>** cells" in html


def test_private_hidden_and_banned_summaries_never_appear(client):
    make_summary(paper=make_paper(title="Private one"), body="zeugma private", is_private=True)
    hidden = make_summary(paper=make_paper(title="Hidden one"), body="zeugma hidden")
    summary_hidden_set(summaries=Summary.objects.filter(pk=hidden.pk), is_hidden=True)
    banned = UserFactory()
    make_summary(paper=make_paper(title="Banned one"), author=banned, body="zeugma banned")
    user_banned_set(users=type(banned).objects.filter(pk=banned.pk), is_banned=True)
    make_summary(paper=make_paper(title="Public one"), body="zeugma public")
    assert summary_titles(client.get(URL, {"q": "zeugma"}).content.decode()) == ["Public one"]


def test_anonymous_summaries_do_not_name_their_author(client):
    author = UserFactory(username="secretive")
    make_summary(paper=make_paper(title="Anon"), author=author, body="Quokka facts", is_anonymous=True)
    html = client.get(URL, {"q": "quokka"}).content.decode()
    assert summary_titles(html) == ["Anon"] and "secretive" not in html and "Anonymous" in html


def test_summary_text_with_markup_stays_escaped(client):
    make_summary(body='Ocelot <script>alert(1)</script> "><img src=x onerror=alert(2)>')
    html = client.get(URL, {"q": "ocelot"}).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "<mark>Ocelot</mark>" in html and "&quot;&gt;&lt;img src=x" in html


def test_author_page_lists_public_summaries_of_their_papers(client):
    paper = make_paper(title="By Ada", authors=["Ada Lovelace"])
    make_summary(paper=paper, body="A fine public summary")
    make_summary(paper=paper, body="A private one", is_private=True)
    html = client.get(URL, {"author": "Ada Lovelace"}).content.decode()
    assert summary_titles(html) == ["By Ada"]
    assert "A fine public summary" in html and "A private one" not in html


def test_search_page_queries_are_constant_with_summaries(client, django_assert_num_queries):
    for n in range(4):
        make_summary(paper=make_paper(title=f"Wombat paper {n}"), body=f"Wombat summary {n}")
    # key, alias; stop words only?; ranked papers; papers with venues and headlines; their authors; ranked
    # summaries; summaries with papers, authors and headlines.
    with django_assert_num_queries(8):
        html = client.get(URL, {"q": "wombat"}).content.decode()
    assert len(summary_titles(html)) == 4


def test_filters_apply_to_summaries_through_their_paper(client):
    make_summary(paper=make_paper(bibtex_key="conf/nips/Y15", title="Fifteen", year=2015), body="Capybara notes")
    make_summary(paper=make_paper(bibtex_key="conf/icml/Y16", title="Sixteen", year=2016), body="Capybara more")
    assert summary_titles(client.get(URL, {"q": "capybara", "year": "2016"}).content.decode()) == ["Sixteen"]
    assert summary_titles(client.get(URL, {"q": "capybara", "venue": "conf/nips"}).content.decode()) == ["Fifteen"]


def test_author_page_queries_are_constant(client, django_assert_num_queries):
    for n in range(4):
        make_summary(paper=make_paper(title=f"Ada's paper {n}", authors=["Ada Lovelace", f"Co {n}"]))
    # the author; a page of their paper ids; those papers with venues; their authors; public summaries of them.
    with django_assert_num_queries(5):
        html = client.get(URL, {"author": "Ada Lovelace"}).content.decode()
    assert len(summary_titles(html)) == 4
