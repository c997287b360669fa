"""Linear-time stand-ins for the Python-Markdown processors that rescan the rest of the text, for shortscience.markup.

Python-Markdown's output is kept, character for character; only how it is found changes. What was quadratic:

- Block processors that *search* a block (a heading, a rule, a quote, display math anywhere in it) split it at what
  they find and put the rest back in the queue, where every searching processor scans it again: N headings without
  blank lines cost N scans of the rest. `LineageSearch` remembers, for each block and the rests cut from it, where the
  next match is (or that there is none), so each processor scans each part of a block about once.
- The table test split and stripped every line of a block to look at its first two; a setext heading split every
  line to take off two.
- Links and images: from every `[` the text was scanned to the matching `]` (to the end when there is none), and from
  every `](` to the matching `)`. `BracketMatcher` finds all the matches of a text in one pass and keeps them while
  the inline loop replaces what it has parsed by placeholders.

What no rewrite bounds (a link title with an unclosed quote is scanned the old way) draws on a scan budget per render;
past it, and past a deadline checked by every processor, the render stops with RenderTooComplex.
"""

import re
import time

from markdown import blockprocessors, treeprocessors, util
from markdown.extensions import tables
from markdown.inlinepatterns import InlineProcessor, LinkInlineProcessor

# Characters of scanning allowed by the fallbacks per character of source, and the floor for short sources.
SCAN_BUDGET_PER_CHAR = 8
SCAN_BUDGET_MIN = 200_000
# What one summary may hold. Each element costs about the same to render and sanitise whatever it is, so these
# bound the time of any input; a realistic summary at the 60,000-character limit (bench/render_adversarial.py)
# has ~2,500 elements and ~2,500 inline matches, and nests 4 deep.
MAX_ELEMENTS = 5_000
MAX_INLINE_MATCHES = 5_000  # links, emphasis, code, math, escapes, entities: each rewrites its paragraph's text
MAX_DEPTH = 48  # nested elements (quotes in quotes, emphasis in emphasis, …): deeper is shown as plain text
MAX_QUOTE_DEPTH = 32  # ">" markers at the start of a line
QUOTE_DEPTH_RE = re.compile(rf"^(?:[ ]{{0,3}}>){{{MAX_QUOTE_DEPTH + 1}}}", re.MULTILINE)
# A list item indented past MAX_DEPTH / 2 levels (each level is a <ul> and an <li>, four spaces or a tab)
FENCE_LINE_RE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})", re.MULTILINE)
LIST_DEPTH_RE = re.compile(rf"^(?:[ ]{{4}}|\t){{{MAX_DEPTH // 2 + 1},}}[ ]{{0,3}}(?:[*+-]|\d+\.)[ \t]", re.MULTILINE)


class RenderTooComplex(ValueError):
    """The source would take too long to render; the message says so to its author."""


class TooDeep(Exception):
    """Nesting past MAX_DEPTH: shortscience.markup shows such text as it is (as past Python's recursion limit)."""


# The work of one render, counted in units of about a microsecond of this renderer's time (bench/render_adversarial.py
# measures them): every block processed, every place an inline pattern matched the text (a candidate, even when it
# gives nothing: an unclosed `[` is tried by three link patterns), and every inline match. Copying text is charged
# by its length: a block processor that takes a heading off a block puts the rest of the block back as a new string,
# and an inline match rewrites its paragraph's text around it, so many constructs in one long block cost more than
# the same constructs in short ones. Past WORK_BUDGET the render stops with RenderTooComplex: whatever the input, the
# counted work takes about WORK_BUDGET microseconds at most. A realistic summary at the 60,000-character limit
# spends about 25,000.
WORK_BUDGET = 60_000
BLOCK_COST = 20
FENCE_COST = 10  # each ``` or ~~~ line, paired by the fenced-code preprocessor before any block is parsed
CANDIDATE_COST = 2
BRACKET_COST = 1  # each bracket a link processor pairs (BracketMatcher)
MATCH_COST = 3
COPIED_CHARS_PER_UNIT = 3_000
WORK_KINDS = {
    "blocks": "paragraphs, headings, list items, quotes, rules or code blocks",
    "candidates": "brackets, backticks or other markup characters that form nothing (escape them: \\[)",
    "rewrites": "links, emphasis, code or math in one paragraph (separate paragraphs with blank lines)",
}


