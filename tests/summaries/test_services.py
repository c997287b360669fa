import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from shortscience import markup
from summaries import services
from summaries.models import Citation, Comment, Revision, Summary, Vote
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


def test_summary_save_renders_at_save_and_keeps_revisions():
    summary = make_summary(body="# Idea\n\nWe use $a_1 * b_2$.")
    assert "<h3>Idea</h3>" in summary.body_html
    assert r"a_1 * b_2" in summary.body_html
    services.summary_save(
        paper=summary.paper, author=summary.author, body="# Idea\n\nChanged.", base_version=summary.version
    )
    summary.refresh_from_db()
    assert summary.version == 2
    assert "Changed." in summary.body_html
    assert list(Revision.objects.filter(summary=summary).values_list("version", flat=True)) == [2, 1]


def test_summary_text_is_stored_with_the_html_at_each_save_and_rerender():
    summary = make_summary(body="# Idea\n\nWe use **bold** $a_1$ and [a link](http://example.org).")
    assert summary.body_text == markup.html_text(summary.body_html) == r"Idea We use bold \(a_1\) and a link."
    services.summary_save(paper=summary.paper, author=summary.author, body="Now *plain*", base_version=1)
    summary.refresh_from_db()
    assert summary.body_text == "Now plain"
    Summary.objects.filter(pk=summary.pk).update(body_html="<p>stale</p>", body_text="stale")
    summary.refresh_from_db()
    assert services.summary_rerender(summary=summary)
    summary.refresh_from_db()
    assert summary.body_text == "Now plain"


def test_summary_save_refuses_a_stale_edit_and_writes_nothing():
    summary = make_summary(body="first")
    services.summary_save(paper=summary.paper, author=summary.author, body="second", base_version=1)
    with pytest.raises(services.StaleEdit) as exc:
        services.summary_save(paper=summary.paper, author=summary.author, body="stale third", base_version=1)
    assert exc.value.current.body == "second"
    summary.refresh_from_db()
    assert summary.body == "second" and summary.version == 2
    assert Revision.objects.filter(summary=summary).count() == 2


def test_summary_save_second_new_summary_is_stale():
    summary = make_summary(body="mine")
    with pytest.raises(services.StaleEdit):
        services.summary_save(paper=summary.paper, author=summary.author, body="again", base_version=None)
    assert Summary.objects.filter(author=summary.author).count() == 1


def test_summary_save_of_a_summary_deleted_meanwhile_is_stale_with_nothing_to_compare():
    summary = make_summary(body="mine")
    services.summary_delete(summary=summary, user=summary.author)
    with pytest.raises(services.StaleEdit) as exc:
        services.summary_save(paper=summary.paper, author=summary.author, body="edited", base_version=1)
    assert exc.value.current is None
    assert "deleted" in str(exc.value)
    assert not Summary.objects.filter(author=summary.author).exists()


def test_summary_save_parses_the_markdown_once(monkeypatch):
    make_paper(bibtex_key="conf/nips/RenHGS15", title="Faster R-CNN")
    calls = []
    convert = markup._convert
    monkeypatch.setattr(markup, "_convert", lambda *args: calls.append(args) or convert(*args))
    summary = make_summary(body=r"Builds on \cite{conf/nips/RenHGS15}.")
    assert len(calls) == 1
    assert "Faster R-CNN</a>" in summary.body_html
    assert list(summary.citations.values_list("cited_key", flat=True)) == ["conf/nips/RenHGS15"]


def test_summary_rerender_dry_run_reports_the_change_and_writes_nothing():
    summary = make_summary(body=r"See \cite{conf/nips/Later15}.")
    make_paper(bibtex_key="conf/nips/Later15", title="A Paper Imported Later")
    Summary.objects.filter(pk=summary.pk).update(body_html="<p>stale</p>")
    Citation.objects.filter(summary=summary).delete()
    summary.refresh_from_db()

    assert services.summary_rerender(summary=summary, dry_run=True) is True
    assert Summary.objects.get(pk=summary.pk).body_html == "<p>stale</p>"
    assert not Citation.objects.filter(summary=summary).exists()

    assert services.summary_rerender(summary=summary) is True
    summary.refresh_from_db()
    assert "A Paper Imported Later</a>" in summary.body_html
    assert list(summary.citations.values_list("cited_key", flat=True)) == ["conf/nips/Later15"]
    assert services.summary_rerender(summary=summary, dry_run=True) is False
    assert services.summary_rerender(summary=summary) is False


def test_summary_save_rejects_empty_text():
    with pytest.raises(ValueError):
        make_summary(body="   \n ")


def test_summary_save_records_citations():
    cited = make_paper(bibtex_key="conf/nips/RenHGS15", title="Faster R-CNN")
    summary = make_summary(body=r"Builds on \cite{conf/nips/RenHGS15} and \cite{journals/corr/Unknown}.")
    assert set(Citation.objects.filter(summary=summary).values_list("cited_key", flat=True)) == {
        "conf/nips/RenHGS15",
        "journals/corr/Unknown",
    }
    assert f'href="{cited.get_absolute_url()}"' in summary.body_html
    assert "Faster R-CNN</a>" in summary.body_html
    services.summary_save(paper=summary.paper, author=summary.author, body="No cites now.", base_version=1)
    assert not Citation.objects.filter(summary=summary).exists()


