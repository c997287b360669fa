"""Pages and forms of summaries: the homepage feed, the paper page with its summaries and editor, voting,
comments, reports, revisions and the export."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from papers.citations import paper_bibtex, paper_citation
from papers.importers.records import AUTHOR_NAME_MAX
from papers.models import Paper, Venue, paper_url
from papers.on_demand import ImportFailure, paper_find_or_import
from papers.search import SearchFilters, author_named
from papers.views import import_response
from shortscience import page_cache
from shortscience.markup import RenderTooComplex
from shortscience.pagination import CountedPaginator
from shortscience.params import InvalidParameter, int_param, text_param
from shortscience.ratelimit import client_address, rate_limit_hit

from . import export as summary_export
from . import search as site_search
from . import services
from .forms import CommentForm, ReportForm, SummaryForm
from .limits import new_account_message, new_account_wait, refuse_suspended, too_many
from .models import MAX_SUMMARY_LENGTH, Comment, FeedTab, PaperView, Report, Summary, Vote

CITED_IN_LIMIT = 50
MY_REPORTS_LIMIT = 200  # the latest reports on someone's content shown to them
HTML_ID_RE = re.compile(r"[A-Za-z][\w.-]{0,150}")  # a summary's element id, as summaries_tags.summary_html_id makes
FEED_PAGE_SIZE = 10
PAGE_MAX = 100_000  # ?page=: far past the last page of any list (Django's paginator shows the last one)
KEY_MAX_LENGTH = 500  # ?bibtexKey=: a key (255), an arXiv URL or a DOI (200)
ANCHOR_MAX_LENGTH = 200  # ?a=: a username (150) or anon-<id>
SHARE_TOKEN_MAX_LENGTH = 64  # ?code=: Summary.share_token
NEXT_MAX_LENGTH = 2000  # the `next` address a form returns to
NO_SUCH = "There is no such {what}, or it is not one you may see."
VOTE_VALUES = "A vote is up (1), down (-1) or none (0): nothing else can be counted."


def readable_or_404(queryset, pk, *, what: str):
    """Object `pk` of `queryset`, the objects the reader may read (Summary.objects.visible_to, Comment.objects
    .readable_by, …), else `not_found(what)`: every id-taking view looks its id up here first, before it asks for
    a log-in or checks anything else, so a missing id and one that is not the reader's give the same 404 and ids
    cannot be probed for what they hold."""
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise not_found(what) from None


def not_found(what: str) -> Http404:
    """The one 404 of an id-taking view (same status, same text) for a missing id and one not the reader's."""
    return Http404(NO_SUCH.format(what=what))


def share_token(data) -> str:
    """The share link's `code` (GET on the paper page, POST from its forms)."""
    return text_param(data, "code", max_length=SHARE_TOKEN_MAX_LENGTH)


def wants_json(request) -> bool:
    return request.headers.get("x-requested-with") == "fetch" or "application/json" in request.headers.get("accept", "")


@require_safe
@page_cache.cache_for_anonymous(lambda request: [page_cache.LISTS])
def home(request):
    """/?tab=recent|best|popular&page=N: the homepage feed."""
    tab = text_param(request.GET, "tab", max_length=20)
    tab = FeedTab(tab) if tab in FeedTab.values else FeedTab.RECENT
    summaries = Summary.objects.for_feed(tab)
    page = CountedPaginator(summaries, FEED_PAGE_SIZE, count=Summary.objects.public_count()).get_page(
        int_param(request.GET, "page", default=1, min_value=1, max_value=PAGE_MAX, status=404)
    )
    context = {
        "page": page,
        "tab": tab,
        "tabs": dict(FeedTab.choices),
        "page_query": urlencode({"tab": tab}),
        "public_count": page.paginator.count,
        "my_votes": Vote.objects.values_of(request.user, page.object_list),
    }
    return render(request, "summaries/summary_list.html", context)


def bibtex_key(request) -> str:
    return text_param(request.GET, "bibtexKey", max_length=KEY_MAX_LENGTH, status=404)


def _paper_scopes(request):
    return [page_cache.scope("paper", bibtex_key(request))]


def _paper_view_count(request, extra):
    """A page served from the cache is a view too."""
    if request.method == "GET" and "paper_pk" in extra:
        PaperView.record(extra["paper_pk"])