class RenderLimits:
    """The deadline, work budget and scan budget of one render, checked by the processors of shortscience.markup."""

    def __init__(self, source_length: int = 0, seconds: float | None = None):
        self.deadline = None if seconds is None else time.perf_counter() + seconds
        self.scan_budget = max(SCAN_BUDGET_MIN, SCAN_BUDGET_PER_CHAR * source_length)
        self.inline_matches = self.blocks = 0
        self.work = dict.fromkeys(WORK_KINDS, 0)
        self.work_left = WORK_BUDGET
        self.last_charge = 0  # the units of the latest charge (the one that stopped the render, if one did)

    def _spend(self, kind: str, units: int) -> None:
        self.work[kind] += units
        self.work_left -= units
        self.last_charge = units
        if self.work_left < 0:
            most = max(self.work, key=self.work.get)
            raise RenderTooComplex(
                f"This text is too complex to render: it has too many {WORK_KINDS[most]}. "
                "Split it into several summaries or simplify it."
            )

    def block(self, length: int = 0) -> None:
        """One more block processed (a heading, a paragraph, a rule, a list…) from a block of `length` characters:
        refused early past MAX_ELEMENTS."""
        self.blocks += 1
        if self.blocks > MAX_ELEMENTS:
            self._too_many_elements()
        self._spend("blocks", BLOCK_COST + length // COPIED_CHARS_PER_UNIT)

    @staticmethod
    def _too_many_elements():
        raise RenderTooComplex(
            f"This text has more than {MAX_ELEMENTS:,} formatted elements (paragraphs, headings, list items, "
            "table cells, links, math): split it into several summaries or simplify it."
        )

    def candidate(self) -> None:
        """An inline pattern matched the text and is asked to handle it."""
        self.check()
        self._spend("candidates", CANDIDATE_COST)

    def brackets(self, count: int) -> None:
        """A link processor reads `count` brackets of a text to pair them (once per text and processor)."""
        self._spend("candidates", count * BRACKET_COST)

    def matched(self, text_length: int = 0) -> None:
        """It did: a paragraph text of `text_length` characters is rewritten around the match."""
        self.inline_matches += 1
        if self.inline_matches > MAX_INLINE_MATCHES:
            raise RenderTooComplex(
                f"This text has more than {MAX_INLINE_MATCHES:,} pieces of inline formatting (links, emphasis, "
                "code, math, escapes): split it into several summaries or simplify it."
            )
        self._spend("rewrites", MATCH_COST + text_length // COPIED_CHARS_PER_UNIT)

    @staticmethod
    def check_tree(root) -> None:
        """At most MAX_ELEMENTS elements, nested at most MAX_DEPTH deep."""
        count, stack = 0, [(root, 0)]
        while stack:
            element, depth = stack.pop()
            count += 1
            if count > MAX_ELEMENTS:
                RenderLimits._too_many_elements()
            if depth > MAX_DEPTH:
                raise TooDeep()
            stack.extend((child, depth + 1) for child in element)

    def check_source(self, source: str) -> None:
        """Quotes and lists nested too deep, found before parsing (each level parses the rest of its text again),
        and the fence lines of code blocks charged before the fenced-code preprocessor pairs them all."""
        if QUOTE_DEPTH_RE.search(source) or LIST_DEPTH_RE.search(source):
            raise TooDeep()
        self._spend("blocks", FENCE_COST * len(FENCE_LINE_RE.findall(source)))

    def check(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise RenderTooComplex(
                "This text is too complex to render in time. Long runs of brackets, headings or table rows "
                "without blank lines between them are the usual cause: split them up."
            )

    def spend(self, characters: int) -> None:
        self.scan_budget -= characters
        if self.scan_budget < 0:
            raise RenderTooComplex(
                'This text is too complex to render: its link titles ([text](url "title")) take too long to '
                "read. Close their quotes, or escape the brackets (\\[)."
            )


# --- Blocks -------------------------------------------------------------------------------------------------


# How many blocks Lineage and LineageSearch remember at most. Rests are parsed one after the other, so a few
# suffice; remembering every rest kept each one alive: 5,000 headings in one block held 120 MB of rests.
REMEMBERED_BLOCKS = 64


def _remember(memo: dict, key, value) -> None:
    """memo[key] = value, forgetting the oldest entry past REMEMBERED_BLOCKS (only a rescan is lost)."""
    memo.pop(key, None)
    memo[key] = value
    if len(memo) > REMEMBERED_BLOCKS:
        del memo[next(iter(memo))]


class Lineage:
    """Which earlier block a block is the rest of: {id(rest): (rest, root block, offset of rest in root)}.

    Only rests that start at the beginning of a line of their root are recorded (what LineageSearch relies on);
    a rest is forgotten once a rest of its own is noted (it has been parsed), and past REMEMBERED_BLOCKS.
    """

    def __init__(self):
        self.rests = {}

    def reset(self):
        self.rests = {}

    def root_of(self, block: str) -> tuple[str, int]:
        entry = self.rests.get(id(block))
        if entry is not None and entry[0] is block:
            return entry[1], entry[2]
        return block, 0

    def note_rest(self, block: str, rest: str) -> None:
        """`rest` is block[len(block) - len(rest):] (the caller knows), now put back in the block queue."""
        offset = len(block) - len(rest)
        if not rest or (offset and block[offset - 1] != "\n"):
            return
        root, root_offset = self.root_of(block)
        if self.rests.get(id(block), (None,))[0] is block:
            del self.rests[id(block)]  # parsed: only its rest is looked up from now on
        _remember(self.rests, id(rest), (rest, root, root_offset + offset))


class LineageSearch:
    """`regex.search(block)` for a line-anchored regex (`^` in MULTILINE mode, or `(?:^|\\n)`, no look-behind),
    remembering the answer for the rests of a block: the first match in a rest that starts at or before the
    remembered match is that match, and no match in a block means none in its rests."""

    def __init__(self, regex: re.Pattern, lineage: Lineage):
        self.regex, self.lineage = regex, lineage
        self.memo = {}  # id(root) -> (root, offset searched from, offset of the first match after it or None)

    def reset(self):
        self.memo = {}

    def search(self, block: str) -> re.Match | None:
        root, offset = self.lineage.root_of(block)
        entry = self.memo.get(id(root))
        if entry is not None and entry[0] is root and entry[1] <= offset:
            found = entry[2]
            if found is None:
                return None
            if found >= offset:
                return self.regex.search(block, found - offset)
        match = self.regex.search(block)
        _remember(self.memo, id(root), (root, offset, None if match is None else offset + match.start()))
        return match


class LinearHashHeaderProcessor(blockprocessors.HashHeaderProcessor):
    def __init__(self, parser, lineage: Lineage):
        super().__init__(parser)
        self.lineage, self.finder = lineage, LineageSearch(self.RE, lineage)

    def test(self, parent, block):
        return self.finder.search(block) is not None

    def run(self, parent, blocks):
        block = blocks.pop(0)
        m = self.finder.search(block)
        before, after = block[: m.start()], block[m.end() :]
        if before:
            self.parser.parseBlocks(parent, [before])
        h = blockprocessors.etree.SubElement(parent, f"h{len(m.group('level'))}")
        h.text = m.group("header").strip()
        if after:
            if self.parser.state.isstate("looselist"):
                after = self.looseDetab(after)
            else:
                self.lineage.note_rest(block, after)
            blocks.insert(0, after)


class LinearSetextHeaderProcessor(blockprocessors.SetextHeaderProcessor):
    def __init__(self, parser, lineage: Lineage):
        super().__init__(parser)
        self.lineage = lineage

    def run(self, parent, blocks):
        block = blocks.pop(0)
        lines = block.split("\n", 2)
        level = 1 if lines[1].startswith("=") else 2
        h = blockprocessors.etree.SubElement(parent, f"h{level}")
        h.text = lines[0].strip()
        if len(lines) > 2:
            self.lineage.note_rest(block, lines[2])
            blocks.insert(0, lines[2])


class LinearHRProcessor(blockprocessors.HRProcessor):
    def __init__(self, parser, lineage: Lineage):
        super().__init__(parser)
        self.lineage, self.finder = lineage, LineageSearch(self.SEARCH_RE, lineage)

    def test(self, parent, block):
        self.match = self.finder.search(block)
        return self.match is not None

    def run(self, parent, blocks):
        block = blocks.pop(0)
        match = self.match
        prelines = block[: match.start()].rstrip("\n")
        if prelines:
            self.parser.parseBlocks(parent, [prelines])
        blockprocessors.etree.SubElement(parent, "hr")
        postlines = block[match.end() :].lstrip("\n")
        if postlines:
            self.lineage.note_rest(block, postlines)
            blocks.insert(0, postlines)


class LinearBlockQuoteProcessor(blockprocessors.BlockQuoteProcessor):
    def __init__(self, parser, lineage: Lineage):
        super().__init__(parser)
        self.finder = LineageSearch(self.RE, lineage)

    def test(self, parent, block):
        return self.finder.search(block) is not None and not blockprocessors.util.nearing_recursion_limit()


class LinearTableProcessor(tables.TableProcessor):
    """The table test of Python-Markdown, reading only the lines it needs."""

    def test(self, parent, block):
        first = block.find("\n")  # the first two lines, found without copying the rest of the block
        if first == -1:
            return False
        second = block.find("\n", first + 1)
        header0 = block[:first].strip(" ")
        separator = block[first + 1 : len(block) if second == -1 else second].strip(" ")
        self.border = tables.PIPE_NONE
        if header0.startswith("|"):
            self.border |= tables.PIPE_LEFT
        if self.RE_END_BORDER.search(header0) is not None:
            self.border |= tables.PIPE_RIGHT
        row0_len = len(self._split_row(header0))
        is_table = row0_len > 1
        if not is_table and row0_len == 1 and self.border:
            # Each row of a one-column table needs a pipe: as the original, look until a row has none.
            start = first + 1
            while True:
                end = block.find("\n", start)
                row = block[start : len(block) if end == -1 else end].strip(" ")
                is_table = row.startswith("|") or self.RE_END_BORDER.search(row) is not None
                if not is_table or end == -1:
                    break
                start = end + 1
        if is_table:
            row = self._split_row(separator)
            is_table = (len(row) == row0_len) and set("".join(row)) <= set("|:- ")
            if is_table:
                self.separator = row
        return is_table


# --- Links --------------------------------------------------------------------------------------------------


class BracketMatcher:
    """For each opener in a text, where its closer is (plain nesting count, as Python-Markdown's loops count).

    Positions are kept counted from the end of the text, so they stay right when the inline loop replaces a part
    before them by a placeholder; a new text is checked to end as the old one did before the answers are reused.
    """

    limits: "RenderLimits | None" = None  # charged for each bracket a computation reads

    def __init__(self, opener: str, closer: str):
        self.regex = re.compile(f"[{re.escape(opener)}{re.escape(closer)}]")
        self.opener, self.closer = opener, closer
        self.text, self.tail = None, 0  # the text the answers were computed on, and how much of its end they cover
        self.current, self.current_tail = None, 0  # the text last asked about, and how much of its end is covered
        self.closers = {}  # from-end position of an opener -> from-end position just after its closer

    def reset(self):
        self.__init__(self.opener, self.closer)

    def _covered(self, data: str, needed: int) -> bool:
        if data is self.current:
            return needed <= self.current_tail
        if self.text is None or needed > self.tail or needed > len(data):
            return False
        if data.endswith(self.text[len(self.text) - needed :]):
            self.current, self.current_tail = data, needed
            return True
        return False

    def _compute(self, data: str, start: int) -> None:
        if self.limits is not None:  # counted first (in C), so that a text of brackets is refused before the loop
            self.limits.brackets(data.count(self.opener, start) + data.count(self.closer, start))
        size, stack, closers = len(data), [], {}
        for m in self.regex.finditer(data, start):
            if m.group() == self.opener:
                stack.append(size - m.start())
            elif stack:
                closers[stack.pop()] = size - m.end()
        self.text, self.tail, self.closers = data, size - start, closers
        self.current, self.current_tail = data, size - start

    def closer_after(self, data: str, opener_at: int) -> int | None:
        """The index just after the closer of the opener at `opener_at` in `data`, or None if it has none."""
        needed = len(data) - opener_at
        if not self._covered(data, needed):
            self._compute(data, opener_at)
        after = self.closers.get(needed)
        return None if after is None else len(data) - after


QUOTE_RE = re.compile("['\"]")


class LinearLinkMixin:
    """getText and getLink of Python-Markdown's link processors, without scanning to the end from every bracket."""

    _limits: RenderLimits | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.brackets, self.parens = BracketMatcher("[", "]"), BracketMatcher("(", ")")
        self._quoted_text, self._last_quote = None, -1

    @property
    def limits(self) -> RenderLimits | None:
        return self._limits

    @limits.setter
    def limits(self, limits: RenderLimits | None) -> None:
        self._limits = self.brackets.limits = self.parens.limits = limits

    def reset(self):
        self.brackets.reset()
        self.parens.reset()
        self._quoted_text, self._last_quote = None, -1

    def getText(self, data, index):
        end = self.brackets.closer_after(data, index - 1) if index > 0 and data[index - 1] == "[" else None
        if end is None:
            if index > 0 and data[index - 1] == "[":
                return "", len(data), False
            return super().getText(data, index)  # not called after a bracket: the original loop
        return data[index : end - 1], end, True

    def getLink(self, data, index):
        m = self.RE_LINK.match(data, pos=index)
        if not m or m.group(1):
            return super().getLink(data, index)
        start = m.end()
        end = self.parens.closer_after(data, index)  # RE_LINK starts with the "(" at `index`
        if end is None:
            if data is not self._quoted_text:  # the last quote of a text, found once per text
                self._quoted_text, self._last_quote = data, max(data.rfind("'"), data.rfind('"'))
            if self._last_quote < start:
                return "", None, len(data), False
        elif QUOTE_RE.search(data, start, end - 1) is None:
            return self.unescape(data[start : end - 1]).strip(), None, end, True
        # A title in quotes: the original loop, the characters it scanned charged to the render's budget.
        href, title, end, handled = super().getLink(data, index)
        if self.limits is not None:
            self.limits.spend((end if handled and end > start else len(data)) - start)
        return href, title, end, handled


LINK_PROCESSORS = ("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref")


def linear_link_processor(original: LinkInlineProcessor, md) -> LinkInlineProcessor:
    cls = type(f"Linear{type(original).__name__}", (LinearLinkMixin, type(original)), {})
    return cls(original.pattern, md)


# --- The inline loop -----------------------------------------------------------------------------------------


class QuickInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline treeprocessor, with its loop over the patterns made cheaper: the patterns are listed
    once per render (the registry sorts and looks up on every index), and a pattern whose expression finds nothing in
    the text is passed over without the per-pattern bookkeeping, as the original ends up doing. A realistic
    summary's text nodes are tried by ~20 patterns each, and most find nothing: this was half of its render."""

    def run(self, tree, ancestors=None):
        self.pattern_list = list(self.inlinePatterns)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, util.AtomicString):
            return data
        patterns, apply = self.pattern_list, self._InlineProcessor__applyPattern
        start, count = 0, len(patterns)
        while patternIndex < count:
            pattern = patterns[patternIndex]
            if isinstance(pattern, InlineProcessor) and pattern.compiled_re.search(data, start) is None:
                patternIndex, start = patternIndex + 1, 0  # what __applyPattern answers: (data, False, 0)
                continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data
