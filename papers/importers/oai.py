"""arXiv OAI-PMH pages (metadataPrefix `arXiv` or `arXivRaw`) as PaperRecords; pure: bytes in, records out.

`parse_oai_page(data)` never raises: a page that is not well-formed XML comes back with an `error` (code
MALFORMED_XML, with the parser's line and column), and a record that cannot be read becomes an ImportProblem
naming it while the other records of the page are still parsed. Elements are matched on their local names, as
some responses (and hand-edited fixtures) omit or change the namespace declarations.

Author strings of `arXivRaw` are split by `arxiv_metadata.split_arxiv_authors`: outside parentheses only, on
commas, semicolons, a collaboration's colon and the whole word "and" (see its docstring for the pitfalls other
harvesters hit). Names go through `arxiv_metadata.tidy_author_name`, shared with the snapshot importer so that
both importers name a person the same way.
"""

import enum
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..identifiers import arxiv_bibtex_key, parse_arxiv_id
from .arxiv_metadata import ARXIV_VENUE_NAME, split_arxiv_authors, tidy_author_name
from .records import ImportProblem, PaperRecord, Source
from .text import first_doi, iso_date, one_line, rfc2822_date

OAI_ID_PREFIX = "oai:arXiv.org:"

# OAI-PMH verbs whose element holds the records / headers and the resumption token.
_VERB_ELEMENTS = {"GetRecord", "ListRecords", "ListIdentifiers"}


class OaiErrorCode(enum.StrEnum):
    """The error codes of OAI-PMH 2.0 (section 3.6), then those this parser reports itself."""

    BAD_ARGUMENT = "badArgument"
    BAD_RESUMPTION_TOKEN = "badResumptionToken"
    BAD_VERB = "badVerb"
    CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
    ID_DOES_NOT_EXIST = "idDoesNotExist"
    NO_RECORDS_MATCH = "noRecordsMatch"  # an empty list: not a failure
    NO_METADATA_FORMATS = "noMetadataFormats"
    NO_SET_HIERARCHY = "noSetHierarchy"
    MALFORMED_XML = "malformedXml"  # the page is not well-formed XML (a truncated download, an HTML page)
    NOT_OAI_PMH = "notOaiPmh"  # well-formed, but not an OAI-PMH response
    UNKNOWN = "unknown"  # an <error> without a code or with one the protocol does not define


@dataclass
class OaiError:
    """An OAI-PMH <error code="...">, or MALFORMED_XML / NOT_OAI_PMH when the page itself is unreadable."""

    code: OaiErrorCode
    message: str

    def __str__(self):
        return f"{self.code}: {self.message}"


@dataclass
class OaiPage:
    """One OAI-PMH response. `resumption_token` is None on the last page of a list (and on errors)."""

    records: list[PaperRecord] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    resumption_token: str | None = None
    complete_list_size: int | None = None
    cursor: int | None = None
    error: OaiError | None = None
    response_date: str | None = None


class _RecordError(ValueError):
    """A record that is well-formed XML but not a usable paper (no id, no title...)."""


# --- Author names, shared with the snapshot importer --------------------------------------------------------


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(element) -> str:
    return one_line("".join(element.itertext())) if element is not None else ""


def _children(element) -> dict[str, ET.Element]:
    """First child element by local name."""
    found: dict[str, ET.Element] = {}
    for child in element:
        found.setdefault(_local(child.tag), child)
    return found


def _arxiv_id_of_identifier(identifier: str) -> str:
    return identifier[len(OAI_ID_PREFIX) :] if identifier.startswith(OAI_ID_PREFIX) else identifier


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _build_record(*, raw_id: str, fields: dict, authors: list[str], published, updated) -> PaperRecord:
    arxiv_id = parse_arxiv_id(raw_id)
    if not arxiv_id:
        raise _RecordError(f"not an arXiv id: {raw_id!r}" if raw_id else "no arXiv id")
    title = _text(fields.get("title"))
    if not title:
        raise _RecordError("no title")
    return PaperRecord(
        bibtex_key=arxiv_bibtex_key(arxiv_id),
        title=title,
        source=Source.ARXIV.value,
        authors=authors,
        abstract=_text(fields.get("abstract")),
        year=published.year if published else None,
        published=published,
        updated=updated,
        published_in=ARXIV_VENUE_NAME,
        arxiv_id=arxiv_id,
        doi=first_doi(_text(fields.get("doi"))),
        urls=[f"https://arxiv.org/abs/{arxiv_id}"],
        keywords=_text(fields.get("categories")).split(),
    )


