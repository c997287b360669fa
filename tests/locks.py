"""Locks in tests: another database session (as another worker's would) holding an advisory lock."""

import threading
from contextlib import contextmanager

from shortscience.locks import advisory_lock, lock_connection_close


@contextmanager
def held_elsewhere(name: str):
    """While the block runs, a thread with its own database session holds the advisory lock `name`."""
    held, release = threading.Event(), threading.Event()

    def hold():
        with advisory_lock(name):
            held.set()
            release.wait(10)
        lock_connection_close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10), f"the other session never got {name}"
        yield
    finally:
        release.set()
        thread.join()
