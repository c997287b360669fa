"""Outbound HTTP: the one place the site requests other servers (arXiv API, OAI-PMH, Crossref).

Every request goes through an `HttpClient`, which adds a User-Agent and a timeout, keeps requests to one
host at least `min_interval` seconds apart, and retries when the server says "try later" (429, 502, 503,
504, honouring Retry-After) or the connection fails. The network is reached through a *transport*, a
callable `(Request) -> Response`: the default one uses `urllib.request`, tests pass one that replays
recorded responses.

What `get()` returns and raises:
- It returns every final answer the server gave, whatever its status (2xx, 4xx, 500 ...): some APIs
  explain a 4xx in the body (arXiv sends an Atom feed with the reason), so the caller decides.
  `response.raise_for_status()` turns a non-2xx answer into an `HttpError` for callers that do not care.
- It raises `HttpError` when it got no final answer: the connection failed, or the server still said
  "try later", after `retries` retries. The error names the URL.

Spacing is kept by a *pacer*, per pace key (the host, or one key for several hosts of one service: arXiv's
API and OAI-PMH share "arxiv.org"): a request starts only when no other request with its key is in flight and
the time the last one set has come; when it ends, it sets the next time (now + `min_interval`, or later when the
server asked for a pause with Retry-After). `shared_pacer()` is what the site's clients use:
- `DatabasePacer` (settings.HTTP_PACING = "database", the default on Postgres): a Postgres advisory lock per key,
  held while a request is in flight, and a row per key (shortscience.models.OutboundPace) holding the next
  allowed time by the database's clock. So arXiv's rule (one request every 3 s, one connection at a time)
  holds across all processes and machines that share the database.
- `LocalPacer` ("process", SQLite's): a lock and a time per key in this process only.
A client made without a pacer gets its own LocalPacer, run by its `clock` and `sleep` (tests).
"""

import contextlib
import email.utils
import http.client
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from django.conf import settings

from . import locks

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Request:
    """What a transport is asked to fetch."""

    url: str
    headers: dict[str, str]
    timeout: float
    method: str = "GET"


