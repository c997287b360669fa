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
    assert "Explains <mark>Voronoi</mark> cells" in html


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


MARKED_UP = (
    "We build **OpenTOSCA** models, see [the spec](http://example.org/tosca-spec) and \\cite{conf/nips/X15}.\n\n"
    "- first *topology* item\n- second item with $x_1^2$\n"
)


def test_snippets_show_the_text_not_its_markdown(client):
    make_summary(paper=make_paper(title="Cloud apps"), body=MARKED_UP)
    html = client.get(URL, {"q": "topology opentosca"}).content.decode()
    snippet = html.split('id="summary-results"', 1)[1].split("</section>", 1)[0]
    assert "<mark>OpenTOSCA</mark> models, see the spec and [conf/nips/X15]" in snippet
    assert "X15]. first <mark>topology</mark> item second item" in snippet
    assert "**" not in snippet and "example.org" not in snippet and "\\cite" not in snippet


def test_summaries_are_searched_in_their_text_not_in_the_markup(client):
    make_summary(paper=make_paper(title="Cloud apps"), body=MARKED_UP)
    assert summary_titles(client.get(URL, {"q": "spec"}).content.decode()) == ["Cloud apps"]
    # words only in the markup (a link's address, the cite command) find nothing
    assert summary_titles(client.get(URL, {"q": "tosca-spec"}).content.decode()) == []
    assert summary_titles(client.get(URL, {"q": "cite"}).content.decode()) == []


def test_fallback_snippets_and_matches_use_the_text_too(client, monkeypatch):
    monkeypatch.setattr("papers.search.search_available", lambda: False)
    make_summary(paper=make_paper(title="Cloud apps"), body=MARKED_UP)
    html = client.get(URL, {"q": "opentosca"}).content.decode()
    assert summary_titles(html) == ["Cloud apps"]
    assert "We build OpenTOSCA models, see the spec and [conf/nips/X15]" in html and "**OpenTOSCA**" not in html
    assert summary_titles(client.get(URL, {"q": "example.org"}).content.decode()) == []


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


@pytest.mark.django_db(transaction=True)  # the migration alters the table: no rows pending in an open transaction
def test_migration_fills_the_text_of_stored_summaries_and_searches_it(client):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    paper, author = make_paper(title="Stored before"), UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([("summaries", "0008_search_vector")])
    try:
        old = executor.loader.project_state([("summaries", "0008_search_vector")]).apps.get_model(
            "summaries", "Summary"
        )
        old.objects.create(
            paper_id=paper.pk,
            author_id=author.pk,
            body="**Wallaby** habits [in the wild](http://e.org)",
            body_html='<p><strong>Wallaby</strong> habits <a href="http://e.org">in the wild</a></p>',
            share_token="t-1",
            is_listed=True,
        )
    finally:  # the test database stays migrated whatever happened
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Summary.objects.get().body_text == "Wallaby habits in the wild"
    html = client.get(URL, {"q": "wallaby"}).content.decode()
    assert summary_titles(html) == ["Stored before"] and "<mark>Wallaby</mark> habits in the wild" in html
