import pytest

from papers.importers.arxiv_metadata import split_arxiv_authors, tidy_author_name


@pytest.mark.parametrize(
    "text, names",
    [
        ("Joshua Berger, Maxim Perelstein, Michael Saelim and Philip Tanedo", 4),
        ("D.V. Shetty, S.J. Yennello, and G.A. Souliotis", ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]),
        (
            "Robert H. Brandenberger (McGill), Keshav Dasgupta (McGill) and\n  Anne-Christine Davis (DAMTP, Cambridge)",
            ["Robert H. Brandenberger", "Keshav Dasgupta", "Anne-Christine Davis"],
        ),
        ("Zainul Abidin and Carl E. Carlson (William and Mary)", ["Zainul Abidin", "Carl E. Carlson"]),
        (
            "Peter Anders (1), Uta Fritze (2) ((1) University Utrecht, (2) University of Hertfordshire, UK)",
            ["Peter Anders", "Uta Fritze"],
        ),
        ("Isaac Chappell II and S. James Gates Jr", ["Isaac Chappell II", "S. James Gates Jr"]),
        ("John Smith, Jr., Jane Doe", ["John Smith Jr.", "Jane Doe"]),
        ("William A. Goddard, III", ["William A. Goddard III"]),
        ("CDF Collaboration: T. Aaltonen, et al", ["CDF Collaboration", "T. Aaltonen"]),
        ("PHENIX Collaboration, A. Adare, et al.", ["PHENIX Collaboration", "A. Adare"]),
        ("T. Aaltonen et al", ["T. Aaltonen"]),
        ("G. Aad and the ATLAS Collaboration", ["G. Aad", "ATLAS Collaboration"]),
        ("The KamLAND Collaboration", ["KamLAND Collaboration"]),
        ("Christopher Hays (for the ATLAS Collaboration)", ["Christopher Hays"]),
        ("M. Smith for the LHCb Collaboration", ["M. Smith", "LHCb Collaboration"]),
        ("A. Jones on behalf of the CMS collaboration", ["A. Jones", "CMS collaboration"]),
        # SciRate #531 split "Firsthe Last" on "the"; "and" inside a word is no separator either
        ("Firsthe Last and Alexander Sandberg", ["Firsthe Last", "Alexander Sandberg"]),
        ("Anthe Theodorou, Ferdinand Andersen", ["Anthe Theodorou", "Ferdinand Andersen"]),
        ("J\\'er\\^ome Le Rousseau (LATP, MAPMO)", ["Jérôme Le Rousseau"]),
        ('S. {\\AA}berg, H.H. von Gr\\"unberg', ["S. Åberg", "H.H. von Grünberg"]),
        ("D.A. Foga\\c{c}a and Rafa{\\l} Lata{\\l}a", ["D.A. Fogaça", "Rafał Latała"]),
        ("J. -H. Jureit (CPT)", ["J.-H. Jureit"]),
        ("Solo Author", ["Solo Author"]),
        ("", []),
    ],
)
def test_split_arxiv_authors(text, names):
    found = split_arxiv_authors(text)

    if isinstance(names, int):
        assert len(found) == names
    else:
        assert found == names


@pytest.mark.parametrize(
    "name, tidy",
    [
        ("C. Balázs", "C. Balázs"),
        ("C. Bal\\'azs", "C. Balázs"),
        ("  Neal J.\n  Evans II ", "Neal J. Evans II"),
        ("The BABAR Collaboration", "BABAR Collaboration"),
        ("Theo Smith", "Theo Smith"),  # "The" only goes before a collaboration
        ("The Team", "Team"),
        ("C. -P. Yuan", "C.-P. Yuan"),
    ],
)
def test_tidy_author_name(name, tidy):
    assert tidy_author_name(name) == tidy
