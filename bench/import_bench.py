"""Time `import_arxiv_snapshot` on a scratch Postgres database against a raw COPY of the same rows.

    .venv/bin/python bench/import_bench.py [--lines N] [--batch-size N] [--runs N] [--database-url URL] [--keep]
        [--against DIR]

1. Writes bench/data/snapshot_<N>.jsonl with bench/generate_snapshot.py unless it exists.
2. --runs times (default 3): (re)creates the scratch database (default
   postgres://root@127.0.0.1:5432/bench_import), migrates it, CHECKPOINTs and runs the command as a child process
   (the first import), then `fill_search_vectors` (what the job the import enqueues does: the papers are
   searchable once it is done), timed apart. Then the same file again into the last database (nothing to
   write). Wall time includes Django's start-up; peak memory is the child's maxrss (resource.getrusage / wait4),
   its reader process included.
3. Parses the same file in this process (not timed) into exactly the rows the import stored, then times one
   transaction that COPYs them into UNLOGGED copies of papers_paper, papers_author and papers_paperauthor made
   with `LIKE ... INCLUDING ALL` (same columns, defaults, checks and indexes; no foreign keys, no WAL): after a
   CHECKPOINT, best of three runs. The same COPY into copies without indexes is printed for scale.
   With --against DIR (another checkout, say `git worktree add /tmp/before REF`), each run also imports the
   file with DIR's code into a new database, alternately before and after this code's import, and the two are
   compared: best to best, median to median, and the median of the runs' own ratios (this machine's speed
   drifts from minute to minute; a run's two imports are a minute apart).
4. Both sides are compared at their best (this shared machine's speed varies by a fifth from minute to
   minute); the median first import is printed too.
5. Prints papers/s for each, the import / COPY time ratio and peak memory, then drops the database (--keep
   leaves it).
"""

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_snapshot import default_path, generate  # noqa: E402

DEFAULT_URL = "postgres://root@127.0.0.1:5432/bench_import"
TABLES = ("papers_paper", "papers_author", "papers_paperauthor")


