"""HTTP clients for tests that replay recorded answers from tests/fixtures/ instead of reaching the network."""

from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from shortscience.http import HttpClient, Response

FIXTURES = Path(__file__).parent / "fixtures"

# An answer: a Response returned as it is, (status, fixture file under tests/fixtures/ or the body itself), or an
# exception the transport raises (an OSError is a failed connection to HttpClient).
Answer = Response | tuple[int, str | bytes] | BaseException


def replay_client(
    answers: Mapping[str, Answer] | None = None,
    *,
    default: Answer | Callable[[str], Answer] | None = None,
    headers: Mapping[str, str] | None = None,
    **options,
) -> HttpClient:
    """An HttpClient that never sleeps and answers each URL from `answers` (URL -> answer). `default` answers
    any other URL, or computes its answer when it is a callable `url -> answer`; without it another URL fails the
    test. `headers` go on every answer built from a (status, body) pair; `options` go to HttpClient.

    The client's `requested` lists the URLs asked, retries included; its `answers` is the mapping itself, which a
    test may change to answer differently from then on."""
    answers = {} if answers is None else answers
    requested = []

    def transport(request):
        requested.append(request.url)
        if request.url in answers:
            answer = answers[request.url]
        elif default is None:
            raise AssertionError(f"no recorded answer for {request.url}")
        else:
            answer = default(request.url) if callable(default) else default
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, Response):
            return answer
        status, body = answer
        if isinstance(body, str):
            body = (FIXTURES / body).read_bytes()
        return Response(status, dict(headers or {}), body, request.url)

    client = HttpClient(transport=transport, sleep=lambda seconds: None, **options)
    client.requested, client.answers = requested, answers
    return client


# --- arXiv API ----------------------------------------------------------------------------------------------

ARXIV_RECORDED = {  # unversioned id -> recorded arXiv API response holding its entry
    "2104.12255": "arxiv_api/id_2104.12255v1.xml",
    "astro-ph/0601001": "arxiv_api/id_astro-ph_0601001.xml",
    "1111.2011": "arxiv_api/legacy2016_id_list_1111.2011v2.xml",
}


def arxiv_ids(url: str) -> list[str]:
    """The ids an arXiv API id_list query asks for."""
    return parse_qs(urlsplit(url).query)["id_list"][0].split(",")


def arxiv_feed(url: str) -> tuple[int, bytes]:
    """arXiv's answer to an id_list query: the recorded entries of the ids asked, spliced into the empty feed
    (which declares the namespaces they use); an id without a recorded entry is left out, as arXiv does."""
    entries = b"".join(
        _entry((FIXTURES / ARXIV_RECORDED[i]).read_bytes()) for i in arxiv_ids(url) if i in ARXIV_RECORDED
    )
    feed = (FIXTURES / "arxiv_api/empty_id_0000.0000.xml").read_bytes()
    return 200, feed.replace(b"</feed>", entries + b"</feed>")


def _entry(feed: bytes) -> bytes:
    return feed[feed.index(b"<entry>") : feed.rindex(b"</entry>") + len(b"</entry>")]


def arxiv_replay_client(answer: Answer | None = None) -> HttpClient:
    """A client for the arXiv API answering id_list queries from the recorded entries (arxiv_feed), or every
    request with `answer` when given."""
    return replay_client(
        default=arxiv_feed if answer is None else answer,
        headers={"content-type": "application/atom+xml"},
        min_interval=3.0,
    )
