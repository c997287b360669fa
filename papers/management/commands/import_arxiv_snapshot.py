"""Import the Kaggle/Cornell arXiv metadata snapshot (JSON Lines, optionally gzip-compressed)."""

import itertools
import time

from django.core.management.base import BaseCommand, CommandError

from papers.bulk import snapshot_import
from papers.importers.snapshot import SnapshotFile, iter_snapshot, open_snapshot
from shortscience.progress import Progress

# Lines are counted first (for an exact ETA) when that takes well under a second or two; otherwise progress is
# the share of the file's bytes read so far (compressed bytes for a .gz).
COUNT_LINES_UP_TO = {"plain": 1 << 30, "gzip": 64 << 20}


class FileProgress(Progress):
    """Progress for a file whose line count is unknown: percentage and ETA from the bytes read so far."""

    def __init__(self, stream, snapshot: SnapshotFile, every: int):
        super().__init__(stream, total=None, every=every)
        self.snapshot = snapshot

    def write(self) -> None:
        if not self.stream:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        read = self.position if self.position is not None else self.snapshot.position  # bytes of the written lines
        share = read / self.snapshot.size if self.snapshot.size else 1
        eta = elapsed * (1 - share) / share if share else 0
        self.stream.write(
            f"{self.count} papers, {100 * share:.0f}% of the file, {self.count / elapsed:,.0f} papers/s, "
            f"ETA {eta:,.0f}s\n"
        )


def count_lines(snapshot: SnapshotFile) -> int | None:
    """The number of lines in the file, or None when counting would take too long (or the file is damaged)."""
    if snapshot.size > COUNT_LINES_UP_TO["gzip" if snapshot.compressed else "plain"]:
        return None
    try:
        with open_snapshot(snapshot.path) as counted:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: counted.stream.read(1 << 20), b""))
    except (EOFError, OSError):
        return None  # a truncated gzip: the import itself reports where


class Command(BaseCommand):
    help = (
        "Import papers from the arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json, as .jsonl or "
        ".jsonl.gz). Re-importing a file only updates what changed. Exits non-zero when any line was skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the snapshot, JSON Lines, optionally gzip-compressed")
        parser.add_argument("--batch-size", type=int, default=5000, help="papers per transaction (default 5000)")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")
        parser.add_argument("--limit", type=int, default=None, help="read only the first N lines")

    def handle(self, *args, file, batch_size, dry_run, limit, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            snapshot = open_snapshot(file)
        except OSError as exc:
            raise CommandError(f"cannot open {file}: {exc}") from exc
        started = time.monotonic()
        with snapshot:
            total = count_lines(snapshot)
            if limit is not None:
                total = min(total, limit) if total is not None else limit
            every = max(batch_size, 1000)
            if total is not None:
                progress = Progress(self.stdout, total=total, every=every)
            else:
                progress = FileProgress(self.stdout, snapshot, every=every)
            lines = itertools.islice(snapshot, limit) if limit is not None else snapshot
            result = snapshot_import(
                items=iter_snapshot(lines),
                batch_size=batch_size,
                progress=progress,
                dry_run=dry_run,
                on_problem=self.print_problem,
                read_in_process=True,
                position=lambda: snapshot.position,  # called by the reader, after each batch it read
            )
        elapsed = time.monotonic() - started
        rate = result.total / elapsed if elapsed else 0
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(f"{prefix}{result.summary()} in {elapsed:,.1f}s ({rate:,.0f} papers/s)")
        if result.skipped:
            raise CommandError(f"{len(result.skipped)} skipped (listed above)")

    def print_problem(self, problem) -> None:
        where = f"line {problem.line}" if problem.line else problem.ref
        self.stderr.write(f"{where}: {'kept, ' if problem.kept else ''}{problem.reason}")
