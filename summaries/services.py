"""Writes that touch several models or have side effects: saving a summary with its revision and citations,
voting, commenting (with its notification mail), moderating and banning, reporting; and the denormalised
counters they keep (summary_counters_refresh, summary_scores_refresh, summary_popularity_refresh,
author_stats_refresh)."""

from datetime import timedelta
from importlib import import_module
from typing import NamedTuple

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from papers.models import CitedPaper, Paper, PaperAlias
from papers.services import paper_page_scopes
from shortscience import page_cache
from shortscience.markup import html_text, render_summary_with_citations

from . import tasks
from .limits import SUSPENDED, SUSPENDED_SESSION_KEY
from .models import (
    MAX_COMMENT_LENGTH,
    MAX_HIDDEN_REASON,
    MAX_REPORT_DETAILS,
    MAX_SUMMARY_LENGTH,
    POPULAR_DAYS,
    AuthorStats,
    Citation,
    Comment,
    PaperView,
    PaperVisit,
    Report,
    Revision,
    SiteCounter,
    Summary,
    Vote,
    listed_rule,
)


class StaleEdit(Exception):
    """The summary changed since the editor was opened; the caller shows the message and keeps the text."""

    def __init__(self, current: Summary | None):
        self.current = current
        if current is None:  # the summary the editor was opened on is gone
            message = (
                "Your summary was deleted after you opened the editor. Your text is below, unsaved: "
                "save it again to publish it as a new summary."
            )
        else:
            message = (
                "This summary was changed elsewhere after you opened the editor. Your text is below, unsaved: "
                "compare it with the saved version and save again."
            )
        super().__init__(message)


class NotAllowed(Exception):
    pass


# --- Denormalised counters: the one place that applies their rules ------------------------------------------


def summary_counters_refresh(*, summary_ids=None) -> int:
    """Recompute `is_listed` (listed_rule: not private, not hidden, author not banned) and `comment_count`
    (visible_comments: not deleted, not hidden, author not banned) of these summaries (ids, or a queryset of
    ids; None: all of them) from the truth, in one UPDATE. Every write that can change either calls it: saving
    a summary, creating, deleting or hiding a comment, hiding a summary, banning or unbanning a user.
    Returns the number of rows updated."""
    visible = (
        Comment.objects.visible()
        .filter(summary=OuterRef("pk"))
        .order_by()
        .values("summary")
        .annotate(n=Count("pk"))
        .values("n")
    )
    summary_pages_invalidate(summary_ids=summary_ids)
    rows = Summary.objects.all() if summary_ids is None else Summary.objects.filter(pk__in=summary_ids)
    with transaction.atomic():
        updated = rows.update(
            comment_count=Coalesce(Subquery(visible), 0),
            is_listed=Exists(Summary.objects.filter(listed_rule(), pk=OuterRef("pk"))),
        )
        author_stats_refresh(user_ids=None if summary_ids is None else rows.values_list("author_id", flat=True))
    return updated


def summary_scores_refresh(*, summary_ids) -> int:
    """Set `score` to the sum of the votes of these summaries (ids, or a queryset of ids), in one UPDATE: the one
    definition of a score, applied by every write that adds or removes votes (a vote, deleting voters)."""
    total = (  # the votes of voters in good standing (Vote.objects.counted: not banned, address confirmed)
        Vote.objects.counted().filter(summary=OuterRef("pk")).order_by().values("summary").annotate(t=Sum("value"))
    )
    summary_pages_invalidate(summary_ids=summary_ids)
    rows = Summary.objects.filter(pk__in=summary_ids)
    with transaction.atomic():
        updated = rows.update(score=Coalesce(Subquery(total.values("t")), 0))
        author_stats_refresh(user_ids=rows.values_list("author_id", flat=True))
    return updated


