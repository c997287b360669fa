"""The paper catalogue: papers keyed by bibtex key, their ordered authors, and venues (key prefixes).

Past 400 lines because each model keeps its QuerySet beside it (STYLE.md), and Paper's is the site's one
look-up of a key (resolve_many); what needs no database lives in identifiers.py."""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models, router, transaction
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.http import Http404
from django.urls import reverse

from .identifiers import ARXIV_KEY_PREFIX, arxiv_bibtex_key, normalize_name, normalize_title, parse_arxiv_id, parse_doi
from .importers.records import AUTHOR_NAME_MAX, Source

COUNT_ESTIMATE_FROM = 100_000  # papers: below this COUNT(*) is cheap enough for /about


def paper_url(bibtex_key: str, *, focus: str = "") -> str:
    """The canonical page of a paper: /paper?bibtexKey=conf/nips/RenHGS15 (slashes kept, as the original); with
    `focus` (a summary's anchor: its author's username, or anon-N), the page of that one summary (&a=)."""
    # The paper page lists summaries, so the summaries app serves it; the catalogue knows it by name only.
    url = reverse("summaries:paper") + "?bibtexKey=" + quote(bibtex_key, safe="/:")
    return url + "&" + urlencode({"a": focus}) if focus else url


class VenueQuerySet(models.QuerySet):
    def for_index(self):
        """Venues with at least one paper, with their paper counts (stored: VenueYear), most papers first."""
        return self.filter(paper_count__gt=0).order_by("-paper_count", "key")


class Venue(models.Model):
    """A conference or journal, known by the bibtex-key prefix of its papers (conf/nips, journals/corr)."""

    key = models.CharField(max_length=100, unique=True, help_text="Bibtex key prefix, e.g. conf/nips")
    name = models.CharField(max_length=300, blank=True)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)
    paper_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Its papers, kept by VenueYear.objects.papers_moved"
    )

    objects = VenueQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["-paper_count", "key"], name="venue_index_idx", condition=Q(paper_count__gt=0))]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        """Save, leaving `paper_count` alone on an update: an edit (in the admin, say) of a venue read before an
        import added papers to it must not write the old count back."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            fields = [f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "paper_count"]
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    def get_absolute_url(self, year: int | str | None = None):
        """/venue?key=conf/nips; with `year` (a year, or "unknown" for the papers without one) that year's tab."""
        params = {"key": self.key}
        if year:
            params["year"] = year
        return reverse("papers:venue") + "?" + urlencode(params, safe="/")

    @property
    def label(self) -> str:
        """What pages call the venue: its name, else its key."""
        return self.name or self.key

    def year_tabs(self) -> list[dict]:
        """[{"year": 2015 or None, "count": papers, "url": that tab}] newest first, the papers without a year last:
        the stored counts (VenueYear), one row per year."""
        years = []
        for year, count in self.years.filter(paper_count__gt=0).order_by("-year").values_list("year", "paper_count"):
            year = year or None  # stored as NO_YEAR
            years.append({"year": year, "count": count, "url": self.get_absolute_url(year or self.UNKNOWN_YEAR)})
        return years

    def paper_count_of(self, year: int | None, tabs: list[dict]) -> int:
        """How many papers this venue has in `year` (None: without a year), from `tabs` (year_tabs)."""
        return next((tab["count"] for tab in tabs if tab["year"] == year), 0)

    UNKNOWN_YEAR = "unknown"  # ?year=unknown: the papers without a year

    @classmethod
    def tab_year(cls, asked: int | str | None, tabs: list[dict]) -> int | None:
        """The year a venue page shows for ?year=`asked` (an int, UNKNOWN_YEAR or None when not given): that
        year, None for UNKNOWN_YEAR (the papers without a year), else the newest tab. Http404 for a year with no
        papers at this venue."""
        if isinstance(asked, int):
            if not any(tab["year"] == asked for tab in tabs):
                raise Http404(f"This venue has no papers from {asked}.")
            return asked
        if asked == cls.UNKNOWN_YEAR or not tabs:
            return None
        return tabs[0]["year"]


# The names a list of papers shows before "et al." (templates/papers/includes/_paper_title.html): lists load one
# more than that, not a collaboration's hundreds.
LIST_AUTHORS = 20
NO_YEAR = 0  # VenueYear.year of the papers without a year (0, not NULL: one unique row on any database)


