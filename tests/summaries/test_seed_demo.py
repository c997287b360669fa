"""seed_demo: the real demo papers, the demo people, and our summaries of those papers with votes and comments."""

import importlib
import re
import shutil

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from papers.models import Author, Paper, PaperAlias, PaperAuthor, Venue
from shortscience.markup import extract_citations
from summaries.management.commands import seed_demo
from summaries.models import Citation, Comment, Revision, Summary, Vote
from summaries.views import FEED_PAGE_SIZE
from tests.commands import run_command
from tests.summaries.test_counters import assert_counters_true

pytestmark = pytest.mark.django_db

DEMO_FILES = sorted((seed_demo.DEMO_DATA / "summaries").glob("*.md"))


def seed() -> str:
    out, err, status = run_command("seed_demo")
    assert (status, err) == (0, "")
    return out


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo data, seeded once for this module (seeding takes seconds) inside a transaction that is rolled back
    after its last test. Each test runs in a savepoint of that transaction, so what one test writes, the next does
    not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def demo_data(tmp_path, monkeypatch):
    """A copy of summaries/demo_data/ that seed_demo reads instead, for a test to edit."""
    copy = tmp_path / "demo_data"
    shutil.copytree(seed_demo.DEMO_DATA, copy)
    monkeypatch.setattr(seed_demo, "DEMO_DATA", copy)
    return copy


def state() -> dict:
    """Everything seed_demo writes, as comparable values."""
    counted = (Paper, Author, PaperAuthor, PaperAlias, Venue, get_user_model(), Revision, Citation)
    return {
        **{model.__name__: model.objects.count() for model in counted},
        "summaries": list(
            Summary.objects.order_by("pk").values_list(
                "pk", "version", "body_html", "score", "is_private", "is_anonymous", "created_at", "edited_at"
            )
        ),
        "votes": list(Vote.objects.order_by("pk").values_list("pk", "value", "created_at", "updated_at")),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "body", "created_at")),
    }


def test_seed_demo_loads_real_papers_and_people(seeded):
    assert Paper.objects.count() > 300
    assert Paper.objects.filter(bibtex_key="journals/corr/2202.12139", source="arxiv").exists()
    assert Paper.objects.filter(source="dblp").count() > 100
    assert Venue.objects.get(key="journals/corr").name == "arXiv e-Print archive"
    assert Venue.objects.get(key="conf/stoc").name == "ACM Symposium on Theory of Computing (STOC)"  # not one year's
    people = get_user_model().objects.filter(summaries__isnull=False).distinct()
    assert people.count() >= 6
    assert all(person.display_name and person.bio for person in people)
    assert [p.username for p in people if p.has_usable_password()] == ["demo"]
    assert people.get(username="demo").check_password("demo-password-123")
    assert "Log in as 'demo' with password 'demo-password-123'" in seeded


def test_seed_demo_run_twice_changes_nothing(seeded):
    before = state()

    out = seed()

    assert state() == before
    assert f"Summaries: {len(DEMO_FILES)} (0 created, 0 updated, {len(DEMO_FILES)} unchanged)" in out
    assert "0 votes cast, 0 comments added" in out


def test_seed_demo_fills_the_homepage(seeded, client):
    first = client.get("/")
    second = client.get("/", {"page": 2})

    public = Summary.objects.public()
    assert first.context["public_count"] == public.count() >= 12
    assert f'<strong class="public-count">{public.count()}</strong>' in first.text
    shown = [s.pk for s in first.context["page"].object_list] + [s.pk for s in second.context["page"].object_list]
    assert len(first.context["page"].object_list) == FEED_PAGE_SIZE
    assert sorted(shown) == sorted(public.values_list("pk", flat=True))
    assert first.text.count('class="feed-entry"') == FEED_PAGE_SIZE
    assert public.filter(is_anonymous=False).values("author").distinct().count() >= 5
    best = [s.pk for s in client.get("/", {"tab": "best"}).context["page"].object_list]
    assert best != shown[:FEED_PAGE_SIZE]


def test_seed_demo_summaries_are_substantial_with_math_flags_and_dates(seeded):
    summaries = list(Summary.objects.select_related("author"))
    assert len(summaries) == len(DEMO_FILES) >= 14
    public = [s for s in summaries if not s.is_private]
    assert all(150 <= len(s.body.split()) <= 450 for s in public)
    assert sum('<span class="arithmatex">' in s.body_html for s in summaries) >= 5
    assert sum('<div class="arithmatex">' in s.body_html for s in summaries) >= 5
    assert [s.is_private for s in summaries].count(True) == 1
    assert [s.is_anonymous for s in public].count(True) == 1
    now = timezone.now()
    ages = sorted((now - s.edited_at).days for s in summaries)
    assert ages[0] < 2 and ages[-1] > 90 and len(set(ages)) >= 12
    assert all(s.created_at == s.edited_at == s.revisions.get().created_at for s in summaries)


