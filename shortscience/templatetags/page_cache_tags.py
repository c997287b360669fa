"""{% page_generation "lists" as gen %}: the page cache's generations, for a `{% cache %}` fragment of a
logged-in page that must change exactly when the guests' page would (the writes bump the same scopes)."""

from django import template

from shortscience import page_cache

register = template.Library()


@register.simple_tag
def page_generation(*scopes) -> str:
    return page_cache.generation_key(scopes)
