"""Moderation in the admin: the reports queue (open ones first, oldest first) with its verdicts, hiding and
restoring summaries and comments with a reason their authors see, re-rendering markup, and merging duplicate
papers. Every action asks what it needs on an intermediate page (shortscience/admin_actions.py) and writes the
admin log; what it does is a service (summaries/services.py)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from papers.admin import PaperAdmin as CatalogueAdmin
from papers.models import Paper
from shortscience.admin_actions import action_form, action_log, action_page

from . import services
from .models import MAX_HIDDEN_REASON, MAX_REPORT_DETAILS, QUEUE_RELATED, Comment, Report, Revision, Summary, Vote

EXCERPT_LENGTH = 120


def excerpt(text: str) -> str:
    """A short, single-line excerpt of user text (escaped where it is shown, like any text)."""
    return Truncator(" ".join(text.split())).chars(EXCERPT_LENGTH)


def admin_link(obj, text=None):
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else str(obj))


class HideForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_HIDDEN_REASON,
        initial="It breaks the site's rules.",
        help_text="Shown to the author, after “Hidden by a moderator:”.",
    )


class ResolveForm(forms.Form):
    verdict = forms.ChoiceField(choices=Report.Verdict.choices, initial=Report.Verdict.NO_ACTION)
    note = forms.CharField(
        required=False, max_length=MAX_REPORT_DETAILS, widget=forms.Textarea(attrs={"rows": 3}), label="Note"
    )


class HideAndResolveForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=MAX_HIDDEN_REASON,
        help_text="Shown to the author, after “Hidden by a moderator:”. Empty: what it was reported for.",
    )
    note = forms.CharField(
        required=False, max_length=MAX_REPORT_DETAILS, widget=forms.Textarea(attrs={"rows": 3}), label="Note"
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=MAX_REPORT_DETAILS, widget=forms.Textarea(attrs={"rows": 3}), label="Note"
    )


class MergeForm(forms.Form):
    target = forms.TypedChoiceField(coerce=int, label="Paper to keep")

    def __init__(self, *args, papers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(paper.pk, paper.bibtex_key) for paper in papers]


class HideRestoreActions:
    """Hide (with a reason for the author) and restore, for summaries and comments."""

    hide_service = None  # services.summary_hidden_set or services.comment_hidden_set
    hide_argument = ""

    def _hidden_set(self, queryset, *, is_hidden, reason=""):
        return type(self).hide_service(**{self.hide_argument: queryset}, is_hidden=is_hidden, reason=reason)

    @admin.action(description="Hide the selected %(verbose_name_plural)s…", permissions=["change"])
    def hide(self, request, queryset):
        form = action_form(HideForm, request)
        if not form.is_valid():
            name = self.model._meta.verbose_name_plural
            return action_page(self, request, queryset, action="hide", title=f"Hide these {name}", form=form)
        reason = form.cleaned_data["reason"]
        objects = list(queryset)
        count = self._hidden_set(queryset, is_hidden=True, reason=reason)
        action_log(request, objects, f"Hidden by a moderator: {reason}")
        self.message_user(request, f"{count} {self.model._meta.verbose_name_plural} hidden.", messages.SUCCESS)
        return None

    @admin.action(description="Restore the selected %(verbose_name_plural)s", permissions=["change"])
    def restore(self, request, queryset):
        objects = list(queryset)
        count = self._hidden_set(queryset, is_hidden=False)
        action_log(request, objects, "Restored by a moderator.")
        self.message_user(request, f"{count} {self.model._meta.verbose_name_plural} restored.", messages.SUCCESS)


# A paper's summaries go with it: deleting papers here recounts their authors (services.papers_delete).
admin.site.unregister(Paper)


@admin.register(Paper)
class PaperAdmin(CatalogueAdmin):
    actions = ["merge"]

    def delete_model(self, request, obj):
        services.papers_delete(papers=Paper.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.papers_delete(papers=queryset)

    def has_merge_permission(self, request):
        return request.user.has_perm("papers.merge_paper")

    @admin.action(description="Merge the selected papers into…", permissions=["merge"])
    def merge(self, request, queryset):
        """Merge duplicates into the one chosen on the confirmation page, which lists, for each paper that could
        be kept, the people who summarised it and another of the selection (their summaries are folded)."""
        papers = list(queryset.order_by("pk")[:20])
        if len(papers) < 2:
            self.message_user(
                request, "Select at least two papers: the duplicates and the one to keep.", messages.ERROR
            )
            return None
        form = action_form(MergeForm, request, papers=papers)
        if not form.is_valid():
            by_paper: dict[int, set[str]] = {paper.pk: set() for paper in papers}
            for paper_id, username in Summary.objects.filter(paper__in=papers).values_list(
                "paper_id", "author__username"
            ):
                by_paper[paper_id].add(username)
            candidates, conflicts = [], False
            for paper in papers:
                others = set().union(*(names for pk, names in by_paper.items() if pk != paper.pk))
                people = sorted(by_paper[paper.pk] & others)
                conflicts = conflicts or bool(people)
                candidates.append((paper, len(by_paper[paper.pk]), people))
            intro = (
                "Choose the paper to keep. The others are deleted: their summaries, citations, aliases and views "
                "move to it, and their bibtex keys become its aliases, so their addresses redirect to it for good."
            )
            return action_page(
                self,
                request,
                queryset.filter(pk__in=[paper.pk for paper in papers]),
                action="merge",
                title="Merge these papers",
                form=form,
                intro=intro,
                candidates=candidates,
                conflicts=conflicts,
            )
        target = next(paper for paper in papers if paper.pk == form.cleaned_data["target"])
        moved, folded = 0, []
        for source in papers:
            if source.pk == target.pk:
                continue
            action_log(request, [source], f"Merged into {target.bibtex_key}.", deleted=True)
            result = services.papers_merge(source=source, target=target)
            moved += result.moved
            folded += result.folded
            action_log(request, [target], f"Merged {source.bibtex_key} into it ({result.moved} summaries moved).")
        message = f"{len(papers) - 1} papers merged into {target.bibtex_key}: {moved} summaries moved."
        if folded:
            message += (
                f" Summarised twice by {', '.join(sorted(set(folded)))}: each keeps one summary, the other's text "
                "is in its first revisions."
            )
        self.message_user(request, message, messages.SUCCESS)
        return None


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    readonly_fields = ("version", "body", "created_at")
    can_delete = False


@admin.register(Summary)
class SummaryAdmin(HideRestoreActions, admin.ModelAdmin):
    hide_service = services.summary_hidden_set
    hide_argument = "summaries"
    list_display = ("__str__", "excerpt", "paper_key", "author", "score", "is_private", "is_hidden", "edited_at")
    list_filter = ("is_hidden", "is_private", "is_anonymous")
    search_fields = ("paper__bibtex_key", "author__username", "body")
    list_select_related = ("paper", "author")
    raw_id_fields = ("paper", "author")
    readonly_fields = ("on_the_site", "body_html", "score", "version", "share_token", "created_at", "edited_at")
    readonly_fields += ("is_listed", "comment_count", "popularity")
    inlines = [RevisionInline]
    actions = ["hide", "restore", "rerender"]
    ordering = ("-edited_at", "-pk")
    show_full_result_count = False

    @admin.display(description="text")
    def excerpt(self, obj):
        return excerpt(obj.body)

    @admin.display(description="paper", ordering="paper__bibtex_key")
    def paper_key(self, obj):
        return obj.paper.bibtex_key

    @admin.display(description="on the site")
    def on_the_site(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "body" in form.changed_data:  # its HTML and citations follow the text, as at any save
            services.summary_rerender(summary=obj)
        services.summary_counters_refresh(summary_ids=[obj.pk])  # the flags may have been edited
        if change and "author" in form.changed_data:  # given to someone else: the old author loses it
            services.author_stats_refresh(user_ids=[form.initial["author"]])

    def delete_model(self, request, obj):
        services.summaries_delete(summaries=Summary.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.summaries_delete(summaries=queryset)

    @admin.action(description="Re-render the markup of the selected summaries", permissions=["change"])
    def rerender(self, request, queryset):
        changed = [
            summary for summary in queryset.prefetch_related("citations") if services.summary_rerender(summary=summary)
        ]
        action_log(request, changed, "Markup re-rendered.")
        self.message_user(request, f"{len(changed)} summaries re-rendered ({len(changed)} changed).", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(HideRestoreActions, admin.ModelAdmin):
    hide_service = services.comment_hidden_set
    hide_argument = "comments"
    list_display = ("__str__", "excerpt", "author", "summary_link", "created_at", "is_deleted", "is_hidden")
    list_filter = ("is_hidden", "is_deleted")
    search_fields = ("body", "author__username")
    list_select_related = ("author", "summary__paper", "summary__author")
    raw_id_fields = ("summary", "author")
    readonly_fields = ("on_the_site",)
    actions = ["hide", "restore"]
    ordering = ("-created_at", "-pk")
    show_full_result_count = False

    @admin.display(description="text")
    def excerpt(self, obj):
        return excerpt(obj.body)

    @admin.display(description="on summary")
    def summary_link(self, obj):
        return format_html('<a href="{}">{}</a>', comment_url(obj), obj.summary.paper.bibtex_key)

    @admin.display(description="on the site")
    def on_the_site(self, obj):
        return format_html('<a href="{}">{}</a>', comment_url(obj), comment_url(obj))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.summary_counters_refresh(summary_ids=[obj.summary_id])
        if change and "summary" in form.changed_data:  # moved to another summary: the old one loses it
            services.summary_counters_refresh(summary_ids=[form.initial["summary"]])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.summary_counters_refresh(summary_ids=[obj.summary_id])

    def delete_queryset(self, request, queryset):
        summary_ids = list(queryset.values_list("summary_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        services.summary_counters_refresh(summary_ids=summary_ids)


def comment_url(comment) -> str:
    summary = comment.summary
    return summary.get_absolute_url() + f"#{summary.anchor}-comments"


class ReportStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The reports queue: open ones first, oldest first; each row shows what was reported (an excerpt), its
    author, the paper, the reporter, the reason and links to the target on the site and in the admin. Resolving
    one report resolves every open report on the same target."""

    list_display = (
        "created_at",
        "reported_text",
        "target_author",
        "paper",
        "reporter",
        "reason",
        "details_excerpt",
        "links",
        "state",
    )
    list_filter = (ReportStateFilter, "reason", "verdict")
    search_fields = ("reporter__username", "summary__author__username", "comment__author__username", "details")
    raw_id_fields = ("summary", "comment", "reporter", "resolved_by")
    list_select_related = QUEUE_RELATED
    readonly_fields = ("reported_text", "target_author", "paper", "links", "resolved_at", "resolved_by")
    actions = ["resolve", "hide_and_resolve", "ban_and_resolve"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).for_queue()

    def get_ordering(self, request):
        return ()  # the queue's own order (ReportQuerySet.for_queue), unless a column is clicked

    @admin.display(description="reported text")
    def reported_text(self, obj):
        kind = "Summary" if obj.summary_id else "Comment"
        return format_html("<strong>{}:</strong> {}", kind, excerpt(obj.target.body))

    @admin.display(description="its author")
    def target_author(self, obj):
        return admin_link(obj.target.author)

    @admin.display(description="paper")
    def paper(self, obj):
        paper = obj.target_summary.paper
        return format_html('<a href="{}">{}</a>', paper.get_absolute_url(), paper.bibtex_key)

    @admin.display(description="details")
    def details_excerpt(self, obj):
        return excerpt(obj.details)

    @admin.display(description="links")
    def links(self, obj):
        target = obj.target
        site_url = comment_url(target) if obj.comment_id else target.get_absolute_url()
        return format_html('<a href="{}">on the site</a> · {}', site_url, admin_link(target, "in the admin"))

    @admin.display(description="state", ordering="resolved_at")
    def state(self, obj):
        if obj.resolved_at is None:
            return "Open"
        return f"{obj.get_verdict_display() or 'Resolved'} ({obj.resolved_by or 'nobody'})"

    @admin.action(description="Resolve the selected reports with a verdict…", permissions=["change"])
    def resolve(self, request, queryset):
        form = action_form(ResolveForm, request)
        if not form.is_valid():
            intro = "Every open report on the same summaries and comments is resolved with them."
            return action_page(
                self, request, queryset, action="resolve", title="Resolve these reports", form=form, intro=intro
            )
        data = form.cleaned_data
        resolved = self._resolved_with(queryset)
        count = services.reports_resolve(
            reports=queryset, verdict=data["verdict"], moderator=request.user, note=data["note"]
        )
        verdict = Report.Verdict(data["verdict"]).label
        action_log(request, resolved, f"Resolved: {verdict}. {data['note']}".strip())
        self.message_user(request, f"{count} reports resolved: {verdict.lower()}.", messages.SUCCESS)
        return None

    @admin.action(description="Hide the reported content and resolve…", permissions=["change"])
    def hide_and_resolve(self, request, queryset):
        form = action_form(HideAndResolveForm, request)
        if not form.is_valid():
            intro = (
                "The reported summaries and comments are hidden (their authors see the reason), and every open "
                "report on them is resolved as “content hidden”."
            )
            return action_page(
                self,
                request,
                queryset,
                action="hide_and_resolve",
                title="Hide the content and resolve",
                form=form,
                intro=intro,
            )
        data = form.cleaned_data
        resolved = self._resolved_with(queryset)
        targets = [report.target for report in queryset]
        hidden, count = services.report_targets_hide(
            reports=queryset, moderator=request.user, reason=data["reason"], note=data["note"]
        )
        action_log(request, resolved, f"Resolved: content hidden. {data['note']}".strip())
        action_log(request, targets, f"Hidden by a moderator: {data['reason'] or 'what it was reported for'}")
        self.message_user(request, f"{hidden} hidden, {count} reports resolved.", messages.SUCCESS)
        return None

    def has_ban_permission(self, request):
        return request.user.has_perm(f"{get_user_model()._meta.app_label}.ban_user")

    @admin.action(description="Ban the authors of the reported content and resolve…", permissions=["change", "ban"])
    def ban_and_resolve(self, request, queryset):
        form = action_form(NoteForm, request)
        if not form.is_valid():
            intro = (
                "The authors of the reported summaries and comments are banned (all their content leaves the site), "
                "and every open report on this content is resolved as “author banned”."
            )
            return action_page(
                self,
                request,
                queryset,
                action="ban_and_resolve",
                title="Ban the authors and resolve",
                form=form,
                intro=intro,
            )
        note = form.cleaned_data["note"]
        resolved = self._resolved_with(queryset)
        authors = get_user_model().objects.filter(pk__in={report.target.author_id for report in queryset})
        banned = list(authors)
        services.user_banned_set(users=authors, is_banned=True)
        count = services.reports_resolve(
            reports=queryset, verdict=Report.Verdict.AUTHOR_BANNED, moderator=request.user, note=note
        )
        action_log(request, resolved, f"Resolved: author banned. {note}".strip())
        action_log(request, banned, "Banned.")
        self.message_user(request, f"{len(banned)} users banned, {count} reports resolved.", messages.SUCCESS)
        return None

    @staticmethod
    def _resolved_with(queryset):
        """The open reports that resolving `queryset` resolves (theirs and those on the same targets)."""
        return list(Report.objects.open().on_targets_of(queryset))


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "summary", "voter", "value", "updated_at")
    list_filter = ("value",)
    list_select_related = ("summary", "voter")
    search_fields = ("voter__username",)
    raw_id_fields = ("summary", "voter")
    ordering = ("-updated_at", "-pk")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        summary_ids = {obj.summary_id, form.initial.get("summary") or obj.summary_id}  # it may have moved
        services.summary_scores_refresh(summary_ids=summary_ids)
        services.summary_popularity_refresh(summary_ids=summary_ids)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.summary_scores_refresh(summary_ids=[obj.summary_id])
        services.summary_popularity_refresh(summary_ids=[obj.summary_id])

    def delete_queryset(self, request, queryset):
        summary_ids = list(queryset.values_list("summary_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        services.summary_scores_refresh(summary_ids=summary_ids)
        services.summary_popularity_refresh(summary_ids=summary_ids)