def author_stats_refresh(*, user_ids=None) -> None:
    """Recompute the AuthorStats of these users (ids, or a queryset of ids; None: everyone) from their public
    summaries (`is_listed`): how many, how many signed, their total and average score; and move the homepage's
    SiteCounter (the sum of every `listed_count`) by as much. summary_counters_refresh and summary_scores_refresh
    call it for the authors of the summaries they touch; so do the writes that delete summaries.

    Their rows are locked (created if missing) before the summaries are read, in id order: a concurrent write to
    the same person's summaries waits and then reads what this one committed, so no update is lost."""
    listed = Summary.objects.filter(author=OuterRef("pk"), is_listed=True).order_by().values("author")
    signed = listed.filter(is_anonymous=False)
    with transaction.atomic():
        if user_ids is None:
            ids = list(
                Summary.objects.filter(author__isnull=False).order_by().values_list("author_id", flat=True).distinct()
            )
            ids += AuthorStats.objects.exclude(user_id__in=ids).values_list("user_id", flat=True)
        else:
            ids = list(user_ids)
        ids = sorted(set(ids) - {None})  # a summary whose author left has no one to count
        if not ids:
            return
        AuthorStats.objects.bulk_create([AuthorStats(user_id=pk) for pk in ids], ignore_conflicts=True)
        rows = AuthorStats.objects.filter(user_id__in=ids)
        before = sum(rows.select_for_update().order_by("user_id").values_list("listed_count", flat=True))
        rows.update(
            listed_count=Coalesce(Subquery(listed.annotate(n=Count("pk")).values("n")), 0),
            signed_count=Coalesce(Subquery(signed.annotate(n=Count("pk")).values("n")), 0),
            score_total=Coalesce(Subquery(signed.annotate(t=Sum("score")).values("t")), 0),
            score_average=Subquery(signed.annotate(a=Avg("score")).values("a")),
        )
        if user_ids is None:  # everyone: the site's count is set, not moved
            SiteCounter.objects.update_or_create(
                name=SiteCounter.LISTED_SUMMARIES, defaults={"value": Summary.objects.public().count()}
            )
            return
        change = rows.aggregate(n=Sum("listed_count"))["n"] - before
        if change:
            SiteCounter.objects.bulk_create([SiteCounter(name=SiteCounter.LISTED_SUMMARIES)], ignore_conflicts=True)
            SiteCounter.objects.filter(name=SiteCounter.LISTED_SUMMARIES).update(value=F("value") + change)


def summary_popularity_refresh(*, summary_ids=None, now=None) -> int:
    """Recompute `popularity` (upvotes cast or changed in the last POPULAR_DAYS days ×10, plus the views of the
    summary's paper in that time, as PaperVisit counts them) of these summaries, in one UPDATE. With None, of
    every summary whose value may have moved: any with a popularity, or a recent vote, or a recently viewed
    paper (bounded by recent activity, not by the catalogue).

    A vote refreshes its summary at once; paper views and the ageing out of old votes and views reach the
    column when `manage.py refresh_popularity` runs (scheduled every few minutes): that long is how stale the
    Popular tab may be."""
    since = (now or timezone.now()) - timedelta(days=POPULAR_DAYS)
    votes = (
        Vote.objects.counted()
        .filter(summary=OuterRef("pk"), updated_at__gte=since, value__gt=0)
        .order_by()
        .values("summary")
        .annotate(n=Count("pk"))
        .values("n")
    )
    views = (
        PaperVisit.objects.filter(paper=OuterRef("paper_id"), day__gte=since.date())
        .order_by()
        .values("paper")
        .annotate(n=Sum("count"))
        .values("n")
    )
    if summary_ids is None:
        rows = Summary.objects.filter(
            Q(popularity__gt=0)
            | Q(pk__in=Vote.objects.filter(updated_at__gte=since).values("summary"))
            | Q(paper_id__in=PaperVisit.objects.filter(day__gte=since.date()).values("paper"))
        )
    else:
        rows = Summary.objects.filter(pk__in=summary_ids)
    page_cache.invalidate(page_cache.LISTS)  # the Popular tab's order
    return rows.update(popularity=Coalesce(Subquery(votes), 0) * 10 + Coalesce(Subquery(views), 0))


PAGE_SCOPES_LIMIT = 200  # summaries whose pages are invalidated one by one; past that, every cached page


