"""The moderation services: resolving reports (all on one target at once), hiding with a reason, merging duplicate
papers."""

from datetime import date

import pytest

from papers.models import Paper, PaperAlias, VenueYear
from summaries import services
from summaries.models import AuthorStats, Citation, Comment, PaperVisit, Report, Revision, Summary, Vote
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


def test_resolving_one_report_resolves_every_open_report_on_the_same_target():
    summary = make_summary()
    other = make_summary()
    moderator = UserFactory()
    first = services.report_create(reporter=UserFactory(), reason="spam", summary=summary)
    second = services.report_create(reporter=UserFactory(), reason="abuse", summary=summary)
    elsewhere = services.report_create(reporter=UserFactory(), reason="spam", summary=other)

    count = services.reports_resolve(
        reports=Report.objects.filter(pk=first.pk), verdict="no-action", moderator=moderator, note="Fine."
    )

    assert count == 2
    for report in (first, second):
        report.refresh_from_db()
        assert (report.verdict, report.note, report.resolved_by) == ("no-action", "Fine.", moderator)
        assert report.resolved_at is not None
        assert report.state == "Resolved: No action needed"
    elsewhere.refresh_from_db()
    assert elsewhere.resolved_at is None and elsewhere.state.startswith("Open")


def test_a_verdict_must_be_one_of_the_verdicts():
    report = services.report_create(reporter=UserFactory(), reason="spam", summary=make_summary())
    with pytest.raises(ValueError):
        services.reports_resolve(reports=Report.objects.filter(pk=report.pk), verdict="shrug", moderator=None)


def test_hiding_reported_content_tells_its_author_why_and_resolves_the_reports():
    summary = make_summary()
    comment = services.comment_create(summary=make_summary(), author=UserFactory(), body="Buy pills")
    reports = [
        services.report_create(reporter=UserFactory(), reason="plagiarism", summary=summary),
        services.report_create(reporter=UserFactory(), reason="spam", comment=comment),
    ]
    services.report_create(reporter=UserFactory(), reason="other", comment=comment)  # the same target

    hidden, resolved = services.report_targets_hide(
        reports=Report.objects.filter(pk__in=[r.pk for r in reports]), moderator=UserFactory()
    )

    assert (hidden, resolved) == (2, 3)
    summary.refresh_from_db()
    comment.refresh_from_db()
    assert (summary.is_hidden, summary.hidden_reason) == (True, "reported as copied text (e.g. the abstract)")
    assert (comment.is_hidden, comment.hidden_reason) == (True, "reported as spam or advertising")
    assert set(Report.objects.values_list("verdict", flat=True)) == {"hidden"}
    assert not Summary.objects.public().filter(pk=summary.pk).exists()


def test_restoring_a_summary_clears_the_reason():
    summary = make_summary()
    rows = Summary.objects.filter(pk=summary.pk)
    services.summary_hidden_set(summaries=rows, is_hidden=True, reason="Off topic.")
    assert rows.get().hidden_reason == "Off topic."
    services.summary_hidden_set(summaries=rows, is_hidden=False)
    restored = rows.get()
    assert (restored.is_hidden, restored.hidden_reason, restored.is_listed) == (False, "", True)