class VenueYearQuerySet(models.QuerySet):
    """The one place that keeps the stored paper counts (VenueYear.paper_count, Venue.paper_count) equal to the
    truth: every write that adds, moves or deletes papers reports it here. Paper.save and Paper.delete (and
    PaperQuerySet.delete) do it themselves; writes that bypass them (the bulk import) call papers_moved."""

    def papers_moved(self, changes: Mapping[tuple[int | None, int | None], int]) -> None:
        """Add `changes` ({(venue id, year or None): +n or -n papers}) to the stored counts: a few queries,
        whatever the number of papers (rows created as needed; pairs without a venue are not counted)."""
        deltas: Counter = Counter()
        for (venue_id, year), n in changes.items():
            if venue_id is not None and n:
                deltas[venue_id, year or NO_YEAR] += n
        deltas = Counter({pair: n for pair, n in deltas.items() if n})
        if not deltas:
            return
        using = self.db
        totals: Counter = Counter()
        for (venue_id, _), n in deltas.items():
            totals[venue_id] += n  # 0 for a paper moved within its venue: its row is locked all the same
        with transaction.atomic(using=using, savepoint=False):
            # The venues first: writers that add papers to one venue take turns there, before any of its years,
            # so that two of them never wait on each other's years (a deadlock).
            by_venue = [When(pk=venue_id, then=Value(n)) for venue_id, n in sorted(totals.items())]
            Venue.objects.using(using).filter(pk__in=totals).update(
                paper_count=F("paper_count") + Case(*by_venue, default=Value(0))
            )
            pairs = sorted(deltas)
            self.bulk_create(
                [VenueYear(venue_id=venue_id, year=year) for venue_id, year in pairs], ignore_conflicts=True
            )
            by_pair = [
                When(venue_id=venue_id, year=year, then=Value(deltas[venue_id, year])) for venue_id, year in pairs
            ]
            pair_filter = Q()
            for venue_id, year in pairs:
                pair_filter |= Q(venue_id=venue_id, year=year)
            self.filter(pair_filter).update(paper_count=F("paper_count") + Case(*by_pair, default=Value(0)))

    def papers_added(self, pairs: Iterable[tuple[int | None, int | None]], *, sign: int = 1) -> None:
        """papers_moved for papers added at (or, with sign=-1, removed from) each (venue id, year) of `pairs`."""
        self.papers_moved(Counter({pair: sign * n for pair, n in Counter(pairs).items()}))

    def recount(self) -> None:
        """Set every stored count from the papers themselves (a repair; reads the whole catalogue)."""
        with transaction.atomic(using=self.db):
            counted = (
                Paper.objects.using(self.db)
                .filter(venue__isnull=False)
                .order_by()
                .values_list("venue_id", "year")
                .annotate(n=models.Count("pk"))
            )
            self.all().delete()
            rows = Counter()
            for venue_id, year, n in counted:
                rows[venue_id, year or NO_YEAR] += n
            self.bulk_create(
                [VenueYear(venue_id=v, year=y, paper_count=n) for (v, y), n in rows.items()], batch_size=5000
            )
            totals = Counter()
            for (venue_id, _), n in rows.items():
                totals[venue_id] += n
            Venue.objects.using(self.db).update(paper_count=0)
            for venue_id, n in totals.items():
                Venue.objects.using(self.db).filter(pk=venue_id).update(paper_count=n)


