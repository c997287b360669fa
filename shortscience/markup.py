"""The one place where user text becomes HTML: Markdown + LaTeX + citations, sanitised.

`render_summary(source, cite_lookup=…)` turns a summary's markdown into safe HTML, stored in a `*_html` field at
save time; `extract_citations(source)` lists the bibtex keys it cites; `render_summary_with_citations(source,
cite_lookup=…)` gives both from one parse (what a save uses). The renderer knows no app: `cite_lookup` is how it
learns where a cited key leads (`papers.models.PaperQuerySet.cite_links` is the site's). The pipeline:

1. Python-Markdown with tables, fenced code, sane lists, ~~strike~~ and links for bare URLs. Raw HTML is not
   passed through: it is escaped and shows as text, as on the original site (marked with `sanitize: true`).
2. Math is lifted out before markdown can touch it (underscores, asterisks and backslashes survive) and kept
   as TeX for KaTeX in the browser (static/js/math.js):
       inline  `$…$`, `\\(…\\)`                       -> <span class="arithmatex">\\(…\\)</span>
       display `$$…$$`, `\\[…\\]`, `\\begin{env}…`     -> <div class="arithmatex">\\[…\\]</div>  (own block)
                                                         <span class="arithmatex">\\[…\\]</span> (inside text)
   This is the HTML of pymdownx.arithmatex's generic mode, with its "smart" dollars (`$3.00` is money), but
   display math also works in the middle of a paragraph and over lines starting with `>`, `#` or `-`, and no
   pattern takes quadratic time on unclosed delimiters.
3. `\\cite{KEY}` -> <a class="cite" href="URL">Paper title</a>, URL and title from `cite_lookup`, called once
   with all the keys of a summary; `[KEY]` when the title is empty (an unknown paper), plain text when the
   lookup gives the key no URL.
4. A bare image URL alone on its line becomes an image wrapped in a link to it:
   <a href="URL" rel="nofollow ugc"><img src="URL" alt="" loading="lazy"></a>.
   Images (these and markdown's `![alt](URL)`) show only from the hosts of `image_hosts` (the site passes
   settings.SUMMARY_IMAGE_HOSTS, which its Content-Security-Policy allows too), always over https (`http:` and
   protocol-relative URLs are asked for as `https:`); any other image is a link to it, "image: host/path"
   (that text only, inside a link of its own), so a summary cannot make readers' browsers call another server
   (a tracking pixel). `data:` and relative URLs are never images: "[image: ALT]" as text.
5. Headings are demoted two levels (`#` is an h3).
6. Links leaving the site get rel="nofollow ugc"; nh3 (ammonia, in Rust) cleans the result with an allow-list.
   It replaced bleach, which took 94 of a realistic 60,000-character summary's 157 ms (nh3: 7 ms) and 423 ms on
   a text of raw tags (nh3: 19 ms); bleach is also no longer developed.

Every input renders in bounded time: the processors of Python-Markdown that rescan the rest of the text are
replaced by linear ones (shortscience/markdown_linear.py, same output); runs of emphasis characters are text; the
work of a render is counted (blocks, inline candidates and matches, text copied) and stopped past WORK_BUDGET; a
summary may hold at most MAX_ELEMENTS elements and MAX_INLINE_MATCHES inline constructs, rendered within
RENDER_SECONDS; past those, RenderTooComplex (a ValueError) says why. Nesting past MAX_DEPTH is shown as plain
text.
bench/render_adversarial.py measures the worst cases (tests/fixtures/markup/adversarial.yaml).
"""

import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable, Collection, Mapping
from html import escape as html_escape
from html import unescape as html_unescape
from html.parser import HTMLParser
from typing import Protocol

import markdown
import nh3
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, ETX, STX, AtomicString

from shortscience import markdown_linear as linear
from shortscience.markdown_linear import RenderTooComplex

__all__ = ["RenderTooComplex", "extract_citations", "render_summary", "render_summary_with_citations"]

