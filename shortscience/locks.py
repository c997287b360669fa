"""Locks that hold across processes and machines: Postgres advisory locks, taken on a connection of their own.

`advisory_lock(name)` is a mutex for every process sharing the database (one arXiv harvest at a time); on
SQLite (`make run`, one machine) it is a lock within this process. shortscience.http's DatabasePacer uses the
same connection and lock ids to space outbound requests.

Each thread has its own lock connection, in autocommit: a caller's transaction neither holds a lock longer nor
is needed to take one, and a lock is released when its holder's process dies (its session ends).
"""

import contextlib
import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

_local = threading.local()
_process_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_process_guard = threading.Lock()


def lock_id(name: str) -> int:
    """The bigint key of `name` for pg_advisory_lock: stable across processes and Python versions."""
    return int.from_bytes(hashlib.sha256(f"shortscience:{name}".encode()).digest()[:8], "big", signed=True)


def lock_connection(using: str = DEFAULT_DB_ALIAS):
    """This thread's connection for locks (a new one if the last one broke)."""
    connection = getattr(_local, "connection", None)
    if connection is not None and not connection.is_usable():
        connection.close()
        connection = None
    if connection is None:
        connection = _local.connection = connections.create_connection(using)
    return connection


def lock_connection_close() -> None:
    connection = getattr(_local, "connection", None)
    if connection is not None:
        connection.close()
        _local.connection = None


@contextlib.contextmanager
def locked_cursor(name: str, *, wait: bool = True) -> Iterator:
    """A cursor of the lock connection while it holds the advisory lock `name`, or None when `wait` is False
    and another session holds it. Postgres only."""
    key = lock_id(name)
    cursor = lock_connection().cursor()
    try:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
            got = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            got = cursor.fetchone()[0]
        try:
            yield cursor if got else None
        finally:
            if got:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    except (OperationalError, InterfaceError):
        lock_connection_close()  # the session is gone, and its locks with it: the next use reconnects
        raise
    finally:
        cursor.close()


@contextlib.contextmanager
def advisory_lock(name: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold the lock `name` for the block, across every process sharing the database (within this process on
    SQLite). Yields True when held; with `wait=False`, yields False at once if another holder has it."""
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        with locked_cursor(name, wait=wait) as cursor:
            yield cursor is not None
        return
    with _process_guard:
        lock = _process_locks[name]
    got = lock.acquire(blocking=wait)
    try:
        yield got
    finally:
        if got:
            lock.release()
