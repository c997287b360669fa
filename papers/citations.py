"""A paper as a BibTeX entry and as a plain citation: what /paper/bibtex serves, the paper page's "Cite" box shows and
a profile's .bib gathers. The entry is written by bibtexparser 2; text fields are LaTeX-encoded by pylatexenc (é as
{\\'e}, & as {\\&}) outside `$…$` math, which titles keep from their import, so that the entry compiles and reads
back (papers.importers.bibtex decodes it) as the same title and authors, in order."""

import re

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from pylatexenc.latexencode import unicode_to_latex

MATH_RE = re.compile(r"(\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\])")  # $…$, \(…\), \[…\]
# Characters BibTeX does not take in a key (dblp's `conf/nips/RenHGS15` and DOIs' `/ . - :` are fine).
KEY_UNSAFE_RE = re.compile(r"[\s,{}()\"#%'=~\\]")
ARXIV_KEY_PREFIX = "journals/corr/"


def latex(text: str) -> str:
    """Unicode text as LaTeX, math (`$…$`, `\\(…\\)`, `\\[…\\]`) left as it is."""
    parts = MATH_RE.split(text or "")
    return "".join(
        part if MATH_RE.fullmatch(part) else unicode_to_latex(part, replacement_latex_protection="braces-all")
        for part in parts
    )


def citation_key(paper) -> str:
    return KEY_UNSAFE_RE.sub("_", paper.bibtex_key)


def _person(name: str) -> str:
    """One author: a name with " and " in it (an organisation) is braced, so it stays one person."""
    encoded = latex(name)
    return "{" + encoded + "}" if re.search(r"\sand\s", name) else encoded


def _entry_type(paper) -> str:
    if paper.entry_type:
        return paper.entry_type.lower()
    if paper.bibtex_key.startswith("conf/"):
        return "inproceedings"
    if paper.published_in or (paper.venue_id and not paper.bibtex_key.startswith(ARXIV_KEY_PREFIX)):
        return "article"
    return "misc"


def _venue_name(paper) -> str:
    """The journal or booktitle as imported, else the venue's name (not its key: `journals/corr` names nothing)."""
    return paper.published_in or (paper.venue.name if paper.venue else "")


def paper_entry(paper, *, site_url: str) -> Entry:
    """`paper` (with its authors: Paper.objects.with_authors()) as a bibtexparser Entry."""
    entry_type = _entry_type(paper)
    fields = [("title", latex(paper.title))]
    names = paper.author_names
    if names:
        fields.append(("author", " and ".join(_person(n) for n in names)))
    venue = _venue_name(paper)
    if venue and entry_type in ("inproceedings", "incollection", "conference"):
        fields.append(("booktitle", latex(venue)))
    elif venue and entry_type == "article":
        fields.append(("journal", latex(venue)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.doi:
        fields.append(("doi", latex(paper.doi)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archiveprefix", "arXiv")]
        if entry_type == "misc" and not venue:
            fields.append(("howpublished", latex(f"arXiv:{paper.arxiv_id}")))
    fields.append(("url", paper.arxiv_url or paper.doi_url or site_url + paper.get_absolute_url()))
    fields.append(("biburl", site_url + paper.get_absolute_url()))
    return Entry(entry_type, citation_key(paper), [Field(key, value) for key, value in fields])


def papers_bibtex(papers, *, site_url: str) -> str:
    """The papers as one BibTeX file (one entry each, in the order given)."""
    library = Library([paper_entry(p, site_url=site_url) for p in papers])
    return bibtexparser.write_string(library)


def paper_bibtex(paper, *, site_url: str) -> str:
    return papers_bibtex([paper], site_url=site_url)


def paper_citation(paper) -> str:
    """A plain-text reference: "A. One, B. Two and C. Three. Title. Venue, 2015. https://doi.org/…"."""
    names = paper.author_names
    authors = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
    parts = [authors, paper.title.rstrip(".")]
    venue = _venue_name(paper)
    where = ", ".join(str(x) for x in (venue, paper.year) if x)
    if where:
        parts.append(where)
    if paper.doi_url or paper.arxiv_url:
        parts.append(paper.doi_url or paper.arxiv_url)
    return ". ".join(p for p in parts if p) + ("" if parts[-1].startswith("http") else ".")
