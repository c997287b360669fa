"""Nothing a summary renders can paint over the page around it (issue 10, finding 4): KaTeX caps sizes and macro
expansion (static/js/math.js) and a summary's body clips what overflows it (static/css/site.css)."""

import pytest

from tests.factories import make_paper, make_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The vector of the finding: rectangles of the page's colour over everything above, left, right and below the
# math (\mathllap / \mathrlap take no room, \rule[raise]{width}{height}), fake text on top of them.
OVERLAY = (
    "Read this.\n\n"
    r"$\mathllap{\color{#fbfbf8}\rule[2em]{90em}{40em}}\mathrlap{\color{#fbfbf8}\rule[2em]{90em}{40em}}"
    r"\mathllap{\color{#fbfbf8}\rule[-42em]{90em}{40em}}\mathrlap{\color{#fbfbf8}\rule[-42em]{90em}{40em}}"
    r"\mathrlap{\raisebox{10em}{\text{\Huge Session expired: log in again at evil.example}}}x$"
)
HUGE = r"Big: $\rule{100000em}{100000em}$ and $$\rule{100000em}{100000em}$$"

# The element at the middle of each target, and whether it is the target or inside it (not the summary's math).
POINT_CHECK = """(selector) => [...document.querySelectorAll(selector)].map((target) => {
    target.scrollIntoView({block: "center", inline: "center"});
    const box = target.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {selector, ok: hit !== null && target.contains(hit), hit: hit && hit.outerHTML.slice(0, 80)};
})"""


def open_typeset(page, paper):
    page.goto(paper.get_absolute_url())
    page.wait_for_function("document.querySelectorAll('.arithmatex[data-math-typeset]').length > 0")


def test_math_cannot_cover_the_header_title_or_vote_buttons(page):
    paper = make_paper(title="A Paper Under Attack")
    make_summary(paper=paper, body=OVERLAY)
    make_summary(paper=paper, body="An honest summary.")
    make_summary(paper=paper, body="Another honest summary.")
    open_typeset(page, paper)

    results = []
    for selector in (".site-header .brand", ".site-header .lookup button", "main h1", "form.vote button"):
        results += page.evaluate(POINT_CHECK, selector)
    assert len([r for r in results if r["selector"] == "form.vote button"]) >= 6  # up and down of 3 summaries
    assert [r for r in results if not r["ok"]] == []
    assert page.console_errors == []


def test_huge_math_does_not_widen_the_page(page):
    paper = make_paper()
    make_summary(paper=paper, body=HUGE)
    open_typeset(page, paper)

    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    heights = page.evaluate("[document.documentElement.scrollHeight, window.innerHeight]")
    assert heights[0] < 20 * heights[1]  # 100,000em tall was ~1.6M px
    assert page.console_errors == []