@dataclass
class Response:
    """A server's answer. Header names are lower-cased."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    url: str = ""

    def __post_init__(self):
        self.headers = {name.lower(): value for name, value in self.headers.items()}

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def raise_for_status(self) -> None:
        if not self.ok:
            reason = http.client.responses.get(self.status, "")
            raise HttpError(self.url, self.status, f"HTTP {self.status} {reason}".strip())


class HttpError(Exception):
    """A request that got no usable answer. `status` is None when the connection itself failed."""

    def __init__(self, url: str, status: int | None, message: str):
        super().__init__(url, status, message)
        self.url, self.status, self.message = url, status, message

    def __str__(self):
        return f"{self.url}: {self.message}"


Transport = Callable[[Request], Response]


def urllib_transport(request: Request) -> Response:
    """Fetch with urllib (redirects followed). An HTTP error status is returned as a Response; a failed
    connection raises OSError (urllib's URLError, timeouts and resets all are one)."""
    req = urllib.request.Request(request.url, headers=request.headers, method=request.method)
    try:
        with urllib.request.urlopen(req, timeout=request.timeout) as resp:
            return Response(resp.status, dict(resp.headers.items()), resp.read(), resp.url)
    except urllib.error.HTTPError as exc:
        with exc:
            body = exc.read()
        return Response(exc.code, dict(exc.headers.items()), body, exc.url or request.url)
    except http.client.HTTPException as exc:  # e.g. IncompleteRead: the connection broke mid-answer
        raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (a delay in seconds or an HTTP date), or None if absent or
    invalid. `now` is the wall-clock time (time.time()) an HTTP date is measured from."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():  # not "²" (a latin-1 header byte): isdigit() alone takes it
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:  # RFC 9110 dates are always GMT; anything else is not trusted
        return None
    return max(0.0, when.timestamp() - now)


def with_params(url: str, params: Mapping | None, *, safe: str = "") -> str:
    """`url` with `params` url-encoded onto its query string (lists become repeated parameters)."""
    if not params:
        return url
    query = urllib.parse.urlencode(params, doseq=True, safe=safe)
    return url + ("&" if urllib.parse.urlsplit(url).query else "?") + query


@dataclass
class Turn:
    """One request's turn at a pace key: `pause` is how long after it ends the key is not asked again."""

    pause: float


class LocalPacer:
    """Spacing within this process: one lock and one next-allowed time (by `clock`) per key."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.clock, self.sleep = clock, sleep
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()
        self._next_allowed: dict[str, float] = {}

    @contextlib.contextmanager
    def turn(self, key: str, interval: float) -> Iterator[Turn]:
        with self._guard:
            lock = self._locks[key]
        with lock:
            wait = self._next_allowed.get(key, float("-inf")) - self.clock()
            if wait > 0:
                self.sleep(wait)
            turn = Turn(interval)
            try:
                yield turn
            finally:
                self._next_allowed[key] = self.clock() + turn.pause


class DatabasePacer:
    """Spacing across every process that shares the Postgres database (module docstring), through the advisory
    lock of the pace key on this thread's lock connection (shortscience.locks): a caller's transaction neither
    holds the lock nor hides or rolls back the next-allowed time. A process that dies mid-request loses its
    session, and with it the lock; the row keeps the time it last set."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep):
        self.sleep = sleep

    @contextlib.contextmanager
    def turn(self, key: str, interval: float) -> Iterator[Turn]:
        with locks.locked_cursor(f"http:{key}") as cursor:
            cursor.execute(
                "SELECT EXTRACT(EPOCH FROM next_request_at - clock_timestamp()) FROM shortscience_outboundpace"
                " WHERE key = %s",
                [key],
            )
            row = cursor.fetchone()
            if row and row[0] > 0:
                self.sleep(float(row[0]))
            turn = Turn(interval)
            try:
                yield turn
            finally:
                cursor.execute(
                    "INSERT INTO shortscience_outboundpace (key, next_request_at)"
                    " VALUES (%s, clock_timestamp() + make_interval(secs => %s))"
                    " ON CONFLICT (key) DO UPDATE SET next_request_at = EXCLUDED.next_request_at",
                    [key, turn.pause],
                )


_process_pacer = LocalPacer()
_database_pacer = DatabasePacer()


def shared_pacer() -> LocalPacer | DatabasePacer:
    """The pacer the site's clients share: across machines through Postgres, or within this process
    (settings.HTTP_PACING)."""
    return _database_pacer if settings.HTTP_PACING == "database" else _process_pacer


class HttpClient:
    """Polite GET requests: User-Agent, timeout, spacing per pace key, retries.

    `pacer` spaces the requests (module docstring) by `pace_key`, the URL's host unless given. Without a pacer
    the client has its own LocalPacer on `clock` (monotonic seconds) and `sleep`, injectable so tests run
    instantly; `wall_clock` is only used to read Retry-After dates.
    """

    def __init__(
        self,
        *,
        transport: Transport | None = None,
        timeout: float = 20.0,
        user_agent: str | None = None,
        min_interval: float = 1.0,
        retries: int = 3,
        backoff: float = 5.0,
        max_retry_after: float = 300.0,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        pacer: LocalPacer | DatabasePacer | None = None,
        pace_key: str | None = None,
    ):
        self.transport = transport or urllib_transport
        self.timeout = timeout
        self.user_agent = user_agent or settings.HTTP_USER_AGENT
        self.min_interval = min_interval
        self.retries = retries
        self.backoff = backoff  # wait without Retry-After: backoff, 2 x backoff, 4 x backoff ...
        self.max_retry_after = max_retry_after
        self.headers = dict(headers or {})
        self.clock, self.sleep, self.wall_clock = clock, sleep, wall_clock
        self.pacer = pacer or LocalPacer(clock=clock, sleep=sleep)
        self.pace_key = pace_key

    def get(self, url: str, params: Mapping | None = None) -> Response:
        """GET `url` with `params` added to its query; the module docstring says what returns and raises."""
        url = with_params(url, params)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        key = self.pace_key or parts.hostname.lower()
        request = Request(url, {"User-Agent": self.user_agent, **self.headers}, self.timeout)
        attempt = 0
        while True:
            with self.pacer.turn(key, self.min_interval) as turn:
                try:
                    response = self.transport(request)
                    failure = None
                except OSError as exc:
                    response, failure = None, exc
                if response is not None and response.status not in RETRY_STATUSES:
                    return response

                if response is not None:
                    problem = f"HTTP {response.status}"
                    delay = parse_retry_after(response.header("Retry-After"), now=self.wall_clock())
                else:
                    problem = f"connection failed ({failure})"
                    delay = None
                if delay is not None:  # what the server asked for holds for every process, even if we give up
                    turn.pause = max(turn.pause, min(delay, self.max_retry_after))
                if attempt == self.retries:
                    status = response.status if response is not None else None
                    tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
                    raise HttpError(url, status, f"{problem}, gave up after {tries}") from failure
                if delay is None:
                    delay = self.backoff * 2**attempt
                delay = min(delay, self.max_retry_after)
                turn.pause = max(turn.pause, delay)  # every process waits for the pause the server asked for
                logger.warning("GET %s: %s; retrying in %.0f s", url, problem, delay)
            attempt += 1