# --- Patterns -----------------------------------------------------------------------------------------------

# Characters of a bibtex key, as on the original site: letters, digits and _ . ( ) : - / \
CITE_RE = r"(?<!\\)\\cite\{([A-Za-z0-9_.():/\\-]+)\}"

# A bare image URL alone on its line (spaces around it allowed).
IMAGE_LINE_RE = (
    r"(?im)^[ \t]*"
    r"(https?://[^\s<>\"'`\x02\x03]+?\.(?:png|jpe?g|gif|webp|svg)(?:\?[^\s<>\"'`\x02\x03]*)?)"
    r"[ \t]*$"
)

# An image URL that may load: http(s) or protocol-relative, a plain host name (no user, no %-escape, no entity) and
# an optional port, then the end or a path, query or fragment.
IMAGE_URL_RE = re.compile(
    r"(?:https?:)?//(?P<host>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(?P<port>[0-9]{1,5}))?(?P<rest>[/?#]\S*)?",
    re.IGNORECASE,
)
LINKABLE_IMAGE_RE = re.compile(r"\s*(?:https?:)?//", re.IGNORECASE)  # an image not shown is a link to it
IMAGE_LABEL_LENGTH = 60  # "image: host/path…" of an image not shown

# A bare http(s) URL in running text (trailing punctuation is trimmed in BareUrlProcessor).
BARE_URL_RE = r"(?<![\w/:.@\-])(https?://[^\s<>\"'`\x02\x03]+)"
URL_TRAILING = ".,;:!?*_~'"
URL_CLOSERS = {")": "(", "]": "["}

# Inline math, as pymdownx.arithmatex has it but linear-time on unclosed delimiters (math cannot contain an
# opening delimiter). Group 1: pairs of backslashes before a delimiter (escaped backslashes, so no math);
# group 2: $…$, "smart" (no space inside the dollars, so "$3 and $5" is money); group 3: \(…\).
INLINE_MATH_RE = (
    r"(?<!\\)((?:\\{2})+?)(?=\$|\\\()"
    r"|(?<!\\)\$(?!\s)((?:\\.|[^\\$\x02\x03])+?)(?<!\s)\$"
    r"|(?<!\\)\\\(((?:\\[^()]|[^\\\x02\x03])+?)\\\)"
)
# Display math in running text: $$…$$ or \[…\] (a line of its own is a block, see DisplayMathBlockProcessor).
INLINE_DISPLAY_RE = (
    r"(?<!\\)\$\$(?!\$)((?:\\.|[^\\$\x02\x03])+?)\$\$"
    r"|(?<!\\)\\\[((?:\\[^\[\]]|[^\\\x02\x03])+?)\\\]"
)

# A line that opens display math: $$, \[ or \begin{env} at its start (up to three spaces of indent).
DISPLAY_OPEN_RE = re.compile(
    r"^ {0,3}(?:(?P<dollar>\$\$)|(?P<bracket>\\\[)|\\begin\{(?P<env>[A-Za-z]+\*?)\})", re.MULTILINE
)
DISPLAY_CLOSE_RES = {
    "dollar": re.compile(r"(?s)((?!\$)(?:\\.|[^\\])+?)\$\$"),
    "bracket": re.compile(r"(?s)((?:\\[^\]]|[^\\])+?)\\\]"),
}
# How many blank-line separated blocks display math may span before we give up looking for its end.
DISPLAY_MAX_BLOCKS = 8

MATH_CLASS = "arithmatex"  # the class pymdownx.arithmatex uses; static/js/math.js looks for it
ESCAPED_BACKSLASH = f"{STX}{ord(chr(92))}{ETX}"  # Python-Markdown's placeholder for an escaped backslash
HEADING_SHIFT = 2
DELIMITER_RUN = 8  # consecutive * _ ~ from which they are shown as they are (see DelimiterRunProcessor)
DELIMITER_RUN_RE = rf"[*_~]{{{DELIMITER_RUN},}}"
# A hard stop for the markdown stage of one render, whatever the input (the sanitiser after it is linear).
RENDER_SECONDS = 2.0