def summary_pages_invalidate(*, summary_ids) -> None:
    """Drop the cached pages that show these summaries (ids, or a queryset of ids; None: all), once the write
    commits: the lists (homepage tabs, leaderboard), their papers' pages (and their other versions'), the pages
    of the papers they cite ("Cited in"), their authors' profiles. Called by every counter rule above, so every
    write that changes a summary, its score or its comments calls it. Three queries, whatever the number."""
    if summary_ids is None:
        page_cache.invalidate(page_cache.SITE)
        return
    rows = list(
        Summary.objects.filter(pk__in=summary_ids).values_list("paper_id", "author__username")[: PAGE_SCOPES_LIMIT + 1]
    )
    if len(rows) > PAGE_SCOPES_LIMIT:
        page_cache.invalidate(page_cache.SITE)
        return
    ids = [paper_id for paper_id, _ in rows]
    cited = Citation.objects.filter(summary_id__in=summary_ids, paper__isnull=False).values_list("paper_id", flat=True)
    page_cache.invalidate(
        page_cache.LISTS,
        *paper_page_scopes(paper_ids=[*ids, *cited]),
        *(page_cache.scope("user", name.lower()) for _, name in rows if name is not None),
    )


@transaction.atomic
def paper_views_roll_up() -> int:
    """Fold the appended PaperView rows into PaperVisit's daily counts (one upsert) and delete them. Returns
    the number of views folded."""
    last = PaperView.objects.order_by("-pk").values_list("pk", flat=True).first()
    if last is None:
        return 0
    views, visits = PaperView._meta.db_table, PaperVisit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {visits} (paper_id, day, count) "
            f"SELECT paper_id, day, COUNT(*) FROM {views} WHERE id <= %s GROUP BY paper_id, day "
            f"ON CONFLICT (paper_id, day) DO UPDATE SET count = {visits}.count + excluded.count",
            [last],
        )
    folded, _ = PaperView.objects.filter(pk__lte=last).delete()
    return folded


@transaction.atomic
def summary_hidden_set(*, summaries, is_hidden: bool, reason: str = "") -> int:
    """A moderator hides (or restores) summaries (a queryset), with the `reason` their authors are shown (cleared
    on restoring). Returns how many."""
    ids = list(summaries.values_list("pk", flat=True))
    reason = reason.strip()[:MAX_HIDDEN_REASON] if is_hidden else ""
    count = Summary.objects.filter(pk__in=ids).update(is_hidden=is_hidden, hidden_reason=reason)
    summary_counters_refresh(summary_ids=ids)
    return count


@transaction.atomic
def comment_hidden_set(*, comments, is_hidden: bool, reason: str = "") -> int:
    """A moderator hides (or restores) comments (a queryset), with the `reason` their authors are shown (cleared
    on restoring). Returns how many."""
    ids = list(comments.values_list("pk", flat=True))
    reason = reason.strip()[:MAX_HIDDEN_REASON] if is_hidden else ""
    count = Comment.objects.filter(pk__in=ids).update(is_hidden=is_hidden, hidden_reason=reason)
    summary_counters_refresh(summary_ids=Comment.objects.filter(pk__in=ids).values("summary_id"))
    return count


# --- Moderation: reports and merging duplicate papers ---------------------------------------------------------


@transaction.atomic
def reports_resolve(*, reports, verdict: str, moderator, note: str = "") -> int:
    """Resolve `reports` (a queryset) with a verdict (Report.Verdict) and a note, and with them every other open
    report on the same summaries and comments: one decision per target. Returns how many were resolved."""
    if verdict not in Report.Verdict.values:
        raise ValueError("Choose a verdict.")
    same_targets = Report.objects.open().on_targets_of(reports)
    return Report.objects.filter(pk__in=list(same_targets.values_list("pk", flat=True))).update(
        resolved_at=timezone.now(), resolved_by=moderator, verdict=verdict, note=note.strip()[:MAX_REPORT_DETAILS]
    )


@transaction.atomic
def report_targets_hide(*, reports, moderator, reason: str = "", note: str = "") -> tuple[int, int]:
    """Hide the summaries and comments that `reports` (a queryset) name, telling their authors `reason` (by
    default what they were reported for), and resolve every open report on them as "content hidden". Returns
    (how many summaries and comments were hidden, how many reports resolved)."""
    hidden = 0
    rows = list(reports.values_list("summary_id", "comment_id", "reason"))
    for report_reason in {r for _, _, r in rows}:
        told = reason or f"reported as {Report.Reason(report_reason).label.lower()}"
        summary_ids = {s for s, _, r in rows if s and r == report_reason}
        comment_ids = {c for _, c, r in rows if c and r == report_reason}
        hidden += summary_hidden_set(summaries=Summary.objects.filter(pk__in=summary_ids), is_hidden=True, reason=told)
        hidden += comment_hidden_set(comments=Comment.objects.filter(pk__in=comment_ids), is_hidden=True, reason=told)
    resolved = reports_resolve(reports=reports, verdict=Report.Verdict.CONTENT_HIDDEN, moderator=moderator, note=note)
    return hidden, resolved


