"""The page cache (shortscience/page_cache.py): anonymous pages are served from it, logged-in ones never are, and
every kind of write shows at once on every page it touches, although those pages were cached before it."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from papers.harvest import oai_page_store
from papers.importers.oai import OaiPage
from papers.importers.records import PaperRecord, Source
from papers.models import Paper
from papers.services import ImportResult, paper_upsert
from shortscience import page_cache
from summaries import services
from summaries.models import Comment, PaperView, Summary
from tests.factories import UserFactory, make_paper, make_summary
from tests.summaries.test_views import login

# Writes bump the pages' generations when their transaction commits: these tests commit, as the site does.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


HOME, USERS = "/", "/users"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def text(client, url) -> str:
    return get(client, url).content.decode()


def score_of(html: str, summary) -> str:
    """The score shown in the vote box of `summary` (in a feed or on its paper's page)."""
    found = re.search(
        rf'id="(?:summary-{summary.pk}|{summary.anchor})".*?<output class="score"[^>]*>(-?\d+)<', html, re.S
    )
    assert found, summary
    return found.group(1)


# --- What is served from the cache ----------------------------------------------------------------------------


def test_anonymous_page_is_served_from_the_cache_without_queries(client, django_assert_num_queries):
    make_summary(body="Cached words.")
    first = get(client, HOME)
    assert first[page_cache.HEADER] == "miss"
    with django_assert_num_queries(0):
        second = get(client, HOME)
    assert second[page_cache.HEADER] == "hit"
    assert second.content == first.content
    assert "Cached words." in second.content.decode()


@pytest.mark.parametrize("url", [HOME, "/?tab=best", USERS, "/about", "/venue", "/venue?key=conf/nips"])
def test_anonymous_pages_carry_no_csrf_token_and_are_cached(client, url):
    make_summary()
    first = get(client, url)
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert not first.cookies
    assert get(client, url)[page_cache.HEADER] == "hit"


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        ("/venue?key=conf/nips", "/venue?key=conf/nips&year=%C2%B2"),  # ²
        ("/?tab=best", "/?tab=best&page=9999999999999999999999999999999999999999"),
        ("/users", "/users?x=%00"),
    ],
)
def test_a_refused_parameter_is_never_cached_nor_spoils_the_cached_page(client, good, bad):
    make_summary()
    assert get(client, good)[page_cache.HEADER] == "miss"
    for _ in range(2):
        refused = client.get(bad)
        assert refused.status_code in (400, 404)
        assert page_cache.HEADER not in refused
    again = get(client, good)
    assert again[page_cache.HEADER] == "hit"


def test_a_refused_paper_key_is_never_cached(client):
    summary = make_summary()
    bad = summary.paper.get_absolute_url() + "&a=%01"
    for _ in range(2):
        assert client.get(bad).status_code == 404
    assert get(client, summary.paper.get_absolute_url())[page_cache.HEADER] == "miss"


def test_paper_page_and_profile_are_cached_and_a_hit_still_counts_a_view(client):
    summary = make_summary()
    paper_url = summary.paper.get_absolute_url()
    assert get(client, paper_url)[page_cache.HEADER] == "miss"
    assert get(client, paper_url)[page_cache.HEADER] == "hit"
    assert PaperView.objects.filter(paper=summary.paper).count() == 2
    profile = summary.author.get_absolute_url()
    assert get(client, profile)[page_cache.HEADER] == "miss"
    assert get(client, profile)[page_cache.HEADER] == "hit"


def test_logged_in_pages_never_come_from_the_cache(client):
    make_summary(body="Seen by all.")
    reader = UserFactory(username="reader")
    assert get(client, HOME)[page_cache.HEADER] == "miss"
    login(client, reader)
    response = get(client, HOME)
    assert page_cache.HEADER not in response
    assert "Log out" in response.content.decode()
    assert "csrfmiddlewaretoken" in response.content.decode()  # the user's own vote forms
    assert "private" in response["Cache-Control"]


