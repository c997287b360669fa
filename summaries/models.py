"""Summaries of papers, with their revisions, votes, comments, reports and citations."""

import atexit
import difflib
import logging
import secrets
import threading
import time

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import DatabaseError, models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.http import urlencode

from papers.models import LIST_AUTHORS, Paper, ordered_authors_prefetch, paper_url
from shortscience.search import SearchDocument

ANONYMOUS = "Anonymous"
POPULAR_DAYS = 7
# Length limits, in characters, checked by the forms and the services (the last two are also the columns').
MAX_SUMMARY_LENGTH = 60_000
MAX_COMMENT_LENGTH = 5000
MAX_REPORT_DETAILS = 2000
MAX_HIDDEN_REASON = 200  # a moderator's reason for hiding something, shown to its author


def new_share_token() -> str:
    return secrets.token_urlsafe(24)


def in_good_standing(prefix: str) -> Q:
    """The people whose writing counts in public: not banned, and their email address confirmed (what an
    unconfirmed account writes waits, visible to them, until they confirm). `prefix` reaches the user ("author__",
    "voter__"). The one definition that listed_rule, readable_rule, visible_comments and the scores share."""
    return Q(**{f"{prefix}is_banned": False, f"{prefix}is_confirmed": True})


def author_in_good_standing(prefix: str = "") -> Q:
    """A summary's author in good standing, or none: a summary whose author left is anonymous and stays."""
    return Q(**{f"{prefix}author__isnull": True}) | in_good_standing(f"{prefix}author__")


def listed_rule(prefix: str = "") -> Q:
    """The rule for the summaries anyone may read: not private, not hidden by a moderator, author in good
    standing (not banned, address confirmed). It is stored in `Summary.is_listed` by
    `services.summary_counters_refresh`, the one place that applies it; queries filter on the stored flag
    (public_summaries)."""
    return Q(**{f"{prefix}is_private": False, f"{prefix}is_hidden": False}) & author_in_good_standing(prefix)


def public_summaries(prefix: str = "") -> Q:
    """The summaries anyone may read (see listed_rule), by their stored flag: one indexed column. `prefix`
    reaches them through a relation ("summaries__" from a user)."""
    return Q(**{f"{prefix}is_listed": True})


def readable_rule(user, share_token: str = "", prefix: str = "") -> Q:
    """The summaries `user` may read, as a filter (`Summary.can_read` for one): public ones, the user's own and a
    private one whose share token was given, never one hidden by a moderator or by a banned author; an
    unconfirmed author's only to them. `prefix` reaches them through a relation ("summary__" from a comment)."""
    shown = Q(**{f"{prefix}is_private": False})
    if share_token:
        shown |= Q(**{f"{prefix}share_token": share_token})
    shown &= author_in_good_standing(prefix)
    if user.is_authenticated:
        shown |= Q(**{f"{prefix}author": user})
    return shown & Q(**{f"{prefix}is_hidden": False}) & ~Q(**{f"{prefix}author__is_banned": True})


class FeedTab(models.TextChoices):
    """The homepage's tabs (/?tab=…)."""

    RECENT = "recent", "Most Recent"
    BEST = "best", "Highest Rated"
    POPULAR = "popular", "Popular"


