"""What the tests of the search vectors ask: whether a row's stored vector matches a query, and with what weight."""

from django.contrib.postgres.search import SearchQuery
from django.db import connection


def finds(queryset, text: str) -> bool:
    """Whether some row of `queryset` has a stored search vector matching `text` (websearch syntax, English)."""
    return queryset.filter(search_vector=SearchQuery(text, config="english", search_type="websearch")).exists()


def weights(row, word: str) -> str:
    """The weights (A-D) at which the lexeme of `word` is stored in `row`'s search vector ("" if absent)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT string_agg(DISTINCT w, '' ORDER BY w) FROM {row._meta.db_table} t, "
            "unnest(t.search_vector) u(lexeme, positions, ws), unnest(u.ws) w "
            "WHERE t.id = %s AND u.lexeme = ANY(tsvector_to_array(to_tsvector('english', %s)))",
            [row.pk, word],
        )
        return cursor.fetchone()[0] or ""