class PaperMerge(NamedTuple):
    """What papers_merge did: `moved`, the summaries now on the target; `folded`, the usernames of the people who
    had summarised both papers, whose summary of the source is kept as the first revisions of their summary of
    the target."""

    moved: int
    folded: list[str]


def _summary_fold(*, old: Summary, into: Summary) -> None:
    """Keep `old` (a summary of the paper being merged) in `into` (its author's summary of the target): its
    revisions become the first ones of `into` (whose own are numbered after them, its text staying current), its
    comments, reports and the votes of people who had not voted on `into` move there; then `old` is deleted."""
    shift = old.revisions.count()
    offset = 10**6  # two steps, so that no row ever takes a version another still holds (unique per summary)
    Revision.objects.filter(summary=into).update(version=F("version") + shift + offset)
    Revision.objects.filter(summary=into).update(version=F("version") - offset)
    Revision.objects.filter(summary=old).update(summary=into)
    Summary.objects.filter(pk=into.pk).update(version=F("version") + shift)
    Comment.objects.filter(summary=old).update(summary=into)
    # One open report per reporter and target: a reporter who reported both keeps the open one on `into`; the
    # other moves resolved, noted, so that no report is lost.
    open_on_into = Report.objects.filter(summary=into, resolved_at__isnull=True).values("reporter_id")
    Report.objects.filter(summary=old, resolved_at__isnull=True, reporter_id__in=open_on_into).update(
        resolved_at=timezone.now(), note="The same reporter's report on the other version of the paper stays open."
    )
    Report.objects.filter(summary=old).update(summary=into)
    Vote.objects.filter(summary=old).exclude(voter_id__in=Vote.objects.filter(summary=into).values("voter_id")).update(
        summary=into
    )
    Summary.objects.filter(pk=old.pk).delete()  # with its citations (its text's) and the votes already on `into`


@transaction.atomic
def papers_merge(*, source: Paper, target: Paper) -> PaperMerge:
    """Merge the duplicate paper `source` into `target`: its summaries, the citations of it, its aliases and its
    views move to the target; its bibtex key becomes an alias of the target, so that /paper?bibtexKey=OLD
    redirects (301) there for good; an arXiv id, DOI, abstract or work the target lacks is taken from it; then
    the source is deleted and the counts are recomputed.

    When someone summarised both papers, nothing is lost: their summary of the target stays current, and the
    one of the source becomes its first revisions (with its comments, reports and votes; `PaperMerge.folded`
    names them, and the admin lists them before the merge)."""
    if source.pk == target.pk:
        raise ValueError("A paper cannot be merged into itself.")
    locked = Paper.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
    papers = {paper.pk: paper for paper in locked}
    if len(papers) != 2:
        raise ValueError("One of these papers no longer exists.")
    source, target = papers[source.pk], papers[target.pk]
    page_cache.invalidate(page_cache.SITE)  # both pages, the lists, venues, the pages that cite them
    folded, kept_ids = [], []
    for old in Summary.objects.merge_conflicts(source=source, target=target):
        into = Summary.objects.get(paper=target, author_id=old.author_id)
        _summary_fold(old=old, into=into)
        folded.append(old.author.username)
        kept_ids.append(into.pk)
    moved_ids = list(Summary.objects.filter(paper=source).values_list("pk", flat=True))
    Summary.objects.filter(pk__in=moved_ids).update(paper=target)
    Citation.objects.filter(paper=source).update(paper=target)
    PaperAlias.objects.filter(paper=source).update(paper=target)
    PaperAlias.objects.update_or_create(alias=source.bibtex_key, defaults={"paper": target})
    visits = PaperVisit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {visits} (paper_id, day, count) SELECT %s, day, count FROM {visits} WHERE paper_id = %s "
            f"ON CONFLICT (paper_id, day) DO UPDATE SET count = {visits}.count + excluded.count",
            [target.pk, source.pk],
        )
    PaperView.objects.filter(paper=source).update(paper=target)
    for field in ("arxiv_id", "doi", "abstract", "work_id"):
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    target.save()
    Paper.objects.filter(pk=source.pk).delete()  # its author rows and visits; VenueYear uncounts it
    summary_ids = [*moved_ids, *kept_ids]
    summary_scores_refresh(summary_ids=kept_ids)
    summary_counters_refresh(summary_ids=summary_ids)
    summary_popularity_refresh(summary_ids=summary_ids)
    author_stats_refresh(user_ids=Summary.objects.filter(pk__in=kept_ids).values_list("author_id", flat=True))
    return PaperMerge(moved=len(moved_ids), folded=folded)