class SummaryQuerySet(models.QuerySet):
    def public(self):
        """Summaries anyone may read: see public_summaries()."""
        return self.filter(public_summaries())

    def visible_to(self, user, share_token: str = ""):
        """The summaries `user` may read (readable_rule): what every page and every id-taking URL looks in."""
        return self.filter(readable_rule(user, share_token))

    def with_related(self):
        return self.select_related("author", "paper", "paper__venue")

    def with_papers(self, first_authors: int | None = None):
        """Each summary's paper with its venue and ordered authors (the `first_authors` of each, for a list that
        shows no more): a constant number of queries per page."""
        return self.with_related().prefetch_related(
            ordered_authors_prefetch("paper__paper_authors", first=first_authors)
        )

    def for_feed(self, tab: FeedTab = FeedTab.RECENT):
        """The homepage tabs: recent (by edit time), best (by score), popular (`Summary.popularity`: votes and
        views of the last 7 days, refreshed on each vote and by `manage.py refresh_popularity`). Each tab reads
        the first rows of its partial index (`WHERE is_listed`): no sort, no count of comments, whatever the
        catalogue's size."""
        qs = self.public().with_papers(first_authors=LIST_AUTHORS + 1)
        if tab == FeedTab.BEST:
            return qs.order_by("-score", "-edited_at")
        if tab == FeedTab.POPULAR:
            return qs.order_by("-popularity", "-score", "-edited_at")
        return qs.order_by("-edited_at")

    def random_public(self):
        """One public summary picked at random with its paper and author, or None, in two index look-ups (not a
        sort of them all, as order_by("?") is): the first public id at or after a random point below the highest,
        else the last before it. A summary after a run of private or deleted ids is a little likelier."""
        public = self.public()
        highest = public.order_by("-pk").values_list("pk", flat=True).first()
        if highest is None:
            return None
        point = secrets.randbelow(highest) + 1
        found = public.select_related("paper", "author")
        return found.filter(pk__gte=point).order_by("pk").first() or found.filter(pk__lt=point).order_by("-pk").first()

    def for_paper_page(self, paper_ids, user, share_token=""):
        """The summaries of these papers (a paper and its other versions) that `user` may read, best first, each
        with its visible comments (`visible_comments`, a list) and their authors; and the user's own summaries
        that a moderator hid (`is_hidden`: the page shows them to their author alone, in the editor)."""
        shown = readable_rule(user, share_token)
        if user.is_authenticated:
            shown |= Q(author=user, is_hidden=True, author__is_banned=False)
        return (
            self.filter(paper_id__in=paper_ids)
            .filter(shown)
            .with_related()
            .prefetch_related(
                Prefetch(
                    "comments",
                    queryset=Comment.objects.shown_to(user).select_related("author"),
                    to_attr="visible_comments",
                )
            )
            .order_by("-score", "created_at")
        )

    def citing(self, paper):
        """Public summaries of other papers that cite `paper`, best first."""
        return (
            self.public()
            .filter(citations__paper=paper)
            .exclude(paper=paper)
            .select_related("paper", "author")
            .distinct()
            .order_by("-score")
        )

    def for_profile(self, person, viewer):
        """A profile's list: the person's public, signed summaries, or all their own for themselves; newest first."""
        qs = self.filter(author=person).with_papers(first_authors=LIST_AUTHORS + 1)
        if viewer.is_authenticated and viewer.pk == person.pk:
            qs = qs.visible_to(viewer)
        else:
            qs = qs.public().filter(is_anonymous=False)
        return qs.order_by("-edited_at")

    def profile_stats(self, person) -> dict:
        """{"count", "total", "average"} of the person's public, signed summaries' scores: their stored AuthorStats
        (one row), or no summaries."""
        stats = AuthorStats.objects.filter(user=person).values("signed_count", "score_total", "score_average").first()
        if not stats or not stats["signed_count"]:
            return {"count": 0, "total": None, "average": None}
        return {"count": stats["signed_count"], "total": stats["score_total"], "average": stats["score_average"]}

    def merge_conflicts(self, *, source, target):
        """The summaries of paper `source` whose author summarised paper `target` too (papers_merge folds them)."""
        return self.filter(paper=source, author__summaries__paper=target).select_related("author").order_by("pk")

    def public_count(self) -> int:
        """How many public summaries there are (anonymous ones included): the stored SiteCounter, one row."""
        return SiteCounter.objects.value_of(SiteCounter.LISTED_SUMMARIES)


