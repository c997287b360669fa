"""Fill a Postgres database with scale data for the load benchmarks: papers, users, summaries, votes, comments.

    DATABASE_URL=postgres://root@127.0.0.1:5432/ss_scale .venv/bin/python bench/make_data.py \\
        [--papers 1000000] [--summaries 100000] [--users 20000] [--votes 300000] [--comments 100000] \\
        [--seed 1] [--fresh] [--out bench/data/make_data.json]

DATABASE_URL must be given (no default: --fresh drops that database). Steps, each timed:

1. Database: --fresh drops and recreates it; then `migrate`. Without --fresh it refuses a database that already
   has users or summaries (it never adds to earlier data, so a run is either fresh or refused); papers already
   stored (a run that stopped after importing them) are kept and not imported again.
2. Papers: bench/data/snapshot_<N>.jsonl (arXiv snapshot lines from bench/generate_snapshot.py, written unless
   it exists) imported by `manage.py import_arxiv_snapshot`, the project's bulk path (~7,000 papers/s).
3. Users, summaries (with one Revision each, version 1, and their Citations), votes, comments and paper visits,
   written with COPY in batches, consistent with what summaries.services writes: one summary per (paper,
   author), one vote per (summary, voter), nobody votes on their own summary or on a private one, banned users
   neither vote nor comment, Summary.score is the sum of its votes (set in SQL after the votes), body_html is
   rendered by summaries.services.summary_render (a few dozen distinct bodies, rendered once and reused; some
   with math and \\cite{} of existing papers), edited_at = created_at (version 1).
   Mix: ~1% banned users; ~5% private, ~5% anonymous, ~1% hidden summaries; ~3% deleted and ~2% hidden comments.
   Skew: ~0.3% of the summaries' papers (a few hundred at full size) carry 12-40 summaries each, one paper 30
   and one 70; a few prolific users write a third of the summaries. Dates spread over four years; ~10% of the
   votes were updated in the last 7 days (the Popular tab), and a few thousand papers have visits over the last
   14 days. Every user's password is `bench-password`.
4. VACUUM (ANALYZE), a table of row counts, and the keys the load benchmark reads (papers with 30 and 70
   summaries, a few other busy papers, the busiest venue and year, the most prolific user), printed and written
   as JSON to --out.

Deterministic for a seed (but for share tokens and the password's salt). At the default size on a shared 2-core
machine: ~11 min to write the 1.6 GB snapshot (once; later runs reuse it), ~7.5 min to import it (2,300 papers/s
there, with other jobs running), ~50 s for everything else.
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_snapshot import DATA_DIR, default_path, generate  # noqa: E402

PASSWORD = "bench-password"
BATCH = 10_000  # rows per COPY
YEARS = 4  # summaries' dates spread over this many years before now
VISIT_DAYS = 14

TABLES = (
    "papers_paper",
    "papers_author",
    "papers_paperauthor",
    "accounts_user",
    "summaries_summary",
    "summaries_revision",
    "summaries_citation",
    "summaries_vote",
    "summaries_comment",
    "summaries_papervisit",
)

WORDS = (
    *("model", "network", "gradient", "prior", "posterior", "kernel", "attention", "graph", "sample", "loss"),
    *("baseline", "dataset", "benchmark", "encoder", "decoder", "manifold", "operator", "estimate", "bound"),
    *("regularizer", "ablation", "embedding", "policy", "reward", "field", "symmetry", "spectrum", "lattice"),
)
BODY_TEMPLATES = (
    "The paper proposes a new {a} for {b} and shows it beats the {c} on three benchmarks.\n\n"
    "**Key idea**: replace the {d} by a learned {a}, trained end to end.\n\n"
    "- works with small {b}s\n- needs no {c}\n- the {d} is cheap to compute\n",
    "## Summary\n\nThe authors study the {a} of a {b} and prove a {c} of order $O(n \\log n)$.\n\n"
    "The main result is\n\n$$\\mathbb{{E}}[\\ell(\\theta)] \\le \\frac{{1}}{{\\sqrt{{n}}}} \\sum_i \\|x_i\\|^2$$\n\n"
    "which improves on earlier {d} results.\n",
    "A short note: this builds on \\cite{{{cite1}}} and replaces its {a} by a {b}.\n\n"
    "> The {c} matters more than the {d}.\n\nSee also \\cite{{{cite2}}} for the {d} view.\n",
    "The {a} is written as $f(x) = \\sigma(W x + b)$ and the {b} as $g = \\nabla_\\theta f$.\n\n"
    "1. Train the {c}\n2. Freeze the {d}\n3. Fine-tune on the {b}\n\n"
    "Results are mixed: the {c} helps on small data only.\n",
    "I found the {a} section hard to follow. In short: a {b} with a {c} gives a better {d}, "
    "as \\cite{{{cite1}}} had conjectured.\n\n```\nloss = {a}(x) + {d}(y)\n```\n",
    "This paper revisits the {a}. The {b} experiments are convincing, the {c} ones less so, and the {d} "
    "is never defined precisely.\n\nOverall a useful reference for anyone working on {b}s.\n",
)
BODY_VARIANTS = 8  # distinct bodies per template
COMMENT_TEMPLATES = (
    "Thanks, this is a clear summary of the {a} part.",
    "Is the {a} really needed? The {b} alone seems to do the job.",
    "I think the bound on the {a} only holds for a fixed {b}.",
    "Great write-up. The {a} figure would help here.",
    "Could you say more about how the {a} relates to the {b}?",
)


def log(message: str) -> None:
    print(message, flush=True)


class LogStream:
    """A stream for shortscience.progress.Progress that prints as log() does, indented."""

    def write(self, text: str) -> None:
        log("  " + text.rstrip("\n"))


class Steps:
    """Times each step and prints it as it ends."""

    def __init__(self):
        self.timings: list[tuple[str, float]] = []
        self.started = time.monotonic()

    def run(self, name: str, function, *args, **kwargs):
        log(f"{name} ...")
        started = time.monotonic()
        result = function(*args, **kwargs)
        elapsed = time.monotonic() - started
        self.timings.append((name, elapsed))
        log(f"{name}: {elapsed:,.1f}s")
        return result

    def print_table(self) -> None:
        log("\nstep timings")
        for name, seconds in self.timings:
            log(f"  {name:<34} {seconds:8.1f}s")
        log(f"  {'total':<34} {time.monotonic() - self.started:8.1f}s")


# --- writing rows -------------------------------------------------------------------------------------------


def copy_rows(table: str, columns: tuple[str, ...], rows) -> int:
    """COPY `rows` (tuples of Python values) into `table`, BATCH rows at a time; the number of rows."""
    from django.db import connection

    from papers.bulk.copy_format import copy_value

    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    count = 0
    buffer = []
    with connection.cursor() as cursor:
        for row in rows:
            buffer.append("\t".join(copy_value(value) for value in row) + "\n")
            if len(buffer) >= BATCH:
                cursor.copy_expert(statement, io.StringIO("".join(buffer)))
                count += len(buffer)
                buffer = []
        if buffer:
            cursor.copy_expert(statement, io.StringIO("".join(buffer)))
            count += len(buffer)
    return count


def next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def reset_sequence(table: str) -> None:
    """After COPYing explicit ids: the identity sequence goes on from the largest."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        )


