from django.contrib import admin

from .models import Author, Paper, PaperAlias, PaperAuthor, Venue


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
    list_display = ("bibtex_key", "title", "year", "venue", "source", "arxiv_id", "doi", "modified_at")
    list_filter = ("source", "year", "entry_type", ("venue", admin.RelatedOnlyFieldListFilter))
    search_fields = ("bibtex_key", "title", "arxiv_id", "doi", "aliases__alias")
    list_select_related = ("venue",)
    readonly_fields = ("created_at", "modified_at")
    autocomplete_fields = ["venue"]
    inlines = [PaperAuthorInline, PaperAliasInline]
    show_full_result_count = False


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "name_normalized")
    search_fields = ("name", "name_normalized")


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "url")
    search_fields = ("key", "name")


@admin.register(PaperAlias)
class PaperAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "paper")
    search_fields = ("alias", "paper__bibtex_key")
    autocomplete_fields = ["paper"]
