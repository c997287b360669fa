"""Time /search on a scale database (bench/make_data.py: 1,000,000 papers, 100,000 summaries): 20 realistic queries,
each run --runs times, p50 and p99 printed per query, and the plans of the search's queries.

    DATABASE_URL=postgres://root@127.0.0.1:5432/ss_scale .venv/bin/python bench/search_bench.py [--runs 30] [--seed 1]
        [--explain] [--page]

The queries are drawn from the data itself (deterministic for a seed), so that they find what real ones would:
- one word: words of stored titles, rare to common (the generator's vocabulary is made-up syllables; a word of
  one syllable is in most abstracts, one of three or four in a few thousand papers);
- three words; a phrase ("…" of three consecutive title words); a phrase with an exclusion (-word);
- an author's surname; a whole author name;
- misspellings: a title word and a surname with one letter changed (no paper matches: "did you mean" runs);
- filters: a word within a year, a word within the busiest venue;
- words of the summaries' bodies (English: model, gradient…).
Each run is what the page does after the identifier look-up: summaries.search.site_search (ranked papers with
headlines and authors, ranked public summaries, the suggestion when nothing matched). --page times the whole page
through Django's test client (look-up, template) instead. The target is p99 < 100 ms.

--explain prints EXPLAIN (ANALYZE, BUFFERS) of the ranked-papers query for a few of them: the GIN index
paper_search_document_idx (a Bitmap Index Scan; with a year or venue, its lexeme in the Index Cond) must be what
finds the matches.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


def misspell(word: str, rng: random.Random) -> str:
    """`word` with one inner letter replaced by another (never the same word back)."""
    i = rng.randrange(1, len(word) - 1)
    letter = rng.choice([c for c in "aeioustrnl" if c != word[i].lower()])
    return word[:i] + letter + word[i + 1 :]


def pick_queries(seed: int) -> list[tuple[str, str, dict]]:
    """(label, text, filters) for the 20 queries, from the stored titles and authors."""
    from django.db import connection

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM papers_paper ORDER BY id DESC LIMIT 1")
        top = cursor.fetchone()[0]
        titles = []
        while len(titles) < 40:
            cursor.execute("SELECT title FROM papers_paper WHERE id >= %s ORDER BY id LIMIT 1", [rng.randint(1, top)])
            row = cursor.fetchone()
            if row and "$" not in row[0]:
                titles.append(" ".join(row[0].split()))
        cursor.execute("SELECT max(id) FROM papers_author")
        top_author = cursor.fetchone()[0]
        names = []
        while len(names) < 4:
            cursor.execute(
                "SELECT name FROM papers_author WHERE id >= %s ORDER BY id LIMIT 1", [rng.randint(1, top_author)]
            )
            name = cursor.fetchone()[0]
            if "\\" not in name and len(name.split()[-1]) >= 5:
                names.append(name)
        cursor.execute(
            "SELECT v.key, y.year FROM papers_venueyear y JOIN papers_venue v ON v.id = y.venue_id "
            "WHERE y.year > 0 ORDER BY y.paper_count DESC LIMIT 1"
        )
        venue_key, year = cursor.fetchone()
    from papers.models import Venue

    venue_id = Venue.objects.get(key=venue_key).pk
    words = [w.lower() for t in titles for w in t.split() if w.isalpha() and w.lower() not in STOP]
    by_length = sorted(set(words), key=lambda word: (len(word), word))  # not in the set's order: a seed's queries
    short, medium, long = by_length[: len(by_length) // 4], by_length[len(by_length) // 2 :], by_length[-10:]
    three = [w for w in titles[5].split() if w.isalpha()][:3]
    phrase_words = [w for w in titles[6].split() if w.isalpha()]
    phrase = '"' + " ".join(phrase_words[1:4]) + '"'
    surname = names[0].split()[-1]
    return [
        ("one word, common", rng.choice(short), {}),
        ("one word, common", rng.choice(short), {}),
        ("one word", rng.choice(medium), {}),
        ("one word", rng.choice(medium), {}),
        ("one word, rare", rng.choice(long), {}),
        ("three words", " ".join(three), {}),
        ("three words", " ".join(rng.sample(medium, 3)), {}),
        ("a whole title", titles[7], {}),
        ("phrase", phrase, {}),
        ("phrase -word", f"{phrase} -{rng.choice(medium)}", {}),
        ("author surname", surname, {}),
        ("author surname", names[1].split()[-1], {}),
        ("author full name", names[2], {}),
        ("misspelt title word", misspell(rng.choice(long), rng), {}),
        ("misspelt surname", misspell(names[3].split()[-1], rng), {}),
        ("misspelt title", misspell(titles[8], rng), {}),
        ("word + year", rng.choice(medium), {"year": year}),
        ("word + venue", rng.choice(medium), {"venue_id": venue_id}),
        ("summary words", "gradient benchmark", {}),
        ("summary phrase", '"learned embedding"', {}),
    ]


STOP = {"the", "of", "and", "a", "we", "in", "for"}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def explain(text: str, filters) -> str:
    """EXPLAIN ANALYZE of the ranked-papers query for `text` (papers.search.ranked_ids: papers_search runs it first)."""
    from django.db import connection

    from papers import search as paper_search

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        paper_search.papers_search(text, filters=filters, offset=0, limit=20)
    sql, params = captured[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--page", action="store_true", help="time the whole page (test client) instead")
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="leave Python's collector as it is: a full collection of the start-up objects takes ~100 ms here, "
        "once every ten runs or so (a server process would gc.freeze() them after start-up)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name the Postgres scale database (bench/make_data.py)")
    setup_django()
    from django.test import Client

    from papers.models import Paper
    from papers.search import SearchFilters
    from summaries.search import site_search

    queries = pick_queries(args.seed)
    if not args.no_gc_freeze:
        gc.collect()
        gc.freeze()  # Django's start-up objects are never scanned again: no 100 ms pause mid-run
    print(f"{Paper.objects.estimated_count():,} papers; {len(queries)} queries, {args.runs} runs each")
    print(f"{'query':<22} {'text':<48} {'papers':>7} {'summ.':>5} {'p50 ms':>7} {'p99 ms':>7}  note")
    client = Client()
    all_p99 = []
    for label, text, filters in queries:
        search_filters = SearchFilters(**filters)
        samples = []
        for run in range(args.runs + 2):  # the first two warm the caches, and are not counted
            started = time.perf_counter()
            if args.page:
                params = {"q": text}
                if filters.get("year"):
                    params["year"] = filters["year"]
                response = client.get("/search", params)
                assert response.status_code == 200, (text, response.status_code)
            else:
                results = site_search(text, filters=search_filters, page=1)
            if run >= 2:
                samples.append((time.perf_counter() - started) * 1000)
        if args.page:
            results = site_search(text, filters=search_filters, page=1)
        p50, p99 = statistics.median(samples), percentile(samples, 99)
        all_p99.append(p99)
        papers = f"{'>' if results.capped else ''}{results.paper_total}"
        note = f"did you mean: {results.suggestion['text'][:40]}" if results.suggestion else ""
        shown = text if len(text) <= 48 else text[:45] + "..."
        print(f"{label:<22} {shown:<48} {papers:>7} {results.summary_total:>5} {p50:7.1f} {p99:7.1f}  {note}")
    print(f"worst p99: {max(all_p99):.1f} ms; median of the p99s: {statistics.median(all_p99):.1f} ms")
    if args.explain:
        for label, text, filters in (queries[0], queries[8], queries[16]):
            print(f"\nEXPLAIN {label}: {text}")
            print(explain(text, SearchFilters(**filters)))


if __name__ == "__main__":
    main()
