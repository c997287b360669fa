import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paper_page_abstract_toggles(page):
    paper = make_paper(
        bibtex_key="journals/corr/1512.03385",
        title="Deep Residual Learning for Image Recognition",
        source="arxiv",
        arxiv_id="1512.03385",
        published=datetime.date(2015, 12, 10),
        abstract="Deeper neural networks are more difficult to train.",
    )
    page.goto(paper.get_absolute_url())
    expect(page).to_have_title("Deep Residual Learning for Image Recognition on ShortScience")
    abstract = page.get_by_text("Deeper neural networks are more difficult to train.")
    expect(abstract).to_be_hidden()

    page.get_by_text("more", exact=True).click()
    expect(abstract).to_be_visible()
    expect(page.get_by_text("2015/12/10")).to_be_visible()

    page.get_by_text("less", exact=True).click()
    expect(abstract).to_be_hidden()
    assert page.console_errors == []


def test_lookup_box_opens_paper_by_arxiv_url(page):
    make_paper(bibtex_key="journals/corr/1512.03385", title="Deep Residual Learning", arxiv_id="1512.03385")
    page.goto("/")
    page.get_by_label("Find a paper by title, bibtex key, arXiv id or URL").fill("https://arxiv.org/abs/1512.03385v2")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/paper\?bibtexKey=journals/corr/1512\.03385$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deep Residual Learning")
