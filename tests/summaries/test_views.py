"""summaries/views.py: the homepage feed and every form (write, delete, preview, revisions, vote, comment, report,
export). Past 400 lines: one view module's tests; its paper page has test_views_paper_page.py."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from papers.models import LIST_AUTHORS
from summaries import services
from summaries.models import Comment, Report, Summary, Vote
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def save_url(paper):
    return reverse("summaries:save", args=[paper.pk])


# --- Writing ------------------------------------------------------------------------------------------------


def test_write_summary_through_the_editor(client):
    paper = make_paper()
    user = UserFactory()
    login(client, user)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Write a summary" in html and 'name="body"' in html
    response = client.post(save_url(paper), {"body": "Key idea: $E=mc^2$.", "base_version": "0"})
    summary = Summary.objects.get(paper=paper, author=user)
    assert response.status_code == 302
    assert response["Location"] == f"{paper.get_absolute_url()}&a={user.username}#{user.username}"
    page = client.get(paper.get_absolute_url()).content.decode()
    assert f'id="{user.username}"' in page
    assert summary.body_html in page
    assert "Edit your summary" in page


def test_stale_edit_is_refused_and_typed_text_kept(client):
    summary = make_summary(body="Version one")
    services.summary_save(paper=summary.paper, author=summary.author, body="Version two", base_version=1)
    login(client, summary.author)
    response = client.post(save_url(summary.paper), {"body": "My stale text", "base_version": "1"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed elsewhere" in html
    assert "My stale text</textarea>" in html
    assert "Version two" in html  # the saved version is shown for comparison
    summary.refresh_from_db()
    assert summary.body == "Version two"


def test_invalid_form_rerenders_with_text(client):
    paper = make_paper()
    login(client, UserFactory())
    response = client.post(save_url(paper), {"body": "x" * 70000, "base_version": "0"})
    assert response.status_code == 400
    assert "was not saved" in response.content.decode()
    assert not Summary.objects.exists()


def test_save_requires_login(client):
    paper = make_paper()
    response = client.post(save_url(paper), {"body": "hi"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Summary.objects.exists()


def test_post_without_csrf_token_is_refused():
    paper = make_paper()
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post(save_url(paper), {"body": "hi", "base_version": "0"}).status_code == 403
    assert not Summary.objects.exists()


def test_only_the_author_can_delete(client):
    summary = make_summary()
    login(client, UserFactory())
    assert client.post(reverse("summaries:delete", args=[summary.pk])).status_code == 404
    assert Summary.objects.filter(pk=summary.pk).exists()
    login(client, summary.author)
    assert "Delete your summary?" in client.get(reverse("summaries:delete", args=[summary.pk])).content.decode()
    response = client.post(reverse("summaries:delete", args=[summary.pk]))
    assert response.status_code == 302
    assert not Summary.objects.filter(pk=summary.pk).exists()


def test_another_user_cannot_edit_someone_elses_summary(client):
    summary = make_summary(body="Original")
    intruder = UserFactory()
    login(client, intruder)
    response = client.post(save_url(summary.paper), {"body": "Hijack", "base_version": str(summary.version)})
    summary.refresh_from_db()
    assert summary.body == "Original"
    # a save only ever writes the poster's own summary: here the version names none of theirs, so it is refused
    assert response.status_code == 409
    assert not Summary.objects.filter(author=intruder).exists()
    client.post(save_url(summary.paper), {"body": "My own", "base_version": "0"})
    summary.refresh_from_db()
    assert summary.body == "Original"
    assert Summary.objects.get(author=intruder).body == "My own"


def test_preview_uses_the_server_renderer(client):
    login(client, UserFactory())
    response = client.post(reverse("summaries:preview"), {"body": "# T\n\n$a_b$ <script>alert(1)</script>"})
    html = response.content.decode()
    assert "<h3>T</h3>" in html
    assert "a_b" in html
    assert "<script>" not in html


def test_preview_shows_images_from_the_image_hosts_only(client, settings):
    """Issue 10 finding 7: the preview is the renderer of the site, with its SUMMARY_IMAGE_HOSTS."""
    settings.SUMMARY_IMAGE_HOSTS = ["img.example.org"]
    login(client, UserFactory())
    body = "![a](https://img.example.org/a.png)\n\n![b](https://i.imgur.com/b.png)"
    html = client.post(reverse("summaries:preview"), {"body": body}).content.decode()
    assert '<img alt="a" src="https://img.example.org/a.png">' in html
    assert '<a href="https://i.imgur.com/b.png" rel="nofollow ugc" title="b">image: i.imgur.com/b.png</a>' in html


def test_preview_requires_login(client):
    assert client.post(reverse("summaries:preview"), {"body": "x"}).status_code == 302


def test_revisions_and_diff_for_the_author_only(client):
    summary = make_summary(body="line one\nline two")
    services.summary_save(paper=summary.paper, author=summary.author, body="line one\nline 2", base_version=1)
    url = reverse("summaries:revisions", args=[summary.pk])
    login(client, UserFactory())
    assert client.get(url).status_code == 404
    login(client, summary.author)
    html = client.get(url, {"from": 1, "to": 2}).content.decode()
    assert '<span class="diff-removed">-line two</span>' in html
    assert '<span class="diff-added">+line 2</span>' in html


# --- Reading ------------------------------------------------------------------------------------------------


def test_private_summary_only_for_author_and_share_link(client):
    summary = make_summary(body="Secret insight", is_private=True)
    url = summary.paper.get_absolute_url()
    assert "Secret insight" not in client.get(url).content.decode()
    assert "Secret insight" not in client.get("/").content.decode()
    assert client.get(summary.get_absolute_url()).status_code == 404
    shared = client.get(f"{url}&code={summary.share_token}").content.decode()
    assert "Secret insight" in shared
    assert "Secret insight" not in client.get(f"{url}&code=wrong").content.decode()
    login(client, summary.author)
    own = client.get(url).content.decode()
    assert "Secret insight" in own and "This summary is private" in own


def test_anonymous_summary_never_shows_the_name(client):
    author = UserFactory(username="secretauthor", display_name="Secret Person")
    summary = make_summary(author=author, body="Anonymous take", is_anonymous=True)
    services.comment_create(summary=summary, author=author, body="Author reply")
    viewer = UserFactory()
    login(client, viewer)
    pages = [
        client.get(summary.paper.get_absolute_url()).content.decode(),
        client.get(summary.get_absolute_url()).content.decode(),
        client.get("/").content.decode(),
        client.get("/users").content.decode(),
        client.get("/user", {"name": "secretauthor"}).content.decode(),
    ]
    response = client.post(
        reverse("summaries:comment-create", args=[summary.pk]),
        {"body": "Reply"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    pages.append(json.dumps(response.json()))
    assert "Anonymous take" in pages[0]
    assert f'id="anon-{summary.pk}"' in pages[0]
    # every page but the author's own profile (pages[4]) is free of the name
    for html in pages[:4] + pages[5:]:
        assert "secretauthor" not in html
        assert "Secret Person" not in html
    assert "Anonymous take" not in pages[4]


def test_homepage_tabs_and_count(client):
    paper = make_paper()
    old = make_summary(paper=paper, body="Older but better")
    new = make_summary(paper=make_paper(), body="Newer")
    services.vote_cast(summary=old, voter=UserFactory(), value=1)
    make_summary(body="Hidden private", is_private=True)
    recent = client.get("/").content.decode()
    assert '<strong class="public-count">2</strong> public summaries' in recent
    assert recent.index("Newer") < recent.index("Older but better")
    best = client.get("/", {"tab": "best"}).content.decode()
    assert best.index("Older but better") < best.index("Newer")
    assert "Hidden private" not in recent + best
    client.get(new.paper.get_absolute_url())
    client.get(new.paper.get_absolute_url())
    call_command("refresh_popularity")  # the paper views reach the Popular tab when it runs
    popular = client.get("/", {"tab": "popular"}).content.decode()
    assert popular.index("Older but better") < popular.index("Newer")  # a recent upvote outweighs two views


def test_homepage_paginates_ten_per_page(client):
    for i in range(12):
        make_summary(body=f"Summary number {i:02d}")
    first = client.get("/").content.decode()
    second = client.get("/", {"page": 2}).content.decode()
    assert first.count('class="feed-entry"') == 10
    assert second.count('class="feed-entry"') == 2
    assert "Page 2 of 2" in second


def test_homepage_query_count_is_constant(client, django_assert_num_queries):
    for i in range(25):
        summary = make_summary(body=f"Summary {i}", paper=make_paper(authors=["A", "B", "C"]))
        services.comment_create(summary=summary, author=UserFactory(), body="c")
    # count, summaries with paper, venue, author (comment counts are a column now), paper authors.
    with django_assert_num_queries(3):
        response = client.get("/")
    assert response.content.decode().count('class="feed-entry"') == 10


def test_homepage_query_count_logged_in(client, django_assert_num_queries):
    for i in range(25):
        make_summary(body=f"Summary {i}")
    login(client, UserFactory())
    # session, user, then the 3 feed queries, then the user's votes on the page.
    with django_assert_num_queries(6):
        client.get("/")


def test_random_redirects_to_a_public_summary(client):
    assert client.get("/random")["Location"] == "/"
    summary = make_summary()
    make_summary(is_private=True)
    assert client.get("/random")["Location"] == summary.get_absolute_url()


def test_export_json_and_zip(client):
    user = UserFactory()
    paper = make_paper(bibtex_key="conf/nips/RenHGS15", title="Faster R-CNN")
    make_summary(author=user, paper=paper, body="My *notes* with $x$")
    make_summary(body="Someone else's")
    login(client, user)
    data = json.loads(client.get("/export").content)
    assert [s["bibtex_key"] for s in data["summaries"]] == ["conf/nips/RenHGS15"]
    assert data["summaries"][0]["markdown"] == "My *notes* with $x$"
    response = client.get("/export", {"format": "zip"})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["shortscience-summaries/conf_nips_RenHGS15.md"]
    assert "My *notes* with $x$" in archive.read(archive.namelist()[0]).decode()


@pytest.mark.parametrize("export_format", ["json", "zip"])
def test_export_is_never_stored_by_any_cache(client, export_format):
    login(client, UserFactory())
    response = client.get("/export", {"format": export_format})
    assert response.status_code == 200
    assert {word.strip() for word in response["Cache-Control"].split(",")} == {"private", "no-store"}


# --- Interaction ---------------------------------------------------------------------------------------------


def test_vote_as_plain_form_and_as_fetch(client):
    summary = make_summary()
    login(client, UserFactory())
    response = client.post(reverse("summaries:vote", args=[summary.pk]), {"value": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#{summary.anchor}")
    response = client.post(reverse("summaries:vote", args=[summary.pk]), {"value": "-1"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.json() == {"score": -1, "value": -1}
    assert Vote.objects.get(summary=summary).value == -1


def test_vote_from_the_homepage_without_javascript_returns_to_the_summary_in_the_feed(client):
    summary = make_summary()
    login(client, UserFactory())
    html = client.get("/").content.decode()
    assert f'<input type="hidden" name="html_id" value="summary-{summary.pk}">' in html

    data = {"value": "1", "next": "/?tab=best", "html_id": f"summary-{summary.pk}"}
    response = client.post(reverse("summaries:vote", args=[summary.pk]), data)
    assert response["Location"] == f"/?tab=best#summary-{summary.pk}"
    data["html_id"] = '"><script>'  # not an id: the summary's own anchor instead
    response = client.post(reverse("summaries:vote", args=[summary.pk]), data)
    assert response["Location"] == f"/?tab=best#{summary.anchor}"


def test_guest_vote_goes_to_login(client):
    summary = make_summary()
    response = client.post(reverse("summaries:vote", args=[summary.pk]), {"value": "1"})
    assert "/accounts/login/" in response["Location"]
    assert not Vote.objects.exists()


def test_vote_on_private_summary_of_someone_else_is_404(client):
    summary = make_summary(is_private=True)
    login(client, UserFactory())
    assert client.post(reverse("summaries:vote", args=[summary.pk]), {"value": "1"}).status_code == 404


def test_comment_as_plain_form_escapes_text(client):
    summary = make_summary()
    login(client, UserFactory())
    response = client.post(
        reverse("summaries:comment-create", args=[summary.pk]), {"body": "<script>x()</script> nice"}
    )
    assert response.status_code == 302
    html = client.get(summary.paper.get_absolute_url()).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt; nice" in html
    assert "<script>x()" not in html


def test_comment_empty_is_refused_with_message(client):
    summary = make_summary()
    login(client, UserFactory())
    response = client.post(reverse("summaries:comment-create", args=[summary.pk]), {"body": " "})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_comment_too_long_is_refused_and_the_text_shown_again(client):
    summary = make_summary()
    login(client, UserFactory())
    text = "A long thought. " * 400
    response = client.post(reverse("summaries:comment-create", args=[summary.pk]), {"body": text})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your comment was not posted" in html
    assert f"required>{text.strip()}" in html or f"required>{text}" in html
    assert not Comment.objects.exists()


def test_comment_delete_by_author(client):
    summary = make_summary()
    commenter = UserFactory()
    comment = services.comment_create(summary=summary, author=commenter, body="Oops")
    login(client, UserFactory())
    assert client.post(reverse("summaries:comment-delete", args=[comment.pk])).status_code == 404
    login(client, commenter)
    client.post(reverse("summaries:comment-delete", args=[comment.pk]))
    assert "Oops" not in client.get(summary.paper.get_absolute_url()).content.decode()


def test_report_a_summary(client):
    summary = make_summary()
    reporter = UserFactory()
    login(client, reporter)
    url = reverse("summaries:report")
    assert client.get(url, {"summary": summary.pk}).status_code == 200
    assert client.post(url, {"summary": summary.pk}).status_code == 400
    response = client.post(url, {"summary": summary.pk, "reason": "spam", "details": "ads"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.summary == summary and report.reporter == reporter and report.reason == "spam"


def test_report_a_comment(client):
    summary = make_summary()
    comment = services.comment_create(summary=summary, author=UserFactory(), body="Buy cheap pills")
    login(client, UserFactory())
    url = reverse("summaries:report")
    assert "Buy cheap pills" in client.get(url, {"comment": comment.pk}).content.decode()
    client.post(url, {"comment": comment.pk, "reason": "spam"})
    report = Report.objects.get()
    assert report.comment == comment and report.summary is None


def test_anonymous_author_commenting_in_place_stays_anonymous(client):
    author = UserFactory(username="secretauthor", display_name="Secret Person")
    summary = make_summary(author=author, body="Anonymous take", is_anonymous=True)
    login(client, author)

    response = client.post(
        reverse("summaries:comment-create", args=[summary.pk]), {"body": "My reply"}, HTTP_X_REQUESTED_WITH="fetch"
    )

    html = response.json()["html"]
    assert "My reply" in html and "the summary's author" in html
    assert "secretauthor" not in html and "Secret Person" not in html


def test_a_comment_on_a_private_summary_cannot_be_reported_by_a_stranger(client):
    author = UserFactory()
    summary = make_summary(author=author, body="Private notes", is_private=True)
    comment = services.comment_create(summary=summary, author=author, body="Note to self")
    url = reverse("summaries:report")

    login(client, UserFactory())
    response = client.get(url, {"comment": comment.pk})
    assert response.status_code == 404 and "Note to self" not in response.content.decode()
    assert client.post(url, {"comment": comment.pk, "reason": "spam"}).status_code == 404
    assert not Report.objects.exists()

    login(client, author)
    assert client.get(url, {"comment": comment.pk}).status_code == 200


def test_comment_counts_leave_out_hidden_and_deleted_comments(client):
    author = UserFactory(username="writer")
    summary = make_summary(author=author, body="Counted")
    services.comment_create(summary=summary, author=UserFactory(), body="Shown")
    hidden = services.comment_create(summary=summary, author=UserFactory(), body="Hidden by a moderator")
    services.comment_hidden_set(comments=Comment.objects.filter(pk=hidden.pk), is_hidden=True)
    deleted = services.comment_create(summary=summary, author=UserFactory(), body="Deleted")
    services.comment_delete(comment=deleted, user=deleted.author)
    banned = UserFactory()
    services.comment_create(summary=summary, author=banned, body="By a banned user")
    services.user_banned_set(users=type(banned).objects.filter(pk=banned.pk), is_banned=True)

    for page in (client.get("/"), client.get("/user", {"name": "writer"})):
        html = page.content.decode()
        assert ">1 comment<" in html, html


# --- Moderation and sharing ----------------------------------------------------------------------------------


def test_a_banned_users_summaries_are_hidden_everywhere(client):
    paper = make_paper()
    banned = UserFactory(username="banneduser", display_name="Banned Person")
    summary = make_summary(paper=paper, author=banned, body="Spam from a banned account")
    make_summary(paper=paper, author=UserFactory(username="gooduser"), body="A good summary")
    services.user_banned_set(users=type(banned).objects.filter(pk=banned.pk), is_banned=True)

    home = client.get("/").content.decode()
    assert "Spam from a banned account" not in home and "A good summary" in home
    assert '<strong class="public-count">1</strong>' in home
    paper_html = client.get(paper.get_absolute_url()).content.decode()
    assert "Spam from a banned account" not in paper_html and "A good summary" in paper_html
    assert client.get("/user", {"name": "banneduser"}).status_code == 404
    assert "banneduser" not in client.get("/users").content.decode()
    assert client.get(summary.get_absolute_url()).status_code == 404
    assert client.get(summary.get_share_url()).status_code == 404


def test_a_summary_hidden_by_a_moderator_is_hidden_everywhere_but_its_share_link_too(client):
    summary = make_summary(author=UserFactory(username="hiddenwriter"), body="Hidden by a moderator")
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=summary.pk), is_hidden=True)
    for url in ("/", summary.paper.get_absolute_url(), "/user?name=hiddenwriter"):
        assert "Hidden by a moderator" not in client.get(url).content.decode()
    assert "hiddenwriter" not in client.get("/users").content.decode()  # a hidden summary earns no rank
    assert client.get(summary.get_share_url()).status_code == 404


def test_a_comment_hidden_by_a_moderator_is_not_shown_on_the_paper_page(client):
    summary = make_summary()
    services.comment_create(summary=summary, author=UserFactory(), body="A fine comment")
    hidden = services.comment_create(summary=summary, author=UserFactory(), body="An abusive comment")
    services.comment_hidden_set(comments=Comment.objects.filter(pk=hidden.pk), is_hidden=True)
    for url in (summary.paper.get_absolute_url(), summary.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "A fine comment" in html and "An abusive comment" not in html
        assert "Comments (1)" in html


def test_the_share_link_lets_a_stranger_vote_and_comment_on_a_private_summary(client):
    summary = make_summary(body="Private notes", is_private=True)
    login(client, UserFactory())
    html = client.get(summary.get_share_url()).content.decode()
    assert f'name="code" value="{summary.share_token}"' in html  # the vote and comment forms carry the code
    vote_url = reverse("summaries:vote", args=[summary.pk])
    comment_url = reverse("summaries:comment-create", args=[summary.pk])

    assert client.post(vote_url, {"value": "1"}).status_code == 404
    assert client.post(vote_url, {"value": "1", "code": "wrong"}).status_code == 404
    assert client.post(comment_url, {"body": "Without the code"}).status_code == 404
    assert not Vote.objects.exists() and not Comment.objects.exists()

    response = client.post(vote_url, {"value": "1", "code": summary.share_token}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.json() == {"score": 1, "value": 1}
    response = client.post(comment_url, {"body": "With the code", "code": summary.share_token})
    assert response.status_code == 302
    assert Comment.objects.get().body == "With the code"
    assert "With the code" in client.get(summary.get_share_url()).content.decode()


def test_saving_a_summary_deleted_meanwhile_keeps_the_text_and_explains(client):
    summary = make_summary(body="Soon deleted")
    paper, author = summary.paper, summary.author
    login(client, author)
    services.summary_delete(summary=summary, user=author)  # in another tab

    response = client.post(save_url(paper), {"body": "My edited text", "base_version": "1"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "was deleted" in html
    assert "My edited text</textarea>" in html
    assert 'name="base_version" value="0"' in html  # saving again creates it anew
    assert not Summary.objects.filter(author=author).exists()

    response = client.post(save_url(paper), {"body": "My edited text", "base_version": "0"})
    assert response.status_code == 302
    assert Summary.objects.get(author=author).body == "My edited text"


def test_a_refused_comment_shows_the_paper_page_with_its_authors_fetched_once(client, django_assert_num_queries):
    paper = make_paper(authors=[f"Author {i}" for i in range(8)])
    summary = make_summary(paper=paper)
    login(client, UserFactory())
    # session, user, summary, paper, authors, summaries, their comments, votes, citing summaries.
    with django_assert_num_queries(9) as queries:
        response = client.post(reverse("summaries:comment-create", args=[summary.pk]), {"body": " "})
    assert response.status_code == 400
    assert "Author 7" in response.content.decode()
    assert sum('FROM "papers_paperauthor"' in q["sql"] for q in queries.captured_queries) == 1


def test_the_comment_box_takes_the_comment_length_limit_from_the_form(client):
    summary = make_summary()
    login(client, UserFactory())
    html = client.get(summary.paper.get_absolute_url()).content.decode()
    assert f'maxlength="{services.MAX_COMMENT_LENGTH}"' in html


def test_summary_lists_load_only_the_authors_they_show_and_the_api_all(client):
    names = [f"Member{n:02d} Collab" for n in range(40)]
    summary = make_summary(paper=make_paper(title="Detector calibration", authors=names))
    listed = Summary.objects.for_feed().get()
    assert listed.paper.author_names == names[: LIST_AUTHORS + 1]
    assert Summary.objects.for_profile(summary.author, summary.author).get().paper.author_names == names[:21]
    html = client.get("/").content.decode()
    assert "Member19 Collab</a>, et al." in html and "Member20" not in html
    assert client.get("/api/summaries").json()["results"][0]["paper"]["authors"] == names