@transaction.atomic
def user_banned_set(*, users, is_banned: bool) -> int:
    """Ban (or unban) users (a queryset): their summaries leave (or rejoin) the public ones, their comments the
    counts and their votes the scores; a ban also ends every session of theirs at once (allauth.usersessions
    recorded each log-in's; accounts.middleware logs out any other at its next request). Returns how many
    users."""
    ids = list(users.values_list("pk", flat=True))
    count = users.model.objects.filter(pk__in=ids).update(is_banned=is_banned)
    page_cache.invalidate(page_cache.SITE)  # their summaries, comments and names, on any page
    summary_counters_refresh(
        summary_ids=Summary.objects.filter(
            Q(author_id__in=ids) | Q(pk__in=Comment.objects.filter(author_id__in=ids).values("summary_id"))
        ).values("pk")
    )
    voted = list(Vote.objects.filter(voter_id__in=ids).values_list("summary_id", flat=True).distinct())
    summary_scores_refresh(summary_ids=voted)
    summary_popularity_refresh(summary_ids=voted)
    if is_banned:
        user_sessions_end(user_ids=ids)
    return count


def user_sessions_end(*, user_ids) -> int:
    """End every recorded session of these users at once: each is logged out, keeping only a mark that makes
    its next request the "This account is suspended" page (accounts.middleware), which then forgets it.
    Returns how many."""
    store_of = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = list(UserSession.objects.filter(user_id__in=user_ids))
    for session in sessions:
        store = store_of(session.session_key)
        if store.exists(session.session_key):
            store.clear()  # the log-in and everything else in it
            store[SUSPENDED_SESSION_KEY] = True
            store.save()
    UserSession.objects.filter(pk__in=[session.pk for session in sessions]).delete()
    return len(sessions)


@transaction.atomic
def users_delete(*, users) -> int:
    """Delete accounts (a queryset) with their summaries, votes and comments, and recount the comments, scores and
    popularity of the other summaries they commented on or voted for. Returns how many users."""
    ids = list(users.values_list("pk", flat=True))
    commented = list(
        Comment.objects.filter(author_id__in=ids)
        .exclude(summary__author_id__in=ids)
        .values_list("summary_id", flat=True)
    )
    voted = list(Vote.objects.filter(voter_id__in=ids).values_list("summary_id", flat=True))
    page_cache.invalidate(page_cache.SITE)
    Summary.objects.filter(author_id__in=ids).delete()  # first, so that the homepage's count loses them
    author_stats_refresh(user_ids=ids)
    users.model.objects.filter(pk__in=ids).delete()
    summary_counters_refresh(summary_ids=commented)
    summary_scores_refresh(summary_ids=voted)
    summary_popularity_refresh(summary_ids=voted)
    return len(ids)


def summary_render(body: str) -> tuple[str, dict[str, CitedPaper]]:
    """(safe HTML, {cited key: the paper it names, or not}) for a summary's source: the one renderer, with cited
    keys resolved as /paper?bibtexKey= resolves them, in one look-up for all of them."""
    links: dict[str, CitedPaper] = {}

    def cite_lookup(keys):
        links.update(Paper.objects.cite_links(keys))
        return links

    html, cited_keys = render_summary_with_citations(
        body, cite_lookup=cite_lookup, image_hosts=settings.SUMMARY_IMAGE_HOSTS
    )
    return html, {key: links[key] for key in cited_keys if key in links}


