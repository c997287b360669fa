"""The reader of a bulk import: batches of items read, checked and prepared ahead while the caller writes.

Pure Python, no Django: the reader may be a forked process, which must never touch the parent's database
connection, and the work it does is whatever `prepare` does to each item.
"""

import multiprocessing
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator

from ..importers.records import ImportProblem

_END = object()
_END_OF_ITEMS = "end of items"  # what the reader process sends last (it pickles)
_PIECE = 250  # rows per message from the reader process

# A batch: (rows, problems, position() after the batch was read, or None without `position`).
Batch = tuple[list, list[ImportProblem], int | None]


def read_ahead(
    items: Iterable,
    batch_size: int,
    prepare: Callable[[object], object],
    *,
    in_process: bool = False,
    position: Callable[[], int] | None = None,
    depth: int = 2,
) -> Iterator[Batch]:
    """(rows, problems, position()) batches of `items`, read, checked and prepared ahead while the caller writes.

    `prepare` turns each item into a row, or into an ImportProblem when the item cannot be stored, or into a list
    of a row and ImportProblems that are notes on it (`kept`, not counted as items); an
    ImportProblem among `items` is passed on as it is. A batch holds `batch_size` items of either kind. That work
    then overlaps the database work on the previous batches. Only the calling thread touches the database; an
    exception in the reader is re-raised here, and leaving early stops the reader.

    With `in_process` (and where processes can be forked) the reader is a forked child process that sends the
    batches through a pipe: the parsing then runs on its own core instead of taking turns with the writer for
    Python's GIL, which on a 2-core machine made the import a sixth slower. The child inherits `items` as they
    are (an open file is shared with it; the parent must not read that file meanwhile), never touches the
    database, and leaves without running any clean-up of the parent's (multiprocessing ends it with os._exit).
    """
    if in_process and _can_fork():
        yield from _read_ahead_in_process(items, batch_size, prepare, position)
    else:
        yield from _read_ahead_in_thread(_prepared_batches(items, batch_size, prepare, position), depth)


def _prepared_batches(
    items: Iterable, batch_size: int, prepare: Callable, position: Callable | None
) -> Iterator[Batch]:
    """(rows, problems, position()) batches of `items`, each item prepared, in the calling thread."""
    rows, problems = [], []
    for item in items:
        prepared = item if isinstance(item, ImportProblem) else prepare(item)
        for part in prepared if isinstance(prepared, list) else [prepared]:  # a row and the notes on it
            (problems if isinstance(part, ImportProblem) else rows).append(part)
        if len(rows) + len(problems) >= batch_size:
            yield rows, problems, position() if position else None
            rows, problems = [], []
    if rows or problems:
        yield rows, problems, position() if position else None


def _can_fork() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _read_ahead_in_process(items: Iterable, batch_size: int, prepare: Callable, position) -> Iterator[Batch]:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def read() -> None:  # in the child
        receiver.close()
        try:
            for rows, problems, read in _prepared_batches(items, batch_size, prepare, position):
                # In pieces: unpickling a whole batch would hold the parent's GIL for ~80 ms at a stretch, and
                # stall the parent's writing thread each time it needs the GIL meanwhile.
                for start in range(0, len(rows), _PIECE):
                    sender.send(rows[start : start + _PIECE])  # blocks while the parent is busy
                sender.send((problems, read))  # the end of the batch
            sender.send(_END_OF_ITEMS)
        except BaseException as exc:  # handed over to the parent
            try:
                sender.send(exc)
            except Exception:  # an exception that cannot be pickled
                sender.send(RuntimeError(f"{type(exc).__name__}: {exc}"))
        finally:
            sender.close()

    def received() -> Iterator[Batch]:
        rows = []
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                reader.join()
                raise RuntimeError(f"the reader process ended early (exit code {reader.exitcode})") from None
            if isinstance(message, list):
                rows += message
            elif isinstance(message, tuple):
                yield rows, *message
                rows = []
            elif isinstance(message, BaseException):
                raise message
            else:  # _END_OF_ITEMS
                return

    reader = context.Process(target=read, name="snapshot-reader", daemon=True)
    reader.start()
    sender.close()
    # A thread of ours receives and unpickles the next batch while the caller waits on the database.
    batches = _read_ahead_in_thread(received(), depth=1)
    try:
        for batch in batches:  # noqa: UP028 -- `yield from` would close `batches` before the child stops
            yield batch
    finally:
        if reader.is_alive():
            reader.terminate()  # its end of the pipe closes, which ends our receiving thread
        batches.close()
        reader.join()
        receiver.close()


def _read_ahead_in_thread(batches: Iterable[Batch], depth: int) -> Iterator[Batch]:
    """The items of `batches`, taken from it by a thread that keeps up to `depth` of them ready."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value) -> None:
        while not stop.is_set():
            try:
                ready.put(value, timeout=0.1)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                put(batch)
            put(_END)
        except BaseException as exc:  # handed over to the calling thread
            put(exc)

    # Each time the calling thread gets an answer from the database it needs the GIL back from the reader; at the
    # default 5 ms switch interval those waits add up to a tenth of an import. Restored when reading ends.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, 0.0005))
    reader = threading.Thread(target=read, name="snapshot-read-ahead", daemon=True)
    reader.start()
    try:
        while (batch := ready.get()) is not _END:
            if isinstance(batch, BaseException):
                raise batch
            yield batch
    finally:
        stop.set()
        reader.join()
        sys.setswitchinterval(switch_interval)
