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
