import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from summaries.models import Summary
from tests.commands import run_command
from tests.factories import make_paper, make_summary

pytestmark = pytest.mark.django_db


def test_rerender_summaries_updates_stored_html_and_citations():
    summary = make_summary(body=r"See \cite{conf/nips/Later15}.")
    assert "[conf/nips/Later15]" in summary.body_html
    make_paper(bibtex_key="conf/nips/Later15", title="A Paper Imported Later")
    Summary.objects.filter(pk=summary.pk).update(body_html="<p>stale</p>")

    out, _, status = run_command("rerender_summaries", "--dry-run")
    assert status == 0 and "1 would change" in out
    assert Summary.objects.get(pk=summary.pk).body_html == "<p>stale</p>"

    run_command("rerender_summaries")
    summary.refresh_from_db()
    assert "A Paper Imported Later</a>" in summary.body_html
    assert list(summary.citations.values_list("cited_key", "paper__title")) == [
        ("conf/nips/Later15", "A Paper Imported Later")
    ]

    out, _, _ = run_command("rerender_summaries")
    assert "1 summaries rendered, 0 changed" in out


def test_rerender_summaries_queries_do_not_grow_with_unchanged_summaries():
    def queries_for_a_run():
        with CaptureQueriesContext(connection) as queries:
            run_command("rerender_summaries")
        return len(queries)

    for _ in range(2):
        make_summary(body="No citations here.")
    two = queries_for_a_run()
    for _ in range(4):
        make_summary(body="None here either.")
    assert queries_for_a_run() == two  # the count, the summaries and their citations (prefetched)


def test_rerender_summaries_keeps_the_html_of_a_summary_now_too_complex_and_goes_on():
    too_complex = make_summary(body="Fine.")
    later = make_summary(body="Also fine.")
    Summary.objects.filter(pk=too_complex.pk).update(body="# a\n" * 6000, body_html="<p>stored</p>")
    Summary.objects.filter(pk=later.pk).update(body_html="<p>stale</p>")
    out, err, status = run_command("rerender_summaries")
    assert status == 0
    assert f"summary {too_complex.pk} not rendered again" in err
    assert "1 too complex for the renderer kept their HTML" in out
    assert Summary.objects.get(pk=too_complex.pk).body_html == "<p>stored</p>"
    assert "Also fine." in Summary.objects.get(pk=later.pk).body_html


def test_rerender_summaries_applies_the_image_hosts_to_summaries_saved_before(settings):
    """Issue 10 finding 7: HTML stored before the allow-list (or before a host left it) loads no image once
    rendered again."""
    settings.SUMMARY_IMAGE_HOSTS = ["i.imgur.com", "tracker.example"]
    summary = make_summary(body="![plot](https://tracker.example/pixel.gif)\n\n![fig](https://i.imgur.com/a.png)")
    assert '<img alt="plot" src="https://tracker.example/pixel.gif">' in summary.body_html

    settings.SUMMARY_IMAGE_HOSTS = ["i.imgur.com"]
    out, _, status = run_command("rerender_summaries")
    assert status == 0 and "1 changed" in out
    summary.refresh_from_db()
    assert 'src="https://tracker.example' not in summary.body_html
    assert '<a href="https://tracker.example/pixel.gif" rel="nofollow ugc" title="plot">' in summary.body_html
    assert '<img alt="fig" src="https://i.imgur.com/a.png">' in summary.body_html
