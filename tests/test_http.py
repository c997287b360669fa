import email.utils
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shortscience import locks
from shortscience.http import (
    DatabasePacer,
    HttpClient,
    HttpError,
    LocalPacer,
    Request,
    Response,
    parse_retry_after,
    shared_pacer,
    urllib_transport,
)
from shortscience.models import OutboundPace

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
        ("²", None),
        ("١٢", None),
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


# --- Pacing shared by processes (DatabasePacer) -----------------------------------------------------------------


class TimedTransport:
    """Answers 200 after `delay` seconds (or the queued statuses first), noting (start, end) of each request."""

    def __init__(self, delay=0.05, statuses=(), headers=None):
        self.delay, self.statuses, self.headers = delay, list(statuses), headers or {}
        self.spans, self._lock = [], threading.Lock()

    def __call__(self, request):
        start = time.monotonic()
        time.sleep(self.delay)
        with self._lock:
            status = self.statuses.pop(0) if self.statuses else 200
            self.spans.append((start, time.monotonic()))
        return Response(status, self.headers if status != 200 else {}, b"ok", request.url)


def gaps(spans):
    spans = sorted(spans)
    return [later[0] - earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)]


def in_threads(count, work):
    """Run `work(i)` in `count` threads at once; each has its own database session for locks."""
    errors = []

    def run(i):
        try:
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            locks.lock_connection_close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_database_pacer_spaces_clients_of_several_sessions():
    """Three clients in three threads, each with its own Postgres session as separate processes would have,
    and each its own client object: the requests to one pace key never overlap and are min_interval apart."""
    transport = TimedTransport()
    pacer = DatabasePacer()

    def work(i):
        client = HttpClient(transport=transport, min_interval=0.2, pacer=pacer, pace_key="example.org")
        for _ in range(3):
            assert client.get(f"https://example.org/{i}").ok

    in_threads(3, work)

    assert len(transport.spans) == 9
    assert min(gaps(transport.spans)) >= 0.2 - 0.01
    assert OutboundPace.objects.get().key == "example.org"


@pytest.mark.django_db(transaction=True)
def test_database_pacer_makes_every_session_wait_for_a_retry_after():
    """arXiv says 503 Retry-After: 1 to one process: the others wait that long too."""
    transport = TimedTransport(delay=0.01, statuses=[503], headers={"Retry-After": "1"})
    pacer = DatabasePacer()
    first = HttpClient(transport=transport, min_interval=0.1, pacer=pacer, pace_key="arxiv.org", retries=0)
    with pytest.raises(HttpError):
        first.get("https://export.arxiv.org/api/query")

    def other(i):
        HttpClient(transport=transport, min_interval=0.1, pacer=pacer, pace_key="arxiv.org").get("https://x.org/")

    in_threads(1, other)
    assert gaps(transport.spans)[0] >= 1.0 - 0.01


@pytest.mark.django_db(transaction=True)
def test_database_pacer_keys_are_independent():
    transport = TimedTransport(delay=0.2)
    pacer = DatabasePacer()

    def work(i):
        HttpClient(transport=transport, min_interval=5, pacer=pacer, pace_key=f"host{i}").get("https://x.org/")

    started = time.monotonic()
    in_threads(2, work)
    assert time.monotonic() - started < 1.0  # neither waited 5 s for the other
    assert min(gaps(transport.spans)) < 0  # they overlapped


def test_local_pacer_spaces_threads_of_one_process():
    transport = TimedTransport()
    pacer = LocalPacer()

    def work(i):
        HttpClient(transport=transport, min_interval=0.1, pacer=pacer).get("https://example.org/")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(transport.spans) == 3
    assert min(gaps(transport.spans)) >= 0.1 - 0.01


def test_shared_pacer_follows_the_setting(settings):
    settings.HTTP_PACING = "database"
    assert isinstance(shared_pacer(), DatabasePacer)
    settings.HTTP_PACING = "process"
    assert isinstance(shared_pacer(), LocalPacer)
    assert shared_pacer() is shared_pacer()  # one per process, whatever the client