def _from_arxiv_format(metadata, header_id: str) -> PaperRecord:
    """metadataPrefix=arXiv: structured authors, <created> and <updated> dates."""
    fields = _children(metadata)
    authors = []
    authors_element = fields.get("authors")
    for author in authors_element if authors_element is not None else ():
        if _local(author.tag) != "author":
            continue
        parts = _children(author)
        name = " ".join(
            filter(None, (_text(parts.get(key)) for key in ("forenames", "keyname", "suffix")))
        )  # a collaboration has a keyname only
        name = tidy_author_name(name)
        if any(ch.isalpha() for ch in name):
            authors.append(name)
    published = iso_date(_text(fields.get("created")))
    updated = iso_date(_text(fields.get("updated"))) or published
    raw_id = _text(fields.get("id")) or header_id
    return _build_record(raw_id=raw_id, fields=fields, authors=authors, published=published, updated=updated)


def _from_arxiv_raw_format(metadata, header_id: str) -> PaperRecord:
    """metadataPrefix=arXivRaw: one author string, and each version with its date."""
    fields = _children(metadata)
    versions = []  # (number, date)
    for position, child in enumerate(metadata):
        if _local(child.tag) != "version":
            continue
        label = child.get("version") or ""
        number = int(label[1:]) if re.fullmatch(r"v\d+", label) else position
        date = rfc2822_date(_text(_children(child).get("date")))
        if date:
            versions.append((number, date))
    versions.sort()
    published = versions[0][1] if versions else None
    updated = versions[-1][1] if versions else None
    authors = split_arxiv_authors(_text(fields.get("authors")))
    raw_id = _text(fields.get("id")) or header_id
    return _build_record(raw_id=raw_id, fields=fields, authors=authors, published=published, updated=updated)


_FORMATS = {"arXiv": _from_arxiv_format, "arXivRaw": _from_arxiv_raw_format}


def _read_record(record, page: OaiPage) -> None:
    parts = _children(record)
    header = parts.get("header")
    identifier = _text(_children(header).get("identifier")) if header is not None else ""
    ref = _arxiv_id_of_identifier(identifier) or "record without identifier"
    if header is not None and header.get("status") == "deleted":
        page.deleted.append(ref)
        return
    metadata = parts.get("metadata")
    payload = next(iter(metadata), None) if metadata is not None else None
    if payload is None:
        page.problems.append(ImportProblem(ref, "record has no metadata"))
        return
    reader = _FORMATS.get(_local(payload.tag))
    if reader is None:
        page.problems.append(ImportProblem(ref, f"unsupported metadata format <{_local(payload.tag)}>"))
        return
    try:
        page.records.append(reader(payload, _arxiv_id_of_identifier(identifier)))
    except _RecordError as exc:
        page.problems.append(ImportProblem(ref, str(exc)))
    except Exception as exc:  # never let one odd record cost the page
        page.problems.append(ImportProblem(ref, f"unreadable record ({type(exc).__name__}: {exc})"))


def _read_envelope(root, page: OaiPage, *, records: bool = True) -> None:
    if _local(root.tag) != "OAI-PMH":
        reason = f"the document is <{_local(root.tag)}>, not an OAI-PMH response"
        page.error = OaiError(OaiErrorCode.NOT_OAI_PMH, reason)
        return
    for child in root:
        name = _local(child.tag)
        if name == "responseDate":
            page.response_date = _text(child) or None
        elif name == "error" and page.error is None:
            page.error = _error(child)
        elif name in _VERB_ELEMENTS:
            for item in child:
                item_name = _local(item.tag)
                if item_name == "record" and records:
                    _read_record(item, page)
                elif item_name == "header" and item.get("status") == "deleted":  # ListIdentifiers
                    page.deleted.append(_arxiv_id_of_identifier(_text(_children(item).get("identifier"))))
                elif item_name == "resumptionToken":
                    page.resumption_token = _text(item) or None
                    page.complete_list_size = _int_or_none(item.get("completeListSize"))
                    page.cursor = _int_or_none(item.get("cursor"))