@require_safe
@page_cache.cache_for_anonymous(_paper_scopes, on_hit=_paper_view_count)
def paper_detail(request):
    """/paper?bibtexKey=KEY: the paper page. Aliases, arXiv ids/URLs and DOIs redirect (301) to the canonical key;
    an unknown arXiv id/URL or DOI is imported by a job: "importing…" (202) until it has run, then it redirects too
    (with the immediate task backend the job runs at once and the redirect is a 302 to the new page)."""
    key = bibtex_key(request)
    if not key:
        raise Http404("No paper was named: the address needs ?bibtexKey=…")
    focus = text_param(request.GET, "a", max_length=ANCHOR_MAX_LENGTH, status=404)
    found = paper_find_or_import(key, queryset=Paper.objects.for_detail(), client=client_address(request))
    if found.ok:
        if found.paper.bibtex_key == key:
            return paper_page_response(request, found.paper)
        return redirect(paper_url(found.paper.bibtex_key, focus=focus), permanent=not found.created)
    if found.failure == ImportFailure.NOT_IMPORTABLE:
        raise Http404(f"Unknown paper: {key}")
    return import_response(request, key, found)


def paper_page_response(request, paper, *, form=None, status=200, stale=None, comment_draft=None):
    """The paper page: title block, its summaries by score (or one, with `a=`), the editor, cited-in. The forms
    posted from it answer with it too, with their `form`, a `stale` summary or a refused `comment_draft`."""
    user = request.user
    focus = text_param(request.GET, "a", max_length=ANCHOR_MAX_LENGTH, status=404)
    versions = list(paper.other_versions()) if paper.work_id else []
    paper_ids = [paper.pk, *(v.pk for v in versions)]
    summaries = list(Summary.objects.for_paper_page(paper_ids, user, share_token(request.GET)))
    # The reader's own summary hidden by a moderator is theirs to see and edit, in the editor (with the reason),
    # and no one else's to read: it is not among the summaries shown.
    hidden_own = next((s for s in summaries if s.is_hidden and s.paper_id == paper.pk), None)
    summaries = [s for s in summaries if not s.is_hidden]
    own = next((s for s in summaries if s.paper_id == paper.pk and s.author_id == user.pk), hidden_own)
    if focus:
        summaries = [s for s in summaries if s.anchor == focus]
        if not summaries:
            raise Http404(f"There is no summary “{focus}” of this paper you can see.")
    if user.is_authenticated and form is None:
        initial = {"base_version": 0}
        if own is not None:
            initial = {
                "body": own.body,
                "is_private": own.is_private,
                "is_anonymous": own.is_anonymous,
                "base_version": own.version,
            }
        form = SummaryForm(initial=initial)
    cited_in = Summary.objects.citing(paper)[:CITED_IN_LIMIT]
    counted = request.method == "GET" and not focus
    if counted:
        PaperView.record(paper.pk)
    context = {
        "paper": paper,
        "versions": versions,
        "summaries": summaries,
        "focus": focus,
        "own": own,
        "form": form,
        "comment_form": CommentForm(),
        "my_votes": Vote.objects.values_of(user, summaries),
        "cited_in": cited_in,
        "stale": stale,
        "comment_draft": comment_draft,  # (summary pk, text) of a comment that was refused, shown again
        "jsonld": paper.json_ld(),
        "bibtex": paper_bibtex(paper, site_url=settings.SITE_URL),
        "citation": paper_citation(paper),
    }
    response = render(request, "papers/paper_detail.html", context, status=status)
    response.page_cache_extra = {"paper_pk": paper.pk} if counted else {}
    return response