def test_seed_demo_citations_name_stored_papers(seeded):
    cited = {s: extract_citations(s.body) for s in Summary.objects.all()}
    assert sum(bool(keys) for keys in cited.values()) >= 8
    for summary, keys in cited.items():
        assert set(summary.citations.values_list("cited_key", flat=True)) == set(keys)
        assert not [key for key in keys if f">[{key}]<" in summary.body_html]
        assert summary.body_html.count('class="cite"') == len(keys)
    assert not Citation.objects.filter(paper__isnull=True).exists()
    by_key = dict(Citation.objects.values_list("cited_key", "paper__bibtex_key"))
    assert by_key["DBLP:conf/stoc/FournierLMS14"] == "conf/stoc/FournierLMS14"  # a dblp file's own key
    assert by_key["0806.1041"] == "journals/corr/abs-0806-1041"  # a bare arXiv id


def test_seed_demo_votes_add_up_and_spare_authors(seeded):
    assert Vote.objects.count() >= 40
    assert Vote.objects.filter(value=-1).exists()
    assert not Vote.objects.filter(voter=F("summary__author")).exists()
    assert not Vote.objects.filter(summary__is_private=True).exists()
    for summary in Summary.objects.annotate(total=Sum("votes__value")):
        assert summary.score == (summary.total or 0)
    assert Summary.objects.filter(score__gte=4).count() >= 3
    assert not Vote.objects.filter(updated_at__lt=F("summary__created_at")).exists()


def test_seed_demo_comments_are_plain_and_in_order(seeded):
    comments = Comment.objects.select_related("summary")
    assert comments.count() >= 10
    assert comments.values("summary").distinct().count() >= 8
    assert comments.values("author").distinct().count() >= 5
    assert not [c.body for c in comments if "$" in c.body]  # comments show as plain text: no math
    assert all(c.summary.created_at < c.created_at <= timezone.now() for c in comments)


def test_seed_demo_saves_an_edited_summary_through_the_service(seeded, demo_data):
    path = demo_data / "summaries" / "decker-et-al-bpel4chor-2007.md"
    text = path.read_text()
    text = text.replace("votes: sam +1, elin +1, demo -1", "votes: sam +1, elin +1, demo +1, priya +1")
    text = text.replace("\n\n", "\ncomment: demo: Thanks for the example!\n\n", 1)
    path.write_text(text + "\n**Update.** A worked buyer-seller example follows in a later revision.\n")
    summary = Summary.objects.get(paper__bibtex_key="conf/icws/DeckerKLW07")
    others = {s.pk: s.version for s in Summary.objects.exclude(pk=summary.pk)}

    out = seed()

    summary.refresh_from_db()
    assert summary.version == 2
    assert "worked buyer-seller example" in summary.body_html
    assert list(summary.revisions.values_list("version", flat=True)) == [2, 1]
    assert summary.edited_at > summary.created_at
    assert summary.score == 4 == summary.votes.aggregate(total=Sum("value"))["total"]
    assert summary.comments.last().body == "Thanks for the example!"
    assert {s.pk: s.version for s in Summary.objects.exclude(pk=summary.pk)} == others
    assert "1 updated" in out and "2 votes cast, 1 comments added" in out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("author: jonas", "author: jonas\nvotes: jonas +1"), "'jonas' votes on their own summary"),
        (("paper: conf/icws/DeckerKLW07", "paper: conf/icws/Nowhere07"), "no paper with bibtex key"),
        (("votes: sam +1", "votes: nobody +1"), "'nobody' is not in people.json"),
        (("written: 150 days ago", "written: last spring"), "`written` is like"),
    ],
)
def test_seed_demo_refuses_wrong_demo_data_before_writing(seeded, demo_data, edit, message):
    path = demo_data / "summaries" / "decker-et-al-bpel4chor-2007.md"
    path.write_text(path.read_text().replace(*edit, 1))
    before = state()

    _, err, status = run_command("seed_demo")

    assert status == 1
    assert re.search(re.escape(message), err)
    assert state() == before


def test_seed_demo_confirms_people_seeded_before_confirmation_came_in(seeded):
    User = get_user_model()
    User.objects.update(is_confirmed=False)  # as accounts/0006 left demo people, who had no verified address
    summaries_0005 = importlib.import_module("summaries.migrations.0005_summary_author_nullable")
    summaries_0005.counters_for_confirmation(apps, None)
    assert not Summary.objects.public().exists()
    seed()
    assert not User.objects.filter(is_confirmed=False).exists()
    assert Summary.objects.public().exists()
    demo = User.objects.get(username="demo")
    assert EmailAddress.objects.filter(user=demo, verified=True).exists()
    assert_counters_true()