def test_merging_papers_moves_summaries_citations_aliases_and_views_and_the_old_key_redirects(client):
    source = make_paper(bibtex_key="conf/nips/Duplicate15", arxiv_id="1506.01497", title="Faster R-CNN")
    target = make_paper(bibtex_key="conf/nips/RenHGS15", title="Faster R-CNN.")
    PaperAlias.objects.create(alias="DBLP:conf/nips/Duplicate15", paper=source)
    summary = make_summary(paper=source, body="Region proposals.")
    citing = make_summary(body="As in \\cite{conf/nips/Duplicate15}.")
    PaperVisit.objects.create(paper=source, day=date(2026, 1, 1), count=3)
    PaperVisit.objects.create(paper=source, day=date(2026, 1, 2), count=1)
    PaperVisit.objects.create(paper=target, day=date(2026, 1, 1), count=2)
    counted = VenueYear.objects.get(venue=target.venue, year=2015).paper_count

    result = services.papers_merge(source=source, target=target)

    assert result == services.PaperMerge(moved=1, folded=[])
    assert not Paper.objects.filter(pk=source.pk).exists()
    assert Summary.objects.get(pk=summary.pk).paper_id == target.pk
    assert Citation.objects.get(summary=citing).paper_id == target.pk
    assert set(PaperAlias.objects.filter(paper=target).values_list("alias", flat=True)) == {
        "conf/nips/Duplicate15",
        "DBLP:conf/nips/Duplicate15",
    }
    assert dict(PaperVisit.objects.filter(paper=target).values_list("day", "count")) == {
        date(2026, 1, 1): 5,
        date(2026, 1, 2): 1,
    }
    target.refresh_from_db()
    assert target.arxiv_id == "1506.01497"  # taken from the duplicate, which had one
    assert VenueYear.objects.get(venue=target.venue, year=2015).paper_count == counted - 1
    response = client.get("/paper", {"bibtexKey": "conf/nips/Duplicate15"})
    assert response.status_code == 301
    assert response["Location"] == target.get_absolute_url()


def test_merging_keeps_both_summaries_of_someone_who_summarised_both_papers():
    source, target = make_paper(), make_paper()
    writer, voter, both = UserFactory(), UserFactory(), UserFactory()
    old = make_summary(paper=source, author=writer, body="My first take.")
    old = services.summary_save(
        paper=source,
        author=writer,
        body="My first take, edited.",
        is_private=False,
        is_anonymous=False,
        base_version=1,
    )
    kept = make_summary(paper=target, author=writer, body="My second take.")
    services.comment_create(summary=old, author=voter, body="Nice first take")
    services.vote_cast(summary=old, voter=voter, value=1)
    services.vote_cast(summary=old, voter=both, value=-1)
    services.vote_cast(summary=kept, voter=both, value=1)  # voted on both: the vote on the kept one stays

    result = services.papers_merge(source=source, target=target)

    assert result.folded == [writer.username]
    kept.refresh_from_db()
    assert (kept.body, kept.version) == ("My second take.", 3)
    assert list(Revision.objects.filter(summary=kept).order_by("version").values_list("body", flat=True)) == [
        "My first take.",
        "My first take, edited.",
        "My second take.",
    ]
    assert not Summary.objects.filter(pk=old.pk).exists()
    assert Comment.objects.get(body="Nice first take").summary_id == kept.pk
    assert dict(Vote.objects.filter(summary=kept).values_list("voter_id", "value")) == {voter.pk: 1, both.pk: 1}
    assert (kept.score, kept.comment_count) == (2, 1)
    assert AuthorStats.objects.get(user=writer).listed_count == 1


def test_a_paper_cannot_be_merged_into_itself():
    paper = make_paper()
    with pytest.raises(ValueError):
        services.papers_merge(source=paper, target=paper)


def test_merging_keeps_one_open_report_per_reporter_and_loses_none():
    """Someone who reported both summaries of a folded pair: one open report per reporter and target holds (a
    constraint), so the moved one arrives resolved, with a note."""
    source, target = make_paper(), make_paper()
    writer, reporter, other = UserFactory(), UserFactory(), UserFactory()
    old = make_summary(paper=source, author=writer, body="Buy my product")
    kept = make_summary(paper=target, author=writer, body="Buy it again")
    services.report_create(reporter=reporter, reason="spam", summary=old)
    services.report_create(reporter=reporter, reason="spam", summary=kept)
    services.report_create(reporter=other, reason="spam", summary=old)

    services.papers_merge(source=source, target=target)

    reports = Report.objects.filter(summary=kept)
    assert reports.count() == 3
    assert reports.filter(resolved_at__isnull=True).count() == 2  # the reporter's on the kept one, the other's
    (moved,) = reports.filter(reporter=reporter, resolved_at__isnull=False)
    assert "stays open" in moved.note