def _citations_replace(summary: Summary, cited: dict[str, CitedPaper]) -> None:
    """Make the stored citations of `summary` the keys its body cites, each with the paper it names now."""
    rows = [Citation(summary=summary, cited_key=key, paper_id=link.paper_id) for key, link in cited.items()]
    rows = [row for row in rows if len(row.cited_key) <= 255]
    summary.citations.all().delete()
    Citation.objects.bulk_create(rows)


def summary_save(
    *,
    paper,
    author,
    body: str,
    is_private: bool = False,
    is_anonymous: bool = False,
    base_version: int | None,
) -> Summary:
    """Create or update `author`'s summary of `paper`, render it, keep a revision and its citations.

    `base_version` is the version the editor was opened on (None for a new summary). If the stored summary has
    moved on since, StaleEdit is raised and nothing is written.
    """
    if author.is_banned:
        raise NotAllowed(SUSPENDED)
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValueError("A summary cannot be empty.")
    if len(body) > MAX_SUMMARY_LENGTH:
        raise ValueError(f"A summary can be at most {MAX_SUMMARY_LENGTH:,} characters long.")
    body_html, cited = summary_render(body)
    now = timezone.now()
    try:
        with transaction.atomic():
            summary = Summary.objects.select_for_update().filter(paper=paper, author=author).first()
            if summary is None:
                if base_version not in (None, 0):
                    raise StaleEdit(None)
                changed = True
                summary = Summary.objects.create(
                    paper=paper,
                    author=author,
                    body=body,
                    body_html=body_html,
                    body_text=html_text(body_html),
                    is_private=is_private,
                    is_anonymous=is_anonymous,
                    created_at=now,
                    edited_at=now,
                )
            else:
                if base_version != summary.version:
                    raise StaleEdit(summary)
                changed = summary.body != body
                summary.body, summary.body_html, summary.body_text = body, body_html, html_text(body_html)
                summary.is_private, summary.is_anonymous = is_private, is_anonymous
                if changed:
                    summary.version += 1
                    summary.edited_at = now
                summary.save()
            summary_counters_refresh(summary_ids=[summary.pk])  # the private flag may have changed
            summary.refresh_from_db(fields=["is_listed", "comment_count"])
            if not changed:
                return summary
            Revision.objects.create(summary=summary, version=summary.version, body=body, created_at=now)
            _citations_replace(summary, cited)
            newly_cited = [link.paper_id for link in cited.values() if link.paper_id]
            if newly_cited:  # their "Cited in" (the papers cited before were invalidated by the counters)
                page_cache.invalidate(*paper_page_scopes(paper_ids=newly_cited))
    except IntegrityError as exc:  # two first saves raced: the other one won
        raise StaleEdit(Summary.objects.filter(paper=paper, author=author).first()) from exc
    return summary


def summary_rerender(*, summary: Summary, dry_run: bool = False) -> bool:
    """Render the stored source again (after a renderer change, or to resolve cited keys of papers imported since).
    Returns True when the HTML or the citations changed (or, with `dry_run`, would change: nothing is written)."""
    html, cited = summary_render(summary.body)
    stored = {c.cited_key: c.paper_id for c in summary.citations.all()}
    html_changed = html != summary.body_html
    if not html_changed and stored == {key: link.paper_id for key, link in cited.items()}:
        return False
    if dry_run:
        return True
    with transaction.atomic():
        summary_pages_invalidate(summary_ids=[summary.pk])  # the pages it cited before, too
        if html_changed:
            Summary.objects.filter(pk=summary.pk).update(body_html=html, body_text=html_text(html))
        _citations_replace(summary, cited)
        summary_pages_invalidate(summary_ids=[summary.pk])  # and those it cites now
    return True


@transaction.atomic
def summary_delete(*, summary: Summary, user) -> None:
    if user.is_authenticated and user.is_banned:
        raise NotAllowed(SUSPENDED)
    if not summary.can_edit(user):
        raise NotAllowed("Only the author can delete a summary.")
    summaries_delete(summaries=Summary.objects.filter(pk=summary.pk))


@transaction.atomic
def summaries_delete(*, summaries) -> int:
    """Delete summaries (a queryset) with their revisions, votes and comments, and recount their authors. Returns
    how many."""
    ids = list(summaries.values_list("pk", flat=True))
    authors = set(Summary.objects.filter(pk__in=ids).values_list("author_id", flat=True))
    summary_pages_invalidate(summary_ids=ids)
    _, deleted = Summary.objects.filter(pk__in=ids).delete()
    author_stats_refresh(user_ids=authors)
    return deleted.get(Summary._meta.label, 0)


