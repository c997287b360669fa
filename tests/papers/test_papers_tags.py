"""The template filters of papers_tags."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from papers.templatetags.papers_tags import DESCRIPTION_LENGTH, ago, html_datetime, jsonld, paper_description


def test_ago_for_dates_says_today_for_today_and_later():
    today = timezone.now().date()
    assert ago(today) == "today"
    assert ago(today + datetime.timedelta(days=3)) == "today"
    assert ago(today - datetime.timedelta(days=2)) == "2\xa0days ago"
    assert ago(today.replace(year=today.year - 10)) == "10\xa0years ago"


def test_ago_for_datetimes_says_just_now_for_the_last_minute():
    now = timezone.now()
    assert ago(now - datetime.timedelta(seconds=30)) == "just now"
    assert ago(now + datetime.timedelta(seconds=5)) == "just now"
    assert ago(now - datetime.timedelta(minutes=5)) == "5\xa0minutes ago"
    assert ago(now - datetime.timedelta(hours=2)) == "2\xa0hours ago"  # earlier today is not "today"


def test_ago_of_nothing_is_empty():
    assert ago(None) == ""
    assert ago("") == ""


def test_jsonld_escapes_what_could_end_the_script_element():
    assert str(jsonld({"name": "</script>&<!--é"})) == '{"name": "\\u003C/script\\u003E\\u0026\\u003C!--é"}'


def test_html_datetime_has_no_microseconds():
    moment = datetime.datetime(2026, 12, 1, 21, 33, 19, 35540, tzinfo=datetime.UTC)
    assert html_datetime(moment) == "2026-12-01T21:33:19+00:00"  # |date:"c" gives 21:33:19.035540, invalid HTML
    assert html_datetime(datetime.date(2015, 12, 10)) == "2015-12-10"
    assert html_datetime(None) == ""


def test_paper_description_is_the_abstract_on_one_line_and_cut():
    paper = SimpleNamespace(abstract="Deeper networks\n  are harder to train. " + "More words. " * 30)
    text = paper_description(paper)
    assert text.startswith("Deeper networks are harder to train. More words.")
    assert len(text) == DESCRIPTION_LENGTH and text.endswith("…")


def test_paper_description_without_abstract_says_what_the_paper_is():
    paper = SimpleNamespace(
        abstract="", title="Faster R-CNN", author_names=["A", "B", "C", "D"], venue_label="NIPS", year=2015
    )
    assert paper_description(paper) == "Faster R-CNN, by A, B, C et al. (NIPS 2015)."
    bare = SimpleNamespace(abstract="", title="Untitled notes", author_names=[], venue_label="", year=None)
    assert paper_description(bare) == "Untitled notes."
