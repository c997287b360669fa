"""The papers' search index answers the year and venue filters too (papers/search.py, SearchFilters.tsquery).

Before, a filtered search read the text matches row by row until it had enough of the year: "learning" in 2017 at
1M papers read 19,000 matches on 17,000 heap pages to find its 1,000 (p99 170-225 ms, bench/search_bench.py). Now
the GIN index is on paper_search_document(search_vector, year, venue_id): the stored vector with two lexemes added,
'year=2017' and 'venue=<id>', which no text can produce (the parser splits words at '='). A filter is ANDed into the
text query, and the index gives only the papers of that year or venue.

An expression index, not lexemes stored in the vector: ranking still reads the stored vector (ts_rank is unchanged),
a paper moved to another year or venue is found there at once whatever wrote it, and no vector is made again: the
index is built from the stored ones (CONCURRENTLY: the site searches through the old index meanwhile; minutes at
millions of papers), then the old one is dropped. Statistics on the expression (CREATE STATISTICS) tell the planner
how common each word is, as the column's own did; the table is analyzed to gather them.
Postgres only, as 0010."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION paper_search_document(vector tsvector, year integer, venue_id bigint)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT vector || array_to_tsvector(array_remove(ARRAY['year=' || year::text, 'venue=' || venue_id::text], NULL))
$$
"""
# What the planner knows of the expression: how many papers each lexeme is in. ANALYZE gathers none for an index
# expression whose index stores another type (GIN keeps text keys), so without these statistics every search was
# estimated at 0.5 % of the papers: a word in 830,000 of them was looked up in the index (110 ms) instead of read
# from the first rows of the table (30 ms).
STATISTICS = """
CREATE STATISTICS IF NOT EXISTS paper_search_document_stats
    ON (paper_search_document(search_vector, year, venue_id)) FROM papers_paper
"""
NEW_INDEX = (
    "paper_search_document_idx",
    "papers_paper USING gin (paper_search_document(search_vector, year, venue_id)) WHERE search_vector IS NOT NULL",
)
OLD_INDEX = ("paper_search_vector_idx", "papers_paper USING gin (search_vector) WHERE search_vector IS NOT NULL")


def swap(schema_editor, new, old):
    """Build index `new`, then drop `old`. A build that failed before (interrupted, say) left `new` invalid: it is
    dropped and built again, never kept in place of the old one."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [new[0]])
        if cursor.fetchone() == (False,):
            schema_editor.execute(f"DROP INDEX CONCURRENTLY {new[0]}")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {new[0]} ON {new[1]}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {old[0]}")
    schema_editor.execute("ANALYZE papers_paper")


def document_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(STATISTICS)
    swap(schema_editor, NEW_INDEX, OLD_INDEX)


def vector_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    swap(schema_editor, OLD_INDEX, NEW_INDEX)
    schema_editor.execute("DROP STATISTICS IF EXISTS paper_search_document_stats")
    schema_editor.execute("DROP FUNCTION IF EXISTS paper_search_document(tsvector, integer, bigint)")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("papers", "0010_search_vector"),
    ]

    operations = [
        migrations.RunPython(document_index, vector_index),
    ]