def test_vote_cast_keeps_one_vote_per_voter_and_score_is_the_sum():
    summary = make_summary()
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    assert services.vote_cast(summary=summary, voter=alice, value=1) == 1
    assert services.vote_cast(summary=summary, voter=alice, value=1) == 1
    assert services.vote_cast(summary=summary, voter=bob, value=1) == 2
    assert services.vote_cast(summary=summary, voter=carol, value=-1) == 1
    assert services.vote_cast(summary=summary, voter=alice, value=0) == 0
    assert Vote.objects.filter(summary=summary, voter=alice).count() == 1
    summary.refresh_from_db()
    assert summary.score == 0


def test_vote_cast_refuses_own_summary_and_bad_values():
    summary = make_summary()
    with pytest.raises(services.NotAllowed):
        services.vote_cast(summary=summary, voter=summary.author, value=1)
    with pytest.raises(ValueError):
        services.vote_cast(summary=summary, voter=UserFactory(), value=2)


@pytest.mark.django_db(transaction=True)
def test_vote_cast_concurrent_clicks_stay_consistent():
    """Two requests at once, from the same voter and from another: one row per voter, score == sum."""
    summary = make_summary()
    alice, bob = UserFactory(), UserFactory()
    barrier = threading.Barrier(4)
    errors = []

    def click(voter, value):
        try:
            barrier.wait()
            services.vote_cast(summary=Summary.objects.get(pk=summary.pk), voter=voter, value=value)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=args) for args in [(alice, 1), (alice, 1), (bob, 1), (bob, -1)]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Vote.objects.filter(summary=summary, voter=alice).count() == 1
    assert Vote.objects.filter(summary=summary, voter=bob).count() == 1
    summary.refresh_from_db()
    assert summary.score == sum(Vote.objects.filter(summary=summary).values_list("value", flat=True))
    assert summary.score in (0, 2)


def test_comment_create_mails_the_author_when_opted_in():
    summary = make_summary()
    commenter = UserFactory(display_name="Curious Reader")
    with pytest.raises(ValueError):
        services.comment_create(summary=summary, author=commenter, body="   ")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.comment_create(summary=summary, author=commenter, body="What about <b>ablation</b>?")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [summary.author.email]
    assert "Curious Reader commented" in mail.outbox[0].body
    assert "What about <b>ablation</b>?" in mail.outbox[0].body
    assert f"your settings: {settings.SITE_URL}{reverse('accounts:settings')}\n" in mail.outbox[0].body


def test_comment_create_no_mail_when_opted_out_or_own_comment():
    summary = make_summary()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.comment_create(summary=summary, author=summary.author, body="Self reply")
    summary.author.email_on_comment = False
    summary.author.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.comment_create(summary=summary, author=UserFactory(), body="Hello")
    assert mail.outbox == []


def test_comment_delete_is_soft_and_author_only():
    summary = make_summary()
    comment = services.comment_create(summary=summary, author=UserFactory(), body="hi")
    with pytest.raises(services.NotAllowed):
        services.comment_delete(comment=comment, user=UserFactory())
    services.comment_delete(comment=comment, user=comment.author)
    comment.refresh_from_db()
    assert comment.is_deleted
    assert not Comment.objects.visible().filter(pk=comment.pk).exists()


def test_summary_delete_author_only():
    summary = make_summary()
    with pytest.raises(services.NotAllowed):
        services.summary_delete(summary=summary, user=UserFactory())
    services.summary_delete(summary=summary, user=summary.author)
    assert not Summary.objects.filter(pk=summary.pk).exists()


@pytest.mark.parametrize(
    "cited",
    ["DBLP:conf/icassp/AlmeidaK14", "1111.2011", "arXiv:1111.2011v2", "https://arxiv.org/abs/1111.2011"],
)
def test_summary_save_resolves_a_citation_as_the_paper_page_does(client, cited):
    """An alias or an arXiv id cites the paper it names, as /paper?bibtexKey= finds it (it showed [KEY])."""
    almeida = make_paper(
        bibtex_key="conf/icassp/AlmeidaK14", title="Speech in the wild", aliases=["DBLP:conf/icassp/AlmeidaK14"]
    )
    arxiv = make_paper(bibtex_key="journals/corr/1111.2011", title="An arXiv paper", arxiv_id="1111.2011")
    target = almeida if cited.startswith("DBLP:") else arxiv

    summary = make_summary(body=rf"Builds on \cite{{{cited}}}.")

    assert f'href="{target.get_absolute_url()}">{target.title}</a>' in summary.body_html
    assert list(summary.citations.values_list("cited_key", "paper")) == [(cited, target.pk)]
    page = client.get(target.get_absolute_url()).content.decode()
    assert "Cited in summaries of" in page and summary.paper.title in page


def test_summary_rerender_links_a_citation_of_a_paper_imported_later():
    summary = make_summary(body=r"Cites \cite{1111.2011} before it is imported.")
    assert "[1111.2011]" in summary.body_html and summary.citations.get().paper is None
    paper = make_paper(bibtex_key="journals/corr/1111.2011", title="Imported later", arxiv_id="1111.2011")

    assert services.summary_rerender(summary=summary)

    summary.refresh_from_db()
    assert ">Imported later</a>" in summary.body_html
    assert summary.citations.get().paper == paper
    assert not services.summary_rerender(summary=summary)  # nothing left to change
