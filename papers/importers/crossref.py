"""Crossref REST API importer: `parse_crossref_work` turns one `GET /works/{doi}` answer into a record (pure);
`fetch_crossref` asks Crossref for a list of DOIs.

A Crossref paper is keyed by its DOI, lower-cased, as the original site did. Its date is the earliest of
`published-print` and `published-online` (then `published`, then `issued`); Crossref often gives only a year and
month, or only a year, and the missing month or day is taken as the first (June 2016 is stored as 2016-06-01).

arXiv's own DOIs (10.48550/arXiv.<id>) are registered with DataCite, not Crossref, which answers 404 for them:
callers fetch those from the arXiv API instead (`arxiv_id_from_doi`).
"""

import datetime
import html
import json
import re
from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings

from shortscience.http import HttpClient, HttpError, shared_pacer

from ..identifiers import parse_arxiv_id, parse_doi
from .records import ImportProblem, PaperRecord, Source
from .text import one_line

API_URL = "https://api.crossref.org"
MIN_INTERVAL = 1.0  # Crossref's polite pool allows more; one request a second is plenty for imports by DOI
ARXIV_DOI_PREFIX = "10.48550/arxiv."

# Crossref work types -> BibTeX entry types; anything else is "misc".
ENTRY_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book-section": "incollection",
    "book-part": "incollection",
    "reference-entry": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "proceedings": "proceedings",
    "dissertation": "phdthesis",
    "report": "techreport",
    "standard": "techreport",
}
DATE_FIELDS = ("published-print", "published-online", "published", "issued")  # the first two are compared

XML_TAG_RE = re.compile(r"</?[A-Za-z][\w.:-]*(?:\s[^<>]*)?/?>")
JATS_TITLE_RE = re.compile(r"<(?:jats:)?title\b[^>]*>.*?</(?:jats:)?title>", re.DOTALL)
JATS_PARAGRAPH_END_RE = re.compile(r"</(?:jats:)?(?:p|sec)>")


def crossref_client() -> HttpClient:
    """The client every Crossref request goes through. The User-Agent (settings.HTTP_USER_AGENT) carries a
    mailto: address, which puts us in Crossref's "polite pool"."""
    return HttpClient(
        min_interval=MIN_INTERVAL,
        user_agent=settings.HTTP_USER_AGENT,
        headers={"Accept": "application/json"},
        pacer=shared_pacer(),
    )


def work_url(doi: str) -> str:
    """The API address of one work. The DOI's slashes stay literal; other reserved characters are escaped."""
    return f"{API_URL}/works/{quote(doi, safe='/')}"


def arxiv_id_from_doi(doi: str) -> str | None:
    """The arXiv id of an arXiv DOI (10.48550/arXiv.1512.03385 -> 1512.03385), or None for other DOIs."""
    doi = (doi or "").strip().lower()
    if not doi.startswith(ARXIV_DOI_PREFIX):
        return None
    return parse_arxiv_id(doi[len(ARXIV_DOI_PREFIX) :])


def parse_crossref_work(data: bytes, *, ref: str) -> tuple[list[PaperRecord], list[ImportProblem]]:
    """The record of a Crossref `works/{doi}` answer, or a problem named `ref` saying why there is none
    (not JSON, an error answer, not a work, no DOI or no title)."""
    try:
        answer = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [ImportProblem(ref, f"not a Crossref answer (not valid JSON: {exc})")]
    if not isinstance(answer, dict):
        return [], [ImportProblem(ref, "not a Crossref answer (not a JSON object)")]
    if answer.get("status") != "ok":
        return [], [ImportProblem(ref, f"Crossref answered: {_error_message(answer)}")]
    work = answer.get("message")
    if answer.get("message-type", "work") != "work" or not isinstance(work, dict):
        return [], [ImportProblem(ref, f"not a Crossref work (message-type {answer.get('message-type')!r})")]

    doi = parse_doi(str(work.get("DOI") or ""))
    if not doi:
        return [], [ImportProblem(ref, "the Crossref work has no DOI")]
    title = _first_text(work.get("title"))
    if not title:
        return [], [ImportProblem(ref, "the Crossref work has no title")]
    published = _publication_date(work)
    url = work.get("URL")
    return [
        PaperRecord(
            bibtex_key=doi,
            title=title,
            source=Source.CROSSREF.value,
            authors=[name for author in work.get("author") or [] if (name := _author_name(author))],
            abstract=jats_to_text(work.get("abstract") or ""),
            year=published.year if published else None,
            published=published,
            published_in=_first_text(work.get("container-title")),
            entry_type=ENTRY_TYPES.get(work.get("type") or "", "misc"),
            doi=doi,
            urls=[url] if isinstance(url, str) and url.startswith(("http://", "https://")) else [],
            keywords=list(dict.fromkeys(s for s in (_clean(x) for x in work.get("subject") or []) if s)),
        )
    ], []


