from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from papers.models import Author, Paper, PaperAlias, PaperAuthor, Venue
from summaries.models import Revision, Summary

pytestmark = pytest.mark.django_db


def counts():
    models = (Paper, Author, PaperAuthor, PaperAlias, Venue, User, Summary, Revision)
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_loads_real_papers_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    assert first["Paper"] > 300
    assert Paper.objects.filter(bibtex_key="journals/corr/2202.12139", source="arxiv").exists()
    assert Paper.objects.filter(source="dblp").count() > 100
    assert Venue.objects.get(key="journals/corr").name == "arXiv e-Print archive"
    demo = User.objects.get(username="demo")
    assert demo.check_password("demo-password-123")
    assert Summary.objects.filter(author=demo).count() == 2
    assert "Log in as 'demo'" in out.getvalue()

    call_command("seed_demo", stdout=StringIO())
    assert counts() == first