class Summary(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="summaries")
    # Empty once the author deleted their account and left the summary, anonymous (the check constraint).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="summaries"
    )
    body = models.TextField(help_text="Markdown with LaTeX math")
    body_html = models.TextField(editable=False, help_text="Rendered at save by shortscience.markup")
    body_text = models.TextField(
        editable=False, default="", help_text="The rendered text without its markup (searched, and cut into snippets)"
    )
    is_private = models.BooleanField("private", default=False)
    is_anonymous = models.BooleanField("anonymous", default=False)
    is_hidden = models.BooleanField("hidden by a moderator", default=False)
    hidden_reason = models.CharField(
        max_length=MAX_HIDDEN_REASON,
        blank=True,
        default="",
        db_default="",
        help_text="Why a moderator hid it: shown to its author",
    )
    share_token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    score = models.IntegerField(default=0, help_text="Sum of the votes, kept by summaries.services")
    # Denormalised, kept true by summaries.services.summary_counters_refresh (the rules: listed_rule,
    # visible_comments) and summary_popularity_refresh; tests/summaries/test_counters.py checks them.
    is_listed = models.BooleanField(
        "public", default=False, editable=False, help_text="Not private, not hidden, author not banned"
    )
    comment_count = models.PositiveIntegerField(default=0, editable=False, help_text="Visible comments")
    popularity = models.PositiveIntegerField(
        default=0, editable=False, help_text=f"Upvotes ×10 + paper views of the last {POPULAR_DAYS} days"
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped at each save; stale edits are refused")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(default=timezone.now)
    # Stored by Postgres from the text on every INSERT and UPDATE (summaries.search reads it; NULL elsewhere).
    search_vector = models.GeneratedField(
        expression=SearchDocument(("body_text", "A")), output_field=SearchVectorField(null=True), db_persist=True
    )

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "summaries"
        constraints = [
            models.UniqueConstraint(fields=["paper", "author"], name="one_summary_per_user_and_paper"),
            models.CheckConstraint(
                condition=Q(author__isnull=False) | Q(is_anonymous=True), name="summary_without_author_is_anonymous"
            ),
        ]
        indexes = [
            # The homepage tabs, each read in its order from the public rows only.
            models.Index(fields=["-edited_at"], name="summary_listed_recent_idx", condition=Q(is_listed=True)),
            models.Index(fields=["-score", "-edited_at"], name="summary_listed_best_idx", condition=Q(is_listed=True)),
            models.Index(
                fields=["-popularity", "-score", "-edited_at"],
                name="summary_listed_popular_idx",
                condition=Q(is_listed=True),
            ),
            models.Index(fields=["id"], name="summary_listed_id_idx", condition=Q(is_listed=True)),  # /random
            models.Index(fields=["author", "-edited_at"], name="summary_author_idx"),
        ]

    def __str__(self):
        return f"Summary of {self.paper_id} by {self.author_id}"

    def get_absolute_url(self):
        return paper_url(self.paper.bibtex_key, focus=self.anchor)

    @property
    def anchor(self) -> str:
        """The HTML id and `a=` value of this summary: the username, or anon-N for anonymous ones."""
        return f"anon-{self.pk}" if self.is_anonymous or self.author_id is None else self.author.username

    @property
    def author_name(self) -> str:
        return ANONYMOUS if self.is_anonymous or self.author_id is None else self.author.public_name

    def get_share_url(self):
        return self.get_absolute_url() + "&" + urlencode({"code": self.share_token})

    def can_edit(self, user) -> bool:
        return user.is_authenticated and self.author_id is not None and user.pk == self.author_id and not user.is_banned

    def can_read(self, user, share_token: str = "") -> bool:
        author = self.author
        if self.is_hidden or (author is not None and author.is_banned):
            return False
        if self.can_edit(user):
            return True
        if author is not None and not author.is_confirmed:  # waits for its author's confirmation
            return False
        return (not self.is_private) or bool(share_token and share_token == self.share_token)


class Revision(models.Model):
    """The text of a summary at each save."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["summary", "version"], name="unique_revision_version")]

    def __str__(self):
        return f"Revision {self.version} of summary {self.summary_id}"

    def diff_lines(self, newer: "Revision") -> list[tuple[str, str]]:
        """A line diff from this revision to `newer`: (kind, line) with kind "added", "removed", "hunk" (the @@
        line) or "same", three lines of context."""
        rows = []
        for line in difflib.unified_diff(self.body.splitlines(), newer.body.splitlines(), lineterm="", n=3):
            if line.startswith(("---", "+++")):
                continue
            kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
            rows.append((kind, line))
        return rows


class VoteQuerySet(models.QuerySet):
    def counted(self):
        """The votes that count in scores and popularity: those of voters in good standing (not banned, address
        confirmed; a banned voter's count again on unban, an unconfirmed one's once they confirm)."""
        return self.filter(in_good_standing("voter__"))

    def values_of(self, user, summaries) -> dict[int, int]:
        """{summary id: -1 | 0 | 1}: `user`'s votes on `summaries` (empty for a guest, without a query)."""
        if not user.is_authenticated:
            return {}
        summaries = list(summaries)
        if not summaries:
            return {}
        return dict(self.filter(voter=user, summary__in=summaries).values_list("summary_id", "value"))


class Vote(models.Model):
    class Value(models.IntegerChoices):
        DOWN = -1, "Down"
        NONE = 0, "None"
        UP = 1, "Up"

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "voter"], name="one_vote_per_voter_and_summary"),
            models.CheckConstraint(condition=Q(value__gte=-1, value__lte=1), name="vote_value_in_range"),
        ]

    def __str__(self):
        return f"{self.voter_id} votes {self.value:+d} on {self.summary_id}"


