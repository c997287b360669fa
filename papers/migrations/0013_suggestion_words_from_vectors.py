""" "Did you mean" looks among words kept for it: the author names of papers (papers_authorname, papers.models.
AuthorName) and the words of titles (papers_titleword, TitleWord), each with a trigram index, instead of in
papers_author (author_name_trgm_idx) and in the titles themselves (paper_title_trgm_idx).

- The bulk import inserts ~1.2 new author rows a paper, and their trigram entries were the whole of what the
  search's indexes cost its COPY: 18 % more time than without them (logged COPY of 100,000 papers, 8 alternating
  runs; the pending-vector and the partial indexes cost nothing measurable).
- A misspelt word near many titles made the title look-up read them all (56,000 candidates on 48,000 pages, 2.7 s
  at 1M papers for "sorphaplagra"): it always ran into its timeout and never suggested anything. A word is now
  corrected against the titles' words (papers.search.suggestion).

The trigger that makes a paper's vector adds its authors' names (from authors_text) and its title's words, so the
bulk import, whose vectors the fill job makes, pays nothing for them, and every other writer's are there at once,
as its vector is. Those of the papers stored now are copied in; the old indexes are dropped CONCURRENTLY.
Postgres only, as 0010 (the tables exist elsewhere, empty and unused)."""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(NEW.title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.authors_text, '')), 'B')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.keywords, '[]'::jsonb)), 'C')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.abstract, '')), 'D')"
)
# A title's words: its lexemes in the 'simple' configuration (lower case, unstemmed) of 4 letters or more
# (papers.search.TITLE_WORD_MIN).
TITLE_WORDS = (
    "SELECT w FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig, COALESCE({title}, '')))) AS w "
    "WHERE length(w) >= 4"
)
NAMES = f"""
        IF OLD.search_vector IS NULL OR NEW.authors_text IS DISTINCT FROM OLD.authors_text THEN
            INSERT INTO papers_authorname (name)
                SELECT n FROM unnest(string_to_array(NEW.authors_text, E'\\n')) AS n WHERE n <> ''
                ON CONFLICT DO NOTHING;
        END IF;
        IF OLD.search_vector IS NULL OR NEW.title IS DISTINCT FROM OLD.title THEN
            INSERT INTO papers_titleword (word) {TITLE_WORDS.format(title="NEW.title")} ON CONFLICT DO NOTHING;
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


TABLES = (
    ("papers_authorname", "name", "author_name_search_trgm_idx"),
    ("papers_titleword", "word", "title_word_trgm_idx"),
)
OLD_INDEXES = (
    ("author_name_trgm_idx", "papers_author USING gin (name gin_trgm_ops)"),
    ("paper_title_trgm_idx", "papers_paper USING gin (title gin_trgm_ops) WHERE search_vector IS NOT NULL"),
)


def words_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:  # Django's extra varchar_pattern_ops indexes: nothing uses them
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('papers_authorname', 'papers_titleword') "
            "AND indexname LIKE %s",
            ["%\\_like"],
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'DROP INDEX "{name}"')
    schema_editor.execute(FUNCTION.format(vector=VECTOR, names=NAMES))
    schema_editor.execute(
        "INSERT INTO papers_authorname (name) SELECT name FROM papers_author WHERE name <> '' ON CONFLICT DO NOTHING"
    )
    schema_editor.execute(
        "INSERT INTO papers_titleword (word) SELECT DISTINCT w FROM papers_paper p CROSS JOIN LATERAL ("
        + TITLE_WORDS.format(title="p.title")
        + ") t WHERE p.search_vector IS NOT NULL ON CONFLICT DO NOTHING"
    )
    for table, column, index in TABLES:
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin ({column} gin_trgm_ops)")
        schema_editor.execute(f"ANALYZE {table}")
    for name, _ in OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def words_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in OLD_INDEXES:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")
    schema_editor.execute(FUNCTION.format(vector=VECTOR, names=""))


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("papers", "0012_suggestion_words"),
    ]

    operations = [
        migrations.RunPython(words_create, words_drop),
    ]