class CiteTarget(Protocol):
    """Where a cited key leads: `url` (empty: no link) and the paper's `title` (empty: shown as [KEY])."""

    url: str
    title: str


# {key: its CiteTarget} for the keys of one document; a key left out is shown as plain [KEY].
CiteLookup = Callable[[list[str]], Mapping[str, CiteTarget]]

# --- Markdown extension -------------------------------------------------------------------------------------


def _math_element(tag: str, tex: str, display: bool) -> etree.Element:
    el = etree.Element(tag, {"class": MATH_CLASS})
    el.text = AtomicString(f"\\[{tex}\\]" if display else f"\\({tex}\\)")
    return el


class DisplayMathBlockProcessor(BlockProcessor):
    """Display math starting at the beginning of a line, even mid-paragraph, possibly over several blocks.

    Text before it is parsed as usual, the math becomes a <div>, text after it goes back to the block queue.
    Runs after code blocks (indented code stays code) and before everything that splits a paragraph.
    """

    def __init__(self, parser, lineage: linear.Lineage):
        super().__init__(parser)
        self.lineage, self.finder = lineage, linear.LineageSearch(DISPLAY_OPEN_RE, lineage)

    def test(self, parent, block):
        if self.finder.search(block) is None:
            return False
        # A list goes to the list processors first; its items come back here one by one.
        lists = [self.parser.blockprocessors[name] for name in ("olist", "ulist")]
        return not any(processor.test(parent, block) for processor in lists)

    def run(self, parent, blocks):
        opening = self.finder.search(blocks[0])
        if opening.group("env"):
            env = re.escape(opening.group("env"))
            closing_re = re.compile(rf"(?s)(.*?)\\end\{{{env}\}}")
        else:
            closing_re = DISPLAY_CLOSE_RES["dollar" if opening.group("dollar") else "bracket"]
        body_start = opening.start() if opening.group("env") else opening.end()

        text, closing = blocks[0], None
        for used in range(1, min(len(blocks), DISPLAY_MAX_BLOCKS) + 1):
            text = "\n\n".join(blocks[:used])
            closing = closing_re.match(text, body_start)
            if closing:
                break
        if not closing:
            return False  # an unclosed $$ is plain text: let the paragraph processor have it
        del blocks[:used]

        before, after = text[: opening.start()].rstrip("\n"), text[closing.end() :]
        tex = closing.group(0) if opening.group("env") else closing.group(1)
        if before.strip():
            self.parser.parseBlocks(parent, [before])
        parent.append(_math_element("div", tex, display=True))
        after = after.lstrip(" \t").lstrip("\n")
        if after.strip():
            self.lineage.note_rest(text, after)
            blocks.insert(0, after)
        return True


class DelimiterRunProcessor(InlineProcessor):
    """A run of DELIMITER_RUN or more emphasis and strike characters (`*`, `_`, `~`) is text: no emphasis needs so
    many, and nesting one level per character made the inline stage quadratic (Python-Markdown copies the list of
    ancestors for every level)."""

    def handleMatch(self, m, data):
        return AtomicString(m.group(0)), m.start(0), m.end(0)


class InlineMathProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        escapes, dollar_tex, paren_tex = m.groups()
        if escapes:  # each \\ is one literal backslash, as the escape pattern would make it
            return escapes.replace("\\\\", ESCAPED_BACKSLASH), m.start(0), m.end(0)
        tex = dollar_tex if dollar_tex is not None else paren_tex
        return _math_element("span", tex, display=False), m.start(0), m.end(0)


class InlineDisplayMathProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        tex = m.group(1) if m.group(1) is not None else m.group(2)
        return _math_element("span", tex, display=True), m.start(0), m.end(0)


