"""papers.bulk.read_ahead: the reader that runs ahead of the writer, as a forked process or a thread."""

import itertools
import multiprocessing
import os
import sys
import threading

import pytest

from papers.bulk import snapshot_import
from papers.bulk.read_ahead import read_ahead
from papers.importers.records import ImportProblem

READERS = pytest.mark.parametrize("in_process", [True, False], ids=["reader process", "reader thread"])


def tens_of_even_numbers(number: int) -> int | ImportProblem:
    return number * 10 if number % 2 == 0 else ImportProblem(str(number), "odd")


@READERS
def test_read_ahead_batches_prepared_items_with_the_position_after_each_batch(in_process):
    given = ImportProblem("given", "passed on as it is")
    taken = []

    def items():
        for item in [0, 1, given, 2, 4, 5, 6]:
            taken.append(item)  # in the reader (a forked process has its own `taken`)
            yield item

    batches = read_ahead(items(), 3, tens_of_even_numbers, in_process=in_process, position=lambda: len(taken))

    assert list(batches) == [
        ([0], [ImportProblem("1", "odd"), given], 3),
        ([20, 40], [ImportProblem("5", "odd")], 6),
        ([60], [], 7),
    ]


@READERS
def test_read_ahead_left_early_stops_its_reader(in_process):
    switch_interval = sys.getswitchinterval()
    batches = read_ahead(itertools.count(), 10, lambda number: number, in_process=in_process)

    assert next(batches) == (list(range(10)), [], None)
    batches.close()

    assert not [thread for thread in threading.enumerate() if thread.name == "snapshot-read-ahead"]
    assert not multiprocessing.active_children()
    assert sys.getswitchinterval() == switch_interval


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
