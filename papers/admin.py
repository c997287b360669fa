"""The catalogue in the admin. Papers and authors are millions of rows: their changelists never sort, count or
list-filter the whole table (CappedCountPaginator, the primary key's order, no sortable columns, filters without
a query), and a search by key, alias, arXiv id or DOI is an index look-up (Paper.objects.resolve_many)."""

from django.contrib import admin
from django.contrib.postgres.search import SearchQuery
from django.db import models
from django.db.models import Q

from shortscience.pagination import CappedCountPaginator
from shortscience.search import SEARCH_CONFIG

from .models import Author, HarvestCheckpoint, Paper, PaperAlias, PaperAuthor, Venue, Work
from .search import paper_document, query_is_empty, search_available
from .services import paper_authors_text_refresh, venue_for_key


class PaperAuthorInline(admin.TabularInline):
    model = PaperAuthor
    extra = 0
    autocomplete_fields = ["author"]
    ordering = ["position"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class PaperAliasInline(admin.TabularInline):
    model = PaperAlias
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("bibtex_key", "title", "year", "venue", "source", "arxiv_id", "doi", "withdrawn", "modified_at")
    list_filter = ("source", "withdrawn")  # choices known without a query (a year or venue filter reads them all)
    search_fields = ("title",)  # and keys, aliases, arXiv ids, DOIs: get_search_results
    search_help_text = "A bibtex key, alias, arXiv id or DOI (exact), or words of the title."
    list_select_related = ("venue",)
    readonly_fields = ("created_at", "modified_at")
    autocomplete_fields = ["venue"]
    inlines = [PaperAuthorInline, PaperAliasInline]
    ordering = ("-pk",)
    sortable_by = ()
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_search_results(self, request, queryset, search_term):
        """A key, an alias, an arXiv id or URL, a DOI: that paper (index look-ups); anything else: papers whose
        title contains it (words of it: found through the search vector on Postgres)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        found = Paper.objects.resolve_many([term]).get(term)
        if found is not None:
            return queryset.filter(pk=found.pk), False
        if search_available() and not query_is_empty(term):
            # The title's words are in the search vector: its GIN index finds the candidates, then the title is
            # checked (a title with the words is always among them; reading the whole table took seconds). Papers
            # whose vector the fill job has not made yet are candidates too (paper_search_pending_idx).
            query = SearchQuery(term, config=SEARCH_CONFIG, search_type="websearch")
            queryset = queryset.alias(document=paper_document()).filter(
                Q(document=query, search_vector__isnull=False) | Q(search_vector__isnull=True)
            )
        return queryset.filter(title__icontains=term), False

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
    ordering = ("name",)  # its unique index
    sortable_by = ()
    show_full_result_count = False
    paginator = CappedCountPaginator

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
    list_display = ("key", "name", "url", "paper_count")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("key", "name")
    readonly_fields = ("paper_count",)


@admin.register(PaperAlias)
class PaperAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "paper")
    search_fields = ("alias",)  # exact, an index look-up: get_search_results
    search_help_text = "An alias, exactly."
    list_select_related = ("paper",)
    autocomplete_fields = ["paper"]
    ordering = ("-pk",)
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        return (queryset.filter(alias=term), False) if term else (queryset, False)


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ("__str__", "paper_keys", "created_at")
    readonly_fields = ("paper_keys", "created_at")
    fields = ("paper_keys", "created_at")
    ordering = ("-pk",)
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("papers")

    @admin.display(description="papers")
    def paper_keys(self, obj):
        return ", ".join(p.bibtex_key for p in obj.papers.all())


@admin.register(HarvestCheckpoint)
class HarvestCheckpointAdmin(admin.ModelAdmin):
    list_display = ("name", "from_date", "until_date", "pages", "records", "harvested_until", "finished_at")
    readonly_fields = [f.name for f in HarvestCheckpoint._meta.fields]