def visible_comments(prefix: str = "") -> Q:
    """The comments anyone may see: not deleted, not hidden by a moderator, by a user in good standing (not
    banned, address confirmed). `prefix` reaches them through a relation ("comments__" from a summary)."""
    return Q(**{f"{prefix}is_deleted": False, f"{prefix}is_hidden": False}) & in_good_standing(f"{prefix}author__")


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(visible_comments())

    def shown_to(self, user):
        """The visible comments, and `user`'s own that wait for their address to be confirmed."""
        if not user.is_authenticated or user.is_confirmed or user.is_banned:
            return self.visible()
        return self.filter(visible_comments() | Q(author=user, is_deleted=False, is_hidden=False))

    def readable_by(self, user, share_token: str = ""):
        """The visible comments `user` may read: those on a summary they may read (a comment is as private as its
        summary), and their own (deleting one needs no share link)."""
        condition = readable_rule(user, share_token, prefix="summary__")
        if user.is_authenticated:
            condition |= Q(author=user)
        return self.visible().filter(condition)


class Comment(models.Model):
    """A plain-text comment in the flat thread of one summary. Deleting only marks it deleted."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(max_length=MAX_COMMENT_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    is_deleted = models.BooleanField(default=False)
    is_hidden = models.BooleanField("hidden by a moderator", default=False)
    hidden_reason = models.CharField(
        max_length=MAX_HIDDEN_REASON,
        blank=True,
        default="",
        db_default="",
        help_text="Why a moderator hid it: shown to its author",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["summary", "created_at"], name="comment_summary_idx")]

    def __str__(self):
        return f"Comment {self.pk} on summary {self.summary_id}"

    def can_delete(self, user) -> bool:
        return user.is_authenticated and user.pk == self.author_id


# What a row of the reports queue shows: the reporter, the moderator, the target with its author and paper.
QUEUE_RELATED = (
    "reporter",
    "resolved_by",
    "summary__author",
    "summary__paper",
    "comment__author",
    "comment__summary__paper",
    "comment__summary__author",
)


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def on_targets_of(self, reports):
        """The reports on the same summaries and comments as `reports` (a queryset): resolving one resolves all."""
        summary_ids = reports.filter(summary__isnull=False).values("summary_id")
        comment_ids = reports.filter(comment__isnull=False).values("comment_id")
        return self.filter(Q(summary_id__in=summary_ids) | Q(comment_id__in=comment_ids))

    def for_queue(self):
        """The moderators' queue: open reports first, oldest first, with what the rows show (the target, its
        author and paper, the reporter) in the same query."""
        return self.select_related(*QUEUE_RELATED).order_by(
            models.F("resolved_at").asc(nulls_first=True), "created_at", "pk"
        )

    def on_content_of(self, user):
        """The reports on `user`'s summaries and comments, newest first, for their author (never the reporter)."""
        return (
            self.filter(Q(summary__author=user) | Q(comment__author=user))
            .select_related("summary__paper", "summary__author", "comment__summary__paper", "comment__summary__author")
            .order_by("-created_at", "-pk")
        )


