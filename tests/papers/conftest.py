"""Fixtures that several test files of the papers app share: the bulk import's (tests/papers/test_bulk_*.py and
test_import_snapshot_command.py)."""

import pytest

from papers.bulk import batches
from papers.bulk.orm_writer import OrmWriter
from papers.importers.snapshot import iter_snapshot, open_snapshot


@pytest.fixture
def snapshot_path(fixture_path):
    """The real snapshot excerpt: the first 20 lines of arxiv-metadata-oai-snapshot.json."""
    return fixture_path("arxiv_snapshot/arxiv-metadata-oai-snapshot_lines001-020.jsonl")


@pytest.fixture
def snapshot_records(snapshot_path):
    """A function that reads the excerpt's records, new ones at each call (a test may change them)."""

    def read():
        with open_snapshot(snapshot_path) as snapshot:
            return list(iter_snapshot(snapshot))

    return read


@pytest.fixture(params=["copy", "orm"])
def bulk_writer(request, monkeypatch):
    """Each test runs with the Postgres COPY writer and with the portable bulk_create one (SQLite's)."""
    if request.param == "orm":
        monkeypatch.setattr(batches, "writer_for_connection", OrmWriter)
    return request.param