def test_another_users_page_is_never_served(client):
    summary = make_summary()
    voter = UserFactory(username="voter")
    services.vote_cast(summary=summary, voter=voter, value=1)
    login(client, voter)
    assert 'aria-pressed="true"' in text(client, summary.paper.get_absolute_url())
    client.logout()
    other = UserFactory(username="other")
    login(client, other)
    assert 'aria-pressed="true"' not in text(client, summary.paper.get_absolute_url())


def test_a_flash_message_is_never_cached_nor_hidden_by_the_cache(client):
    make_summary()
    get(client, HOME)  # cached
    client.cookies["messages"] = "anything"
    assert page_cache.HEADER not in get(client, HOME)


def test_guests_vote_buttons_lead_to_log_in(client):
    summary = make_summary()
    html = text(client, summary.paper.get_absolute_url())
    form = re.search(r'<form class="vote" method="get" action="([^"]+)">', html)
    assert form and form.group(1) == reverse("account_login")
    assert f'action="{reverse("summaries:vote", args=[summary.pk])}"' not in html


def test_page_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_summary()
    assert page_cache.HEADER not in get(client, HOME)
    assert page_cache.HEADER not in get(client, HOME)


def test_an_evicted_generation_never_brings_an_old_page_back(client):
    paper = make_paper()
    make_summary(paper=paper, body="First words.")
    assert "First words." in text(client, HOME)
    make_summary(paper=paper, body="Second words.")
    cache.delete(page_cache.GENERATION_PREFIX + page_cache.LISTS)  # evicted: the page of the first is still there
    assert "Second words." in text(client, HOME)


def test_a_write_rolled_back_bumps_nothing(client):
    make_summary(body="Kept.")
    get(client, HOME)
    with pytest.raises(services.NotAllowed):
        services.vote_cast(summary=Summary.objects.get(), voter=Summary.objects.get().author, value=1)
    assert get(client, HOME)[page_cache.HEADER] == "hit"


# --- Every write shows at once on every page it touches --------------------------------------------------------


@pytest.fixture
def cached(client):
    """A summary, and every page showing it fetched once by a guest (so cached) before the write under test."""
    author = UserFactory(username="writer", display_name="Wanda Writer")
    summary = make_summary(author=author, body="Original words.")
    pages = {
        "home": HOME,
        "best": "/?tab=best",
        "paper": summary.paper.get_absolute_url(),
        "profile": author.get_absolute_url(),
        "users": USERS,
    }
    for url in pages.values():
        get(client, url)
        assert get(client, url)[page_cache.HEADER] == "hit"
    return summary, pages


def test_new_summary_shows_on_home_paper_profile_and_leaderboard(client, cached):
    summary, pages = cached
    newcomer = UserFactory(username="newcomer", display_name="Nora Newcomer")
    make_summary(author=newcomer, paper=summary.paper, body="Fresh words.")
    for name in ("home", "paper"):
        assert "Fresh words." in text(client, pages[name]), name
    assert "Nora Newcomer" in text(client, USERS)
    make_summary(author=summary.author, body="Another of mine.")
    assert "Another of mine." in text(client, pages["profile"])


def test_edit_shows_everywhere(client, cached):
    summary, pages = cached
    services.summary_save(
        paper=summary.paper, author=summary.author, body="Edited words.", base_version=summary.version
    )
    for name in ("home", "best", "paper", "profile"):
        html = text(client, pages[name])
        assert "Edited words." in html and "Original words." not in html, name


def test_vote_shows_everywhere(client, cached):
    summary, pages = cached
    services.vote_cast(summary=summary, voter=UserFactory(), value=1)
    for name in ("home", "best", "paper", "profile"):
        assert score_of(text(client, pages[name]), summary) == "1", name
    assert "1.00" in text(client, USERS)  # the average score


