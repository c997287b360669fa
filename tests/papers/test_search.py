"""/search and papers.search: ranking, websearch syntax (phrases, -word), filters, the bounded window, highlighting
that stays escaped, "did you mean", the author page, the SQLite fallback, and the page's queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers import search
from papers.models import AuthorName, Paper, TitleWord
from papers.search import SearchFilters, papers_fallback, papers_search
from papers.services import paper_search_vectors_fill
from tests.factories import make_paper
from tests.plans import plan_of

pytestmark = pytest.mark.django_db

URL = "/search"


def titles(text, **filters):
    papers, _ = papers_search(text, filters=SearchFilters(**filters), offset=0, limit=20)
    return [paper.title for paper in papers]


def result_titles(html):
    return [re.sub("<[^>]+>", "", t) for t in re.findall(r'<h3 class="paper-title"><a [^>]*>(.*?)</a>', html)]


def test_a_title_match_beats_an_abstract_match():
    make_paper(title="Notes on optimisation", abstract="We study gradient clipping in depth.")
    make_paper(title="Gradient clipping", abstract="Short.")
    assert titles("gradient clipping") == ["Gradient clipping", "Notes on optimisation"]


def test_an_exact_title_comes_first():
    make_paper(title="Attention attention attention is what you need", abstract="attention " * 20)
    make_paper(title="Attention is all you need")
    assert titles("Attention Is All You Need")[0] == "Attention is all you need"


def test_authors_and_keywords_are_searched_and_words_are_stemmed():
    make_paper(title="Deep residual learning", authors=["Kaiming He"], keywords=["computer vision"])
    assert titles("kaiming") == titles("visions") == titles("learned residuals") == ["Deep residual learning"]


def test_phrase_and_exclusion():
    make_paper(title="Neural machine translation")
    make_paper(title="Machine learning for neural data")
    assert titles('"neural machine"') == ["Neural machine translation"]
    assert titles("neural -translation") == ["Machine learning for neural data"]
    assert sorted(titles("translation or data")) == ["Machine learning for neural data", "Neural machine translation"]


def test_year_and_venue_filters():
    old = make_paper(bibtex_key="conf/nips/Old", title="Kernel methods", year=2010)
    make_paper(bibtex_key="conf/icml/New", title="Kernel methods revisited", year=2020)
    assert titles("kernel", year=2010) == ["Kernel methods"]
    assert titles("kernel", venue_id=old.venue_id) == ["Kernel methods"]
    assert titles("kernel", year=2020, venue_id=old.venue_id) == []


def test_filters_apply_to_phrases_and_the_exact_title_and_follow_a_moved_paper():
    old = make_paper(bibtex_key="conf/nips/Old", title="Kernel methods", year=2010)
    new = make_paper(bibtex_key="conf/icml/New", title="Kernel methods revisited", year=2020)
    assert titles('"kernel methods"', year=2020) == ["Kernel methods revisited"]
    assert titles("Kernel methods", year=2020) == ["Kernel methods revisited"]  # the exact title is of 2010
    assert titles("kernel -revisited", venue_id=new.venue_id) == []
    Paper.objects.filter(pk=old.pk).update(year=2020, venue=new.venue)  # no trigger needed: the index reads them
    assert sorted(titles("kernel", year=2020, venue_id=new.venue_id)) == ["Kernel methods", "Kernel methods revisited"]
    assert titles("kernel", year=2010) == []


def test_a_filtered_search_is_answered_by_the_index_with_the_filters_lexemes():
    """The year and venue are lexemes of paper_search_document_idx (papers/migrations/0011): the index gives only
    the matches of that year and venue, instead of every match of the word read row by row for its year."""
    paper = make_paper(title="Kernel methods", year=2010)
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        papers_search("kernel", filters=SearchFilters(year=2010, venue_id=paper.venue_id), offset=0, limit=20)
    sql, params = captured[0]
    plan = plan_of(sql, params)
    assert "paper_search_document_idx" in plan and "Seq Scan" not in plan
    lines = plan.splitlines()
    scan = next(i for i, line in enumerate(lines) if "Bitmap Index Scan on paper_search_document_idx" in line)
    assert "Index Cond" in lines[scan + 1] and f"''year=2010'' & ''venue={paper.venue_id}''" in lines[scan + 1]
    assert "year + 0" not in "\n".join(lines[scan - 3 :])  # no row-by-row year filter on the matches


def test_the_planner_knows_how_common_a_word_of_the_index_is():
    """Statistics on paper_search_document's expression (migration 0011): a word in every paper is estimated so,
    and the planner reads the first rows of the table for it rather than the whole of the index's list of them
    (without the statistics every search was estimated at 0.5 % of the papers)."""
    for i in range(60):
        make_paper(title=f"Kernel methods {i}", year=2000 + i % 2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE papers_paper")
        cursor.execute(
            f"EXPLAIN SELECT p.id FROM papers_paper p WHERE {search.PAPER_DOCUMENT} @@ "
            "websearch_to_tsquery('english', 'kernel')"
        )
        estimate = int(re.search(r"rows=(\d+)", cursor.fetchone()[0])[1])
    assert estimate >= 50


def test_text_never_produces_the_filters_lexemes():
    make_paper(title="year=2010 venue=1 and year 2010", year=2011)
    assert titles("year=2010") == titles("venue=1") == ["year=2010 venue=1 and year 2010"]
    assert titles("paper", year=2010) == titles("year=2010", year=2010) == []


def test_ranking_reads_a_bounded_window_and_says_so(monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    for n in range(5):
        make_paper(title=f"Lattice study {n}")
    papers, found = papers_search("lattice", filters=SearchFilters(), offset=0, limit=2)
    assert len(papers) == 2 and (found.total, found.capped) == (3, True)


def test_highlights_are_marked_and_the_text_stays_escaped(client):
    make_paper(
        title='Robust "><script>alert(1)</script> learning', abstract="An <img src=x onerror=alert(2)> robust study."
    )
    html = client.get(URL, {"q": "robust"}).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "<mark>Robust</mark> &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; learning" in html
    assert "alert(2)&gt; <mark>robust</mark> study" in html


def test_highlight_html_drops_markers_found_in_the_text_itself():
    assert search.highlight_html("\ue000a\ue001 \ue001<b>\ue000") == "<mark>a</mark> &lt;b&gt;"


def test_search_page_lists_papers_with_noindex_and_a_title(client):
    make_paper(title="Faster R-CNN: Towards Real-Time Object Detection")
    make_paper(title="Fast R-CNN")
    make_paper(title="Unrelated work")
    html = client.get(URL, {"q": "r-cnn"}).content.decode()
    assert sorted(result_titles(html)) == ["Fast R-CNN", "Faster R-CNN: Towards Real-Time Object Detection"]
    assert '<meta name="robots" content="noindex">' in html
    assert "<title>Search: r-cnn · ShortScience</title>" in html


def test_search_page_pages_through_the_window(client, monkeypatch):
    monkeypatch.setattr("summaries.search.PAPERS_PER_PAGE", 2)
    for n in range(3):
        make_paper(title=f"Spectral graph {n}")
    first = client.get(URL, {"q": "spectral"}).content.decode()
    second = client.get(URL, {"q": "spectral", "page": "2"}).content.decode()
    assert len(result_titles(first)) == 2 and len(result_titles(second)) == 1
    assert 'rel="next" href="?q=spectral&amp;page=2"' in first and 'rel="next"' not in second


def test_search_page_filters_and_links_venue_and_year(client):
    make_paper(bibtex_key="conf/nips/K1", title="Kernel one", year=2015)
    make_paper(bibtex_key="conf/icml/K2", title="Kernel two", year=2016)
    html = client.get(URL, {"q": "kernel", "year": "2016"}).content.decode()
    assert result_titles(html) == ["Kernel two"]
    assert result_titles(client.get(URL, {"q": "kernel", "venue": "conf/nips"}).content.decode()) == ["Kernel one"]
    assert 'href="/search?q=kernel&amp;venue=conf/nips"' in client.get(URL, {"q": "kernel"}).content.decode()
    assert client.get(URL, {"q": "kernel", "venue": "conf/none"}).status_code == 404


def test_only_stop_words_say_so(client):
    make_paper(title="The thing")
    assert "holds only very common words" in client.get(URL, {"q": "the of and"}).content.decode()


def test_did_you_mean_a_misspelled_title_or_author(client):
    authors = ["Xiangyu Zhang", "Kaiming He", "Shaoqing Ren"]
    make_paper(title="Deep Residual Learning for Image Recognition", authors=authors)
    html = client.get(URL, {"q": "residul learning"}).content.decode()  # the misspelt word corrected
    assert 'Did you mean <a href="/search?q=residual%20learning">residual learning</a>?' in html
    html = client.get(URL, {"q": "Kaming He"}).content.decode()  # one name of the paper's, not all of them
    assert 'Did you mean the author <a href="/search?author=Kaiming%20He">Kaiming He</a>?' in html


def test_suggestions_words_come_with_the_vectors_and_not_with_the_bulk_import():
    """Suggestions look among papers_authorname and papers_titleword (trigram indexes; migration 0013), which the
    trigger that makes a paper's vector fills: a bulk import's names and words arrive with the fill job, and
    papers_author, which the import writes, has no trigram index (its entries were what search cost the COPY)."""
    make_paper(title="Deep residual learning", authors=["Kaiming He", "Xiangyu Zhang"])
    assert set(AuthorName.objects.values_list("name", flat=True)) == {"Kaiming He", "Xiangyu Zhang"}
    assert set(TitleWord.objects.values_list("word", flat=True)) == {"deep", "residual", "learning"}
    with connection.cursor() as cursor:  # a paper the bulk import stored: its vector and words wait for the fill
        cursor.execute("SELECT set_config('shortscience.search_deferred', 'on', true)")
        make_paper(title="Transformers for translation", authors=["Grace Hopper"])
        cursor.execute("SELECT set_config('shortscience.search_deferred', 'off', true)")
    assert search.suggestion("Grace Hoper") is None and search.suggestion("transformrs") is None
    paper_search_vectors_fill()
    assert search.suggestion("Grace Hoper") == {"kind": "author", "text": "Grace Hopper"}
    assert search.suggestion("transformrs for translaton") == {"kind": "title", "text": "transformers for translation"}
    assert search.suggestion("Kaming He") == {"kind": "author", "text": "Kaiming He"}
    assert search.suggestion("deep residual learning") is None  # every word is known: nothing to correct
    with CaptureQueriesContext(connection) as one:
        search.suggestion("transformrs")
    with CaptureQueriesContext(connection) as three:
        assert search.suggestion("transformrs for translaton residul")["text"] == (
            "transformers for translation residual"
        )
    assert len(three) == len(one)  # the words are corrected in one query, however many there are

    with connection.cursor() as cursor:  # at a few rows a whole-index scan of the key is cheaper: not that either
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        plan = plan_of("SELECT name FROM papers_authorname WHERE %s <%% name", ["Kaming He"])
        assert "Bitmap Index Scan on author_name_search_trgm_idx" in plan and "Seq Scan" not in plan
        plan = plan_of("SELECT word FROM papers_titleword WHERE word %% %s", ["transformrs"])
        assert "Bitmap Index Scan on title_word_trgm_idx" in plan and "Seq Scan" not in plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename IN ('papers_author', 'papers_paper')")
        assert not [d for (d,) in cursor.fetchall() if "gin_trgm_ops" in d]


def test_author_page_lists_their_papers_and_paper_pages_link_to_it(client):
    paper = make_paper(title="By Ada", authors=["Ada Lovelace", "Charles Babbage"])
    make_paper(title="Not by her", authors=["Charles Babbage"])
    html = client.get(URL, {"author": "Ada Lovelace"}).content.decode()
    assert result_titles(html) == ["By Ada"] and "<title>Papers by Ada Lovelace · ShortScience</title>" in html
    page = client.get(paper.get_absolute_url()).content.decode()
    assert '<a href="/search?author=Ada%20Lovelace">Ada Lovelace</a>' in page
    assert client.get(URL, {"author": "Nobody Here"}).status_code == 404


def test_identifiers_still_open_the_paper(client):
    paper = make_paper(bibtex_key="journals/corr/1512.03385", arxiv_id="1512.03385", doi="10.1109/cvpr.2016.90")
    for q in ("journals/corr/1512.03385", "https://arxiv.org/abs/1512.03385", '"10.1109/CVPR.2016.90"'):
        response = client.get(reverse("summaries:search"), {"q": q})
        assert (response.status_code, response["Location"]) == (302, paper.get_absolute_url())


def test_fallback_finds_every_word_in_title_authors_or_abstract():
    make_paper(title="Graph kernels", authors=["Ada Lovelace"], abstract="On random walks.")
    make_paper(title="Graph colouring", authors=["Grace Hopper"])
    found = papers_fallback("graph lovelace walks", filters=SearchFilters())
    assert [p.title for p in found] == ["Graph kernels"]
    assert [p.title for p in papers_fallback('"graph" -hopper', filters=SearchFilters())] == ["Graph kernels"]
    assert not papers_fallback("-graph", filters=SearchFilters()).exists()
    assert [p.title for p in papers_fallback("GRAPH", filters=SearchFilters(year=1999))] == []


def test_fallback_page_is_what_sqlite_serves(client, monkeypatch):
    monkeypatch.setattr(search, "search_available", lambda: False)
    make_paper(title="Graph <kernels>", abstract="Random walks on graphs.")
    html = client.get(URL, {"q": "graph walks"}).content.decode()
    assert result_titles(html) == ["Graph &lt;kernels&gt;"]


def test_search_page_queries_are_constant(client, django_assert_num_queries):
    for n in range(6):
        make_paper(title=f"Manifold learning {n}", authors=[f"A{n}", f"B{n}"])
    # key, alias; stop words only?; ranked papers; papers with venues and headlines; their authors; ranked
    # summaries (none match: no more).
    with django_assert_num_queries(7):
        response = client.get(URL, {"q": "manifold"})
    assert len(result_titles(response.content.decode())) == 6


def test_results_load_only_the_authors_they_show(client):
    names = [f"Member{n:02d} Collab" for n in range(40)]  # a collaboration's paper
    make_paper(title="Detector calibration", authors=names)
    papers, _ = papers_search("detector", filters=SearchFilters(), offset=0, limit=20)
    assert papers[0].author_names == names[: search.SEARCH_AUTHORS + 1]  # one more than shown: "et al."
    assert [p.author_names for p in papers_fallback("detector", filters=SearchFilters())] == [names[:11]]
    html = client.get(reverse("summaries:search"), {"q": "detector"}).content.decode()
    assert "Member09 Collab</a>, et al." in html and "Member10" not in html
    html = client.get(reverse("summaries:search"), {"author": "Member00 Collab"}).content.decode()
    assert "Member09 Collab</a>, et al." in html and "Member10" not in html


@pytest.mark.django_db(transaction=True)  # CREATE INDEX CONCURRENTLY runs outside a transaction
def test_the_migration_swaps_the_index_both_ways_and_papers_stay_searchable():
    from django.db.migrations.executor import MigrationExecutor

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'papers_paper' AND indexname LIKE %s",
                ["paper_search_%_idx"],
            )
            return {name for (name,) in cursor.fetchall()} - {"paper_search_pending_idx"}

    make_paper(title="Kernel methods", year=2010)
    executor = MigrationExecutor(connection)
    executor.migrate([("papers", "0010_search_vector")])
    try:
        assert indexes() == {"paper_search_vector_idx"}
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'paper_search_document'")
            assert cursor.fetchone()[0] == 0
            # An earlier run of the migration was interrupted while it built the index: an invalid one is left.
            cursor.execute("CREATE INDEX paper_search_document_idx ON papers_paper (id)")
            cursor.execute(
                "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'paper_search_document_idx'::regclass"
            )
    finally:  # the test database stays migrated whatever happened
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert indexes() == {"paper_search_document_idx"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indisvalid, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indexrelid = 'paper_search_document_idx'::regclass"
        )
        valid, definition = cursor.fetchone()
    assert valid and "gin (paper_search_document(search_vector" in definition
    assert titles("kernel", year=2010) == ["Kernel methods"]