class VenueYear(models.Model):
    """How many papers a venue has in one year: the venue pages' tabs and page counts, read in one row instead of
    counted. Kept by VenueYearQuerySet (papers_moved); tests/papers/test_venue_counts.py checks it."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(help_text=f"{NO_YEAR} for the papers without a year")
    paper_count = models.IntegerField(default=0)

    objects = VenueYearQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["venue", "year"], name="unique_venue_year")]

    def __str__(self):
        return f"{self.venue_id} {self.year or 'no year'}: {self.paper_count}"


class Author(models.Model):
    name = models.CharField(max_length=AUTHOR_NAME_MAX)  # importers shorten longer names (shorten_author_names)
    name_normalized = models.CharField(max_length=AUTHOR_NAME_MAX)

    class Meta:
        ordering = ["name"]
        # Plain btree indexes only: a CharField's unique=True / db_index=True would add a second, unused
        # varchar_pattern_ops index on Postgres, which every bulk import pays for.
        constraints = [models.UniqueConstraint(fields=["name"], name="unique_author_name")]
        indexes = [models.Index(fields=["name_normalized"], name="author_name_normalized_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_normalized = normalize_name(self.name)
        super().save(*args, **kwargs)


class AuthorName(models.Model):
    """The author names "did you mean" looks among (papers.search.suggestion; a trigram index, Postgres only).

    Written by Postgres, not by Django: the trigger that makes a paper's search vector adds its authors' names
    (papers/migrations/0013_suggestion_words_from_vectors.py). So the bulk import, whose vectors the fill job makes,
    pays nothing for their trigrams: on papers_author they were what the search cost its COPY. Names stay when
    their last paper goes (a suggestion then finds no papers); the model exists so that Django knows the table
    (tests flush it)."""

    name = models.TextField(primary_key=True)

    def __str__(self):
        return self.name


class TitleWord(models.Model):
    """The words of titles a misspelt word of a search is corrected to (papers.search.suggestion): each title's
    lexemes in lower case, unstemmed, of 4 letters or more. Written by Postgres as AuthorName is."""

    word = models.TextField(primary_key=True)

    def __str__(self):
        return self.word


class Work(models.Model):
    """One paper published under several records (its arXiv preprint and its conference version, say).

    Papers of one work show each other's summaries and link to each other. `papers.works.works_link` sets it.
    """

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Work {self.pk}"


class CitedPaper(NamedTuple):
    """Where a \\cite{KEY} in a summary leads (a shortscience.markup.CiteTarget): the paper's page and title, or
    for an unknown key the page that would import it, with no title and no paper."""

    url: str
    title: str
    paper_id: int | None


class PaperQuerySet(models.QuerySet):
    def delete(self):
        """Delete with the usual cascade, the papers locked first (see PaperAuthor.paper), and uncounted."""
        with transaction.atomic(using=self.db):
            pairs = _lock_for_delete(self.model, self.values("pk"), using=self.db)
            deleted = super().delete()
            VenueYear.objects.using(self.db).papers_added(pairs, sign=-1)
            return deleted

    def estimated_count(self) -> int:
        """How many papers there are, from Postgres' statistics (pg_class.reltuples, kept up to date by ANALYZE and
        autovacuum, and by every bulk import): constant time at any size, where COUNT(*) reads the whole table. Exact
        below COUNT_ESTIMATE_FROM papers, before the table was first analysed, and on other databases."""
        connection = connections[self.db]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = self.model._meta.db_table
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
                estimate = cursor.fetchone()[0]
            if estimate >= COUNT_ESTIMATE_FROM:
                return estimate
        return self.count()

    def with_authors(self, first: int | None = None):
        """Authors in order, in one extra query for the whole page (ordered_authors_prefetch)."""
        return self.select_related("venue").prefetch_related(ordered_authors_prefetch("paper_authors", first=first))

    def for_detail(self):
        return self.with_authors()

    def for_venue_year(self, venue, year):
        """A venue's papers of one year (None: without a year) in the order they were stored (for arXiv, by id:
        the order of submission), which is the order of paper_venue_year_id_idx: a page reads its own rows from
        the index, and new papers are appended to it, so the bulk import pays next to nothing for it (an index
        in title order cost it ~2 s per 100,000 papers at 1M). The page count is stored (VenueYear).

        The year is asked for as a range of one year and leads the order: with `year = Y` Postgres would drop
        the year from the order and walk the primary key instead, skipping every older paper first (2.5 s for
        a page of 2018 at 1M); and it reads `year IS NULL` rows in index order only when the year leads it."""
        qs = self.filter(venue=venue)
        qs = qs.filter(year__gte=year, year__lte=year) if year else qs.filter(year__isnull=True)
        return qs.with_authors(first=LIST_AUTHORS + 1).order_by("year", "id")

    def resolve(self, key: str):
        """The paper for a bibtex key, one of its aliases, an arXiv id / URL or a DOI, or None."""
        key = (key or "").strip()
        return self.resolve_many([key]).get(key) if key else None

    def cite_links(self, keys) -> dict[str, CitedPaper]:
        """{key: CitedPaper} for each of `keys`, resolved as /paper?bibtexKey= resolves them (resolve_many)."""
        found = self.only("pk", "bibtex_key", "title", "arxiv_id", "doi").resolve_many(keys)
        links = {}
        for key in keys:
            paper = found.get(key)
            if paper is None:
                links[key] = CitedPaper(paper_url(key), "", None)
            else:
                links[key] = CitedPaper(paper_url(paper.bibtex_key), paper.title, paper.pk)
        return links

    def resolve_many(self, keys, *, skip_exact: bool = False) -> dict:
        """{key: paper} for each of `keys` that names a paper, as /paper?bibtexKey= resolves it: its own bibtex key
        first, then an alias, then (an arXiv id or URL) the arXiv key or arXiv id, then (a DOI) the key or DOI.
        One query per step that some key still needs, whatever the number of keys. `skip_exact` when the caller has
        just looked the keys up by bibtex key."""
        found = {}
        pending = [key for key in dict.fromkeys(keys) if key]
        if pending and not skip_exact:
            by_key = {p.bibtex_key: p for p in self.filter(bibtex_key__in=pending)}
            found.update((key, by_key[key]) for key in pending if key in by_key)
            pending = [key for key in pending if key not in found]
        if pending:
            aliases = PaperAlias.objects.filter(alias__in=pending).values_list("alias", "paper_id")
            paper_of_alias = dict(aliases)
            if paper_of_alias:
                papers = self.in_bulk(set(paper_of_alias.values()))
                found.update((a, papers[pk]) for a, pk in paper_of_alias.items() if pk in papers)
            pending = [key for key in pending if key not in found]
        arxiv_ids = {key: arxiv_id for key in pending if (arxiv_id := parse_arxiv_id(key))}
        if arxiv_ids:
            ids = set(arxiv_ids.values())
            keys_of = {arxiv_bibtex_key(arxiv_id) for arxiv_id in ids}
            # `arxiv_id <> ''` spelled out lets Postgres use the partial index paper_arxiv_id_idx for any number of
            # ids (it proves that condition from a constant list of up to 100 values only).
            in_arxiv = Q(arxiv_id__in=ids) & ~Q(arxiv_id="")
            candidates = self.filter(Q(bibtex_key__in=keys_of) | in_arxiv).order_by("pk")
            best = {}  # arXiv id -> its paper: the one keyed journals/corr/<id>, else the oldest with that id
            for paper in candidates:
                arxiv_id = paper.bibtex_key.removeprefix(ARXIV_KEY_PREFIX)
                if paper.bibtex_key in keys_of:
                    best[arxiv_id] = paper
                elif paper.arxiv_id in ids and paper.arxiv_id not in best:
                    best[paper.arxiv_id] = paper
            found.update((key, best[arxiv_id]) for key, arxiv_id in arxiv_ids.items() if arxiv_id in best)
        dois = {key: doi for key in pending if key not in arxiv_ids and (doi := parse_doi(key))}
        if dois:
            values = set(dois.values())
            best = {}  # DOI -> its paper: the one keyed by the DOI, else the oldest with that DOI
            in_doi = Q(doi__in=values) & ~Q(doi="")  # the partial index paper_doi_idx, as above
            for paper in self.filter(Q(bibtex_key__in=values) | in_doi).order_by("pk"):
                if paper.bibtex_key in values:
                    best[paper.bibtex_key] = paper
                elif paper.doi in values and paper.doi not in best:
                    best[paper.doi] = paper
            found.update((key, best[doi]) for key, doi in dois.items() if doi in best)
        return found


def authors_text_of(names) -> str:
    """Paper.authors_text for these author names, in order: one a line."""
    return "\n".join(names)


def _lock_for_delete(model, pks, *, using) -> list[tuple[int | None, int | None]]:
    """Lock the papers about to be deleted, so that no writer adds author rows to them meanwhile: a writer that
    locked one first makes the delete wait, and one that comes later finds the paper gone. Returns their
    (venue id, year), as they are counted."""
    locked = model._base_manager.using(using).select_for_update().filter(pk__in=pks)
    return list(locked.values_list("venue_id", "year"))


class Paper(models.Model):
    bibtex_key = models.CharField(max_length=255)
    title = models.TextField()
    title_normalized = models.CharField(max_length=500, editable=False)
    abstract = models.TextField(blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    published = models.DateField("first published", null=True, blank=True)
    updated = models.DateField("last updated at the source", null=True, blank=True)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="papers", db_index=False
    )  # indexed by (venue, year, id) below
    published_in = models.CharField(
        max_length=500, blank=True, help_text="Journal or booktitle as imported (the venue's name may differ)"
    )
    entry_type = models.CharField(max_length=40, blank=True, help_text="BibTeX entry type, e.g. inproceedings")
    source = models.CharField(
        max_length=20, choices=[(source.value, source.label) for source in Source], default=Source.MANUAL.value
    )
    arxiv_id = models.CharField("arXiv id", max_length=64, blank=True)
    doi = models.CharField("DOI", max_length=255, blank=True)
    urls = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    authors = models.ManyToManyField(Author, through="PaperAuthor", related_name="papers")
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.SET_NULL, related_name="papers", db_index=False
    )  # indexed below, without the many papers that have no work
    withdrawn = models.BooleanField(default=False, help_text="The source deleted this record (arXiv OAI-PMH).")
    # Its authors' names in order, one a line: denormalised from PaperAuthor so that the search vector can be made
    # from the paper's row alone. Set by every writer of author rows (paper_upsert, the bulk import, the admin).
    authors_text = models.TextField(blank=True, default="", editable=False)
    # Set by Postgres (a trigger: papers/migrations/0010_search_vector.py) from the title (A), authors_text (B),
    # keywords (C) and abstract (D) on every INSERT and UPDATE that changes them, whichever path writes; the bulk
    # import leaves it NULL and a job fills it (papers.services.paper_search_vectors_fill). NULL off Postgres.
    # Indexed with the year and venue as lexemes (paper_search_document_idx, migration 0011; papers.search).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title"]
        permissions = [("merge_paper", "Can merge duplicate papers")]
        # Only the indexes the pages and importers use, each a plain btree (see Author.Meta).
        constraints = [models.UniqueConstraint(fields=["bibtex_key"], name="unique_paper_bibtex_key")]
        indexes = [
            # A venue year's page, in its order (for_venue_year).
            models.Index(fields=["venue", "year", "id"], name="paper_venue_year_id_idx"),
            models.Index(fields=["title_normalized"], name="paper_title_normalized_idx"),
            models.Index(fields=["arxiv_id"], name="paper_arxiv_id_idx", condition=~Q(arxiv_id="")),
            models.Index(fields=["doi"], name="paper_doi_idx", condition=~Q(doi="")),
            models.Index(fields=["work"], name="paper_work_idx", condition=Q(work__isnull=False)),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Save, and move the paper in the stored counts (VenueYear) when its venue or year changed."""
        self.title_normalized = normalize_title(self.title)
        using = kwargs.get("using") or router.db_for_write(Paper, instance=self)
        with transaction.atomic(using=using, savepoint=False):
            if self._state.adding and self.pk is None:
                counted_at = None
            elif hasattr(self, "_counted_at") and not self._state.adding:
                counted_at = self._counted_at
            else:  # made with a pk, or read without its venue or year: ask the database
                stored = Paper._base_manager.using(using).filter(pk=self.pk).select_for_update(no_key=True)
                counted_at = stored.values_list("venue_id", "year").first()
            super().save(*args, **kwargs)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and not {"venue", "venue_id", "year"} & set(update_fields):
                return
            now_at = (self.venue_id, self.year)
            if counted_at != now_at:
                changes = Counter({now_at: 1})
                if counted_at is not None:
                    changes[counted_at] -= 1
                VenueYear.objects.using(using).papers_moved(changes)
            self._counted_at = now_at

    def get_absolute_url(self):
        return paper_url(self.bibtex_key)

    def delete(self, using=None, keep_parents=False):
        """Delete with the usual cascade, the paper locked first (see PaperAuthor.paper), and uncounted."""
        using = using or router.db_for_write(Paper, instance=self)
        with transaction.atomic(using=using):
            pairs = _lock_for_delete(Paper, [self.pk], using=using)
            deleted = super().delete(using=using, keep_parents=keep_parents)
            VenueYear.objects.using(using).papers_added(pairs, sign=-1)
            return deleted

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "venue_id" in field_names and "year" in field_names:
            instance._counted_at = (instance.venue_id, instance.year)  # where VenueYear counts it (see save)
        return instance

    def other_versions(self):
        """The other records of this paper's work (its arXiv preprint, its conference version…)."""
        if not self.work_id:
            return Paper.objects.none()
        return Paper.objects.filter(work_id=self.work_id).exclude(pk=self.pk).select_related("venue").order_by("year")

    def json_ld(self) -> dict:
        """The paper as a schema.org ScholarlyArticle, for the JSON-LD block of its page."""
        data = {
            "@context": "https://schema.org",
            "@type": "ScholarlyArticle",
            "name": self.title,
            "headline": self.title[:110],
            "url": settings.SITE_URL + self.get_absolute_url(),
            "author": [{"@type": "Person", "name": name} for name in self.author_names],
        }
        if self.published:
            data["datePublished"] = self.published.isoformat()
        elif self.year:
            data["datePublished"] = str(self.year)
        if self.abstract:
            data["abstract"] = self.abstract
        if self.doi:
            data["sameAs"] = self.doi_url
        elif self.arxiv_id:
            data["sameAs"] = self.arxiv_url
        return data

    @property
    def author_names(self) -> list[str]:
        if hasattr(self, "ordered_authors"):
            return [pa.author.name for pa in self.ordered_authors]
        return [pa.author.name for pa in self.paper_authors.select_related("author").order_by("position")]

    @property
    def venue_label(self) -> str:
        """What pages call this paper's venue: the venue's name, else the journal or booktitle as imported, else
        the venue's key."""
        if self.venue and self.venue.name:
            return self.venue.name
        return self.published_in or (self.venue.key if self.venue else "")

    @property
    def venue_url(self) -> str:
        """The venue's page, at this paper's year."""
        return self.venue.get_absolute_url(self.year) if self.venue else ""

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else ""

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def scholar_url(self) -> str:
        return "https://scholar.google.com/scholar?" + urlencode({"q": self.title})

    @property
    def links(self) -> list[tuple[str, str]]:
        """(label, url) pairs for the title block: arXiv, DOI, other stored URLs by host, Google Scholar."""
        links, seen = [], set()
        for label, url in (("arXiv", self.arxiv_url), ("DOI", self.doi_url)):
            if url:
                links.append((label, url))
                seen.add(url)
        for url in self.urls:
            if url in seen or not url.startswith(("http://", "https://")):
                continue
            host = url.split("/")[2].removeprefix("www.")
            if host in {"arxiv.org", "doi.org", "dx.doi.org"} or host.startswith("dblp."):
                continue
            links.append((host, url))
            seen.add(url)
        links.append(("Google Scholar", self.scholar_url))
        return links


