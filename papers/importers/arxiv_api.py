"""arXiv API (Atom) importer: `parse_arxiv_atom` turns a response into records (pure); `fetch_arxiv` asks.

Reads both the current feed (2025-) and the older one (namespaces declared on each element, http:// links).
A paper is keyed like the original site, journals/corr/<id without version>; its abstract and PDF URLs are
unversioned too, so they always show the latest version.
"""

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from django.conf import settings

from shortscience.http import HttpClient, HttpError, shared_pacer, with_params

from ..identifiers import arxiv_bibtex_key, parse_arxiv_id
from .records import ImportProblem, PaperRecord, Source
from .text import first_doi, iso_date, one_line

BATCH_SIZE = 100  # ids per request; arXiv answers up to 2000 per page, smaller pages fail less often
# arXiv's terms of use: no more than one request every 3 seconds (settings.ARXIV_MIN_INTERVAL), one connection at a
# time, summed over its API and OAI-PMH: every arXiv client paces under this one key, across processes.
PACE_KEY = "arxiv.org"
ERROR_ID_PREFIXES = ("https://arxiv.org/api/errors", "http://arxiv.org/api/errors")

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def arxiv_client() -> HttpClient:
    """The client every arXiv API request goes through, spaced as arXiv asks across all our processes."""
    return HttpClient(min_interval=settings.ARXIV_MIN_INTERVAL, pacer=shared_pacer(), pace_key=PACE_KEY)


def id_list_url(ids: Iterable[str]) -> str:
    """The API query URL fetching exactly these ids (max_results defaults to 10, so it is always given)."""
    ids = list(ids)
    return with_params(settings.ARXIV_API_URL, {"id_list": ",".join(ids), "max_results": len(ids)}, safe=",/")


def parse_arxiv_atom(data: bytes, *, ref: str = "arXiv feed") -> tuple[list[PaperRecord], list[ImportProblem]]:
    """Records for the entries of an arXiv API response, and problems for the entries (or feed) that are not
    papers. An error feed (HTTP 400 etc.) gives one problem whose reason is arXiv's message. `ref` names the
    whole feed in a problem about it (e.g. the file it came from)."""
    records, errors, problems = _parse(data, ref)
    return records, [ImportProblem(url, message) for url, message in errors] + problems


def fetch_arxiv(
    ids: Iterable[str], client: HttpClient, *, batch_size: int = BATCH_SIZE
) -> tuple[list[PaperRecord], list[ImportProblem]]:
    """Records for `ids` (bare, versioned, old-style ids or abs/pdf URLs) from the arXiv API, `batch_size` per
    request. Every id that yields no record is a problem named by the id as given: not an arXiv id, not found,
    or the reason its request failed."""
    problems: list[ImportProblem] = []
    wanted: dict[str, str] = {}  # unversioned id -> the id as given
    for given in ids:
        arxiv_id = parse_arxiv_id(given)
        if arxiv_id is None:
            problems.append(ImportProblem(given, "not an arXiv id or arXiv URL"))
        else:
            wanted.setdefault(arxiv_id, given)

    records: list[PaperRecord] = []
    unique_ids = list(wanted)
    for start in range(0, len(unique_ids), batch_size):
        batch = unique_ids[start : start + batch_size]
        url = id_list_url(batch)
        try:
            response = client.get(url)
        except HttpError as exc:
            problems.extend(ImportProblem(wanted[i], f"arXiv request failed: {exc.message}") for i in batch)
            continue
        batch_records, errors, batch_problems = _parse(response.body, url)
        unusable = [message for _, message in errors] + [p.reason for p in batch_problems if p.ref == url]
        if unusable or not response.ok:
            # An error feed, or no feed at all. arXiv refuses a whole request for one malformed id; ids are
            # validated above, so this is rare.
            reason = f"arXiv answered HTTP {response.status}" + (f": {unusable[0]}" if unusable else "")
            problems.extend(ImportProblem(wanted[i], reason) for i in batch)
            continue
        records.extend(record for record in batch_records if record.arxiv_id in wanted)
        problems.extend(ImportProblem(wanted.get(p.ref, p.ref), p.reason, p.line) for p in batch_problems)
        answered = {record.arxiv_id for record in batch_records} | {p.ref for p in batch_problems}
        problems.extend(ImportProblem(wanted[i], "not found on arXiv") for i in batch if i not in answered)
    return records, problems


def _parse(data: bytes, ref: str) -> tuple[list[PaperRecord], list[tuple[str, str]], list[ImportProblem]]:
    """(records, arXiv's error entries as (id url, message), problems with other entries)."""
    try:
        feed = ET.fromstring(data)
    except ET.ParseError as exc:
        return [], [], [ImportProblem(ref, f"not valid XML: {exc}")]
    if feed.tag != f"{ATOM}feed":
        return [], [], [ImportProblem(ref, f"not an Atom feed (root element {feed.tag})")]

    records, errors, problems, seen = [], [], [], set()
    for entry in feed.findall(f"{ATOM}entry"):
        entry_id = _text(entry, f"{ATOM}id")
        if entry_id.startswith(ERROR_ID_PREFIXES):
            errors.append((entry_id, _text(entry, f"{ATOM}summary") or "arXiv API error"))
            continue
        arxiv_id = parse_arxiv_id(entry_id)
        title = _text(entry, f"{ATOM}title")
        if arxiv_id is None:
            problems.append(ImportProblem(entry_id or "entry without id", "not an arXiv paper id"))
        elif not title:
            problems.append(ImportProblem(arxiv_id, "not found on arXiv (an entry without a title)"))
        elif arxiv_id not in seen:
            seen.add(arxiv_id)
            records.append(_record(entry, arxiv_id, title))
    return records, errors, problems


def _record(entry: ET.Element, arxiv_id: str, title: str) -> PaperRecord:
    published = iso_date(_text(entry, f"{ATOM}published")[:10])  # of a timestamp, 2016-11-08T18:56:37Z
    updated = iso_date(_text(entry, f"{ATOM}updated")[:10])
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [category.get("term", "") for category in entry.findall(f"{ATOM}category")]
    has_pdf = any(link.get("title") == "pdf" for link in entry.findall(f"{ATOM}link"))
    urls = [f"https://arxiv.org/abs/{arxiv_id}"] + ([f"https://arxiv.org/pdf/{arxiv_id}"] if has_pdf else [])
    return PaperRecord(
        bibtex_key=arxiv_bibtex_key(arxiv_id),
        title=title,
        source=Source.ARXIV.value,
        authors=[name for author in entry.findall(f"{ATOM}author") if (name := _text(author, f"{ATOM}name"))],
        abstract=_text(entry, f"{ATOM}summary"),
        year=published.year if published else None,
        published=published,
        updated=updated,
        published_in="arXiv",
        entry_type="article",
        arxiv_id=arxiv_id,
        doi=first_doi(_text(entry, f"{ARXIV}doi")),  # the first valid one of several, as OAI and snapshot read it
        urls=urls,
        keywords=list(dict.fromkeys(term.strip() for term in categories if term.strip())),
    )


def _text(element: ET.Element, tag: str) -> str:
    """The child's text with runs of whitespace (the feed wraps long lines) collapsed to one space."""
    return one_line(element.findtext(tag))
