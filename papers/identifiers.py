"""What papers are known by, with no Django in it: arXiv ids, DOIs, bibtex keys and their venue prefixes, and the
folded forms of names and titles that look-ups compare."""

import re
import unicodedata

# An arXiv identifier: new style 1512.03385 / 0704.0001 (optionally versioned), old style hep-th/9901001 or
# math.GT/0309136 (optionally versioned).
ARXIV_NEW_RE = r"\d{4}\.\d{4,5}"
ARXIV_OLD_RE = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID_RE = re.compile(rf"^(?P<id>{ARXIV_NEW_RE}|{ARXIV_OLD_RE})(?P<version>v\d+)?$")
ARXIV_URL_RE = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(?P<id>{ARXIV_NEW_RE}|{ARXIV_OLD_RE})"
    r"(?P<version>v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
DOI_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(?P<doi>10\.\d{4,9}/\S+)$", re.IGNORECASE)
ARXIV_KEY_PREFIX = "journals/corr/"
# The archives of old-style arXiv ids (hep-th/9901001), which ended in 2007-03: no other name was ever used.
ARXIV_OLD_ARCHIVES = frozenset(
    {
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    }
)
DOI_MAX_LENGTH = 200  # far above any registered DOI in practice; a longer "DOI" is not sent anywhere
DOI_LOOKUP_RE = re.compile(r"10\.\d{4,9}(?:\.\d+)*/.+")


def parse_arxiv_id(text: str) -> str | None:
    """The unversioned arXiv id in `text` (a bare id, versioned id or arXiv abs/pdf URL), or None."""
    text = (text or "").strip()
    if text.lower().startswith("arxiv:"):
        text = text[6:]
    match = ARXIV_ID_RE.match(text) or ARXIV_URL_RE.match(text)
    return match.group("id") if match else None


def parse_doi(text: str) -> str | None:
    """The DOI in `text` (bare, doi: prefixed or a doi.org URL), lower-cased as DOIs are case-insensitive."""
    match = DOI_RE.match((text or "").strip())
    return match.group("doi").lower() if match else None


def doi_refusal(doi: str) -> str | None:
    """Why the DOI `doi` (as parse_doi gives it) must not be sent to a registry, or None when it may be: it is
    10.<digits>/<suffix>, at most DOI_MAX_LENGTH characters, with no whitespace or control character and no "." or
    ".." path segment (a suffix like ../../x would climb out of the registry's /works/ path)."""
    if len(doi) > DOI_MAX_LENGTH:
        return f"a DOI is at most {DOI_MAX_LENGTH} characters long"
    if not DOI_LOOKUP_RE.fullmatch(doi):
        return "a DOI is 10.<registrant digits>/<suffix>"
    if any(not ch.isprintable() or ch.isspace() for ch in doi):
        return "a DOI has no spaces or control characters"
    if any(segment in {".", ".."} for segment in doi.split("/")[1:]):
        return "a DOI has no . or .. path segments"
    return None


def arxiv_bibtex_key(arxiv_id: str) -> str:
    """The original site's key for an arXiv paper: journals/corr/<id without version>."""
    return ARXIV_KEY_PREFIX + arxiv_id


def venue_key_for(bibtex_key: str) -> str | None:
    """The venue prefix of a dblp-style key: conf/nips/RenHGS15 -> conf/nips; other keys have none."""
    parts = bibtex_key.split("/")
    if len(parts) >= 3 and parts[0] in {"conf", "journals", "books", "series", "reference", "phd", "tr"}:
        return "/".join(parts[:2])
    return None


def fold(text: str) -> str:
    """Lower-case ASCII folding used for lookups: 'Dollár' and 'Dollar' match."""
    if not text or text.isascii():  # the common case, 20x faster than decomposing
        return (text or "").casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normalize_name(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", fold(name)).split())


def normalize_title(title: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold(title)).split())[:500]