class PaperAuthor(models.Model):
    # Indexed by the unique (paper, position) constraint. No foreign key constraint in the database: checking
    # it for each of the ~440,000 author rows of 100,000 papers cost a bulk import 2.5 s of its 15 (and took
    # it past 4x a raw COPY). The writers keep it true instead: author rows are only written in the transaction
    # that writes their paper, where a new paper cannot be deleted by anyone else before the commit and a stored
    # one is locked first (paper_upsert, bulk.batches._write_batch); deleting papers locks them before the cascade
    # collects their author rows (PaperQuerySet.delete, Paper.delete). Deletion cascades through Django.
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="paper_authors", db_index=False, db_constraint=False
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="paper_authors")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="unique_author_position"),
        ]

    def __str__(self):
        return f"{self.author} ({self.position + 1}) on {self.paper_id}"


def ordered_authors_prefetch(lookup: str, *, first: int | None = None) -> Prefetch:
    """The prefetch of the papers' authors in order, at `lookup` (paper_authors, or paper__paper_authors from a
    summary), as `ordered_authors` (Paper.author_names reads it); only the `first` ones of each paper when a
    list shows no more than that (a physics collaboration's paper has hundreds of authors: one page of search
    results made thousands of objects, 35 ms)."""
    authors = PaperAuthor.objects.select_related("author").order_by("position")
    if first is not None:
        authors = authors.filter(position__lt=first)  # the unique (paper, position) index answers it
    return Prefetch(lookup, queryset=authors, to_attr="ordered_authors")


class PaperAlias(models.Model):
    """Another key that resolves to a paper, e.g. the file's own key DBLP:conf/nips/RenHGS15."""

    alias = models.CharField(max_length=255, unique=True)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name_plural = "paper aliases"

    def __str__(self):
        return f"{self.alias} → {self.paper.bibtex_key}"


class HarvestCheckpoint(models.Model):
    """Where an OAI-PMH harvest is, so that a stopped harvest resumes at its next page."""

    name = models.CharField(max_length=50, unique=True, help_text="e.g. arxiv-oai")
    from_date = models.DateField(null=True, blank=True)
    until_date = models.DateField(null=True, blank=True)
    resumption_token = models.CharField(max_length=500, blank=True)
    complete_list_size = models.PositiveIntegerField(null=True, blank=True)
    cursor = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    harvested_until = models.DateField(
        null=True, blank=True, help_text="Last finished harvest reached this date: the next one starts from it."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self):
        state = "finished" if self.finished_at else f"at page {self.pages}"
        return f"{self.name} ({state})"

    @property
    def in_progress(self) -> bool:
        return bool(self.resumption_token) and self.finished_at is None
