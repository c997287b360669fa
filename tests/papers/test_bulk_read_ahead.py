"""papers.bulk.read_ahead: the reader that runs ahead of the writer, as a forked process or a thread."""

import os

import pytest

from papers.bulk import snapshot_import

READERS = pytest.mark.parametrize("in_process", [True, False], ids=["reader process", "reader thread"])


@pytest.mark.django_db
@READERS
def test_read_ahead_error_while_reading_reaches_the_importer(snapshot_records, in_process):
    good = snapshot_records()

    def items():
        yield from good[:3]
        raise ValueError("disk on fire")

    with pytest.raises(ValueError, match="disk on fire"):
        snapshot_import(items=items(), batch_size=2, read_in_process=in_process)


@pytest.mark.django_db
def test_read_ahead_reader_process_that_dies_is_reported(snapshot_records):
    good = snapshot_records()

    def items():
        yield from good[:3]
        os._exit(3)  # as if killed (out of memory, say)

    with pytest.raises(RuntimeError, match=r"reader process ended early \(exit code 3\)"):
        snapshot_import(items=items(), batch_size=2, read_in_process=True)
