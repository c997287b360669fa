import datetime
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.factories import make_paper, make_summary

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
    toggle = page.get_by_role("button", name="more of the abstract")
    expect(abstract).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()
    expect(abstract).to_be_visible()
    expect(page.get_by_text("2015/12/10")).to_be_visible()
    toggle = page.get_by_role("button", name="less of the abstract")
    expect(toggle).to_have_attribute("aria-expanded", "true")

    toggle.click()
    expect(abstract).to_be_hidden()
    expect(page.get_by_role("button", name="more of the abstract")).to_have_attribute("aria-expanded", "false")
    assert page.console_errors == []


def test_long_summary_in_the_feed_expands_in_place(page):
    long_body = "\n\n".join(f"Paragraph {i} of a long summary." for i in range(1, 41))
    summary = make_summary(body=long_body)
    make_summary(body="A short one.")
    page.goto("/")
    entry = page.locator(f"#summary-{summary.pk}")
    toggle = entry.get_by_role("button", name="more of this summary")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    box = entry.locator(".summary-body").bounding_box()
    assert box["height"] <= 400

    toggle.click()
    toggle = entry.get_by_role("button", name="less of this summary")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert entry.locator(".summary-body").bounding_box()["height"] > 400

    toggle.click()
    expect(entry.get_by_role("button", name="more of this summary")).to_have_attribute("aria-expanded", "false")
    assert entry.locator(".summary-body").bounding_box()["height"] <= 400
    # A summary short enough to show whole has no toggle.
    expect(
        page.locator(".summary", has_text="A short one.").get_by_role("button", name="more of this summary")
    ).to_be_hidden()
    assert page.console_errors == []


def test_guest_voting_is_sent_to_log_in_and_back(page):
    summary = make_summary(body="Worth a vote.")
    paper_url = summary.paper.get_absolute_url()
    page.goto(paper_url)
    page.get_by_role("button", name="Log in to upvote").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    assert page.url.endswith("?next=" + quote(paper_url, safe=""))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")


def test_lookup_box_opens_paper_by_arxiv_url(page):
    make_paper(bibtex_key="journals/corr/1512.03385", title="Deep Residual Learning", arxiv_id="1512.03385")
    page.goto("/")
    page.get_by_label("Find a paper by title, bibtex key, arXiv id or URL").fill("https://arxiv.org/abs/1512.03385v2")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/paper\?bibtexKey=journals/corr/1512\.03385$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deep Residual Learning")


def test_the_cite_box_copies_the_bibtex_and_the_citation(page):
    make_paper(
        bibtex_key="conf/cvpr/HeZRS16",
        title="Deep Residual Learning for Image Recognition",
        authors=["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"],
        published_in="CVPR",
        year=2016,
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/paper?bibtexKey=conf/cvpr/HeZRS16")
    bibtex = page.locator("#cite-bibtex")
    expect(bibtex).to_be_hidden()
    page.get_by_text("Cite this paper").click()
    expect(bibtex).to_contain_text("@inproceedings{conf/cvpr/HeZRS16,")
    page.get_by_role("button", name="Copy BibTeX").click()
    expect(page.get_by_role("status").first).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@inproceedings{conf/cvpr/HeZRS16,")
    assert "author = {Kaiming He and Xiangyu Zhang and Shaoqing Ren and Jian Sun}" in copied
    page.get_by_role("button", name="Copy citation").click()
    assert page.evaluate("navigator.clipboard.readText()") == (
        "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun. Deep Residual Learning for Image Recognition. "
        "CVPR, 2016."
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download .bib").click()
    assert download.value.suggested_filename == "conf_cvpr_HeZRS16.bib"
    assert page.console_errors == []