def test_comment_shows_everywhere(client, cached):
    summary, pages = cached
    comment = services.comment_create(summary=summary, author=UserFactory(), body="A remark in passing.")
    assert "A remark in passing." in text(client, pages["paper"])
    for name in ("home", "profile"):
        assert "1 comment<" in text(client, pages[name]), name
    services.comment_hidden_set(comments=Comment.objects.filter(pk=comment.pk), is_hidden=True)
    assert "A remark in passing." not in text(client, pages["paper"])
    assert "0 comments<" in text(client, pages["home"])


def test_deleted_comment_leaves_the_pages(client, cached):
    summary, pages = cached
    author = UserFactory()
    comment = services.comment_create(summary=summary, author=author, body="Regretted remark.")
    assert "Regretted remark." in text(client, pages["paper"])
    services.comment_delete(comment=comment, user=author)
    assert "Regretted remark." not in text(client, pages["paper"])
    assert "0 comments<" in text(client, pages["home"])


def _gone_everywhere(client, pages, *, profile_status=200):
    for name in ("home", "best", "paper"):
        assert "Original words." not in text(client, pages[name]), name
    assert "Wanda Writer" not in text(client, USERS)
    response = client.get(pages["profile"])
    assert response.status_code == profile_status
    assert b"Original words." not in response.content


def test_hide_and_restore_show_everywhere(client, cached):
    summary, pages = cached
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=summary.pk), is_hidden=True)
    _gone_everywhere(client, pages)
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=summary.pk), is_hidden=False)
    assert "Original words." in text(client, pages["home"])
    assert "Original words." in text(client, pages["paper"])


def test_ban_shows_everywhere(client, cached):
    summary, pages = cached
    services.user_banned_set(users=type(summary.author).objects.filter(pk=summary.author_id), is_banned=True)
    _gone_everywhere(client, pages, profile_status=404)


def test_private_toggle_shows_everywhere(client, cached):
    summary, pages = cached
    services.summary_save(
        paper=summary.paper, author=summary.author, body=summary.body, is_private=True, base_version=summary.version
    )
    _gone_everywhere(client, pages)


def test_delete_shows_everywhere(client, cached):
    summary, pages = cached
    services.summary_delete(summary=summary, user=summary.author)
    _gone_everywhere(client, pages)


def test_renamed_author_shows_everywhere(client, cached):
    summary, pages = cached
    login(client, summary.author)
    response = client.post(reverse("accounts:settings"), {"display_name": "Wanda Renamed", "bio": "", "orcid": ""})
    assert response.status_code == 302
    client.logout()
    for name in ("home", "paper", "profile", "users"):
        html = text(client, pages[name])
        assert "Wanda Renamed" in html and "Wanda Writer" not in html, name


def test_citing_summary_shows_in_the_cited_papers_cited_in(client):
    cited = make_paper(bibtex_key="conf/nips/Cited15", title="The cited paper")
    assert "Cited in" not in text(client, cited.get_absolute_url())
    citing = make_summary(body=r"Builds on \cite{conf/nips/Cited15}.")
    assert citing.paper.title in text(client, cited.get_absolute_url())
    services.summary_delete(summary=citing, user=citing.author)
    assert citing.paper.title not in text(client, cited.get_absolute_url())


def test_summary_of_another_version_shows_on_every_versions_page(client):
    preprint = make_paper(bibtex_key="journals/corr/1512.03385", arxiv_id="1512.03385", title="Deep Residual Learning")
    conference = make_paper(bibtex_key="conf/cvpr/HeZRS16", title="Deep Residual Learning", arxiv_id="1512.03385")
    assert Paper.objects.get(pk=preprint.pk).work_id == Paper.objects.get(pk=conference.pk).work_id
    get(client, preprint.get_absolute_url())
    make_summary(paper=conference, body="Said of the conference version.")
    assert "Said of the conference version." in text(client, preprint.get_absolute_url())


