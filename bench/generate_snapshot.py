"""Write N synthetic lines in the arXiv metadata snapshot format (default 100,000) to bench/data/.

The lines have the shape and rough proportions of the real file (see
tests/fixtures/arxiv_snapshot/): ~1 KB abstracts wrapped with newlines and TeX, titles wrapped at ~70 columns,
1-12 authors (a few collaboration papers with hundreds), names drawn from a pool so that authors recur across
papers, ~3% of names with TeX accents, 1-4 versions, a null doi about half the time. Deterministic for a seed.

    .venv/bin/python bench/generate_snapshot.py [--lines N] [--seed S] [--gzip] [--out PATH]
"""

import argparse
import gzip
import json
import random
import string
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CATEGORIES = (
    *("cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "math.CO", "math.AG", "math.PR", "hep-th", "hep-ph"),
    *("quant-ph", "cond-mat.str-el", "astro-ph.GA", "astro-ph.CO", "gr-qc", "physics.optics", "q-bio.NC"),
    *("econ.EM", "eess.SP"),
)
ACCENTED = ("Bal\\'azs", 'M\\"uller', 'Sch\\"onberg', "Jos\\'e", "Fran\\c{c}ois", "{\\AA}berg", "\\v{C}ech")
DECODED = {"Bal\\'azs": "Balázs", 'M\\"uller': "Müller", 'Sch\\"onberg': "Schönberg", "Jos\\'e": "José"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LICENSES = (
    None,
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
)


def _word(rng: random.Random) -> str:
    syllables = (
        "ka",
        "lo",
        "ri",
        "ten",
        "sor",
        "mi",
        "qua",
        "nt",
        "um",
        "ex",
        "pla",
        "ver",
        "gra",
        "phi",
        "on",
    )
    return "".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))


def _wrap(words: list[str], width: int, indent: str) -> str:
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ("\n" + indent).join(lines)


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        rng = self.rng
        self.vocabulary = [_word(rng) for _ in range(6000)] + [
            "the",
            "of",
            "and",
            "a",
            "we",
            "in",
            "for",
        ] * 300
        self.first_names = [_word(rng).capitalize() for _ in range(3000)]
        self.last_names = [_word(rng).capitalize() + _word(rng) for _ in range(40000)]
        self.people = [self._person() for _ in range(150000)]  # recurring authors, popular ones more often

    def _person(self) -> tuple[str, str, str]:
        rng = self.rng
        last = rng.choice(self.last_names)
        if rng.random() < 0.03:
            last = rng.choice(ACCENTED)
        first = rng.choice(self.first_names) if rng.random() < 0.6 else f"{rng.choice(string.ascii_uppercase)}."
        if rng.random() < 0.3:
            first += f" {rng.choice(string.ascii_uppercase)}."
        suffix = "Jr" if rng.random() < 0.005 else ""
        return last, first, suffix

    def _author(self) -> tuple[str, str, str]:
        index = min(int(self.rng.paretovariate(0.6)) - 1, len(self.people) - 1)
        return self.people[index] if self.rng.random() < 0.5 else self.rng.choice(self.people)

    def _date(self, year: int, month: int) -> str:
        rng = self.rng
        day = rng.randint(1, 28)
        clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        return f"{rng.choice(WEEKDAYS)}, {day} {MONTHS[month - 1]} {year} {clock} GMT"

    def line(self, number: int) -> str:
        rng = self.rng
        # 20,000 papers a month from January 2015 on, as arXiv's ids number them (1,000,000 lines reach 2019-02).
        months = number // 20000
        year, month = 2015 + months // 12, months % 12 + 1
        arxiv_id = f"{year % 100:02d}{month:02d}.{number % 20000 + 1:05d}"
        if rng.random() < 0.005:
            people = [(f"{rng.choice(self.last_names)} Collaboration", "", "")]
            people += [self._author() for _ in range(rng.randint(100, 400))]
        else:
            people = [self._author() for _ in range(min(int(rng.expovariate(1 / 3.5)) + 1, 12))]
        people = list(dict.fromkeys(people))
        names = [" ".join(part for part in (first, last, suffix) if part) for last, first, suffix in people]
        parsed = [[DECODED.get(last, last), first, suffix] for last, first, suffix in people]
        title_words = [rng.choice(self.vocabulary) for _ in range(rng.randint(5, 16))]
        if rng.random() < 0.1:
            title_words.insert(2, "$\\Lambda_{\\alpha}$")
        abstract_words = [rng.choice(self.vocabulary) for _ in range(rng.randint(90, 200))]
        if rng.random() < 0.3:
            abstract_words.insert(10, "$(k,\\ell)$-sparse")
        versions = [{"version": "v1", "created": self._date(year, month)}]
        for v in range(2, rng.choice((1, 1, 1, 2, 2, 3, 4)) + 1):
            versions.append({"version": f"v{v}", "created": self._date(min(year + v - 1, 2024), month)})
        doi = (
            f"10.{rng.randint(1000, 9999)}/J.{_word(rng).upper()}.{rng.randint(1, 99999)}"
            if rng.random() < 0.5
            else None
        )
        record = {
            "id": arxiv_id,
            "submitter": names[0] if names else None,
            "authors": _wrap(", ".join(names).split(" "), 70, "  "),
            "title": _wrap(title_words, 70, "  ").capitalize(),
            "comments": f"{rng.randint(4, 40)} pages, {rng.randint(0, 12)} figures" if rng.random() < 0.7 else None,
            "journal-ref": None,
            "doi": doi,
            "report-no": None,
            "categories": " ".join(rng.sample(CATEGORIES, rng.randint(1, 3))),
            "license": rng.choice(LICENSES),
            "abstract": "  " + _wrap(abstract_words, 78, "") + ".\n",
            "versions": versions,
            "update_date": f"{year + len(versions) - 1:04d}-{month:02d}-{rng.randint(1, 28):02d}",
            "authors_parsed": parsed,
        }
        return json.dumps(record, separators=(",", ":"))


def generate(lines: int, path: Path, *, seed: int = 1, compress: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    generator = Generator(seed)
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as out:
        for number in range(lines):
            out.write(generator.line(number) + "\n")
    return path


def default_path(lines: int, compress: bool = False) -> Path:
    return DATA_DIR / f"snapshot_{lines}.jsonl{'.gz' if compress else ''}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gzip", action="store_true", help="write .jsonl.gz")
    parser.add_argument("--out", type=Path, default=None, help="default bench/data/snapshot_<N>.jsonl[.gz]")
    args = parser.parse_args(argv)
    path = generate(args.lines, args.out or default_path(args.lines, args.gzip), seed=args.seed, compress=args.gzip)
    print(f"wrote {args.lines:,} lines to {path} ({path.stat().st_size / 1e6:,.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
