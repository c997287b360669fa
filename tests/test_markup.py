"""Data-driven tests of shortscience.markup, the one renderer of user text. The renderer knows no app: these tests
give it a citation look-up of their own (`lookup_of`), shaped as the site's (papers.models.PaperQuerySet.cite_links,
tested with the database in tests/papers/test_models.py).

- tests/fixtures/markup/cases.yaml: our own cases (math, currency, code, tables, headings, citations, images,
  links, raw HTML);
- tests/fixtures/xss/: every payload of four public XSS suites, rendered in several markdown contexts;
- tests/fixtures/markup/math_cases.yaml: math cases from other projects' suites, whose inputs are read from
  tests/fixtures/markdown_latex/.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from papers.models import CitedPaper, paper_url
from shortscience import markup
from shortscience.markup import extract_citations


def lookup_of(papers=()):
    """A citation look-up that knows `papers` ({"bibtex_key", "title"} dicts), as the site's knows stored papers:
    a known key links to its page with its title, an unknown one to the page that would import it."""
    titles = {paper["bibtex_key"]: paper["title"] for paper in papers}

    def lookup(keys):
        lookup.calls.append(keys)
        return {key: CitedPaper(paper_url(key), titles.get(key, ""), None) for key in keys}

    lookup.calls = []
    return lookup


IMAGE_HOSTS = ("i.imgur.com", "example.org")  # what the cases' images may load from, unless a case says


def render_summary(source, papers=(), image_hosts=IMAGE_HOSTS):
    return markup.render_summary(source, cite_lookup=lookup_of(papers), image_hosts=image_hosts)


FIXTURES = Path(__file__).parent / "fixtures"
MATH_CLASS = "arithmatex"


class ParsedHTML(HTMLParser):
    """The tags (with attributes) of rendered HTML, and the unescaped text of each math element."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.math: list[str] = []
        self._in_math = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("class") == MATH_CLASS:
            self.math.append("")
            self._in_math = True

    def handle_endtag(self, tag):
        self._in_math = False

    def handle_data(self, data):
        if self._in_math:
            self.math[-1] += data


def load_yaml(name: str) -> list[dict]:
    return yaml.safe_load((FIXTURES / "markup" / name).read_text(encoding="utf-8"))


# --- Our own cases ------------------------------------------------------------------------------------------

CASES = load_yaml("cases.yaml")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_render_summary_case(case):
    html = render_summary(case["source"], case.get("papers", []), case.get("image_hosts", IMAGE_HOSTS))

    for text in case.get("contains", []):
        assert text in html
    for text in case.get("not_contains", []):
        assert text not in html
    if "math" in case:
        assert ParsedHTML(html).math == case["math"]


CITATION_CASES = [case for case in CASES if "citations" in case]