def test_reimported_paper_shows_on_its_page_and_venue(client):
    paper = make_paper(bibtex_key="conf/nips/Renamed15", title="An old title")
    venue_url = f"/venue?key=conf/nips&year={paper.year}"
    for url in (paper.get_absolute_url(), venue_url):
        assert "An old title" in text(client, url)
    record = PaperRecord(bibtex_key="conf/nips/Renamed15", title="A new title", source=Source.DBLP, year=paper.year)
    paper_upsert(record=record)
    for url in (paper.get_absolute_url(), venue_url):
        html = text(client, url)
        assert "A new title" in html and "An old title" not in html, url


def test_harvested_deletion_shows_on_the_paper_page(client):
    paper = make_paper(bibtex_key="journals/corr/1601.03238", source=Source.ARXIV, arxiv_id="1601.03238")
    assert "no longer lists this record" not in text(client, paper.get_absolute_url())
    oai_page_store(page=OaiPage(deleted=["1601.03238"]), result=ImportResult())
    assert "no longer lists this record" in text(client, paper.get_absolute_url())


# --- Fragments: parts of logged-in pages, cached under a digest of what they show ------------------------------


def test_logged_in_readers_see_their_own_links_on_a_shared_card(client):
    summary = make_summary(body="Shared card.")
    login(client, summary.author)
    assert "[edit]" in text(client, HOME)
    client.logout()
    login(client, UserFactory(username="reader"))
    html = text(client, HOME)
    assert "[edit]" not in html and f"?summary={summary.pk}" in html  # a report link instead


def test_logged_in_reader_sees_an_edit_and_a_renamed_paper_at_once(client):
    paper = make_paper(bibtex_key="conf/nips/Frag15", title="Title before")
    summary = make_summary(paper=paper, body="Words before.")
    login(client, UserFactory(username="reader"))
    assert "Words before." in text(client, HOME) and "Title before" in text(client, HOME)
    services.summary_save(paper=paper, author=summary.author, body="Words after.", base_version=summary.version)
    paper_upsert(record=PaperRecord(bibtex_key="conf/nips/Frag15", title="Title after", source=Source.DBLP))
    html = text(client, HOME)
    assert "Words after." in html and "Title after" in html
    assert "Words before." not in html and "Title before" not in html


def test_comment_delete_form_from_a_cached_fragment_works_in_a_new_session():
    summary = make_summary()
    commenter = UserFactory(username="commenter")
    comment = services.comment_create(summary=summary, author=commenter, body="Mine to delete.")
    url = summary.paper.get_absolute_url()
    for _ in range(2):  # two sessions: the token in the Delete form must be the current session's
        client = Client(enforce_csrf_checks=True)
        client.force_login(commenter)
        html = text(client, url)
    delete = reverse("summaries:comment-delete", args=[comment.pk])
    form = re.search(
        rf'action="{re.escape(delete)}"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', html
    )
    assert form
    response = client.post(delete, {"csrfmiddlewaretoken": form.group(1)})
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).is_deleted


def test_logged_in_leaderboard_and_venue_list_change_with_the_writes(client):
    paper = make_paper(bibtex_key="conf/nips/Listed15", title="Listed before")
    make_summary(paper=paper, author=UserFactory(username="first", display_name="First Writer"))
    login(client, UserFactory(username="reader"))
    venue_url = f"/venue?key=conf/nips&year={paper.year}"
    assert "First Writer" in text(client, USERS) and "Listed before" in text(client, venue_url)
    make_summary(author=UserFactory(username="second", display_name="Second Writer"))
    paper_upsert(record=PaperRecord(bibtex_key="conf/nips/Listed15", title="Listed after", source=Source.DBLP))
    assert "Second Writer" in text(client, USERS)
    html = text(client, venue_url)
    assert "Listed after" in html and "Listed before" not in html
