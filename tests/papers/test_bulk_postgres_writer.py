"""papers.bulk.postgres_writer: the COPY writer."""

import pytest
from django.db import transaction

from papers.bulk.postgres_writer import PostgresWriter
from papers.identifiers import normalize_name
from papers.models import Author

pytestmark = pytest.mark.django_db


def test_postgres_writer_takes_the_author_another_writer_stored_meanwhile():
    """The COPY of new authors is refused when one of them was stored after the writer looked; the writer then
    stores the others with INSERT ... ON CONFLICT and uses the stored one, in the same transaction."""
    existing = Author.objects.create(name="Ada Lovelace")
    writer = PostgresWriter()
    looked_up, real_lookup = [], writer.stored_author_ids

    def stale_first_lookup(cursor, names):
        looked_up.append(list(names))
        return {} if len(looked_up) == 1 else real_lookup(cursor, names)  # the first look misses Ada

    writer.stored_author_ids = stale_first_lookup
    with transaction.atomic():
        ids = writer.author_ids(["Ada Lovelace", "Grace Hopper"])

        assert ids["Ada Lovelace"] == existing.pk
        assert Author.objects.get(pk=ids["Grace Hopper"]).name_normalized == normalize_name("Grace Hopper")
    assert looked_up == [["Ada Lovelace", "Grace Hopper"], ["Ada Lovelace"]]
    assert Author.objects.count() == 2