# --- the generator ------------------------------------------------------------------------------------------


class DataMaker:
    """Writes users, summaries, votes, comments and visits on the papers already in the database."""

    def __init__(self, *, seed: int = 1, now=None):
        from django.utils import timezone

        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.user_ids: list[int] = []
        self.banned: set[int] = set()
        self.summaries: list[tuple[int, int, int, object, bool]] = []  # (id, paper id, author id, created, private)

    def _words(self) -> dict[str, str]:
        return {key: self.rng.choice(WORDS) for key in "abcd"}

    def _past(self, days: float) -> object:
        """A moment up to `days` days ago, uniformly."""
        return self.now - timedelta(seconds=self.rng.uniform(0, days * 86400))

    def _between(self, start, end=None) -> object:
        end = end or self.now
        return start + (end - start) * self.rng.random()

    def users(self, count: int) -> int:
        from django.contrib.auth.hashers import make_password

        password = make_password(PASSWORD)  # one hash for all: hashing 20,000 times would take minutes
        first = next_id("accounts_user")
        columns = (
            *("id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email"),
            *("is_staff", "is_active", "date_joined", "display_name", "bio", "orcid", "email_on_comment"),
            *("is_banned", "is_confirmed"),
        )

        def rows():
            for pk in range(first, first + count):
                banned = self.rng.random() < 0.01
                if banned:
                    self.banned.add(pk)
                self.user_ids.append(pk)
                name = f"bench{pk:06d}"
                display = f"{self.rng.choice(WORDS).capitalize()} {name[-4:]}" if self.rng.random() < 0.4 else ""
                joined = self._past(365 * (YEARS + 1))
                yield (
                    *(pk, password, None, False, name, "", "", f"{name}@example.org", False, True, joined),
                    *(display, "", "", self.rng.random() < 0.7, banned, True),
                )

        written = copy_rows("accounts_user", columns, rows())
        reset_sequence("accounts_user")
        return written

    def rendered_bodies(self, paper_ids: list[int]) -> list[tuple[str, str, dict]]:
        """(markdown, HTML, {cited key: CitedPaper}) for BODY_VARIANTS bodies per template, rendered once."""
        from papers.models import Paper
        from summaries.services import summary_render

        cited_ids = self.rng.sample(paper_ids, min(50, len(paper_ids)))
        keys = sorted(Paper.objects.filter(id__in=cited_ids).values_list("bibtex_key", flat=True))
        keys = keys or ["journals/corr/none"]
        bodies = []
        for template in BODY_TEMPLATES:
            for _ in range(BODY_VARIANTS):
                body = template.format(**self._words(), cite1=self.rng.choice(keys), cite2=self.rng.choice(keys))
                html, cited = summary_render(body)
                bodies.append((body, html, cited))
        return bodies

    def _pairs(self, count: int, paper_ids: list[int]) -> list[tuple[int, int]]:
        """`count` distinct (paper id, author id): a few hundred busy papers (one with 30, one with 70), the rest
        spread; a few prolific authors."""
        rng = self.rng
        authors = self.user_ids
        prolific = authors[: max(5, len(authors) // 100)]
        pairs: set[tuple[int, int]] = set()
        busy_papers = rng.sample(paper_ids, min(len(paper_ids), max(2, round(count * 0.003))))
        sizes = [30, 70] + [rng.randint(12, 40) for _ in busy_papers[2:]]
        budget = count // 2  # at most half of the summaries go to busy papers
        for paper_id, size in zip(busy_papers, sizes, strict=True):
            size = min(size, len(authors), budget)
            budget -= size
            pairs.update((paper_id, author_id) for author_id in rng.sample(authors, size))
        attempts = 0
        while len(pairs) < count and attempts < count * 20:
            attempts += 1
            author = rng.choice(prolific) if rng.random() < 0.3 else rng.choice(authors)
            pairs.add((rng.choice(paper_ids), author))
        pairs = sorted(pairs, key=lambda pair: rng.random())
        return pairs[:count]

    def summaries_write(self, count: int) -> dict[str, int]:
        from papers.models import Paper
        from shortscience.markup import html_text
        from summaries.models import new_share_token

        paper_ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
        bodies = self.rendered_bodies(paper_ids)
        texts = {html: html_text(html) for _, html, _ in bodies}
        pairs = self._pairs(count, paper_ids)
        first = next_id("summaries_summary")
        created = sorted(self._past(365 * YEARS) for _ in pairs)  # ids in order of creation, as the site's
        citations = []
        revisions = []
        columns = (
            *(
                "id",
                "paper_id",
                "author_id",
                "body",
                "body_html",
                "body_text",
                "is_private",
                "is_anonymous",
                "is_hidden",
            ),
            *("share_token", "score", "version", "created_at", "edited_at"),
            # set from the truth by the counters step; is_listed is written as it will be, so that the statistics
            # taken before that step are right
            *("is_listed", "comment_count", "popularity"),
        )

        def rows():
            for offset, ((paper_id, author_id), when) in enumerate(zip(pairs, created, strict=True)):
                pk = first + offset
                body, html, cited = self.rng.choice(bodies)
                private = self.rng.random() < 0.05
                self.summaries.append((pk, paper_id, author_id, when, private))
                revisions.append((pk, 1, body, when))
                citations.extend((pk, key, link.paper_id) for key, link in cited.items())
                anonymous, hidden = self.rng.random() < 0.05, self.rng.random() < 0.01
                listed = not private and not hidden and author_id not in self.banned  # what the counters will say
                yield (
                    *(pk, paper_id, author_id, body, html, texts[html], private, anonymous),
                    *(hidden, new_share_token(), 0, 1, when, when),
                    *(listed, 0, 0),
                )

        written = copy_rows("summaries_summary", columns, rows())
        reset_sequence("summaries_summary")
        revision_columns = ("summary_id", "version", "body", "created_at")
        revision_count = copy_rows("summaries_revision", revision_columns, revisions)
        citation_count = copy_rows("summaries_citation", ("summary_id", "cited_key", "paper_id"), citations)
        return {"summaries": written, "revisions": revision_count, "citations": citation_count}

    def votes(self, count: int) -> int:
        """Votes by users who are not banned on summaries that are not private and not their own; a vote's
        summary is skewed towards a few (the best-rated), ~10% updated in the last 7 days."""
        rng = self.rng
        targets = [s for s in self.summaries if not s[4]]
        voters = [pk for pk in self.user_ids if pk not in self.banned]
        if not targets or len(voters) < 2:
            return 0
        seen: set[tuple[int, int]] = set()

        def rows():
            attempts = 0
            while len(seen) < count and attempts < count * 20:
                attempts += 1
                # half the votes on a heavy tail: the first summaries of the shuffled list draw hundreds
                skewed = rng.random() < 0.5
                index = int(len(targets) * rng.random() ** 3) if skewed else rng.randrange(len(targets))
                summary_id, _, author_id, created, _ = targets[index]
                voter = rng.choice(voters)
                if voter == author_id or (summary_id, voter) in seen:
                    continue
                seen.add((summary_id, voter))
                value = rng.choices((1, -1, 0), weights=(85, 10, 5))[0]
                cast = self._between(created)
                if rng.random() < 0.1:  # changed (or cast) in the last 7 days, after the summary was written
                    updated = self._between(max(created, self.now - timedelta(days=7)))
                    cast = min(cast, updated)
                else:
                    updated = cast
                yield summary_id, voter, value, cast, updated

        rng.shuffle(targets)
        return copy_rows("summaries_vote", ("summary_id", "voter_id", "value", "created_at", "updated_at"), rows())

    def scores(self) -> int:
        """Summary.score = the sum of its votes, as summaries.services.vote_cast keeps it."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE summaries_summary AS s SET score = v.total FROM "
                "(SELECT summary_id, SUM(value) AS total FROM summaries_vote GROUP BY summary_id) AS v "
                "WHERE s.id = v.summary_id AND s.score <> v.total"
            )
            return cursor.rowcount

    def comments(self, count: int) -> int:
        rng = self.rng
        targets = [s for s in self.summaries if not s[4]]
        authors = [pk for pk in self.user_ids if pk not in self.banned]
        if not targets or not authors:
            return 0

        def rows():
            for _ in range(count):
                summary_id, _, summary_author, created, _ = rng.choice(targets)
                author = summary_author if rng.random() < 0.1 else rng.choice(authors)  # authors answer
                body = rng.choice(COMMENT_TEMPLATES).format(**self._words())
                roll = rng.random()
                yield summary_id, author, body, self._between(created), roll < 0.03, 0.03 <= roll < 0.05

        columns = ("summary_id", "author_id", "body", "created_at", "is_deleted", "is_hidden")
        return copy_rows("summaries_comment", columns, rows())

    def visits(self, papers: int = 3000) -> int:
        """Views over the last VISIT_DAYS days of the papers with summaries first (up to `papers` papers)."""
        rng = self.rng
        paper_ids = list(dict.fromkeys(s[1] for s in self.summaries))[:papers]
        today = self.now.date()

        def rows():
            for paper_id in paper_ids:
                for day in sorted(rng.sample(range(VISIT_DAYS), rng.randint(1, VISIT_DAYS))):
                    yield paper_id, today - timedelta(days=day), min(int(rng.paretovariate(1.1)), 5000)

        return copy_rows("summaries_papervisit", ("paper_id", "day", "count"), rows())


def benchmark_keys() -> dict:
    """The keys the load benchmark reads: busy papers, the busiest venue and year, the most prolific user."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.bibtex_key, COUNT(*) FROM summaries_summary s JOIN papers_paper p ON p.id = s.paper_id "
            "GROUP BY p.bibtex_key ORDER BY COUNT(*) DESC, p.bibtex_key LIMIT 400"
        )
        busy = cursor.fetchall()
        cursor.execute(
            "SELECT v.key, p.year, COUNT(*) FROM summaries_summary s JOIN papers_paper p ON p.id = s.paper_id "
            "JOIN papers_venue v ON v.id = p.venue_id GROUP BY v.key, p.year ORDER BY COUNT(*) DESC LIMIT 1"
        )
        venue = cursor.fetchone()
        cursor.execute(
            "SELECT u.username, COUNT(*) FROM summaries_summary s JOIN accounts_user u ON u.id = s.author_id "
            "WHERE NOT u.is_banned AND NOT s.is_private AND NOT s.is_hidden AND NOT s.is_anonymous "
            "GROUP BY u.username ORDER BY COUNT(*) DESC, u.username LIMIT 1"
        )
        user = cursor.fetchone()

    def closest(target: int) -> dict:
        key, count = min(busy, key=lambda row: (abs(row[1] - target), row[0]))
        return {"bibtex_key": key, "summaries": count}

    return {
        "paper_with_30_summaries": closest(30) if busy else None,
        "paper_with_70_summaries": closest(70) if busy else None,
        "busy_papers": [{"bibtex_key": key, "summaries": count} for key, count in busy[:10]],
        "busy_venue_year": {"venue": venue[0], "year": venue[1], "summaries": venue[2]} if venue else None,
        "prolific_user": {"username": user[0], "public_signed_summaries": user[1]} if user else None,
        "password": PASSWORD,
    }


def row_counts() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def populate(*, summaries: int, users: int, votes: int, comments: int, seed: int = 1, steps=None) -> dict:
    """Users, summaries, votes, comments and visits on the papers in the database; the counts written."""
    from django.db import transaction

    from summaries.services import summary_counters_refresh, summary_popularity_refresh

    steps = steps or Steps()
    maker = DataMaker(seed=seed)
    with transaction.atomic():
        written = {"users": steps.run("users", maker.users, users)}
        written.update(steps.run("summaries, revisions, citations", maker.summaries_write, summaries))
        written["votes"] = steps.run("votes", maker.votes, votes)
        written["scores set"] = steps.run("scores (sum of votes)", maker.scores)
        written["comments"] = steps.run("comments", maker.comments, comments)
        written["paper visits"] = steps.run("paper visits", maker.visits)
        # Statistics of the rows just written (in this transaction: autovacuum cannot see them), without which the
        # planner takes each table for empty and the counters' per-author subqueries read whole indexes (hours).
        steps.run("analyze the new rows", analyze)
        # The stored public flag, comment counts and popularity, by the services' own functions (summaries.services)
        written["counters set"] = steps.run("public flags, comment counts", summary_counters_refresh)
        written["popularity set"] = steps.run("popularity", summary_popularity_refresh)
    return written


# --- the command --------------------------------------------------------------------------------------------


def prepare_database(url: str, *, fresh: bool) -> None:
    """--fresh: drop and create the database. Then migrate; refuse a database with earlier users or summaries."""
    from import_bench import recreate_database

    if fresh:
        recreate_database(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import User
    from summaries.models import Summary

    if not fresh and (Summary.objects.exists() or User.objects.exists()):
        name = urlsplit(url).path.lstrip("/")
        raise SystemExit(
            f"{name} already has {User.objects.count():,} users and {Summary.objects.count():,} summaries: "
            "make_data.py writes into a fresh database only. Pass --fresh to drop and recreate it."
        )


def import_papers(count: int, seed: int) -> None:
    from papers.models import Paper

    stored = Paper.objects.count()
    if stored >= count:  # an earlier run imported them (and then stopped before the rest was committed)
        log(f"  {stored:,} papers already stored: not imported again")
        return
    path = default_path(count) if seed == 1 else DATA_DIR / f"snapshot_{count}_seed{seed}.jsonl"
    if not path.exists():
        log(f"  writing {count:,} snapshot lines to {path}")
        partial = path.with_name(path.name + ".partial")  # an interrupted run leaves no truncated snapshot
        generate(count, partial, seed=seed)
        partial.rename(path)
    command = [sys.executable, "manage.py", "import_arxiv_snapshot", str(path)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in child.stdout:  # the command's progress, as it comes
        lines.append(line)
        log("  " + line.rstrip())
    if child.wait():
        raise SystemExit(f"import_arxiv_snapshot failed (exit {child.returncode}):\n{''.join(lines[-20:])}")


def fill_search_vectors() -> None:
    """What the job the import enqueued does (no worker runs here): the papers' search vectors."""
    from papers.models import Paper
    from papers.services import paper_search_vectors_fill
    from shortscience.progress import Progress

    pending = Paper.objects.filter(search_vector__isnull=True).count()
    progress = Progress(LogStream(), total=pending, every=50_000, label="vectors")
    log(f"  {paper_search_vectors_fill(progress=progress):,} search vectors made")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vacuum() -> None:
    """VACUUM (ANALYZE) every table: the steady state autovacuum keeps a live site in. Each row written here was
    updated a few times (vectors, scores, counters), and the dead versions left double the pages a search reads
    (and these machines run Postgres with autovacuum off)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--summaries", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--votes", type=int, default=300_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--out", type=Path, default=DATA_DIR / "make_data.json", help="where the keys go (JSON)")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a Postgres database of its own (--fresh drops it).")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")
    import django

    django.setup()

    steps = Steps()
    steps.run("database (migrate)", prepare_database, url, fresh=args.fresh)
    steps.run("papers (snapshot + import)", import_papers, args.papers, args.seed)
    steps.run("search vectors", fill_search_vectors)
    counts = {"summaries": args.summaries, "users": args.users, "votes": args.votes, "comments": args.comments}
    populate(**counts, seed=args.seed, steps=steps)
    steps.run("vacuum and analyze", vacuum)
    keys = benchmark_keys()
    steps.print_table()

    log("\nrows")
    for table, count in row_counts().items():
        log(f"  {table:<24} {count:>10,}")
    log("\nkeys for the load benchmark")
    log(json.dumps(keys, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(keys, indent=2) + "\n")
    log(f"(written to {args.out})")


if __name__ == "__main__":
    main()
