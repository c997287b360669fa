"""Full-text search of papers (papers/search.py): the authors' names denormalised onto the paper (authors_text), the
stored search vector (title A, authors B, keywords C, abstract D) set by a trigger, its GIN index, and pg_trgm with
trigram indexes on titles and author names for "did you mean".

Why a trigger and not a generated column: making the vector (to_tsvector of a ~1 KB abstract) costs Postgres more
than storing the whole row with its indexes; computed as the bulk import COPYs, it made the import 2.6 times as
slow (bench/import_bench.py). So triggers set the vector on every INSERT and on every UPDATE that changes its
columns, whichever path writes (the ORM, the admin, QuerySet.update, SQL), unless the transaction has set
`shortscience.search_deferred` (the bulk import does, papers.bulk): then it leaves the vector NULL, and
papers.services.paper_search_vectors_fill (a job the import enqueues) fills those rows, found through the partial
index paper_search_pending_idx. The GIN and title trigram indexes are partial (rows with a vector), so the bulk
import pays nothing for them; the fill does.

Postgres only (SQLite has neither triggers in this form nor GIN: `make run` searches with icontains)."""

from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models

VECTOR = (
    "setweight(to_tsvector('english'::regconfig, COALESCE({row}.title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE({row}.authors_text, '')), 'B')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE({row}.keywords, '[]'::jsonb)), 'C')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE({row}.abstract, '')), 'D')"
)

# A BEFORE UPDATE trigger makes the vector; new rows get theirs from an AFTER INSERT trigger that updates them. Not a
# BEFORE INSERT one: any BEFORE ROW INSERT trigger makes COPY insert row by row instead of in batches, which cost
# the bulk import a third of its speed even with the vector deferred; the AFTER one's WHEN clause keeps the bulk
# import's rows from even being queued.
TRIGGER = f"""
CREATE FUNCTION papers_paper_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('shortscience.search_deferred', true) = 'on' THEN
        NEW.search_vector := NULL;
    ELSIF NEW.search_vector IS NULL
            OR NEW.title IS DISTINCT FROM OLD.title OR NEW.authors_text IS DISTINCT FROM OLD.authors_text
            OR NEW.keywords IS DISTINCT FROM OLD.keywords OR NEW.abstract IS DISTINCT FROM OLD.abstract THEN
        NEW.search_vector := {VECTOR.format(row="NEW")};
    ELSE
        NEW.search_vector := OLD.search_vector;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER papers_paper_search_vector BEFORE UPDATE ON papers_paper
    FOR EACH ROW EXECUTE FUNCTION papers_paper_search_vector();
CREATE FUNCTION papers_paper_search_vector_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE papers_paper SET search_vector = NULL WHERE id = NEW.id;  -- the trigger above makes it
    RETURN NULL;
END
$$;
CREATE TRIGGER papers_paper_search_vector_new AFTER INSERT ON papers_paper
    FOR EACH ROW WHEN (current_setting('shortscience.search_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION papers_paper_search_vector_new();
"""

INDEXES = (
    ("paper_search_vector_idx", "papers_paper USING gin (search_vector) WHERE search_vector IS NOT NULL"),
    ("paper_search_pending_idx", "papers_paper (id) WHERE search_vector IS NULL"),
    ("paper_title_trgm_idx", "papers_paper USING gin (title gin_trgm_ops) WHERE search_vector IS NOT NULL"),
    ("author_name_trgm_idx", "papers_author USING gin (name gin_trgm_ops)"),
)


def authors_text_fill(apps, schema_editor):
    """Elsewhere than Postgres (SQLite: the search's fallback reads authors_text), the stored papers' authors_text
    from their author rows. On Postgres paper_search_vectors_fill sets it with each vector."""
    if schema_editor.connection.vendor == "postgresql":
        return
    Paper, PaperAuthor = apps.get_model("papers", "Paper"), apps.get_model("papers", "PaperAuthor")
    names = {}
    for paper_id, name in PaperAuthor.objects.order_by("paper_id", "position").values_list("paper_id", "author__name"):
        names.setdefault(paper_id, []).append(name)
    for paper_id, paper_names in names.items():
        Paper.objects.filter(pk=paper_id).update(authors_text="\n".join(paper_names))


def search_create(apps, schema_editor):
    """The trigger and the indexes. The papers already stored are left without a vector (and authors_text): a
    migration holds its table locked, and making a million vectors takes minutes, so `manage.py
    fill_search_vectors` (README, Deploying) makes them afterwards, in short transactions, while the site runs."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TRIGGER)
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX {name} ON {definition}")


def search_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for trigger in ("papers_paper_search_vector", "papers_paper_search_vector_new"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON papers_paper")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {trigger}()")


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0009_merge_permission"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="paper",
            name="authors_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(authors_text_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="paper",
            name="search_vector",
            field=SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(search_create, search_drop),
    ]