class Report(models.Model):
    """A reader flags a summary or a comment; moderators resolve it in the admin, with a verdict."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive or offensive"
        PLAGIARISM = "plagiarism", "Copied text (e.g. the abstract)"
        WRONG = "wrong", "Wrong paper or misleading"
        OTHER = "other", "Something else"

    class Verdict(models.TextChoices):
        CONTENT_HIDDEN = "hidden", "Content hidden"
        NO_ACTION = "no-action", "No action needed"
        AUTHOR_BANNED = "banned", "Author banned"

    summary = models.ForeignKey(Summary, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=MAX_REPORT_DETAILS)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True, default="", db_default="")
    note = models.TextField("resolution note", blank=True, max_length=MAX_REPORT_DETAILS, default="", db_default="")

    objects = ReportQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(summary__isnull=False, comment__isnull=True) | Q(summary__isnull=True, comment__isnull=False)
                ),
                name="report_has_one_target",
            ),
            # One open report per reporter and target: twenty clicks (or twenty parallel posts) make one row.
            models.UniqueConstraint(
                fields=["reporter", "summary"],
                condition=Q(resolved_at__isnull=True, summary__isnull=False),
                name="one_open_report_per_summary",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(resolved_at__isnull=True, comment__isnull=False),
                name="one_open_report_per_comment",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at"], name="report_open_idx")]

    def __str__(self):
        target = f"summary {self.summary_id}" if self.summary_id else f"comment {self.comment_id}"
        return f"Report on {target}: {self.get_reason_display()}"

    @property
    def target(self):
        """The summary or the comment reported."""
        return self.summary if self.summary_id else self.comment

    @property
    def target_summary(self) -> Summary:
        """The summary reported, or the one the reported comment is on."""
        return self.summary if self.summary_id else self.comment.summary

    @property
    def state(self) -> str:
        """What its author is told: open, or resolved with the verdict."""
        if self.resolved_at is None:
            return "Open: a moderator will look at it"
        return f"Resolved: {self.get_verdict_display() or 'closed'}"


class Citation(models.Model):
    """A `\\cite{KEY}` in a summary: lets a paper page list the summaries that cite it. `paper` is the paper the
    key named when the summary was saved (resolved as /paper?bibtexKey= resolves it), empty for an unknown key;
    `manage.py rerender_summaries` resolves them again."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="citations")
    cited_key = models.CharField(max_length=255)
    paper = models.ForeignKey(Paper, null=True, blank=True, on_delete=models.SET_NULL, related_name="citations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summary", "cited_key"], name="unique_citation")]

    def __str__(self):
        return f"{self.summary_id} cites {self.cited_key}"


