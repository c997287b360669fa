from django.contrib import admin
from django.utils import timezone

from papers.admin import PaperAdmin as CatalogueAdmin
from papers.models import Paper

from . import services
from .models import Comment, Report, Revision, Summary, Vote

# A paper's summaries go with it: deleting papers here recounts their authors (services.papers_delete).
admin.site.unregister(Paper)


@admin.register(Paper)
class PaperAdmin(CatalogueAdmin):
    def delete_model(self, request, obj):
        services.papers_delete(papers=Paper.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.papers_delete(papers=queryset)


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    readonly_fields = ("version", "body", "created_at")
    can_delete = False


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ("paper", "author", "score", "is_private", "is_anonymous", "is_hidden", "edited_at")
    list_filter = ("is_hidden", "is_private", "is_anonymous")
    search_fields = ("paper__bibtex_key", "paper__title", "author__username", "body")
    list_select_related = ("paper", "author")
    raw_id_fields = ("paper", "author")
    readonly_fields = ("body_html", "score", "version", "share_token", "created_at", "edited_at")
    readonly_fields += ("is_listed", "comment_count", "popularity")
    inlines = [RevisionInline]
    actions = ["hide", "restore"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.summary_counters_refresh(summary_ids=[obj.pk])  # the flags may have been edited
        if change and "author" in form.changed_data:  # given to someone else: the old author loses it
            services.author_stats_refresh(user_ids=[form.initial["author"]])

    def delete_model(self, request, obj):
        services.summaries_delete(summaries=Summary.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.summaries_delete(summaries=queryset)

    @admin.action(description="Hide the selected summaries")
    def hide(self, request, queryset):
        self.message_user(
            request, f"{services.summary_hidden_set(summaries=queryset, is_hidden=True)} summaries hidden."
        )

    @admin.action(description="Restore the selected summaries")
    def restore(self, request, queryset):
        count = services.summary_hidden_set(summaries=queryset, is_hidden=False)
        self.message_user(request, f"{count} summaries restored.")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("summary", "author", "created_at", "is_deleted", "is_hidden")
    list_filter = ("is_hidden", "is_deleted")
    search_fields = ("body", "author__username")
    raw_id_fields = ("summary", "author")
    actions = ["hide", "restore"]

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

    @admin.action(description="Hide the selected comments")
    def hide(self, request, queryset):
        self.message_user(request, f"{services.comment_hidden_set(comments=queryset, is_hidden=True)} comments hidden.")

    @admin.action(description="Restore the selected comments")
    def restore(self, request, queryset):
        count = services.comment_hidden_set(comments=queryset, is_hidden=False)
        self.message_user(request, f"{count} comments restored.")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reporter", "reason", "created_at", "resolved_at")
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter))
    raw_id_fields = ("summary", "comment", "reporter", "resolved_by")
    actions = ["resolve"]

    @admin.action(description="Mark the selected reports resolved")
    def resolve(self, request, queryset):
        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=request.user)
        self.message_user(request, f"{count} reports resolved.")


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("summary", "voter", "value", "updated_at")
    raw_id_fields = ("summary", "voter")

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
