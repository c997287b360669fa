"""BibTeX files (dblp and Bibsonomy exports) to PaperRecords: a pure parser on top of bibtexparser 2.

bibtexparser only splits the file into blocks here; values are evaluated by this module (string macros, month
macros, `#` concatenation), so a malformed value is reported instead of being imported as garbage. LaTeX in
text fields (title, authors, venue, abstract) is decoded to Unicode with pylatexenc; math between `$` is kept.

dblp records are stored under their dblp key (`DBLP:conf/nips/RenHGS15` or a biburl naming
`conf/nips/RenHGS15`), the original site's scheme, with the file's own key kept as an alias.
"""

import re

import bibtexparser
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexwalker import get_default_latex_context_db as get_default_walker_context_db

from papers.identifiers import parse_arxiv_id, parse_doi

from .crossref import arxiv_id_from_doi
from .records import ImportProblem, PaperRecord, Source
from .text import one_line

# BibTeX and biblatex entry types that describe a publication; any other @type is reported and skipped.
ENTRY_TYPES = frozenset(
    {
        *("article", "book", "booklet", "collection", "conference", "dataset", "electronic", "inbook"),
        *("incollection", "inproceedings", "inreference", "manual", "mastersthesis", "misc", "mvbook"),
        *("mvcollection", "mvproceedings", "mvreference", "online", "patent", "periodical", "phdthesis"),
        *("proceedings", "reference", "report", "software", "standard", "suppbook", "suppcollection"),
        *("suppperiodical", "techreport", "thesis", "unpublished", "www"),
    }
)
# Entry types that are venues: when another entry of the same file crossrefs one, it only lends its fields.
CONTAINER_TYPES = frozenset(
    {
        *("book", "collection", "mvbook", "mvcollection", "mvproceedings", "mvreference", "periodical"),
        *("proceedings", "reference"),
    }
)
# Fields a crossref target lends to the entries citing it (not title, authors, DOI, URLs: those are its own).
INHERITED_FIELDS = (
    "booktitle",
    "journal",
    "year",
    "publisher",
    "series",
    "volume",
    "address",
    "organization",
)
MAX_CROSSREF_DEPTH = 5

# BibTeX's predefined month macros: jan -> January.
MONTHS = {
    name[:3].lower(): name
    for name in (
        *("January", "February", "March", "April", "May", "June", "July", "August", "September", "October"),
        *("November", "December"),
    )
}
MAX_KEY_LENGTH = 255
MAX_VENUE_LENGTH = 500

DBLP_KEY_PREFIX = "DBLP:"
DBLP_KEY_RE = re.compile(r"^[a-z]+(?:/[^/\s]+){2,}$")
DBLP_BIBURL_RE = re.compile(
    r"^https?://(?:www\.)?dblp\.(?:org|uni-trier\.de|dagstuhl\.de)/rec/(?:(?:bib|bibtex|bib1|bib2)/)?"
    r"(?P<key>[^?#\s]+?)(?:\.(?:bib|html|xml))?/?$",
    re.IGNORECASE,
)
BLOCK_KEY_RE = re.compile(r"^\s*@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,")
UNESCAPED_PERCENT_RE = re.compile(r"(?<!\\)%")
PLAIN_ESCAPE_RE = re.compile(r"\\([_%&#$~])")
IDENTIFIER_RE = re.compile(r"^[^\s\"#%'(),={}]+$")


class MalformedValue(ValueError):
    """A field value that is not well-formed BibTeX."""


