"""Full-text search pieces every app shares: the stored search vector's expression (SearchDocument), the
query's text search configuration, and highlighted snippets turned into safe HTML (highlight_html).

Postgres does the searching (django.contrib.postgres.search: websearch_to_tsquery, ts_rank, ts_headline); on
other databases the vector is NULL and the apps fall back to word-by-word icontains (papers.search)."""

import re

from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SEARCH_CONFIG = "english"  # stemmed English: "learning" finds "learned", stop words are dropped

# What ts_headline puts around a match: two characters of Unicode's private use area, which no escaping changes,
# so that the whole snippet can be escaped first and the markers made into <mark> after (highlight_html).
START_MARK, STOP_MARK = "\ue000", "\ue001"
_MARKED = re.compile(f"{START_MARK}([^{START_MARK}{STOP_MARK}]*){STOP_MARK}")


class SearchDocument(Func):
    """The weighted text search vector of a row's columns, for a stored GeneratedField:
    setweight(to_tsvector('english', COALESCE(col, '')), 'A') || ... (a JSON list's strings for a JSONField).
    Every function in it is immutable, as a generated column requires. NULL on other databases.

        SearchDocument(("title", "A"), ("abstract", "D"), json=("keywords",))
    """

    arg_joiner = " || "
    template = "(%(expressions)s)"

    def __init__(self, *weighted: tuple[str, str], json: tuple[str, ...] = ()):
        self.weighted, self.json = weighted, tuple(json)
        super().__init__(*(F(name) for name, _ in weighted), output_field=SearchVectorField())

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = [], []
        for (name, weight), expression in zip(self.weighted, self.source_expressions, strict=True):
            column, column_params = compiler.compile(expression)
            if name in self.json:  # jsonb: to_tsvector reads its strings
                part = f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, {column}), '{weight}')"
            else:
                part = f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE({column}, '')), '{weight}')"
            sql.append(part)
            params += column_params
        return "(" + " || ".join(sql) + ")", params

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []

    as_mysql = as_oracle = as_sqlite


def headline_options(*, whole: bool = False, words: int = 35) -> dict:
    """SearchHeadline's (ts_headline's) options: our markers; the whole text (a title) or up to two fragments of
    about `words` words."""
    marks = {"start_sel": START_MARK, "stop_sel": STOP_MARK}
    if whole:
        return {**marks, "highlight_all": True}
    return {**marks, "max_words": words, "min_words": words // 2, "max_fragments": 2, "fragment_delimiter": " … "}


def highlight_html(headline: str) -> SafeString:
    """ts_headline's output (a title, an abstract's fragments) as HTML: the whole text escaped, then each pair of
    markers made a <mark>; a marker without its pair (one that was in the stored text itself) is dropped."""
    escaped = escape(headline)
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(START_MARK, "").replace(STOP_MARK, ""))  # noqa: S308 (escaped above)
