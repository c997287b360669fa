"""The bulk import of the arXiv snapshot: thousands of papers per transaction, by the rules of
services.paper_upsert. `snapshot_import` is its entry (the import_arxiv_snapshot command calls it).

- batches.py: snapshot_import: checks the records, runs each batch in one transaction (what is stored is read,
  merged and counted, the writer writes, works are linked), keeps the venues and chooses the writer;
- read_ahead.py: the reader, a forked process or a thread, that reads, checks and prepares the next batches while
  the database writes this one (no Django in it);
- rows.py: what passes between them: Row (a record as the reader prepared it), StoredPaper (a paper as a batch
  read it) and the values papers are linked into works on;
- orm_writer.py: OrmWriter, the portable writer (bulk_create), whose methods are the steps every writer takes;
- postgres_writer.py: PostgresWriter, the writer on Postgres with psycopg2 (COPY, set queries, ANALYZE);
- copy_format.py: Postgres's COPY text format: escaped values and the lines of each table.

bench/import_bench.py measures the import against a raw COPY of the same rows.
"""

from .batches import snapshot_import

__all__ = ["snapshot_import"]
