"""shortscience.params: the one way views read parameters, and the pages a refused one gets."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.urls import reverse

from shortscience.params import InvalidParameter, StrictIntegerField, int_param, text_param
from summaries.models import Vote
from tests.factories import UserFactory, make_paper, make_summary


def query(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(values)
    return data


@pytest.mark.parametrize(
    ("raw", "expected"), [("7", 7), (" 12 ", 12), ("-1", -1), ("0", 0), ("007", 7), ("", None), ("   ", None)]
)
def test_int_param_reads_ascii_digits(raw, expected):
    assert int_param(query(n=raw), "n", min_value=-5) == expected


@pytest.mark.parametrize("raw", ["²", "١٢", "1e3", "1.0", "0x10", "+-1", "1 2", "½", "1\x00", "٣", "１２"])
def test_int_param_refuses_what_is_not_ascii_digits(raw):
    with pytest.raises(InvalidParameter) as refused:
        int_param(query(n=raw), "n")
    assert refused.value.status == 400
    assert "“n” must be a whole number written with the digits 0-9" in str(refused.value)


def test_int_param_bounds_huge_and_small_numbers():
    with pytest.raises(InvalidParameter, match="between 1 and 10"):
        int_param(query(n="9" * 40), "n", min_value=1, max_value=10)
    with pytest.raises(InvalidParameter, match="at least 1"):
        int_param(query(n="-5"), "n", min_value=1, max_value=None)
    with pytest.raises(InvalidParameter, match="at most 2147483647"):  # an integer column's largest value
        int_param(query(n="2147483648"), "n")
    with pytest.raises(InvalidParameter):
        int_param(query(n="9" * 10_000), "n", max_value=None)  # never handed to int() (Python refuses 4,300+)


def test_int_param_default_and_404_status_and_message():
    assert int_param(query(), "page", default=1) == 1
    with pytest.raises(Http404):  # a ParameterNotFound is an Http404: Django answers it with the 404 page
        int_param(query(page="x"), "page", status=404)
    with pytest.raises(InvalidParameter, match="^A vote is up or down.$"):
        int_param(query(value="5"), "value", min_value=-1, max_value=1, message="A vote is up or down.")


def test_text_param_strips_and_bounds():
    assert text_param(query(q="  attention  "), "q", max_length=20) == "attention"
    assert text_param(query(q="  kept  "), "q", max_length=20, strip=False) == "  kept  "
    assert text_param(query(), "q", max_length=20, default="none") == "none"
    with pytest.raises(InvalidParameter, match="too long: at most 20 characters"):
        text_param(query(q="x" * 21), "q", max_length=20)


@pytest.mark.parametrize("bad", ["a\x00b", "a\x01b", "a\x1bb", "a\x7fb", "a\x85b", "line\nbreak", "tab\there"])
def test_text_param_refuses_control_characters(bad):
    with pytest.raises(InvalidParameter, match="control character"):
        text_param(query(q=bad), "q", max_length=100)


def test_text_param_lets_a_multiline_text_keep_its_line_breaks_but_no_nul():
    assert text_param(query(body="a\r\n\tb\n"), "body", max_length=100, multiline=True, strip=False) == "a\r\n\tb\n"
    with pytest.raises(InvalidParameter):
        text_param(query(body="a\n\x00"), "body", max_length=100, multiline=True)


def test_strict_integer_field_refuses_unicode_digits_that_djangos_takes():
    field = StrictIntegerField(required=False, min_value=0)
    assert field.clean("12") == 12
    assert field.clean("") is None
    for bad in ("١٢", "²", "9" * 40, "-1"):
        with pytest.raises(ValidationError):
            field.clean(bad)


# --- The pages a refused parameter gets -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/venue?key=conf/nips&year=%C2%B2",  # ²
        "/paper?bibtexKey=conf/nips/X&a=%01",
        "/user?name=a%01b",
        "/?page=%D9%A1",  # ١
    ],
)
def test_a_refused_parameter_is_the_friendly_404_page_where_it_names_nothing(client, url):
    make_paper(bibtex_key="conf/nips/X")
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_a_refused_parameter_is_the_friendly_400_page_saying_what_was_wrong(client):
    response = client.get("/search", {"q": "x" * 10_000})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This address cannot be read" in html and "at most 500 characters" in html
    assert '<header class="site-header">' in html  # the site's own page, with its header and search box


@pytest.mark.django_db
def test_revisions_with_unicode_digits_are_a_400_not_a_500(client):
    summary = make_summary()
    client.force_login(summary.author)
    url = reverse("summaries:revisions", args=[summary.pk])
    response = client.get(url, {"from": "²", "to": "1"})
    assert response.status_code == 400
    assert "“from” must be a whole number" in response.content.decode()
    assert client.get(url, {"from": "1", "to": "1"}).status_code == 200
    assert client.get(url, {"from": "1", "to": "99"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1e3", "²", "2", "", "9" * 40, "up"])
def test_a_vote_that_is_not_minus_one_zero_or_one_is_refused_in_a_sentence(client, value):
    summary = make_summary()
    client.force_login(UserFactory())
    url = reverse("summaries:vote", args=[summary.pk])
    response = client.post(url, {"value": value}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 400
    assert response.json() == {"error": "A vote is up (1), down (-1) or none (0): nothing else can be counted."}
    response = client.post(url, {"value": value}, follow=True)  # without JavaScript: the page, with the message
    html = response.content.decode()
    assert "A vote is up (1), down (-1) or none (0)" in html and "invalid literal" not in html
    assert not Vote.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["summary", "comment"])
def test_report_ids_with_unicode_digits_are_a_404(client, field):
    client.force_login(UserFactory())
    assert client.get(reverse("summaries:report"), {field: "²"}).status_code == 404
    assert client.post(reverse("summaries:report"), {field: "١", "reason": "spam"}).status_code == 404


@pytest.mark.django_db
def test_a_posted_base_version_in_unicode_digits_is_a_form_error(client):
    paper = make_paper()
    client.force_login(UserFactory())
    response = client.post(reverse("summaries:save", args=[paper.pk]), {"body": "Text", "base_version": "١"})
    assert response.status_code == 400
    assert "Your summary was not saved" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/random", "/about", "/users", "/venue", "/robots.txt", "/healthz"])
def test_head_is_answered_like_get(client, url):
    make_summary()
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code != 405
    assert head.content == b""


@pytest.mark.django_db
def test_a_refused_parameter_is_logged_in_one_line_not_a_traceback(client, caplog):
    with caplog.at_level("INFO"):
        assert client.get("/search", {"q": "a\x01b"}).status_code == 400
    refused = [r for r in caplog.records if "Refused parameter" in r.getMessage()]
    assert len(refused) == 1 and "“q” holds a control character" in refused[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_another_bad_request_gets_the_same_400_page_without_djangos_words(client):
    response = client.get("/about", {f"field{n}": "x" for n in range(1500)})  # past DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert response.status_code == 400
    html = response.content.decode()
    assert "This address cannot be read" in html and "DATA_UPLOAD_MAX_NUMBER_FIELDS" not in html
