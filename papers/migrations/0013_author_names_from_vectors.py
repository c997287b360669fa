""" "Did you mean" looks for author names in papers_authorname (papers.models.AuthorName, a trigram index) instead of
papers_author (author_name_trgm_idx).

The bulk import inserts ~1.2 new author rows a paper, and their trigram entries were the whole of what the search's
indexes cost its COPY: 18 % more time than without them (logged COPY of 100,000 papers, 8 alternating runs; the
pending-vector and the partial indexes cost nothing measurable). Here the trigger that makes a paper's vector also
adds its authors' names (from authors_text) to papers_authorname, so the bulk import, whose vectors the fill job
makes, pays nothing for them, and every other writer's names are there at once, as its vector is.

The names of the authors stored now are copied in; the old index is dropped CONCURRENTLY. Postgres only, as 0010
(the table exists elsewhere, empty and unused)."""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(NEW.title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.authors_text, '')), 'B')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.keywords, '[]'::jsonb)), 'C')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.abstract, '')), 'D')"
)
NAMES = """
        IF OLD.search_vector IS NULL OR NEW.authors_text IS DISTINCT FROM OLD.authors_text THEN
            INSERT INTO papers_authorname (name)
                SELECT n FROM unnest(string_to_array(NEW.authors_text, E'\\n')) AS n WHERE n <> ''
                ON CONFLICT DO NOTHING;
        END IF;"""
# papers_paper_search_vector() of 0010, with the names added where the vector is made (`names`: NAMES or "").
FUNCTION = """
CREATE OR REPLACE FUNCTION papers_paper_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('shortscience.search_deferred', true) = 'on' THEN
        NEW.search_vector := NULL;
    ELSIF NEW.search_vector IS NULL
            OR NEW.title IS DISTINCT FROM OLD.title OR NEW.authors_text IS DISTINCT FROM OLD.authors_text
            OR NEW.keywords IS DISTINCT FROM OLD.keywords OR NEW.abstract IS DISTINCT FROM OLD.abstract THEN
        NEW.search_vector := {vector};{names}
    ELSE
        NEW.search_vector := OLD.search_vector;
    END IF;
    RETURN NEW;
END
$$
"""


def names_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:  # Django's extra varchar_pattern_ops index: nothing uses it
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'papers_authorname' AND indexname LIKE %s", ["%\\_like"]
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'DROP INDEX "{name}"')
    schema_editor.execute(FUNCTION.format(vector=VECTOR, names=NAMES))
    schema_editor.execute(
        "INSERT INTO papers_authorname (name) SELECT name FROM papers_author WHERE name <> '' ON CONFLICT DO NOTHING"
    )
    schema_editor.execute("CREATE INDEX author_name_search_trgm_idx ON papers_authorname USING gin (name gin_trgm_ops)")
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS author_name_trgm_idx")
    schema_editor.execute("ANALYZE papers_authorname")


def names_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS author_name_trgm_idx ON papers_author USING gin (name gin_trgm_ops)"
    )
    schema_editor.execute(FUNCTION.format(vector=VECTOR, names=""))


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("papers", "0012_author_names"),
    ]

    operations = [
        migrations.RunPython(names_create, names_drop),
    ]
