from django.contrib import admin
from django.db import models

from .models import Author, HarvestCheckpoint, Paper, PaperAlias, PaperAuthor, Venue, Work
from .services import paper_authors_text_refresh, venue_for_key


class PaperAuthorInline(admin.TabularInline):
    model = PaperAuthor
    extra = 0
    autocomplete_fields = ["author"]
    ordering = ["position"]


class PaperAliasInline(admin.TabularInline):
    model = PaperAlias
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("bibtex_key", "title", "year", "venue", "source", "arxiv_id", "doi", "withdrawn", "modified_at")
    list_filter = ("source", "withdrawn", "year", "entry_type", ("venue", admin.RelatedOnlyFieldListFilter))
    search_fields = ("bibtex_key", "title", "arxiv_id", "doi", "aliases__alias")
    list_select_related = ("venue",)
    readonly_fields = ("created_at", "modified_at")
    autocomplete_fields = ["venue"]
    inlines = [PaperAuthorInline, PaperAliasInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if obj.venue_id is None:  # a new dblp-style key gets its venue, as an import would give it
            obj.venue = venue_for_key(obj.bibtex_key, name=obj.published_in)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        paper_authors_text_refresh(paper_ids=[form.instance.pk])  # the inline's author rows: the search vector


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "name_normalized")
    search_fields = ("name", "name_normalized")

    # A renamed or deleted author changes the authors_text (and so the search vector) of each of their papers.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            paper_authors_text_refresh(paper_ids=obj.paper_authors.values_list("paper_id", flat=True))

    def delete_model(self, request, obj):
        paper_ids = list(obj.paper_authors.values_list("paper_id", flat=True))
        super().delete_model(request, obj)
        paper_authors_text_refresh(paper_ids=paper_ids)

    def delete_queryset(self, request, queryset):
        paper_ids = list(PaperAuthor.objects.filter(author__in=queryset).values_list("paper_id", flat=True))
        super().delete_queryset(request, queryset)
        paper_authors_text_refresh(paper_ids=paper_ids)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("key", "name")


@admin.register(PaperAlias)
class PaperAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "paper")
    search_fields = ("alias", "paper__bibtex_key")
    autocomplete_fields = ["paper"]


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ("__str__", "paper_keys", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("papers")

    @admin.display(description="papers")
    def paper_keys(self, obj):
        return ", ".join(p.bibtex_key for p in obj.papers.all())

    readonly_fields = ("paper_keys", "created_at")
    fields = ("paper_keys", "created_at")


@admin.register(HarvestCheckpoint)
class HarvestCheckpointAdmin(admin.ModelAdmin):
    list_display = ("name", "from_date", "until_date", "pages", "records", "harvested_until", "finished_at")
    readonly_fields = [f.name for f in HarvestCheckpoint._meta.fields]
