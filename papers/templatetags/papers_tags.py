import hashlib
import json

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(value):
    """'10 years ago' for a date or datetime; 'today' for a date from today on, 'just now' for the last minute."""
    if not value:
        return ""
    now = timezone.now()
    if not hasattr(value, "hour"):  # a date
        now = now.date()
        return "today" if value >= now else timesince(value, now, depth=1) + " ago"
    if (now - value).total_seconds() < 60:
        return "just now"
    return timesince(value, now, depth=1) + " ago"


@register.filter(expects_localtime=True)
def html_datetime(value):
    """The value of a <time datetime> attribute: ISO 8601 to the second (HTML allows at most three decimals, and
    `|date:"c"` gives six), with the offset: 2026-12-01T21:33:19+00:00."""
    if not value:
        return ""
    if not hasattr(value, "hour"):  # a date
        return value.isoformat()
    return value.replace(microsecond=0).isoformat()


DESCRIPTION_LENGTH = 160  # about what search engines show of a meta description
DESCRIPTION_AUTHORS = 3


@register.filter
def meta_text(text, length=DESCRIPTION_LENGTH):
    """Text for a meta description: on one line, cut to `length` characters with "…" (the template escapes it)."""
    return Truncator(" ".join(str(text).split())).chars(int(length))


@register.filter
def paper_description(paper):
    """The paper's meta description and og:description: its abstract, or else what it is, by whom, where and when;
    as meta_text."""
    text = paper.abstract
    if not text:
        names = paper.author_names
        by = ", ".join(names[:DESCRIPTION_AUTHORS]) + (" et al." if len(names) > DESCRIPTION_AUTHORS else "")
        where = " ".join(str(part) for part in (paper.venue_label, paper.year) if part)
        text = paper.title + (f", by {by}" if names else "") + (f" ({where})." if where else ".")
    return meta_text(text)


def digest(*values) -> str:
    """A short digest of what a cached fragment shows: the fragment's key, so that any change is a new key."""
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


@register.filter
def fragment_key(paper) -> str:
    """{% cache … paper|fragment_key %}: a digest of every field the title block shows."""
    return digest(
        paper.pk,
        paper.bibtex_key,
        paper.title,
        paper.author_names,
        paper.venue_label,
        paper.venue.key if paper.venue_id else "",
        paper.year,
        paper.source,
        paper.keywords,
        paper.links,
        paper.abstract,
        paper.published,
    )


@register.inclusion_tag("papers/includes/_paper_title.html")
def paper_title(paper, link=True, show_abstract=True, open_abstract=False, id_prefix=""):
    """The title block: title, authors, venue – year via source, keywords, links, abstract toggle. The abstract's
    id is abstract-<paper pk>, or <id_prefix>-abstract where one paper can be shown twice (the homepage feed)."""
    abstract_id = f"{id_prefix}-abstract" if id_prefix else f"abstract-{paper.pk}"
    return {
        "paper": paper,
        "link": link,
        "show_abstract": show_abstract,
        "open_abstract": open_abstract,
        "abstract_id": abstract_id,
    }


# As json_script escapes: no text inside the JSON can close the <script> element or open a comment.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(data):
    """A dict as the content of <script type="application/ld+json">."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))