class CiteProcessor(InlineProcessor):
    """\\cite{KEY} -> a link to the paper; its text is filled in by CiteTitleTreeprocessor."""

    def handleMatch(self, m, data):
        key = m.group(1)
        el = etree.Element("a", {"class": "cite"})
        el.text = AtomicString(f"[{key}]")
        self.md.cite_elements.append((key, el))
        return el, m.start(0), m.end(0)


class ImageLineProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        url = m.group(1)
        link = etree.Element("a", {"href": url})
        etree.SubElement(link, "img", {"src": url, "alt": "", "loading": "lazy"})
        return link, m.start(0), m.end(0)


class BareUrlProcessor(InlineProcessor):
    """https://example.org/page -> a link, minus trailing punctuation and unbalanced closing brackets."""

    def handleMatch(self, m, data):
        url = m.group(1)
        while url:
            last = url[-1]
            if last in URL_TRAILING or (last in URL_CLOSERS and url.count(last) > url.count(URL_CLOSERS[last])):
                url = url[:-1]
            else:
                break
        if len(url) <= len("https://"):
            return None, None, None
        link = etree.Element("a", {"href": url})
        link.text = AtomicString(url)
        return link, m.start(1), m.start(1) + len(url)


class CiteTitleTreeprocessor(Treeprocessor):
    """Give cite links their address and the titles of known papers, looked up once for the whole document."""

    def run(self, root):
        lookup = self.md.cite_lookup
        if not self.md.cite_elements or lookup is None:
            return
        targets = lookup(list(dict.fromkeys(key for key, _ in self.md.cite_elements)))
        for key, el in self.md.cite_elements:
            target = targets.get(key)
            if target is None or not target.url:
                el.tag = "span"  # nowhere to go: the key as text
                continue
            el.set("href", target.url)
            if target.title:
                el.text = AtomicString(target.title)


def _image_host_allowed(host: str, port: str | None, image_hosts) -> bool:
    """Whether host[:port] is one of `image_hosts` ("host", "host:port", "*.domain": its subdomains), as the
    Content-Security-Policy's img-src matches them (no port: the default one)."""
    host = host.lower()
    for entry in image_hosts:
        entry_host, _, entry_port = entry.lower().partition(":")
        if (entry_port or None) != port:
            continue
        if host == entry_host or (entry_host.startswith("*.") and host.endswith(entry_host[1:])):
            return True
    return False


def _image_source(url: str, image_hosts) -> str | None:
    """The https URL an image of a summary loads from, or None when it may not load (see the module's docstring)."""
    m = IMAGE_URL_RE.fullmatch(url)
    if not m:
        return None
    port = None if m.group("port") in (None, "443") else m.group("port")
    if not _image_host_allowed(m.group("host"), port, image_hosts):
        return None
    return f"https://{m.group('host').lower()}{f':{port}' if port else ''}{m.group('rest') or ''}"


def _image_label(url: str) -> str:
    shown = re.sub(r"^(?:https?:)?//", "", url.strip(), flags=re.IGNORECASE)
    if len(shown) > IMAGE_LABEL_LENGTH:
        shown = shown[: IMAGE_LABEL_LENGTH - 1] + "…"
    return f"image: {shown}"


class ImageHostsTreeprocessor(Treeprocessor):
    """Images load only from the render's image hosts, over https; any other is a link to it (see the docstring).

    Runs after the inline patterns, on every <img> they made (bare image lines and markdown images alike)."""

    def run(self, root):
        stack = [(root, False)]  # (element, inside a link), walked without recursion (nesting is bounded anyway)
        while stack:
            parent, in_link = stack.pop()
            kept, changed = [], False
            for child in list(parent):
                text = self._image(child, in_link) if child.tag == "img" else None
                if text is None:
                    kept.append(child)
                    if child.tag != "img":
                        stack.append((child, in_link or child.tag == "a"))
                    continue
                # The image is replaced by text: after the element before it, or at the start of its parent.
                changed, text = True, text + (child.tail or "")
                if kept:
                    kept[-1].tail = (kept[-1].tail or "") + text
                else:
                    parent.text = (parent.text or "") + text
            if changed:
                parent[:] = kept  # once per parent: linear however many images it holds

    def _image(self, img, in_link) -> str | None:
        """Check one image: None when the element stays (the image, or the link it became), else the text that
        replaces it."""
        url = img.get("src", "")
        source = _image_source(url, self.md.image_hosts)
        if source is not None:
            img.set("src", source)
            return None
        alt, linkable = img.get("alt", ""), LINKABLE_IMAGE_RE.match(url)
        label = _image_label(url) if linkable else f"[image: {alt}]" if alt else "[image]"
        if not in_link and linkable:
            img.tag, img.text = "a", AtomicString(label)
            img.attrib.clear()
            img.set("href", url.strip())
            if alt:
                img.set("title", alt)
            return None
        return label  # inside a link already, or nowhere to link to (data:, a relative URL)


