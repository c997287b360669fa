"""Every URL that takes an object's id answers one 404 for an id that does not exist and for one the reader may not
read (a private summary of someone else, a summary hidden by a moderator, a banned author's), before anything
else: before a log-in redirect whose `next` would name the paper and author, before any other check whose
answer would differ. So walking the ids tells nothing. The id-taking URLs come from the resolver: a new one fails
`test_every_id_taking_url_is_walked` until it is listed in ID_URLS, and is then walked like the others."""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from summaries import services
from summaries.models import Comment, Summary
from tests.factories import UserFactory, make_paper, make_summary
from tests.url_patterns import all_patterns

pytestmark = pytest.mark.django_db

# The id-taking URLs: (URL name, what the id names, where it goes: a path parameter or ?name=, the POST fields).
ID_URLS = [
    ("summaries:vote", "summary", "summary_id", {"value": "1"}),
    ("summaries:comment-create", "summary", "summary_id", {"body": "A comment"}),
    ("summaries:delete", "summary", "summary_id", {}),
    ("summaries:revisions", "summary", "summary_id", {}),
    ("summaries:comment-delete", "comment", "comment_id", {}),
    ("summaries:save", "paper", "paper_id", {"body": "A summary", "base_version": "0"}),
    ("summaries:report", "summary", "?summary", {"reason": "spam"}),
    ("summaries:report", "comment", "?comment", {"reason": "spam"}),
]
QUERY_ID_URLS = {"summaries:report"}  # own URLs whose id is in the query string (the resolver cannot tell)
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def world(db):
    """Three summaries no stranger may read, each on its own paper by an author whose name is on none of the pages
    a stranger may see, with a comment each; and a missing id of each kind."""
    owner, hider, banned = (UserFactory(username=f"secret{kind}author") for kind in ("private", "hidden", "banned"))
    private = make_summary(paper=make_paper(bibtex_key="conf/secret/PrivateKey15"), author=owner, is_private=True)
    hidden = make_summary(paper=make_paper(bibtex_key="conf/secret/HiddenKey15"), author=hider)
    by_banned = make_summary(paper=make_paper(bibtex_key="conf/secret/BannedKey15"), author=banned)
    comments = {s.pk: services.comment_create(summary=s, author=s.author, body="Own note") for s in (private, hidden)}
    comments[by_banned.pk] = services.comment_create(summary=by_banned, author=owner, body="A note")
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=hidden.pk), is_hidden=True)
    services.user_banned_set(users=type(banned).objects.filter(pk=banned.pk), is_banned=True)
    unreadable = {"private": private, "hidden": hidden, "banned author": by_banned}
    return {
        "unreadable": unreadable,
        "comments": {case: comments[s.pk] for case, s in unreadable.items()},
        "missing": {
            "summary": Summary.objects.order_by("-pk").first().pk + 1000,
            "comment": Comment.objects.order_by("-pk").first().pk + 1000,
        },
        "secrets": [
            *(s.paper.bibtex_key for s in unreadable.values()),
            *(s.author.username for s in unreadable.values()),
        ],
    }


def address(name: str, where: str, object_id: int) -> str:
    if where.startswith("?"):
        return reverse(name) + f"{where}={object_id}"
    return reverse(name, kwargs={where: object_id})


def answer(client, method, url, form):
    """Status, Location and body of a response, with the one thing that may differ between two ids taken out:
    the address itself, which the log-in link in the header repeats (and CSRF tokens, new on each page)."""
    response = client.get(url) if method == "GET" else client.post(url, form)
    body = CSRF_RE.sub("", response.content.decode())
    for form_of_url in (quote(url, safe=""), quote(url, safe="/"), url):
        body = body.replace(form_of_url, "<the address>")
    return response.status_code, response.get("Location", "").replace(quote(url, safe=""), "<the address>"), body


def readers():
    guest, stranger = Client(), Client()
    stranger.force_login(UserFactory(username="stranger"))
    return {"guest": guest, "another user": stranger}


def test_every_id_taking_url_is_walked():
    own = [p for p in all_patterns() if p.is_own]
    taking_ids = {p.name for p in own if p.path_params} | QUERY_ID_URLS
    walked = {name for name, *_ in ID_URLS}
    assert taking_ids - walked == set(), "walk the new id-taking URLs: list them in ID_URLS"
    assert walked - taking_ids == set(), "these URLs take no id now: remove them from ID_URLS"


@pytest.mark.parametrize(("name", "kind", "where", "form"), ID_URLS, ids=[f"{u[0]} {u[2]}" for u in ID_URLS])
def test_missing_and_unreadable_ids_get_the_same_404(world, name, kind, where, form):
    for who, client in readers().items():
        for method in ("GET", "POST"):
            if kind == "paper":  # papers have no private ones: a missing id is a 404, whoever asks
                status, _, body = answer(client, method, address(name, where, 10**9), form)
                assert status in (404, 405), (who, method)
                continue
            missing = answer(client, method, address(name, where, world["missing"][kind]), form)
            assert missing[0] in (404, 405), (who, method, missing[0])
            for case, summary in world["unreadable"].items():
                object_id = summary.pk if kind == "summary" else world["comments"][case].pk
                url = address(name, where, object_id)
                got = answer(client, method, url, form)
                assert got == missing, (who, method, case, url)
                for secret in world["secrets"]:
                    assert secret not in got[2] and secret not in got[1], (who, method, case, secret)


def test_a_guest_vote_on_a_private_summary_is_a_404_not_a_log_in_naming_it(client, world):
    private = world["unreadable"]["private"]
    response = client.post(reverse("summaries:vote", args=[private.pk]), {"value": "1"})
    assert response.status_code == 404
    assert "Location" not in response


def test_a_readable_summary_still_sends_a_guest_to_log_in(client):
    summary = make_summary()
    for name, form in (("summaries:vote", {"value": "1"}), ("summaries:comment-create", {"body": "Hi"})):
        response = client.post(reverse(name, args=[summary.pk]), form)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_someone_elses_readable_summary_is_the_same_404_as_a_missing_one_on_the_authors_pages(client):
    summary = make_summary()
    client.force_login(UserFactory())
    for name, method in (("summaries:delete", "GET"), ("summaries:delete", "POST"), ("summaries:revisions", "GET")):
        theirs = answer(client, method, reverse(name, args=[summary.pk]), {})
        missing = answer(client, method, reverse(name, args=[summary.pk + 1000]), {})
        assert theirs[0] == 404
        assert theirs == missing, name
    assert Summary.objects.filter(pk=summary.pk).exists()


def test_someone_elses_comment_is_the_same_404_as_a_missing_one(client):
    summary = make_summary()
    comment = services.comment_create(summary=summary, author=UserFactory(), body="Not yours")
    client.force_login(UserFactory())
    theirs = answer(client, "POST", reverse("summaries:comment-delete", args=[comment.pk]), {})
    missing = answer(client, "POST", reverse("summaries:comment-delete", args=[comment.pk + 1000]), {})
    assert theirs[0] == 404
    assert theirs == missing
    assert not Comment.objects.get(pk=comment.pk).is_deleted