@pytest.mark.parametrize("case", CITATION_CASES, ids=[case["name"] for case in CITATION_CASES])
def test_extract_citations_case(case):
    assert extract_citations(case["source"]) == case["citations"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_render_summary_with_citations_is_render_summary_and_extract_citations_from_one_parse(case, monkeypatch):
    papers, image_hosts = case.get("papers", []), case.get("image_hosts", IMAGE_HOSTS)
    expected = (render_summary(case["source"], papers, image_hosts), extract_citations(case["source"]))
    calls = []
    convert = markup._convert
    monkeypatch.setattr(markup, "_convert", lambda *args: calls.append(args) or convert(*args))

    rendered = markup.render_summary_with_citations(
        case["source"], cite_lookup=lookup_of(papers), image_hosts=image_hosts
    )
    assert rendered == expected
    assert len(calls) <= 1


def test_render_summary_looks_up_all_cited_keys_at_once():
    lookup = lookup_of([{"bibtex_key": "conf/nips/A15", "title": "Paper A"}])
    source = r"\cite{conf/nips/A15}, \cite{conf/nips/B15}, \cite{conf/icml/C16} and \cite{conf/nips/A15} again."

    html = markup.render_summary(source, cite_lookup=lookup)

    assert lookup.calls == [["conf/nips/A15", "conf/nips/B15", "conf/icml/C16"]]
    assert html.count('class="cite"') == 4
    assert ">Paper A</a>" in html


def test_render_summary_without_citations_does_not_look_up():
    lookup = lookup_of()
    markup.render_summary("No citations, just $x_1$ and `\\cite{code}`.", cite_lookup=lookup)
    assert lookup.calls == []


def test_render_summary_links_a_citation_where_the_look_up_says():
    def lookup(keys):  # an alias resolves to the paper's own key, as /paper?bibtexKey= redirects
        return {"DBLP:conf/nips/A15": CitedPaper("/paper?bibtexKey=conf/nips/A15", "Paper A", 1)}

    html = markup.render_summary(r"See \cite{DBLP:conf/nips/A15} and \cite{nowhere}.", cite_lookup=lookup)

    assert '<a class="cite" href="/paper?bibtexKey=conf/nips/A15">Paper A</a>' in html
    assert "[nowhere]" in html and "bibtexKey=nowhere" not in html  # no address given: the key as text


def test_render_summary_is_deterministic():
    source = (FIXTURES / "markdown_latex" / "pymdown_arithmatex.txt").read_text(encoding="utf-8")
    source += "\n\nSee \\cite{conf/nips/X15}.\nhttps://i.imgur.com/a.png\n"

    assert render_summary(source) == render_summary(source)


@pytest.mark.parametrize("opener", ["\\(", "\\[", "$", "$$", "\\cite{", "https://"])
def test_render_summary_shows_unclosed_delimiters_as_text(opener):
    # How long this takes as the input grows (linear, where pymdownx.arithmatex's own \(…\) is quadratic) is
    # measured by bench/render_bench.py, not asserted here.
    html = render_summary(opener * 2000)

    assert MATH_CLASS not in html and 'class="cite"' not in html
    assert html.count(opener.lstrip("\\")) >= 2000  # every opener is kept as text (\( shows as "(")


def test_render_summary_shows_absurdly_nested_input_as_text():
    source = "\n".join("    " * depth + "- item" for depth in range(300))

    html = render_summary(source)

    assert html.startswith("<pre>- item\n    - item")
    assert render_summary("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"  # the renderer recovered


# --- XSS payloads -------------------------------------------------------------------------------------------


def parse_dot_fixture(text: str) -> dict[str, str]:
    """markdown-it fixture format: title lines, ".", input, ".", expected output, "." -> {title: input}.

    A title used twice gets " #2" (and so on); an empty title is "case N".
    """
    cases: dict[str, str] = {}
    lines = text.split("\n")
    title: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i] != ".":
            if lines[i].strip():
                title.append(lines[i].strip())
            i += 1
            continue
        end_input = lines.index(".", i + 1)
        end_output = lines.index(".", end_input + 1)
        name = " ".join(title) or f"case {len(cases) + 1}"
        base, n = name, 1
        while name in cases:
            n += 1
            name = f"{base} #{n}"
        cases[name] = "\n".join(lines[i + 1 : end_input])
        title, i = [], end_output + 1
    return cases


def xss_payloads() -> list[tuple[str, str]]:
    """(id, payload) for every input of the four XSS suites in tests/fixtures/xss/."""
    xss = FIXTURES / "xss"
    payloads = []
    bleach_cases = json.loads((xss / "bleach_regression_cases.json").read_text(encoding="utf-8"))["cases"]
    payloads += [(f"bleach-{case['id']}", case["input"]) for case in bleach_cases]
    mdit_cases = parse_dot_fixture((xss / "markdown-it_xss.txt").read_text(encoding="utf-8"))
    payloads += [(f"markdown-it-{n}", source) for n, source in enumerate(mdit_cases.values(), 1)]
    for prefix, name in (
        ("polyglot", "payloadsallthethings_XSS_Polyglots.txt"),
        ("quick", "payloadsallthethings_xss_payloads_quick.txt"),
    ):
        lines = (xss / name).read_text(encoding="utf-8").splitlines()
        payloads += [(f"{prefix}-{n}", line) for n, line in enumerate(lines, 1) if line.strip()]
    return payloads


XSS_PAYLOADS = xss_payloads()
# Each payload as it is, and dropped into the markdown constructs that make links, images, math and tables.
XSS_CONTEXTS = {
    "plain": "{}",
    "link": "[click me]({})",
    "image": "![picture]({})",
    "autolink": "<{}>",
    "math": "$x$ and \\({}\\) and $$ {} $$",
    "table": "| a | b |\n|---|---|\n| {} | x |",
    "cite": "\\cite{{{}}}",
}
DANGEROUS_TAGS = ("script", "iframe", "object", "embed", "svg", "style", "math", "form", "base", "meta")
DANGEROUS_URL_RE = re.compile(r"^(?:javascript|vbscript|data|livescript|file):")
EVENT_HANDLER_RE = re.compile(r"on\w+")


def assert_safe(html: str) -> None:
    lowered = html.lower()
    for tag in DANGEROUS_TAGS:
        assert f"<{tag}" not in lowered
    for tag in re.findall(r"<[^>]*>", lowered):  # no event handler inside any tag (quoted values aside)
        assert not re.search(r"\son\w+\s*=", re.sub(r'"[^"]*"', '""', tag))
    for tag, attributes in ParsedHTML(html).tags:
        assert tag in markup.ALLOWED_TAGS
        for name, value in attributes.items():
            assert not EVENT_HANDLER_RE.fullmatch(name)
            assert name in {"href", "src", "alt", "title", "class", "rel", "loading", "start", "align"}
            if name in ("href", "src"):
                squashed = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert not DANGEROUS_URL_RE.match(squashed)


@pytest.mark.parametrize("context", XSS_CONTEXTS.values(), ids=XSS_CONTEXTS.keys())
@pytest.mark.parametrize("payload", [p for _, p in XSS_PAYLOADS], ids=[i for i, _ in XSS_PAYLOADS])
def test_render_summary_neutralises_xss(payload, context, monkeypatch):
    assert_safe(render_summary(context.replace("{}", payload)))


def test_xss_fixtures_are_all_loaded():
    sources = [name.split("-")[0] for name, _ in XSS_PAYLOADS]
    assert {source: sources.count(source) for source in set(sources)} == {
        "bleach": 20,
        "markdown": 13,
        "polyglot": 16,
        "quick": 39,
    }


# --- Math from other projects' suites -----------------------------------------------------------------------


def math_fixture_cases(name: str) -> dict:
    """{case: input} of one file in tests/fixtures/markdown_latex/."""
    text = (FIXTURES / "markdown_latex" / name).read_text(encoding="utf-8")
    if name.startswith("mdit_"):
        return parse_dot_fixture(text)
    if name == "mistune_math.txt":
        examples = re.findall(r"^`{32} example\n(.*?)^\.\n", text, re.MULTILINE | re.DOTALL)
        return dict(enumerate(examples, 1))
    if name == "pymdown_arithmatex.txt":
        sections = re.split(r"^# ", text, flags=re.MULTILINE)[1:]
        return {section.split("\n", 1)[0]: section.split("\n", 1)[1] for section in sections}
    raise ValueError(name)


MATH_CASES = load_yaml("math_cases.yaml")


@pytest.mark.parametrize(
    "case", MATH_CASES, ids=[f"{case['fixture'].split('.')[0]}:{case['case']}" for case in MATH_CASES]
)
def test_render_summary_keeps_fixture_math_intact(case):
    source = math_fixture_cases(case["fixture"])[case["case"]]

    html = render_summary(source)

    assert ParsedHTML(html).math == case["math"]
    for text in case.get("contains", []):
        assert text in html


def test_math_cases_cover_each_fixture_file():
    used = {case["fixture"] for case in MATH_CASES}
    assert used == {
        "mdit_dollar_math.md",
        "mdit_texmath_bracket.md",
        "mistune_math.txt",
        "pymdown_arithmatex.txt",
    }
    assert sum(1 for case in MATH_CASES if case["math"]) >= 12


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("**bold** and _it_ and `code`", "bold and it and code"),
        ("# Head\n\npara one\n\n- a\n- b", "Head para one a b"),
        ("[the spec](http://example.org/x) <http://example.org/y>", "the spec http://example.org/y"),
        ("$x < y$ and $$a^2$$", r"\(x < y\) and \[a^2\]"),
        # raw HTML is shown as text, so it is text
        ("Tom &amp; Jerry & <b>raw</b> <script>x</script>", "Tom & Jerry & <b>raw</b> <script>x</script>"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2"),
        ("```\nif a<b:\n    pass\n```", "if a<b: pass"),
    ],
)
def test_html_text_is_the_visible_text_of_a_render(source, text):
    assert markup.html_text(render_summary(source)) == text


def test_html_text_keeps_tag_lookalikes_in_attributes_out():
    assert (
        markup.html_text('<p><a href="x" title="a&gt;b">link</a>&nbsp;end</p>') == "link end"
    )  # a no-break space is a space