def _latex_decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    context.add_context_category(
        "shortscience-bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),  # not <...>
            MacroTextSpec("LaTeX", simplify_repl="LaTeX"),
            MacroTextSpec("TeX", simplify_repl="TeX"),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


DECODER = _latex_decoder()
# Built once: pylatexenc would otherwise rebuild the parser's macro table for every value.
WALKER_CONTEXT = get_default_walker_context_db()
# Values without LaTeX commands, groups, math, ties, dashes or quotes (most of them) need no decoding.
LATEX_SYNTAX_RE = re.compile(r"[\\{}$~%]|--|``|''")


def _to_text(value: str) -> str:
    """LaTeX to Unicode: accents decoded, protecting braces dropped, math kept as written."""
    if not LATEX_SYNTAX_RE.search(value):
        return value
    # In a BibTeX value `%` is a literal character, for LaTeX it starts a comment.
    value = UNESCAPED_PERCENT_RE.sub(r"\\%", value)
    try:
        return DECODER.latex_to_text(value, latex_context=WALKER_CONTEXT)
    except Exception:  # pylatexenc is tolerant; should it still fail, the braces are the worst left behind
        return value.replace("{", "").replace("}", "")


def _latex_line(value: str) -> str:
    """A LaTeX value as one line of Unicode text."""
    return one_line(_to_text(value))


def _paragraphs(value: str) -> str:
    """Decoded text with line wrapping undone but blank-line paragraph breaks kept."""
    paragraphs = (one_line(p) for p in re.split(r"\n\s*\n", _to_text(value)))
    return "\n\n".join(p for p in paragraphs if p)


def _plain(value: str) -> str:
    """An identifier-like value (DOI, URL, eprint, tags): braces and `\\_`-style escapes removed."""
    value = re.sub(r"\\url\s*{([^}]*)}", r"\1", value)
    return PLAIN_ESCAPE_RE.sub(r"\1", value).replace("{", "").replace("}", "").strip()


def _split_concatenation(raw: str) -> list[str]:
    """`"a" # b # {c}` -> ['"a"', 'b', '{c}'], splitting only on `#` outside braces and quotes."""
    parts, current, depth, quoted = [], [], 0, False
    for char in raw:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise MalformedValue("unbalanced braces")
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if depth or quoted:
        raise MalformedValue("unbalanced braces or quotes")
    parts.append("".join(current).strip())
    return parts


def _is_group(part: str, open_char: str, close_char: str) -> bool:
    """Whether `part` is one group `{...}` / `"..."` (and not `{a} b {c}`)."""
    if len(part) < 2 or part[0] != open_char or part[-1] != close_char:
        return False
    depth = 0
    for i, char in enumerate(part):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and open_char == "{" and i < len(part) - 1:
                return False
        elif char == '"' and open_char == '"' and depth == 0 and 0 < i < len(part) - 1:
            return False
    return True


def _evaluate(raw, macros: dict[str, str]) -> str:
    """The value of a field as written: `{...}`, `"..."`, 2014, a macro, or a `#` concatenation of those."""
    if not isinstance(raw, str):
        return str(raw)
    pieces = []
    for part in _split_concatenation(raw.strip()):
        if _is_group(part, "{", "}") or _is_group(part, '"', '"'):
            pieces.append(part[1:-1])
        elif part.isdigit():
            pieces.append(part)
        elif IDENTIFIER_RE.match(part):
            name = part.lower()
            if name in macros:
                pieces.append(macros[name])
            elif name in MONTHS:
                pieces.append(MONTHS[name])
            else:
                raise MalformedValue(f"undefined string macro {part!r}")
        else:
            raise MalformedValue(f"malformed value {part[:60]!r}")
    return "".join(pieces)


def _entry_fields(entry: Entry, macros: dict[str, str]) -> dict[str, str]:
    """Field name (lower-case) -> evaluated value."""
    fields = {}
    for field in entry.fields:
        try:
            fields.setdefault(field.key.lower(), _evaluate(field.value, macros))
        except MalformedValue as exc:
            raise MalformedValue(f"field {field.key}: {exc}") from exc
    return fields


def _dblp_key(entry_key: str, fields: dict[str, str]) -> str | None:
    """The dblp key of an entry keyed `DBLP:conf/x/Y` or with a biburl naming a dblp record, else None."""
    if entry_key.startswith(DBLP_KEY_PREFIX) and DBLP_KEY_RE.match(entry_key[len(DBLP_KEY_PREFIX) :]):
        return entry_key[len(DBLP_KEY_PREFIX) :]
    match = DBLP_BIBURL_RE.match(_plain(fields.get("biburl", "")))
    if match and DBLP_KEY_RE.match(match.group("key")):
        return match.group("key")
    return None


def _names(raw: str) -> list[str]:
    """Person names in reading order: 'Last, First' -> 'First Last', 'and others' dropped, LaTeX decoded."""
    names = []
    for name in split_multiple_persons_names(raw):
        if name.strip().lower() == "others":
            continue
        name = _latex_line(parse_single_name_into_parts(name, strict=False).merge_first_name_first)
        if name:
            names.append(name)
    return names


def _year(fields: dict[str, str]) -> int | None:
    """The year, from `year = {2014}` (or `{2014/15}`), else from a biblatex `date = {2014-06-01}`."""
    match = re.search(r"\d{4}", fields.get("year", "")) or re.match(r"\s*\d{4}", fields.get("date", ""))
    return int(match.group(0)) if match else None


def _keywords(fields: dict[str, str]) -> list[str]:
    """Tags: Bibsonomy separates them with spaces, most other tools with commas or semicolons."""
    words = []
    for name in ("keywords", "keyword", "tags"):
        value = _plain(_latex_line(fields[name])) if fields.get(name) else ""
        words += re.split(r"\s*[,;]\s*", value) if re.search(r"[,;]", value) else value.split()
    return list(dict.fromkeys(w.strip() for w in words if w.strip()))


def _urls(fields: dict[str, str]) -> list[str]:
    urls = []
    for name in ("url", "ee"):
        urls += [u for u in _plain(fields.get(name, "")).split() if "://" in u]
    return list(dict.fromkeys(urls))


def _arxiv_id(fields: dict[str, str], doi: str, urls: list[str]) -> str:
    eprint_type = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower()
    if fields.get("eprint") and eprint_type == "arxiv":
        arxiv_id = parse_arxiv_id(_plain(fields["eprint"]))
        if arxiv_id:
            return arxiv_id
    arxiv_id = arxiv_id_from_doi(doi)
    if arxiv_id:
        return arxiv_id
    for url in urls:
        arxiv_id = parse_arxiv_id(url)
        if arxiv_id:
            return arxiv_id
    return ""


def _record(entry: Entry, fields: dict[str, str], own_fields: dict[str, str]) -> PaperRecord:
    """The record for an entry whose `fields` already include those inherited through crossref."""
    entry_type = entry.entry_type.lower()
    dblp_key = _dblp_key(entry.key, fields)
    is_dblp = dblp_key is not None or "dblp" in fields.get("bibsource", "").lower()
    urls = _urls(fields)
    # A bare DOI (the first, if several); else one from a doi.org URL.
    doi = parse_doi(next(iter(_plain(fields.get("doi", "")).split()), "")) or next(
        filter(None, map(parse_doi, urls)), ""
    )
    # Editors stand in for authors only for an entry's own editors (a standalone @proceedings or edited
    # book); the editors of a crossref'd volume are not the authors of its papers.
    authors = _names(own_fields.get("author", "")) or _names(own_fields.get("editor", ""))
    venue = fields.get("booktitle") or fields.get("journal") or fields.get("series") or ""
    keywords = _keywords(fields) or (["dblp"] if is_dblp else [])
    return PaperRecord(
        bibtex_key=dblp_key or entry.key,
        aliases=[entry.key] if dblp_key and dblp_key != entry.key else [],
        title=_latex_line(fields["title"]),
        source=Source.DBLP if is_dblp else Source.BIBSONOMY,
        authors=authors,
        abstract=_paragraphs(fields.get("abstract", "")),
        year=_year(fields),
        published_in=_latex_line(venue)[:MAX_VENUE_LENGTH],
        entry_type=entry_type,
        arxiv_id=_arxiv_id(fields, doi, urls),
        doi=doi,
        urls=urls,
        keywords=keywords,
    )


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("latin-1")
    return data.removeprefix("\ufeff")


def _line(block) -> int | None:
    return block.start_line + 1 if block.start_line is not None else None


def _failed_block_problem(block) -> ImportProblem:
    line = _line(block)
    if isinstance(block, DuplicateBlockKeyBlock):
        first = _line(block.previous_block)
        return ImportProblem(block.key, f"duplicate key (first used at line {first})", line)
    match = BLOCK_KEY_RE.match(block.raw or "")
    ref = match.group(1) if match else f"entry at line {line}"
    if isinstance(block, DuplicateFieldKeyBlock):
        reason = "field given twice: " + ", ".join(sorted(block.duplicate_keys))
    elif isinstance(block.error, BlockAbortedException):
        reason = "not valid BibTeX (unbalanced braces?): " + one_line(block.error.abort_reason)
    else:
        reason = f"not valid BibTeX: {block.error}"
    return ImportProblem(ref, reason, line)


def _with_crossref(fields: dict[str, str], by_key: dict[str, tuple[Entry, dict[str, str]]]) -> dict[str, str]:
    """`fields` completed from the entries they crossref (a chain at most MAX_CROSSREF_DEPTH long)."""
    fields = dict(fields)
    target_key, visited = fields.get("crossref", "").strip().lower(), set()
    while target_key in by_key and target_key not in visited and len(visited) < MAX_CROSSREF_DEPTH:
        visited.add(target_key)
        target, target_fields = by_key[target_key]
        if target.entry_type.lower() in CONTAINER_TYPES and not fields.get("booktitle"):
            fields["booktitle"] = target_fields.get("booktitle") or target_fields.get("title", "")
        for name in INHERITED_FIELDS:
            if target_fields.get(name) and not fields.get(name):
                fields[name] = target_fields[name]
        target_key = target_fields.get("crossref", "").strip().lower()
    return fields


def parse_bibtex(data: bytes | str) -> tuple[list[PaperRecord], list[ImportProblem]]:
    """The papers of a BibTeX file, and the entries skipped with the reason (each named by key and line).

    @comment, @preamble and @string blocks are not papers; @string macros are applied. An entry with a
    crossref inherits venue fields (booktitle, year, publisher...) from its target; a @proceedings or @book
    crossref'd by another entry of the file is a venue, not a paper, and is not returned.
    """
    library = bibtexparser.parse_string(_decode(data), parse_stack=[])
    problems = [_failed_block_problem(block) for block in library.failed_blocks]

    macros: dict[str, str] = {}
    for string in library.strings:
        try:
            macros[string.key.lower()] = _evaluate(string.value, macros)
        except MalformedValue as exc:
            problems.append(ImportProblem(f"@string {string.key}", str(exc), _line(string)))

    entries: list[tuple[Entry, dict[str, str]]] = []
    for entry in library.entries:
        try:
            fields = _entry_fields(entry, macros)
        except MalformedValue as exc:
            problems.append(ImportProblem(entry.key or f"entry at line {_line(entry)}", str(exc), _line(entry)))
            continue
        entries.append((entry, fields))

    by_key = {entry.key.lower(): (entry, fields) for entry, fields in entries}
    targets = {
        fields["crossref"].strip().lower()
        for entry, fields in entries
        if fields.get("crossref", "").strip().lower() in by_key
    }

    records, seen = [], {}
    for entry, own_fields in entries:
        entry_type, line = entry.entry_type.lower(), _line(entry)
        if entry.key.lower() in targets and entry_type in CONTAINER_TYPES:
            continue
        if entry_type not in ENTRY_TYPES:
            problems.append(
                ImportProblem(entry.key or f"entry at line {line}", f"unknown entry type @{entry_type}", line)
            )
            continue
        if not entry.key:
            problems.append(ImportProblem(f"entry at line {line}", "no key", line))
            continue
        fields = _with_crossref(own_fields, by_key)
        if not _latex_line(fields.get("title", "")):
            problems.append(ImportProblem(entry.key, "no title", line))
            continue
        record = _record(entry, fields, own_fields)
        if len(record.bibtex_key) > MAX_KEY_LENGTH:
            problems.append(ImportProblem(entry.key, f"key longer than {MAX_KEY_LENGTH} characters", line))
            continue
        if record.bibtex_key in seen:
            first_key, first_line = seen[record.bibtex_key]
            same = "same key" if first_key == entry.key else f"same paper as {first_key}"
            problems.append(ImportProblem(entry.key, f"duplicate: {same} (line {first_line})", line))
            continue
        seen[record.bibtex_key] = (entry.key, line)
        records.append(record)

    problems.sort(key=lambda p: p.line or 0)
    return records, problems
