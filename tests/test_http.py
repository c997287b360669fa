import email.utils
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shortscience.http import HttpClient, HttpError, Request, Response, parse_retry_after, urllib_transport

WALL_NOW = 1_700_000_000.0


class FakeClock:
    """A monotonic clock that only moves when something sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeTransport:
    """Answers with the queued responses (or raises the queued exceptions), then 200s; records requests."""

    def __init__(self, clock, *answers):
        self.clock, self.answers = clock, list(answers)
        self.requests, self.times = [], []

    def __call__(self, request):
        self.requests.append(request)
        self.times.append(self.clock())
        answer = self.answers.pop(0) if self.answers else Response(200, body=b"ok", url=request.url)
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_client(*answers, **options):
    clock = FakeClock()
    transport = FakeTransport(clock, *answers)
    options.setdefault("min_interval", 3.0)
    client = HttpClient(transport=transport, clock=clock, sleep=clock.sleep, wall_clock=lambda: WALL_NOW, **options)
    return client, transport, clock


def test_get_spaces_requests_to_the_same_host():
    client, transport, _ = make_client()

    client.get("https://export.arxiv.org/api/query?id_list=1")
    client.get("https://export.arxiv.org/api/query?id_list=2")
    client.get("https://export.arxiv.org/api/query?id_list=3")

    first, second, third = transport.times
    assert second - first >= 3.0
    assert third - second >= 3.0


def test_get_does_not_delay_another_host():
    client, transport, clock = make_client()

    client.get("https://export.arxiv.org/api/query")
    client.get("https://api.crossref.org/works")

    assert clock.sleeps == []
    assert transport.times[0] == transport.times[1]


def test_get_honours_retry_after_seconds_on_503():
    client, transport, _ = make_client(Response(503, {"Retry-After": "120"}))

    response = client.get("https://export.arxiv.org/api/query")

    assert response.status == 200
    assert len(transport.requests) == 2
    assert transport.times[1] - transport.times[0] >= 120


def test_get_honours_retry_after_http_date():
    retry_at = email.utils.formatdate(WALL_NOW + 45, usegmt=True)
    client, transport, _ = make_client(Response(503, {"retry-after": retry_at}))

    assert client.get("https://export.arxiv.org/api/query").status == 200
    assert transport.times[1] - transport.times[0] == pytest.approx(45)


def test_get_caps_retry_after():
    client, transport, _ = make_client(Response(503, {"retry-after": "86400"}), max_retry_after=300)

    client.get("https://export.arxiv.org/api/query")

    assert transport.times[1] - transport.times[0] == 300


def test_get_backs_off_without_retry_after():
    client, transport, _ = make_client(Response(502), Response(504), backoff=5.0)

    assert client.get("https://export.arxiv.org/api/query").status == 200
    first, second, third = transport.times
    assert (second - first, third - second) == (5.0, 10.0)


def test_get_raises_http_error_naming_the_url_after_connection_failures():
    url = "https://export.arxiv.org/api/query?id_list=1512.03385"
    client, transport, _ = make_client(*[ConnectionResetError("reset by peer")] * 4, retries=3)

    with pytest.raises(HttpError) as raised:
        client.get(url)

    assert len(transport.requests) == 4
    assert raised.value.url == url
    assert raised.value.status is None
    assert url in str(raised.value)
    assert "gave up after 4 attempts" in str(raised.value)


def test_get_raises_http_error_when_the_server_stays_unavailable():
    client, transport, _ = make_client(*[Response(503)] * 3, retries=2)

    with pytest.raises(HttpError) as raised:
        client.get("https://export.arxiv.org/api/query")

    assert raised.value.status == 503
    assert len(transport.requests) == 3


def test_get_returns_client_errors_without_retrying():
    client, transport, _ = make_client(Response(400, body=b"<feed/>", url="https://export.arxiv.org/api/query"))

    response = client.get("https://export.arxiv.org/api/query")

    assert response.status == 400
    assert response.body == b"<feed/>"
    assert len(transport.requests) == 1
    with pytest.raises(HttpError, match="HTTP 400 Bad Request"):
        response.raise_for_status()


def test_get_sends_user_agent_and_timeout(settings):
    client, transport, _ = make_client()

    client.get("https://export.arxiv.org/api/query")

    assert client.timeout == 20
    assert transport.requests[0] == Request(
        "https://export.arxiv.org/api/query", {"User-Agent": settings.HTTP_USER_AGENT}, 20.0
    )


def test_get_adds_params_to_the_query():
    client, transport, _ = make_client()

    client.get("https://api.crossref.org/works?rows=2", params={"query": "deep residual", "filter": ["a", "b"]})

    assert transport.requests[0].url == ("https://api.crossref.org/works?rows=2&query=deep+residual&filter=a&filter=b")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "export.arxiv.org/api/query"])
def test_get_refuses_non_http_urls(url):
    client, transport, _ = make_client()

    with pytest.raises(ValueError):
        client.get(url)
    assert transport.requests == []


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        (email.utils.formatdate(WALL_NOW + 30, usegmt=True), 30.0),
        (email.utils.formatdate(WALL_NOW - 30, usegmt=True), 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("-5", None),
    ],
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value, now=WALL_NOW) == seconds


class _Handler(BaseHTTPRequestHandler):
    seen_user_agents = []

    def do_GET(self):
        self.seen_user_agents.append(self.headers["User-Agent"])
        status = 400 if "bad" in self.path else 200
        body = f"answer to {self.path}".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_urllib_transport_returns_answers_of_any_status(local_server):
    ok = urllib_transport(Request(local_server + "/good?x=1", {"User-Agent": "test-agent/1"}, 5))
    bad = urllib_transport(Request(local_server + "/bad", {"User-Agent": "test-agent/1"}, 5))

    assert (ok.status, ok.body, ok.header("Content-Type")) == (200, b"answer to /good?x=1", "text/plain")
    assert ok.url == local_server + "/good?x=1"
    assert (bad.status, bad.body) == (400, b"answer to /bad")
    assert _Handler.seen_user_agents[-2:] == ["test-agent/1", "test-agent/1"]


def test_client_reports_a_refused_connection_as_http_error():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    client = HttpClient(clock=clock, sleep=clock.sleep, retries=1, timeout=2)

    with pytest.raises(HttpError, match=rf"http://127.0.0.1:{port}/x: connection failed"):
        client.get(f"http://127.0.0.1:{port}/x")
