"""Every URL of the site, each of its parameters set to what a hostile or clumsy client sends (a NUL byte, Unicode
digits, a 40-digit number, a negative one, nothing, 10,000 characters): never a 500, as a guest and logged in.
The URLs come from the resolver, so a new one fails `test_every_own_url_lists_its_parameters` until its
parameters are listed here, and is then fuzzed like the others. Every page that answers GET answers HEAD too."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.utils.http import urlencode

from accounts.models import User
from papers.api import VENUE_PAPERS, VENUES
from summaries import services
from summaries.api import SUMMARIES
from summaries.models import Summary
from tests.factories import UserFactory, make_paper, make_summary
from tests.url_patterns import all_patterns

pytestmark = pytest.mark.django_db

FUZZ_VALUES = {
    "nul": "1\x00' OR 1=1",
    "control": "a\x01b",
    "superscript two": "²",
    "arabic-indic digits": "١٢",
    "huge": "9" * 40,
    "negative": "-1",
    "exponent": "1e3",
    "empty": "",
    "overlong": "7" * 10_000,
}

# Each URL name of this project's views: the requests its pages and forms make, as (method, query, form), with the
# values a real page sends ("{…}" names an object of the `world` fixture). Every key is fuzzed in turn, the others
# keeping these values; path parameters are fuzzed too (with the values the resolver lets through).
OWN_URLS = {
    "summaries:home": [("GET", {"tab": "best", "page": "1"}, {})],
    "summaries:paper": [("GET", {"bibtexKey": "{paper_key}", "a": "{anchor}", "code": "{share_token}"}, {})],
    "summaries:random": [("GET", {}, {})],
    "summaries:export": [("GET", {"format": "zip"}, {})],
    "summaries:report": [
        ("GET", {"summary": "{summary_id}"}, {}),
        ("GET", {"comment": "{comment_id}"}, {}),
        ("POST", {"summary": "{summary_id}"}, {"reason": "spam", "details": "Spam"}),
        ("POST", {}, {"comment": "{comment_id}", "reason": "other", "details": "Off topic"}),
    ],
    "summaries:my-reports": [("GET", {}, {})],
    "summaries:preview": [("POST", {}, {"body": "Some *text* with $x^2$"})],
    "summaries:save": [
        (
            "POST",
            {"a": "{anchor}", "code": "{share_token}"},
            {"body": "An edited summary", "is_private": "on", "is_anonymous": "", "base_version": "{version}"},
        )
    ],
    "summaries:delete": [("GET", {}, {}), ("POST", {}, {})],
    "summaries:revisions": [("GET", {"from": "1", "to": "2"}, {})],
    "summaries:vote": [
        ("POST", {}, {"value": "1", "code": "{share_token}", "next": "/", "html_id": "summary-1"}),
        ("POST", {}, {"value": "-1", "code": "{share_token}", "next": "/paper?bibtexKey=x", "html_id": "{anchor}"}),
    ],
    "summaries:comment-create": [("POST", {}, {"body": "A comment", "code": "{share_token}"})],
    "summaries:comment-delete": [("POST", {}, {})],
    "papers:venue": [("GET", {"key": "{venue_key}", "year": "2015", "page": "1"}, {})],
    "summaries:search": [
        ("GET", {"q": "study of things", "year": "2015", "venue": "{venue_key}", "page": "1"}, {}),
        ("GET", {"term": "{paper_key}"}, {}),
        ("GET", {"author": "{author_name}", "page": "1"}, {}),
    ],
    "accounts:profile": [("GET", {"name": "{username}", "page": "1"}, {})],
    "accounts:list": [("GET", {}, {})],
    "accounts:bibtex": [("GET", {"name": "{username}"}, {})],
    "accounts:atom": [("GET", {"name": "{username}"}, {})],
    "summaries:rss": [("GET", {}, {})],
    "summaries:rss-all": [("GET", {}, {})],
    "summaries:rss-full": [("GET", {}, {})],
    "summaries:atom": [("GET", {}, {})],
    "summaries:paper-atom": [("GET", {"bibtexKey": "{paper_key}"}, {})],
    "summaries:venue-atom": [("GET", {"key": "{venue_key}"}, {})],
    "papers:bibtex": [("GET", {"bibtexKey": "{paper_key}", "download": "1"}, {})],
    "accounts:settings": [
        ("GET", {}, {}),
        ("POST", {}, {"display_name": "Ada", "bio": "About me", "orcid": "", "email_on_comment": "on"}),
    ],
    "accounts:delete": [("GET", {}, {}), ("POST", {}, {"summaries": "keep", "password": "not the password"})],
    "api:paper": [("GET", {"bibtexKey": "{paper_key}"}, {})],
    "api:paper-summaries": [("GET", {"bibtexKey": "{paper_key}", "cursor": "{summaries_cursor}", "limit": "2"}, {})],
    "api:summaries": [("GET", {"cursor": "{summaries_cursor}", "limit": "2"}, {})],
    "api:venues": [("GET", {"cursor": "{venues_cursor}", "limit": "2"}, {})],
    "api:venue": [("GET", {"key": "{venue_key}"}, {})],
    "api:venue-papers": [
        ("GET", {"key": "{venue_key}", "year": "2015", "cursor": "{papers_cursor}", "limit": "2"}, {})
    ],
    "api:user-summaries": [("GET", {"name": "{username}", "cursor": "{summaries_cursor}", "limit": "2"}, {})],
    "api:api-root": [("GET", {}, {})],
    "api:openapi-json": [("GET", {}, {})],
    "api:openapi-view": [("GET", {}, {})],
    "about": [("GET", {}, {})],
    "healthz": [("GET", {}, {})],
    "robots": [("GET", {}, {})],
    "admin:login": [
        ("GET", {"next": "/admin/"}, {}),
        ("POST", {"next": "/admin/"}, {"username": "x", "password": "y"}),
    ],
}
# Pages of the admin and allauth: their own parameters (a NUL anywhere is stopped by BadInputMiddleware).
OTHER_URL_REQUESTS = {
    "admin changelist": [("GET", {"q": "things", "p": "1", "o": "1"}, {})],  # search, page, ordering
    "admin": [("GET", {}, {})],
    "account_login": [("GET", {"next": "/"}, {}), ("POST", {"next": "/"}, {"login": "someone", "password": "pw"})],
    "account_signup": [
        ("POST", {}, {"username": "new", "email": "new@example.org", "password1": "x", "password2": "x"})
    ],
    "account_reset_password": [("POST", {}, {"email": "someone@example.org"})],
}
OTHER_DEFAULT = [("GET", {"next": "/"}, {})]
PATH_DEFAULTS = {
    "paper_id": "{paper_id}",
    "summary_id": "{summary_id}",
    "comment_id": "{comment_id}",
    "app_label": "summaries",  # the admin's app index
    "object_id": "{summary_id}",  # the admin's change, delete and history pages
    "section": "papers",  # a sitemap's section
    "content_type_id": "{summary_content_type_id}",  # the admin's "view on site"
}

PATTERNS = all_patterns()
# What a page answers GET and HEAD with: its content, a redirect, or not found. (The admin's log-in page sends a
# logged-in GET to the admin's index, and shows its form to a HEAD: both are fine answers.)
PAGE_ANSWERS = {200, 301, 302, 303, 304, 307, 308, 404}


@pytest.fixture
def world(db):
    author = UserFactory(username="fuzzauthor")
    paper = make_paper(bibtex_key="conf/nips/Fuzz15", year=2015)
    summary = make_summary(paper=paper, author=author, body="First version", is_private=True)
    summary = services.summary_save(
        paper=paper, author=author, body="Second version", is_private=True, is_anonymous=False, base_version=1
    )
    comment = services.comment_create(summary=summary, author=author, body="My own remark")
    admin = User.objects.create_superuser("fuzzadmin", "admin@example.org", "admin-password-123")
    values = {
        "paper_key": paper.bibtex_key,
        "paper_id": paper.pk,
        "venue_key": paper.venue.key,
        "summary_id": summary.pk,
        "comment_id": comment.pk,
        "share_token": summary.share_token,
        "anchor": summary.anchor,
        "version": summary.version,
        "username": author.username,
        "summary_content_type_id": ContentType.objects.get_for_model(Summary).pk,
        # Cursors these lists gave (a first page's `next`), so that a fuzzed request reads past one.
        "summaries_cursor": SUMMARIES.encode(summary),
        "venues_cursor": VENUES.encode(paper.venue),
        "papers_cursor": VENUE_PAPERS.encode(paper),
        "author_name": paper.author_names[0],
    }
    return {"author": author, "admin": admin, "values": values}


def fill(template: str, values: dict) -> str:
    return template.format(**values) if isinstance(template, str) else template


def requests_of(pattern):
    if pattern.is_own:
        return OWN_URLS[pattern.name]
    if is_admin(pattern):
        return OTHER_URL_REQUESTS["admin changelist" if pattern.name.endswith("_changelist") else "admin"]
    return OTHER_URL_REQUESTS.get(pattern.name, OTHER_DEFAULT)


def is_admin(pattern) -> bool:
    return pattern.name.startswith(("admin:", "admin/"))


def clients(world, pattern):
    """A guest, and a logged-in user: the summaries' author on this project's pages, a superuser on the admin's."""
    guest, member = Client(), Client()
    member.force_login(world["admin"] if is_admin(pattern) else world["author"])
    return {"guest": guest, "logged in": member}