def fetch_crossref(dois: Iterable[str], client: HttpClient) -> tuple[list[PaperRecord], list[ImportProblem]]:
    """Records for `dois` (bare, doi: or https://doi.org/ forms), one request each. Every DOI that yields no
    record is a problem named by the DOI as given: not a DOI, an arXiv DOI (fetch those from arXiv), not found,
    or the reason its request failed. A DOI Crossref answers under another DOI (an alias) is kept as an alias."""
    records: list[PaperRecord] = []
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    for given in dois:
        doi = parse_doi(given)
        if doi is None:
            problems.append(ImportProblem(given, "not a DOI"))
            continue
        if arxiv_id_from_doi(doi):
            problems.append(ImportProblem(given, "an arXiv DOI: Crossref does not hold it, import it from arXiv"))
            continue
        if doi in seen:
            continue
        seen.add(doi)
        try:
            record, problem = fetch_crossref_work(doi, client, ref=given)
        except HttpError as exc:
            record, problem = None, ImportProblem(given, f"Crossref request failed: {exc.message}")
        if record:
            records.append(record)
        else:
            problems.append(problem)
    return records, problems


def fetch_crossref_work(doi: str, client: HttpClient, *, ref: str = "") -> tuple[PaperRecord | None, ImportProblem]:
    """(record, None) for one DOI, or (None, the problem named `ref`): a `missing` one when Crossref has no such DOI,
    or Crossref's error. Raises
    `HttpError` when Crossref could not be reached (`fetch_crossref` reports it as a problem)."""
    ref = ref or doi
    response = client.get(work_url(doi))
    if response.status == 404:
        return None, ImportProblem(ref, "DOI not found at Crossref", missing=True)
    if not response.ok:
        detail = _error_text(response.body)
        return None, ImportProblem(ref, f"Crossref answered HTTP {response.status}" + (f": {detail}" if detail else ""))
    records, problems = parse_crossref_work(response.body, ref=ref)
    if not records:
        return None, problems[0]
    record = records[0]
    if record.doi != doi:
        record.aliases.append(doi)
    return record, None


def jats_to_text(value: str) -> str:
    """Plain text of a JATS (or HTML) abstract: tags stripped, entities decoded, paragraphs kept apart by a
    blank line, whitespace collapsed. A section heading ("Abstract") is dropped."""
    value = JATS_TITLE_RE.sub(" ", value or "")
    paragraphs = JATS_PARAGRAPH_END_RE.split(value)
    return "\n\n".join(text for text in (_clean(p) for p in paragraphs) if text)


def _clean(value) -> str:
    """One line of text from a Crossref string, which may hold inline markup (<i>, <sub>, MathML)."""
    if not isinstance(value, str):
        return ""
    return one_line(html.unescape(XML_TAG_RE.sub("", value)))


def _first_text(values) -> str:
    if isinstance(values, str):
        return _clean(values)
    for value in values or []:
        if text := _clean(value):
            return text
    return ""


def _author_name(author) -> str:
    """'Given Family', the family name alone, or an organisation's `name`."""
    if not isinstance(author, dict):
        return ""
    parts = [_clean(author.get("given")), _clean(author.get("family"))]
    return " ".join(p for p in parts if p) or _clean(author.get("name"))


def _date(value) -> tuple[datetime.date, int] | None:
    """(date, number of parts given) of a Crossref date {"date-parts": [[y, m, d]]}; missing parts are 1."""
    try:
        parts = [int(p) for p in value["date-parts"][0] if p is not None]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not parts:
        return None
    year, month, day = (parts + [1, 1])[:3]
    try:
        return datetime.date(year, month, day), min(len(parts), 3)
    except ValueError:
        return None


def _publication_date(work: dict) -> datetime.date | None:
    """The earliest of print and online publication; else `published`, else `issued`. On the same day the
    more precise date wins (it is the same date either way)."""
    dates = {name: _date(work.get(name)) for name in DATE_FIELDS}
    first = [d for d in (dates["published-print"], dates["published-online"]) if d]
    if first:
        return min(first, key=lambda d: (d[0], -d[1]))[0]
    fallback = dates["published"] or dates["issued"]
    return fallback[0] if fallback else None


def _error_message(answer: dict) -> str:
    """Crossref's reason in an error answer: {"status": "failed", "message": [{"message": "..."}]}."""
    message = answer.get("message")
    if isinstance(message, list) and message and isinstance(message[0], dict):
        message = message[0].get("message")
    return _clean(message) or f"status {answer.get('status')!r}"


def _error_text(body: bytes) -> str:
    """A short reason from an error answer's body: Crossref's JSON message, or its first line of text."""
    try:
        answer = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        text = body.decode("utf-8", "replace").strip()
        return _clean(text.splitlines()[0])[:200] if text else ""
    return _error_message(answer)[:200] if isinstance(answer, dict) else ""