class LimitsTreeprocessor(Treeprocessor):
    def run(self, root):
        self.md.render_limits.check_tree(root)


class DemoteHeadingsTreeprocessor(Treeprocessor):
    def run(self, root):
        for el in root.iter():
            if len(el.tag) == 2 and el.tag[0] == "h" and el.tag[1] in "123456":
                el.tag = f"h{min(int(el.tag[1]) + HEADING_SHIFT, 6)}"


class ExternalLinksTreeprocessor(Treeprocessor):
    """rel="nofollow ugc" on every link that leaves the site (our own /paper links stay followable)."""

    def run(self, root):
        for el in root.iter("a"):
            href = html_unescape(el.get("href", "").replace(AMP_SUBSTITUTE, "&"))  # automail's entities
            if EXTERNAL_HREF_RE.match(href):
                el.set("rel", EXTERNAL_REL)


class ShortScienceExtension(Extension):
    def extendMarkdown(self, md):
        self.md = md
        self.lineage = linear.Lineage()
        md.render_limits = linear.RenderLimits()
        md.cite_elements = []
        md.cite_lookup = None
        md.image_hosts = ()
        md.registerExtension(self)
        # Raw HTML is escaped, never passed through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Below code (80) and indented list content (90), above tables, headings, lists and quotes.
        md.parser.blockprocessors.register(DisplayMathBlockProcessor(md.parser, self.lineage), "display_math", 79.95)
        # Backtick code spans (190) win over math; math wins over everything else.
        if "$" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("$")  # \$ is a literal dollar
        md.inlinePatterns.register(InlineDisplayMathProcessor(INLINE_DISPLAY_RE, md), "display_math", 189.95)
        md.inlinePatterns.register(InlineMathProcessor(INLINE_MATH_RE, md), "inline_math", 189.9)
        md.inlinePatterns.register(ImageLineProcessor(IMAGE_LINE_RE, md), "image_line", 189.8)
        md.inlinePatterns.register(CiteProcessor(CITE_RE, md), "cite", 189.7)
        # After links and <autolinks>, before emphasis (so underscores in URLs stay).
        md.inlinePatterns.register(BareUrlProcessor(BARE_URL_RE, md), "bare_url", 85)
        # After links and bare URLs (a URL keeps its underscores), before emphasis (70 and below) and strike.
        md.inlinePatterns.register(DelimiterRunProcessor(DELIMITER_RUN_RE, md), "delimiter_run", 75)
        # Before the inline patterns (20) and after them: the tree within the limits of shortscience/markdown_linear.py.
        md.treeprocessors.register(LimitsTreeprocessor(md), "limits_blocks", 20.5)
        md.treeprocessors.register(LimitsTreeprocessor(md), "limits_inline", 19.5)
        md.treeprocessors.register(ImageHostsTreeprocessor(md), "image_hosts", 6)
        md.treeprocessors.register(CiteTitleTreeprocessor(md), "cite_titles", 5)
        md.treeprocessors.register(DemoteHeadingsTreeprocessor(md), "demote_headings", 4)
        md.treeprocessors.register(ExternalLinksTreeprocessor(md), "external_links", 3)
        self._make_linear(md)

    def _make_linear(self, md):
        """Python-Markdown's rescanning processors replaced by linear ones (shortscience/markdown_linear.py), and
        every processor made to check the render's deadline."""
        blocks, inline = md.parser.blockprocessors, md.inlinePatterns
        tree = {item.name: item.priority for item in md.treeprocessors._priority}
        md.treeprocessors.register(linear.QuickInlineProcessor(md), "inline", tree["inline"])
        priorities = {item.name: item.priority for item in blocks._priority}
        for name, cls in (
            ("hashheader", linear.LinearHashHeaderProcessor),
            ("setextheader", linear.LinearSetextHeaderProcessor),
            ("hr", linear.LinearHRProcessor),
            ("quote", linear.LinearBlockQuoteProcessor),
        ):
            blocks.register(cls(md.parser, self.lineage), name, priorities[name])
        blocks.register(linear.LinearTableProcessor(md.parser, blocks["table"].config), "table", priorities["table"])
        self.searchers = [p.finder for p in blocks if hasattr(p, "finder")]
        priorities = {item.name: item.priority for item in inline._priority}
        self.links = [linear.linear_link_processor(inline[name], md) for name in linear.LINK_PROCESSORS]
        for name, processor in zip(linear.LINK_PROCESSORS, self.links, strict=True):
            inline.register(processor, name, priorities[name])
        for processor in blocks:
            processor.test = self._checked(processor.test)
            processor.run = self._counted_block(processor.run)
        for processor in inline:
            processor.handleMatch = self._counted(processor.handleMatch)

    def _checked(self, method):
        md = self.md

        def checked(*args):
            md.render_limits.check()
            return method(*args)

        return checked

    def _counted_block(self, method):
        md = self.md

        def counted(parent, blocks):
            md.render_limits.block(len(blocks[0]) if blocks else 0)
            return method(parent, blocks)

        return counted

    def _counted(self, method):
        md = self.md

        def counted(match, data):
            limits = md.render_limits
            limits.candidate()
            result = method(match, data)
            if result[0] is not None:  # a node (or text) replaces the match: the paragraph's text is rewritten
                limits.matched(len(data))
            return result

        return counted

    def reset(self):
        self.md.cite_elements = []
        self.md.cite_lookup = None
        self.md.image_hosts = ()
        self.md.render_limits = linear.RenderLimits()
        self.lineage.reset()
        for searcher in getattr(self, "searchers", ()):
            searcher.reset()
        for processor in getattr(self, "links", ()):
            processor.reset()
            processor.limits = self.md.render_limits


