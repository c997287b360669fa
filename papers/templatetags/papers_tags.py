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
    if value >= now:
        return "today" if not hasattr(value, "hour") else "just now"
    return timesince(value, now, depth=1) + " ago"


@register.inclusion_tag("includes/_paper_title.html")
def paper_title(paper, link=True, show_abstract=True, open_abstract=False):
    """The title block: title, authors, venue – year via source, keywords, links, abstract toggle."""
    return {"paper": paper, "link": link, "show_abstract": show_abstract, "open_abstract": open_abstract}