@transaction.atomic
def papers_delete(*, papers) -> int:
    """Delete papers (a queryset of papers.Paper) with everything that hangs on them, their summaries included,
    and recount the authors of those summaries. Returns how many papers."""
    ids = list(papers.values_list("pk", flat=True))
    authors = set(Summary.objects.filter(paper_id__in=ids).values_list("author_id", flat=True))
    page_cache.invalidate(page_cache.SITE)  # their pages, venues, the lists, the pages that cited them
    _, deleted = Paper.objects.filter(pk__in=ids).delete()
    author_stats_refresh(user_ids=authors)
    return deleted.get(Paper._meta.label, 0)


def vote_cast(*, summary: Summary, voter, value: int) -> int:
    """Set `voter`'s vote on `summary` to -1, 0 or +1 and return the new score.

    The summary row is locked while the vote is written and the score recomputed as the sum of the votes, so
    concurrent clicks (by one voter or many) always leave score == sum(votes).
    """
    if value not in (-1, 0, 1):
        raise ValueError("A vote is -1, 0 or +1.")
    if not voter.is_authenticated:
        raise NotAllowed("Log in to vote.")
    if voter.is_banned:
        raise NotAllowed(SUSPENDED)
    if voter.pk == summary.author_id:
        raise NotAllowed("You cannot vote on your own summary.")
    with transaction.atomic():
        locked = Summary.objects.select_for_update().get(pk=summary.pk)
        Vote.objects.update_or_create(
            summary=locked, voter=voter, defaults={"value": value, "updated_at": timezone.now()}
        )
        summary_scores_refresh(summary_ids=[locked.pk])
        summary_popularity_refresh(summary_ids=[locked.pk])
        score = Summary.objects.values_list("score", flat=True).get(pk=locked.pk)
    summary.score = score
    return score


def comment_create(*, summary: Summary, author, body: str) -> Comment:
    """Add a comment and, when they opted in, mail the summary's author."""
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValueError("A comment cannot be empty.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValueError(f"A comment can be at most {MAX_COMMENT_LENGTH:,} characters long.")
    if author.is_banned:
        raise NotAllowed(SUSPENDED)
    with transaction.atomic():
        comment = Comment.objects.create(summary=summary, author=author, body=body)
        summary_counters_refresh(summary_ids=[summary.pk])
        # The mail is a job (summaries.tasks), enqueued once the comment is committed; a failure to enqueue is
        # logged and does not undo the comment (robust).
        if summary.author_id is not None:  # none to tell once the author left
            transaction.on_commit(lambda: tasks.comment_notify.enqueue(comment_id=comment.pk), robust=True)
    return comment


def comment_delete(*, comment: Comment, user) -> None:
    if user.is_authenticated and user.is_banned:
        raise NotAllowed(SUSPENDED)
    if not comment.can_delete(user):
        raise NotAllowed("Only its author can delete a comment.")
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(is_deleted=True)
        summary_counters_refresh(summary_ids=[comment.summary_id])


class AlreadyReported(Exception):
    """The reporter's earlier report of this target is still open: one is enough."""

    def __init__(self):
        super().__init__("You have already reported this: a moderator will look at your report.")


def report_create(*, reporter, reason: str, details: str = "", summary=None, comment=None) -> Report:
    """Record a report; AlreadyReported when the reporter's report of the same target is still open (the
    conditional unique constraints refuse the second of two concurrent ones too)."""
    if reporter.is_banned:
        raise NotAllowed(SUSPENDED)
    if reason not in Report.Reason.values:
        raise ValueError("Choose a reason.")
    target = {"summary": summary} if summary is not None else {"comment": comment}
    if Report.objects.filter(reporter=reporter, resolved_at__isnull=True, **target).exists():
        raise AlreadyReported()
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter,
                reason=reason,
                details=details.strip()[:MAX_REPORT_DETAILS],
                summary=summary,
                comment=comment,
            )
    except IntegrityError as exc:  # a concurrent report of the same target committed first
        raise AlreadyReported() from exc