def _new_markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "sane_lists",
            "pymdownx.tilde",
            ShortScienceExtension(),
        ],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "pymdownx.tilde": {"subscript": False},
        },
        output_format="html",
    )


# --- Sanitiser ----------------------------------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h3", "h4", "h5", "h6", "em", "strong", "del", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span", "div",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_CLASSES = {
    "span": re.compile(MATH_CLASS),
    "div": re.compile(MATH_CLASS),
    "a": re.compile("cite"),
    "code": re.compile(r"language-[\w+#.-]+"),
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
EXTERNAL_HREF_RE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
EXTERNAL_REL = "nofollow ugc"


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """nh3's attribute filter, for attributes on the allow-list already: a class is kept only when its tag's
    pattern allows it; an image's source only over https (its host was checked by ImageHostsTreeprocessor)."""
    if tag == "img" and name == "src":
        return value if value.startswith("https://") else None
    if name != "class":
        return value
    pattern = ALLOWED_CLASSES.get(tag)
    return value if pattern and pattern.fullmatch(value) else None


def _new_cleaner() -> nh3.Cleaner:
    """The allow-list, applied by nh3 (html5ever parsing, ammonia's sanitiser): tags outside it are dropped with
    their text kept, attributes and URL schemes outside it removed, comments stripped. Links get no rel of their
    own (`link_rel=None`): ExternalLinksTreeprocessor has marked the ones leaving the site, and `rel` survives only
    as that value."""
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    for tag in ALLOWED_CLASSES:
        attributes.setdefault(tag, set()).add("class")
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes=attributes,
        attribute_filter=_attribute_filter,
        url_schemes=set(ALLOWED_PROTOCOLS),
        link_rel=None,
        tag_attribute_values={"a": {"rel": {EXTERNAL_REL}}},
        strip_comments=True,
    )