def admin_connection(url: str):
    """A psycopg2 connection to the server's `postgres` database, in autocommit (for CREATE/DROP DATABASE)."""
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def run_admin(url: str, *statements: str) -> None:
    connection = admin_connection(url)  # not `with connection`: psycopg2 2.9 opens a transaction block there
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    run_admin(url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    run_admin(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}"')


def run_child(args: list[str], env: dict, cwd: Path = ROOT) -> tuple[float, int, int, str]:
    """(wall seconds, exit status, peak RSS in KB, last line of output) of a child process."""
    started = time.monotonic()
    child = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    lines = output.strip().splitlines()
    return elapsed, child.returncode, usage.ru_maxrss, lines[-1] if lines else ""


def copy_rows(path: Path) -> tuple[int, dict[str, tuple[str, str]]]:
    """(number of papers, table -> (columns, COPY text)) for the rows the import stores for `path`, built with
    the import's own code (papers.bulk: its writer's rows and copy_format's lines), so that both sides write the
    same bytes."""
    import django

    django.setup()
    from django.utils import timezone

    from papers.bulk.copy_format import copy_value
    from papers.bulk.postgres_writer import PostgresWriter
    from papers.importers.records import PaperRecord
    from papers.importers.snapshot import iter_snapshot, open_snapshot

    writer = PostgresWriter()
    lines = writer.copy_lines
    papers, authors, paper_authors = [], {}, []
    now = copy_value(timezone.now())
    with open_snapshot(path) as snapshot:
        for pk, record in enumerate((r for r in iter_snapshot(snapshot) if isinstance(r, PaperRecord)), start=1):
            row = writer.prepare(record)
            papers.append(lines.paper_line(pk, 1, row.paper_copy_text, now))
            for position, name in enumerate(row.authors):
                author_id = authors.setdefault(name, len(authors) + 1)
                paper_authors.append(lines.paper_author_line(pk, author_id, position))
    author_lines = (lines.author_line(author_id, name) for name, author_id in authors.items())
    return len(papers), {
        "papers_author": (lines.author_columns, "".join(author_lines)),
        "papers_paper": (lines.paper_columns, "".join(papers)),
        "papers_paperauthor": (lines.paper_author_columns, "".join(paper_authors)),
    }


COPY_RUNS = 3  # the COPY baseline is the best of three: the ratio errs on the import's side


def settle(url: str) -> None:
    """Let the server write out the imports' WAL first (CHECKPOINT needs a superuser or pg_checkpoint)."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except psycopg2.Error as exc:
        print(f"(no CHECKPOINT before the COPY baseline: {exc.pgerror or exc})")
    finally:
        connection.close()


def time_copy(url: str, data: dict[str, tuple[str, str]], *, indexes: bool) -> float:
    """Seconds for one transaction COPYing `data` into fresh unlogged copies of the tables."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            for table in TABLES:
                including = "INCLUDING ALL" if indexes else "INCLUDING DEFAULTS INCLUDING IDENTITY"
                cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
                cursor.execute(f"CREATE UNLOGGED TABLE bench_{table} (LIKE {table} {including})")
            connection.commit()
            started = time.monotonic()
            for table, (columns, text) in data.items():
                cursor.copy_expert(f"COPY bench_{table} ({columns}) FROM STDIN", io.StringIO(text))
            connection.commit()
            elapsed = time.monotonic() - started
            for table in TABLES:
                cursor.execute(f"DROP TABLE bench_{table}")
            connection.commit()
    finally:
        connection.close()
    return elapsed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=3, help="first imports, each into a new database (default 3)")
    parser.add_argument("--keep", action="store_true", help="leave the scratch database in place")
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout of the project (git worktree add DIR REF): each run also imports with its code, "
        "alternately before and after this one's, and the two are compared run by run",
    )
    args = parser.parse_args(argv)

    path = default_path(args.lines)
    if not path.exists():
        print(f"writing {args.lines:,} synthetic lines to {path} ...", flush=True)
        generate(args.lines, path)
    env = {**os.environ, "DATABASE_URL": args.database_url, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench")}
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")
    python = sys.executable

    command = [python, "manage.py", "import_arxiv_snapshot", str(path), "--batch-size", str(args.batch_size)]
    firsts = []  # (seconds, peak RSS, summary) of each first import
    fills = []  # seconds of fill_search_vectors after each first import (the job the import enqueues)
    theirs = []  # seconds of each first import with --against's code

    def first_import(root: Path) -> tuple[float, int, int, str]:
        recreate_database(args.database_url)
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=root, env=env, check=True)
        settle(args.database_url)  # each run starts without the previous one's WAL to write out
        seconds, status, rss, summary = run_child(command, env, cwd=root)
        if status:
            print(f"import failed (exit {status}, {root}): {summary}")
        return seconds, status, rss, summary

    try:
        for run in range(args.runs):
            if args.against and run % 2:  # the other code first in every other run: drift favours neither
                theirs.append(first_import(args.against)[0])
            seconds, status, rss, summary = first_import(ROOT)
            fill, fill_status, _, fill_summary = run_child([python, "manage.py", "fill_search_vectors"], env)
            if fill_status:
                print(f"fill_search_vectors failed (exit {fill_status}): {fill_summary}")
            if args.against and not run % 2:
                theirs.append(first_import(args.against)[0])
            against = f"; with {args.against}: {theirs[-1]:.1f}s" if args.against else ""
            print(
                f"  first import, run {run + 1} of {args.runs}: {seconds:.1f}s, then its search vectors "
                f"{fill:.1f}s{against}",
                flush=True,
            )
            firsts.append((seconds, rss, summary))
            fills.append(fill)
        if args.against and not (args.runs - 1) % 2:  # the last database holds the other code's import
            first_import(ROOT)
        again, status_again, again_rss, again_summary = run_child(command, env)  # into the last run's database
        if status_again:
            print(f"import failed (exit {status_again}): {again_summary}")

        papers, data = copy_rows(path)
        settle(args.database_url)
        copy_seconds = min(time_copy(args.database_url, data, indexes=True) for _ in range(COPY_RUNS))
        bare_seconds = min(time_copy(args.database_url, data, indexes=False) for _ in range(COPY_RUNS))
        own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        if not args.keep:
            drop_database(args.database_url)
    first, _, first_summary = min(firsts)
    median = statistics.median(seconds for seconds, _, _ in firsts)
    peak_rss = max(again_rss, *(rss for _, rss, _ in firsts))

    megabytes = path.stat().st_size / 1e6
    print(f"\n{papers:,} papers from {path.name} ({megabytes:,.0f} MB), batch size {args.batch_size}")
    best = f"(best of {COPY_RUNS})"
    runs = f"(best of {args.runs}; median {median:.1f}s, {papers / median:,.0f} papers/s)"
    print(f"  import_arxiv_snapshot, first import : {first:6.1f}s  {papers / first:8,.0f} papers/s {runs}")
    print(f"      {first_summary}")
    fill = statistics.median(fills)
    print(
        f"  then its search vectors (the job)   : {fill:6.1f}s  {papers / fill:8,.0f} papers/s "
        f"(median; {min(fills):.1f}-{max(fills):.1f}s): all searchable {median + fill:.1f}s after the start"
    )
    print(f"  import_arxiv_snapshot, same file    : {again:6.1f}s  {papers / again:8,.0f} papers/s")
    print(f"      {again_summary}")
    print(
        f"  raw COPY, unlogged, same indexes    : {copy_seconds:6.1f}s  {papers / copy_seconds:8,.0f} papers/s {best}"
    )
    print(
        f"  raw COPY, unlogged, no indexes      : {bare_seconds:6.1f}s  {papers / bare_seconds:8,.0f} papers/s {best}"
    )
    print(
        f"  ratio first import / COPY           : {first / copy_seconds:6.1f}x"
        f"  (median run: {median / copy_seconds:.1f}x)"
    )
    if theirs:
        ratios = [ours / other for (ours, _, _), other in zip(firsts, theirs, strict=True)]
        other_median = statistics.median(theirs)
        print(
            f"  first import with {args.against}: {min(theirs):6.1f}s best, {other_median:.1f}s median;"
            f" this code / that code: {first / min(theirs):.2f}x best to best, {median / other_median:.2f}x"
            f" median to median, {statistics.median(ratios):.2f}x median of the runs' ratios"
            f" ({min(ratios):.2f}-{max(ratios):.2f})"
        )
    print(f"  peak memory of the import (maxrss)  : {peak_rss / 1024:6.0f} MB")
    print(f"  (this benchmark process, holding all COPY rows in memory: {own_rss / 1024:,.0f} MB)")


if __name__ == "__main__":
    main()