@require_POST
@refuse_suspended
def summary_save(request, paper_id):
    paper = readable_or_404(Paper.objects.for_detail(), paper_id, what="paper")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = SummaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your summary was not saved: see the problems below.")
        return paper_page_response(request, paper, form=form, status=400)
    data = form.cleaned_data
    is_new = not Summary.objects.filter(paper=paper, author=request.user).exists()
    wait = new_account_wait(request.user, "summary") if is_new else 0
    if wait:  # the typed text stays in the editor
        messages.error(request, new_account_message("summary", wait))
        return too_many(paper_page_response(request, paper, form=form), wait)
    try:
        summary = services.summary_save(
            paper=paper,
            author=request.user,
            body=data["body"],
            is_private=data["is_private"],
            is_anonymous=data["is_anonymous"],
            base_version=data["base_version"],
        )
    except services.StaleEdit as exc:
        messages.error(request, str(exc))
        data = request.POST.copy()
        data["base_version"] = exc.current.version if exc.current else 0
        # The typed text stays in the editor; the stored version is shown beside it for comparison.
        return paper_page_response(request, paper, form=SummaryForm(data), status=409, stale=exc.current)
    except (ValueError, services.NotAllowed) as exc:
        messages.error(request, str(exc))
        return paper_page_response(request, paper, form=form, status=400)
    if summary.is_hidden:  # its page would not show it: the editor does, with the moderator's reason
        messages.success(request, "Your summary was saved. It stays hidden until a moderator restores it.")
        return redirect(paper.get_absolute_url() + "#editor")
    messages.success(request, "Your summary was saved.")
    return redirect(summary.get_absolute_url() + f"#{summary.anchor}")