def send(client, method, path, query, form):
    """One request, its writes rolled back (each fuzzed request sees the same world). The test client raises any
    exception a view lets through, so a 500 fails the test with its traceback."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(path, query)
        else:
            response = client.post(path + ("?" + urlencode(query) if query else ""), form)
        transaction.set_rollback(True)
    return response


def fuzzed(pattern, values):
    """(what, method, path, query, form) for the pattern's requests with every parameter fuzzed in turn."""
    path_values = {name: fill(PATH_DEFAULTS.get(name, "1"), values) for name in pattern.path_params}
    for method, query, form in requests_of(pattern):
        query = {k: fill(v, values) for k, v in query.items()}
        form = {k: fill(v, values) for k, v in form.items()}
        base_path = pattern.path(**path_values)
        if base_path is None:
            continue
        yield "as is", method, base_path, query, form
        for label, bad in FUZZ_VALUES.items():
            for name in path_values:
                path = pattern.path(**{**path_values, name: bad})
                if path is not None:
                    yield f"path {name}={label}", method, path, query, form
            for name in query:
                yield f"?{name}={label}", method, base_path, {**query, name: bad}, form
            for name in form:
                yield f"form {name}={label}", method, base_path, query, {**form, name: bad}


def test_every_own_url_lists_its_parameters():
    own = {p.name for p in PATTERNS if p.is_own}
    assert own - OWN_URLS.keys() == set(), "list the new URLs' parameters in OWN_URLS"
    assert OWN_URLS.keys() - own == set(), "these URLs are gone: remove them from OWN_URLS"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_no_parameter_value_gives_a_server_error(world, pattern):
    for who, client in clients(world, pattern).items():
        for what, method, path, query, form in fuzzed(pattern, world["values"]):
            if who == "guest" and is_admin(pattern) and not what.startswith(("as is", "path")):
                continue  # the admin sends guests to its log-in page before it reads a parameter
            response = send(client, method, path, query, form)
            assert response.status_code < 500, (who, what, method, path, response.status_code)


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_every_get_page_answers_head(world, pattern):
    """HEAD is GET without the body (RFC 9110): a page that answers GET never answers HEAD with a 405."""
    path_values = {name: fill(PATH_DEFAULTS.get(name, "1"), world["values"]) for name in pattern.path_params}
    path = pattern.path(**path_values)
    assert path is not None, f"give {pattern.name}'s path parameters a value in PATH_DEFAULTS"
    for who, client in clients(world, pattern).items():
        for method, query, _ in requests_of(pattern):
            if method != "GET":
                continue
            query = {k: fill(v, world["values"]) for k, v in query.items()}
            got = client.get(path, query).status_code
            if got == 405:
                continue
            response = client.head(path, query)
            head = response.status_code
            assert head != 405, (who, path, query)
            assert head == got or {head, got} <= PAGE_ANSWERS, (who, path, query, got, head)
            assert response.content == b""