class PaperVisit(models.Model):
    """Paper-page views per day, for the Popular tab: the PaperView rows folded in by
    `services.paper_views_roll_up` (run by `manage.py refresh_popularity`)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "day"], name="unique_paper_visit_day")]
        indexes = [models.Index(fields=["day"], name="papervisit_day_idx")]  # the last 7 days' papers

    def __str__(self):
        return f"{self.paper_id} on {self.day}: {self.count}"


class PaperView(models.Model):
    """One view of a paper page, appended: no row is ever updated by a reader, so concurrent views of a popular
    paper never wait on one hot counter row. `services.paper_views_roll_up` folds them into PaperVisit."""

    id = models.BigAutoField(primary_key=True)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    def __str__(self):
        return f"{self.paper_id} viewed on {self.day}"

    @classmethod
    def record(cls, paper_id) -> None:
        """Count one view of a paper page today. Views are buffered in the process and appended together (see
        ViewBuffer): no lock on a shared row, and no write at all on most page views."""
        view_buffer.add(cls(paper_id=paper_id, day=timezone.now().date()))


logger = logging.getLogger(__name__)


class ViewBuffer:
    """Paper views counted by this process, written with one INSERT once PAPER_VIEWS_BATCH of them are waiting or
    the oldest has waited PAPER_VIEWS_SECONDS (checked at the next view), and when the process exits. A crash
    loses at most one batch of view counts; a failed write is logged and dropped, never an error page."""

    def __init__(self):
        self.pending: list[PaperView] = []
        self.since = 0.0
        self.lock = threading.Lock()

    def add(self, view: "PaperView") -> None:
        with self.lock:
            if not self.pending:
                self.since = time.monotonic()
            self.pending.append(view)
            due = (
                len(self.pending) >= settings.PAPER_VIEWS_BATCH
                or time.monotonic() - self.since >= settings.PAPER_VIEWS_SECONDS
            )
            batch = self.take() if due else []
        self.write(batch)

    def take(self) -> list["PaperView"]:
        batch, self.pending = self.pending, []
        return batch

    def flush(self) -> None:
        with self.lock:
            batch = self.take()
        self.write(batch)

    @staticmethod
    def write(batch) -> None:
        if not batch:
            return
        try:
            PaperView.objects.bulk_create(batch)
        except DatabaseError as exc:
            logger.warning("%d paper views not counted: %s", len(batch), exc)


view_buffer = ViewBuffer()
atexit.register(view_buffer.flush)


class AuthorStats(models.Model):
    """A person's public summaries, counted: the leaderboard, their profile and (summed into SiteCounter) the
    homepage read one row instead of aggregating summaries. Kept equal to the truth by
    `services.author_stats_refresh`, the one place that applies the rule; tests/summaries/test_counters.py checks
    it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="summary_stats"
    )
    listed_count = models.PositiveIntegerField(default=0, help_text="Public summaries, anonymous ones included")
    signed_count = models.PositiveIntegerField(default=0, help_text="Public summaries not posted anonymously")
    score_total = models.IntegerField(default=0, help_text="Sum of the scores of the signed public summaries")
    score_average = models.FloatField(null=True, help_text="Their average score (None without any)")

    class Meta:
        verbose_name_plural = "author stats"
        indexes = [  # the leaderboard, read in its order
            models.Index(
                fields=["-score_average", "-signed_count"],
                name="authorstats_board_idx",
                condition=Q(signed_count__gt=0),
            )
        ]

    def __str__(self):
        return f"{self.user_id}: {self.signed_count} signed, {self.listed_count} public"


class SiteCounterQuerySet(models.QuerySet):
    def value_of(self, name: str) -> int:
        return self.filter(name=name).values_list("value", flat=True).first() or 0


class SiteCounter(models.Model):
    """A site-wide count kept on write (one row each): LISTED_SUMMARIES is the sum of AuthorStats.listed_count,
    moved by `services.author_stats_refresh` by as much as it moves theirs."""

    LISTED_SUMMARIES = "listed summaries"

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    objects = SiteCounterQuerySet.as_manager()

    def __str__(self):
        return f"{self.name}: {self.value}"
