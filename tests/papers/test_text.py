"""papers.importers.text: the whitespace, date and DOI helpers every importer reads its sources with."""

import datetime
import sys

import pytest

from papers.importers.text import first_doi, iso_date, one_line, rfc2822_date


@pytest.mark.parametrize(
    "text, line",
    [
        ("Deep Residual Learning", "Deep Residual Learning"),
        ("  Deep  Residual\n  Learning\n", "Deep Residual Learning"),
        ("Deep\tResidual\r\nLearning", "Deep Residual Learning"),
        ("Dollár \u00a0and\u2028Girshick", "Dollár and Girshick"),  # non-ASCII spaces and separators too
        ("", ""),
        (None, ""),
        (" \n\t ", ""),
    ],
)
def test_one_line_collapses_every_run_of_whitespace(text, line):
    assert one_line(text) == line


def test_one_line_is_split_and_join_for_every_whitespace_character():
    whitespace = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    for char in whitespace:
        for text in (f"a{char}b", f"a {char} b", f"{char}a\nb{char}", f"é{char}b"):
            assert one_line(text) == " ".join(text.split()), repr(text)


@pytest.mark.parametrize(
    "text, date",
    [
        ("2007-04-02", datetime.date(2007, 4, 2)),
        (" 2007-04-02\n", datetime.date(2007, 4, 2)),
        ("2007-02-30", None),
        ("2 Apr 2007", None),
        ("", None),
        (None, None),
    ],
)
def test_iso_date_reads_dates_and_gives_none_for_the_rest(text, date):
    assert iso_date(text) == date


@pytest.mark.parametrize(
    "text, date",
    [
        ("Mon, 2 Apr 2007 19:18:42 GMT", datetime.date(2007, 4, 2)),  # arXiv's version stamps
        ("Fri, 14 Nov 2008 10:01:03 GMT", datetime.date(2008, 11, 14)),
        ("2 Apr 2007 19:18:42 +0000", datetime.date(2007, 4, 2)),  # no weekday: the general parser
        ("Mon, 31 Feb 2007 19:18:42 GMT", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_rfc2822_date_reads_version_stamps_and_gives_none_for_the_rest(text, date):
    assert rfc2822_date(text) == date


@pytest.mark.parametrize(
    "text, doi",
    [
        ("10.1103/PhysRevC.76.024606", "10.1103/physrevc.76.024606"),
        ("10.1103/PhysRevC.76.024606 10.1016/j.nuclphysa.2007.01.001", "10.1103/physrevc.76.024606"),
        ("10.1000/a, 10.1000/b;10.1000/c", "10.1000/a"),
        ("not-a-doi; 10.1000/b", "10.1000/b"),  # the first *valid* one
        ("https://doi.org/10.1000/A", "10.1000/a"),
        ("no DOI here", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_first_doi_gives_the_first_valid_doi_of_a_field(text, doi):
    assert first_doi(text) == doi
