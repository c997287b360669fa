from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(value):
    """'10 years ago' / 'today' for a date or datetime."""
    if not value:
        return ""
    now = timezone.now()
    if not hasattr(value, "hour"):
        now = now.date()
    if not hasattr(value, "hour"):
        return "today" if value >= now else timesince(value, now, depth=1) + " ago"
    if (now - value).total_seconds() < 60:
        return "just now"
    return timesince(value, now, depth=1) + " ago"


@register.inclusion_tag("includes/_paper_title.html")
def paper_title(paper, link=True, show_abstract=True, open_abstract=False):
    """The title block: title, authors, venue – year via source, keywords, links, abstract toggle."""
    return {"paper": paper, "link": link, "show_abstract": show_abstract, "open_abstract": open_abstract}


@register.filter
def get_item(mapping, key):
    """{{ my_votes|get_item:summary.pk }}"""
    return mapping.get(key) if mapping else None


@register.filter
def jsonld(data):
    """A dict as JSON-LD script content, escaped like json_script so no text can close the script."""
    import json

    from django.utils.html import _json_script_escapes
    from django.utils.safestring import mark_safe

    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_json_script_escapes))