def _error(element) -> OaiError:
    """The OaiError of an <error> element; a code the protocol does not define is kept in the message."""
    code = element.get("code") or ""
    try:
        return OaiError(OaiErrorCode(code), _text(element))
    except ValueError:
        return OaiError(OaiErrorCode.UNKNOWN, f"{code}: {_text(element)}" if code else _text(element))


def _describe(exc: ET.ParseError, line: int | None = None, column: int | None = None) -> str:
    """'not well-formed XML: mismatched tag at line 12, column 3' (expat's reason, our position if given)."""
    err_line, err_column = exc.position
    line, column = line or err_line, column if column is not None else err_column
    reason = str(exc).split(":")[0]  # expat says "mismatched tag: line 12, column 3"
    return f"not well-formed XML: {reason} at line {line}, column {column}"


_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_RECORD_RE = re.compile(rb"<(?:[\w.-]+:)?record[\s>].*?</(?:[\w.-]+:)?record\s*>", re.DOTALL)
_ROOT_RE = re.compile(rb"<((?:[\w.-]+:)?OAI-PMH)\b[^>]*>")
_XML_DECLARATION_RE = re.compile(rb"^\s*<\?xml[^>]*\?>")
_IDENTIFIER_RE = re.compile(rb"<(?:[\w.-]+:)?identifier>\s*([^<\s]+)\s*</")


def parse_oai_page(data: bytes) -> OaiPage:
    """Parse one OAI-PMH response body. Never raises; see the module docstring."""
    if isinstance(data, str):
        data = data.encode()
    page = OaiPage()
    if _DTD_RE.search(data):
        page.error = OaiError(OaiErrorCode.MALFORMED_XML, "document type declarations are refused (entity expansion)")
        return page
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return _salvage(data)
    _read_envelope(root, page)
    return page


def _salvage(data: bytes) -> OaiPage:
    """A page that is not well-formed: parse each <record> on its own, so one broken record costs only itself.

    The page gets an `error` only when the break is outside the records (a truncated download, an HTML error
    page); then the records that could still be read are returned alongside it.
    """
    page = OaiPage()
    chunks = list(_RECORD_RE.finditer(data))
    # The envelope without the records, newlines kept so that line numbers still match the original.
    skeleton, previous = bytearray(), 0
    for chunk in chunks:
        skeleton += data[previous : chunk.start()] + b"\n" * chunk.group().count(b"\n")
        previous = chunk.end()
    skeleton += data[previous:]
    try:
        _read_envelope(ET.fromstring(bytes(skeleton)), page, records=False)
    except ET.ParseError as exc:
        page.error = OaiError(OaiErrorCode.MALFORMED_XML, _describe(exc))

    declaration = _XML_DECLARATION_RE.match(data)
    root = _ROOT_RE.search(data)
    root_name = root.group(1) if root else b"OAI-PMH"
    opening = (declaration.group().strip() if declaration else b"") + (
        root.group().replace(b"\n", b" ").replace(b"\r", b" ") if root else b"<OAI-PMH>"
    )
    opening += b"<ListRecords>"
    closing = b"</ListRecords></" + root_name + b">"
    for chunk in chunks:
        try:
            wrapper = ET.fromstring(opening + chunk.group() + closing)
        except ET.ParseError as exc:
            start_line = data.count(b"\n", 0, chunk.start()) + 1
            start_column = chunk.start() - (data.rfind(b"\n", 0, chunk.start()) + 1)
            err_line, err_column = exc.position
            line = start_line + err_line - 1
            column = start_column + err_column - len(opening) if err_line == 1 else err_column
            identifier = _IDENTIFIER_RE.search(chunk.group())
            ref = (
                _arxiv_id_of_identifier(identifier.group(1).decode("utf-8", "replace"))
                if identifier
                else f"record at line {line}"
            )
            page.problems.append(ImportProblem(ref, _describe(exc, line, column), line=line))
            continue
        _read_envelope(wrapper, page)
    return page
