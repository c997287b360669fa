"""bench/make_data.py at a tiny scale: the rows it writes keep the invariants the services keep."""

import sys
from pathlib import Path

from django.db.models import Count, F, Sum

from accounts.models import User
from summaries.models import Citation, Comment, PaperVisit, Revision, Summary, Vote, listed_rule
from tests.factories import make_paper
from tests.summaries.test_counters import assert_author_stats_true

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import make_data  # noqa: E402


def test_make_data_populate_keeps_the_services_invariants(db):
    papers = [make_paper() for _ in range(12)]

    written = make_data.populate(summaries=80, users=90, votes=400, comments=60, seed=3)

    assert written["users"] == User.objects.count() == 90
    assert written["summaries"] == Summary.objects.count() == 80
    assert Revision.objects.filter(version=1).count() == 80
    assert Vote.objects.count() == 400
    assert Comment.objects.count() == 60
    assert PaperVisit.objects.exists()
    for summary in Summary.objects.annotate(total=Sum("votes__value")):
        assert summary.score == (summary.total or 0)
    assert not Vote.objects.filter(voter=F("summary__author")).exists()
    # the stored public flag and comment counts, as the services keep them
    assert set(Summary.objects.filter(is_listed=True).values_list("pk", flat=True)) == set(
        Summary.objects.filter(listed_rule()).values_list("pk", flat=True)
    )
    visible = Comment.objects.visible().values("summary").annotate(n=Count("pk"))
    assert {row["summary"]: row["n"] for row in visible} == {
        s.pk: s.comment_count for s in Summary.objects.filter(comment_count__gt=0)
    }
    assert not Vote.objects.filter(summary__is_private=True).exists()
    assert not Vote.objects.filter(voter__is_banned=True).exists()
    assert_author_stats_true()  # the leaderboard's, profiles' and homepage's stored counts
    assert Summary.objects.values("paper").annotate(n=Count("pk")).order_by("-n")[0]["n"] >= 30  # the busy paper
    assert Summary.objects.values("body_html").distinct().count() > 10
    assert all(c.paper_id in {p.pk for p in papers} for c in Citation.objects.all())
    summary = Summary.objects.filter(is_private=False, is_hidden=False, author__is_banned=False).first()
    assert summary.body_html and summary.revisions.get().body == summary.body
    # the sequences go on after the COPYed ids
    assert User.objects.create_user("after").pk > max(
        User.objects.exclude(username="after").values_list("pk", flat=True)
    )
    keys = make_data.benchmark_keys()
    assert keys["paper_with_30_summaries"]["bibtex_key"] in {p.bibtex_key for p in papers}
    assert keys["prolific_user"]["username"].startswith("bench")