# --- Public API ---------------------------------------------------------------------------------------------

# A Markdown instance is not thread-safe; building it (and the Cleaner) costs more than a render.
_local = threading.local()


def _tools() -> tuple[markdown.Markdown, nh3.Cleaner]:
    if not hasattr(_local, "md"):
        _local.md, _local.cleaner = _new_markdown(), _new_cleaner()
    return _local.md, _local.cleaner


class AsPlainText(str):
    """HTML that is the source escaped, from _convert: safe as it is."""


def _convert(source: str, cite_lookup, image_hosts: Collection[str] = ()) -> tuple[str, list[str]]:
    """Markdown -> (unsanitised HTML, cited keys); RenderTooComplex past RENDER_SECONDS or the scan budget."""
    md, _ = _tools()
    md.reset()
    md.cite_lookup = cite_lookup
    md.image_hosts = tuple(image_hosts)
    md.render_limits = limits = linear.RenderLimits(len(source), RENDER_SECONDS)
    for processor in md.inlinePatterns:
        if isinstance(processor, linear.LinearLinkMixin):
            processor.limits = limits
    try:
        limits.check_source(source)
        html = md.convert(source)
        keys = list(dict.fromkeys(key for key, _ in md.cite_elements))
    except RenderTooComplex:
        _local.__dict__.pop("md", None)  # stopped half-way: the next render starts from a new instance
        raise
    except (RecursionError, linear.TooDeep):
        # Python-Markdown recurses once per level of nesting (lists, quotes): absurdly deep input is shown
        # as plain text rather than failing the request, and the instance is rebuilt for the next call.
        _local.__dict__.pop("md", None)
        return AsPlainText(f"<pre>{html_escape(source)}</pre>"), []
    finally:
        md.reset()
    return html, keys


def render_summary_with_citations(
    source: str, *, cite_lookup: CiteLookup, image_hosts: Collection[str] = ()
) -> tuple[str, list[str]]:
    """(safe HTML, cited bibtex keys) for a summary's source, from one parse: what a save stores. Images show from
    `image_hosts` only (none by default: every image is a link)."""
    if not source or not source.strip():
        return "", []
    html, keys = _convert(source, cite_lookup, image_hosts)
    if isinstance(html, AsPlainText):
        return str(html), keys  # escaped as a whole: nothing for the sanitiser to do
    _, cleaner = _tools()
    return cleaner.clean(html), keys


def render_summary(source: str, *, cite_lookup: CiteLookup, image_hosts: Collection[str] = ()) -> str:
    """Safe HTML for a summary's markdown + LaTeX source. Deterministic for a given `cite_lookup` answer and
    `image_hosts`."""
    html, _ = render_summary_with_citations(source, cite_lookup=cite_lookup, image_hosts=image_hosts)
    return html


def extract_citations(source: str) -> list[str]:
    """The bibtex keys cited with \\cite{KEY}, in order of first use, ignoring code and math."""
    if not source or "\\cite" not in source:
        return []
    _, keys = _convert(source, None)
    return keys


# Elements whose start or end separates words in the text (a paragraph's last word and the next one's first).
_TEXT_BREAKS = frozenset(
    {"p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "pre", "blockquote", "table", "thead", "tbody"}
    | {"tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
)


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _TEXT_BREAKS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of rendered HTML: tags taken out (a block's edges are spaces), entities read, whitespace
    made single spaces. Math keeps its TeX (\\(x^2\\)), a link its words. A summary stores it at save
    (Summary.body_text): what it is searched in, and its snippets are cut from."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())