@login_required
@require_POST
@refuse_suspended
def summary_preview(request):
    """The editor's live preview: the same server-side renderer as at save, SUMMARY_PREVIEW_LIMIT per user in each
    SUMMARY_PREVIEW_SECONDS (429 past it); refusals are plain text that the editor shows."""
    limit, seconds = settings.SUMMARY_PREVIEW_LIMIT, settings.SUMMARY_PREVIEW_SECONDS
    wait = rate_limit_hit("summary-preview", str(request.user.pk), rate=f"{limit}/{seconds}")
    if wait:
        response = HttpResponse(
            f"Too many previews ({limit} in {seconds} seconds): the preview resumes in {wait} seconds.",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        body = text_param(request.POST, "body", max_length=MAX_SUMMARY_LENGTH, strip=False, multiline=True)
    except InvalidParameter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    try:
        html, _ = services.summary_render(body)
    except RenderTooComplex as exc:
        return HttpResponse(str(exc), status=422, content_type="text/plain; charset=utf-8")
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@require_http_methods(["GET", "HEAD", "POST"])
@refuse_suspended
def summary_delete(request, summary_id):
    summary = readable_or_404(Summary.objects.visible_to(request.user).with_related(), summary_id, what="summary")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not summary.can_edit(request.user):
        raise not_found("summary")
    if request.method == "POST":
        paper_url = summary.paper.get_absolute_url()
        services.summary_delete(summary=summary, user=request.user)
        messages.success(request, "Your summary was deleted.")
        return redirect(paper_url)
    return render(request, "summaries/summary_confirm_delete.html", {"summary": summary})


@require_safe
def summary_revisions(request, summary_id):
    """The author's revisions of a summary, with a line diff between any two (?from=1&to=3)."""
    summary = readable_or_404(Summary.objects.visible_to(request.user).with_related(), summary_id, what="summary")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not summary.can_edit(request.user):
        raise not_found("summary")
    revisions = list(summary.revisions.all())
    by_version = {r.version: r for r in revisions}
    diff = None
    old_v, new_v = int_param(request.GET, "from", min_value=1), int_param(request.GET, "to", min_value=1)
    if old_v is not None and new_v is not None:
        old, new = by_version.get(old_v), by_version.get(new_v)
        if old is None or new is None:
            raise Http404("This summary has no such revision.")
        diff = old.diff_lines(new)
    context = {"summary": summary, "revisions": revisions, "diff": diff, "from": old_v or "", "to": new_v or ""}
    return render(request, "summaries/revision_list.html", context)


@require_POST
@refuse_suspended
def summary_vote(request, summary_id):
    readable = Summary.objects.visible_to(request.user, share_token(request.POST)).with_related()
    summary = readable_or_404(readable, summary_id, what="summary")
    if not request.user.is_authenticated:
        if wants_json(request):
            return JsonResponse({"error": "Log in to vote."}, status=401)
        return redirect(reverse("account_login") + "?" + urlencode({"next": summary.get_absolute_url()}))
    try:
        value = int_param(request.POST, "value", min_value=-1, max_value=1, message=VOTE_VALUES)
        if value is None:
            raise InvalidParameter(VOTE_VALUES)
        score = services.vote_cast(summary=summary, voter=request.user, value=value)
    except (InvalidParameter, ValueError, services.NotAllowed) as exc:
        if wants_json(request):
            return JsonResponse({"error": str(exc)}, status=400)
        messages.error(request, str(exc))
        return redirect(_back(request, summary))
    if wants_json(request):
        return JsonResponse({"score": score, "value": value})
    return redirect(_back(request, summary))


def _back(request, summary):
    """Where a form on a summary returns to: the page it was posted from (`next`), at the summary's element
    (`html_id`: summary-<pk> in a feed, its anchor on its paper's page). A `next` or `html_id` that cannot be
    read is ignored: the vote was counted, so the reader goes to the summary's page."""
    try:
        nxt = text_param(request.POST, "next", max_length=NEXT_MAX_LENGTH)
        html_id = text_param(request.POST, "html_id", max_length=ANCHOR_MAX_LENGTH)
    except InvalidParameter:
        nxt = html_id = ""
    fragment = html_id if HTML_ID_RE.fullmatch(html_id) else summary.anchor
    if nxt.startswith("/") and not nxt.startswith("//"):
        return nxt.split("#")[0] + f"#{fragment}"
    return summary.get_absolute_url() + f"#{summary.anchor}"


@require_POST
@refuse_suspended
def comment_create(request, summary_id):
    readable = Summary.objects.visible_to(request.user, share_token(request.POST)).with_related()
    summary = readable_or_404(readable, summary_id, what="summary")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = CommentForm(request.POST)
    error, status, wait = None, 400, 0
    if form.is_valid() and (wait := new_account_wait(request.user, "comment")):
        error, status = new_account_message("comment", wait), 429
    elif form.is_valid():
        try:
            comment = services.comment_create(summary=summary, author=request.user, body=form.cleaned_data["body"])
        except (ValueError, services.NotAllowed) as exc:
            error = str(exc)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if wants_json(request):
        if error:
            response = JsonResponse({"error": error}, status=status)
            return too_many(response, wait) if wait else response
        context = {"comment": comment, "summary": summary, "user": request.user}  # summary: anonymity
        html = render_to_string("summaries/includes/_comment.html", context, request)
        return JsonResponse({"html": html})
    if error:
        messages.error(request, f"Your comment was not posted: {error}")
        draft = (summary.pk, request.POST.get("body", ""))
        paper = Paper.objects.for_detail().get(pk=summary.paper_id)  # with its authors, as the paper page has it
        response = paper_page_response(request, paper, status=status, comment_draft=draft)
        return too_many(response, wait) if wait else response
    return redirect(summary.get_absolute_url() + f"#{summary.anchor}-comments")


@require_POST
@refuse_suspended
def comment_delete(request, comment_id):
    comments = Comment.objects.readable_by(request.user).select_related("summary__paper", "summary__author")
    comment = readable_or_404(comments, comment_id, what="comment")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        services.comment_delete(comment=comment, user=request.user)
    except services.NotAllowed:
        raise not_found("comment") from None
    messages.success(request, "Your comment was deleted.")
    return redirect(comment.summary.get_absolute_url() + f"#{comment.summary.anchor}-comments")


def _report_target_id(request, name) -> int | None:
    """?summary= or ?comment= (in the address, or posted): an id, or None; one that is not an id is the one 404."""
    for data in (request.GET, request.POST):
        try:
            found = int_param(data, name, min_value=1)
        except InvalidParameter:
            raise not_found(name) from None
        if found is not None:
            return found
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@refuse_suspended
def report_create(request):
    """/report?summary=ID or ?comment=ID: a reader flags a summary or a comment they can read."""
    summary = comment = None
    summary_id, comment_id = _report_target_id(request, "summary"), _report_target_id(request, "comment")
    if summary_id is not None:
        summary = readable_or_404(Summary.objects.visible_to(request.user).with_related(), summary_id, what="summary")
    elif comment_id is not None:
        comments = Comment.objects.readable_by(request.user).select_related("summary__paper", "summary__author")
        comment = readable_or_404(comments, comment_id, what="comment")
    else:
        raise Http404("Nothing to report: the address needs ?summary= or ?comment=.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    target_summary = summary or comment.summary
    form = ReportForm(request.POST or None)
    context = {"form": form, "summary": summary, "comment": comment, "target_summary": target_summary}
    if request.method == "POST" and form.is_valid():
        wait = new_account_wait(request.user, "report")
        if wait:  # the form again, with what was typed
            messages.error(request, new_account_message("report", wait))
            return too_many(render(request, "summaries/report_form.html", context), wait)
        try:
            services.report_create(
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                summary=summary,
                comment=comment,
            )
        except services.AlreadyReported as exc:
            messages.info(request, str(exc))
            return redirect(target_summary.get_absolute_url())
        messages.success(request, "Thank you: a moderator will look at your report.")
        return redirect(target_summary.get_absolute_url())
    return render(request, "summaries/report_form.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def my_reports(request):
    """/settings/reports: the reports on your summaries and comments, open or resolved with the verdict, and
    what a moderator hid (never who reported)."""
    reports = Report.objects.on_content_of(request.user)[:MY_REPORTS_LIMIT]
    return render(request, "summaries/report_list.html", {"reports": reports})


SEARCH_MAX_LENGTH = 500  # ?q=: a title, words, a key, an arXiv URL or a DOI


@require_safe
def search(request):
    """/search: a known key, arXiv id, arXiv URL or DOI (?q=, or the original's ?term=) opens the paper, an unknown
    arXiv id or DOI is imported on the spot; other text finds papers and public summaries (summaries.search), a
    page at a time, with ?year= and ?venue= (a venue key); ?author=NAME lists that author's papers and summaries."""
    query = text_param(request.GET, "q", max_length=SEARCH_MAX_LENGTH) or text_param(
        request.GET, "term", max_length=SEARCH_MAX_LENGTH
    )
    query = query.strip()
    author_name = text_param(request.GET, "author", max_length=AUTHOR_NAME_MAX, status=404)
    year = int_param(request.GET, "year", min_value=1, max_value=9999, status=404)
    venue_key = text_param(request.GET, "venue", max_length=100, status=404)
    page = int_param(request.GET, "page", default=1, min_value=1, max_value=site_search.MAX_PAGE, status=404)
    context = {"query": query, "year": year, "venue_key": venue_key, "page_number": page}
    if author_name:
        author = author_named(author_name)
        if author is None:
            raise Http404("No author of that name is in the catalogue.")
        context.update(author=author, results=site_search.author_search(author, page=page))
        context["page_query"] = urlencode({"author": author.name})
        return render(request, "papers/paper_search.html", context)
    if query:
        identifier = query.strip('"').strip()
        found = paper_find_or_import(identifier, client=client_address(request))
        if found.ok:
            return redirect(found.paper.get_absolute_url())
        if found.failure != ImportFailure.NOT_IMPORTABLE:
            return import_response(request, identifier, found)
        venue_id = None
        if venue_key:
            venue_id = Venue.objects.filter(key=venue_key).values_list("pk", flat=True).first()
            if venue_id is None:
                raise Http404("There is no venue with that key.")
        filters = SearchFilters(year=year, venue_id=venue_id)
        context["results"] = site_search.site_search(query, filters=filters, page=page)
        params = {"q": query, "year": year or "", "venue": venue_key}
        context["page_query"] = urlencode({name: value for name, value in params.items() if value})
    return render(request, "papers/paper_search.html", context)


@require_safe
def random_summary(request):
    summary = Summary.objects.random_public()
    if summary is None:
        return redirect("summaries:home")
    return redirect(summary.get_absolute_url(), permanent=False)


@login_required
@require_safe
@cache_control(private=True, no_store=True)
def export(request):
    """Your own summaries, as JSON (?format=json, default) or a zip of markdown files (?format=zip): private ones
    too, so no cache (a proxy's, the browser's disk) keeps a copy."""
    rows = summary_export.export_rows(request.user, absolute_url=request.build_absolute_uri)
    if text_param(request.GET, "format", max_length=10) == "zip":
        response = HttpResponse(summary_export.export_zip(rows), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="shortscience-summaries.zip"'
        return response
    response = HttpResponse(
        summary_export.export_json(request.user.username, rows), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="shortscience-summaries.json"'
    return response
