"""arXiv's metadata as both arXiv importers (OAI-PMH, oai.py, and the bulk snapshot, snapshot.py) read it: the
venue name its records get, author lists split into names, names tidied, LaTeX in titles and abstracts."""

import functools
import re

from .text import one_line

ARXIV_VENUE_NAME = "arXiv"


@functools.cache
def _latex_converter():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


@functools.lru_cache(maxsize=65536)
def latex_to_text(text: str) -> str:
    """TeX accents and escapes in a name turned into Unicode: Bal\\'azs -> Balázs, {\\AA}berg -> Åberg."""
    try:
        return _latex_converter().latex_to_text(text)
    except Exception:  # pylatexenc is lenient, but a name is never worth an aborted import
        return text


_COLLABORATION_RE = re.compile(
    r"\b(?:collaborations?|consortium|group|team|experiment|project|survey|network)\b", re.IGNORECASE
)


_SPACED_HYPHEN_RE = re.compile(r"(?<=\.) -(?=\w)")


_TIDY_FIRST = frozenset(" Tt\n\t\r")


def tidy_author_name(name: str) -> str:
    """An author name as stored: TeX decoded, whitespace collapsed, no "The" before a collaboration's name.

    'C. -P. Yuan' (how arXiv's own parser spaces hyphenated initials) becomes 'C.-P. Yuan'.

    "The BABAR Collaboration" (snapshot), "the BABAR Collaboration" (after "and" in arXivRaw) and "BABAR
    Collaboration" (arXiv format) are the same author, so all three become "BABAR Collaboration".
    """
    if not (  # the usual name needs none of this: return it as it is, fast
        "\\" in name
        or "{" in name
        or "  " in name
        or " -" in name
        or name[:1] in _TIDY_FIRST
        or name[-1:].isspace()
        or (not name.isascii() and name != one_line(name))
        or ("\n" in name or "\t" in name or "\r" in name)
    ):
        return name
    if "\\" in name or "{" in name:
        name = latex_to_text(name)
    name = one_line(name)
    if " -" in name:  # initials of a hyphenated forename: "C. -P. Yuan" -> "C.-P. Yuan"
        name = _SPACED_HYPHEN_RE.sub("-", name)
    if name[:4].lower() == "the " and _COLLABORATION_RE.search(name):
        name = name[4:].lstrip()
    return name


# --- arXivRaw author strings --------------------------------------------------------------------------------

_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_PARENS_RE = re.compile(r"\([^()]*\)")
_LIST_SEPARATOR_RE = re.compile(r"\s*[,;:]\s*")
_AND_RE = re.compile(r"\s+(?:and|&)\s+")
_LEADING_AND_RE = re.compile(r"^(?:and|&)\s+")
_ET_AL_RE = re.compile(r"(?:^|\s+)(?:et\.?\s*al\.?|and\s+others)$", re.IGNORECASE)
_FOR_THE_RE = re.compile(r"^(?P<person>.+?)\s+(?:for|on\s+behalf\s+of)\s+(?:the\s+)?(?P<group>.+)$", re.IGNORECASE)


def split_arxiv_authors(text: str) -> list[str]:
    """The authors in an arXiv author line, in order.

    'A. Smith (MIT), B. Jones (William and Mary) and the ATLAS Collaboration' -> A. Smith, B. Jones, ATLAS
    Collaboration. Rules, each from a bug seen in another harvester:
    - parenthesised text is an affiliation (it may hold commas or "and"): dropped before splitting;
    - separators are , ; : (as in 'CDF Collaboration: T. Aaltonen, et al') and the *whole word* "and" or
      "&", never a substring, so 'Firsthe Last' and 'Alexander Sandberg' stay whole (SciRate #531);
    - "et al" and "and others" are not authors;
    - a lone 'Jr.', 'Sr.', 'II', 'III' or 'IV' after a comma belongs to the name before it;
    - 'X for the Y Collaboration' / 'X on behalf of the Y Collaboration' is two authors (SciRate #286), and a
      collaboration loses its leading "the".
    """
    text = one_line(text)
    while True:  # innermost parentheses first, so nested ones go too
        stripped = _PARENS_RE.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    text = text.replace("(", " ").replace(")", " ")  # an unbalanced one left over

    names: list[str] = []
    for piece in _LIST_SEPARATOR_RE.split(text):
        piece = _LEADING_AND_RE.sub("", piece.strip())
        for part in _AND_RE.split(piece):
            part = _ET_AL_RE.sub("", part.strip()).strip()
            if not part or part.lower() in {"others", "et al", "et al."}:
                continue
            if part.lower() in _NAME_SUFFIXES and names:
                names[-1] = f"{names[-1]} {part}"
                continue
            for_the = _FOR_THE_RE.match(part)
            if for_the and _COLLABORATION_RE.search(for_the["group"]):
                names.append(for_the["person"])
                names.append(for_the["group"])
            else:
                names.append(part)
    tidied = (tidy_author_name(name) for name in names)
    return [name for name in tidied if any(ch.isalpha() for ch in name)]


# --- XML ----------------------------------------------------------------------------------------------------
