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

The spacing is per client and per process. arXiv's rule (one request every 3 s, one connection at a time)
is summed over all our machines, so run one harvester at a time.
"""

import email.utils
import http.client
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings

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
    if value.isdigit():
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


class HttpClient:
    """Polite GET requests: User-Agent, timeout, spacing per host, retries. One request at a time per client.

    `clock` (monotonic seconds) and `sleep` are injectable so tests run instantly; `wall_clock` is only
    used to read Retry-After dates.
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
        self._next_allowed: dict[str, float] = {}  # host -> clock time before which it is not asked again
        self._lock = threading.Lock()

    def get(self, url: str, params: Mapping | None = None) -> Response:
        """GET `url` with `params` added to its query; the module docstring says what returns and raises."""
        url = with_params(url, params)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        host = parts.hostname.lower()
        request = Request(url, {"User-Agent": self.user_agent, **self.headers}, self.timeout)
        with self._lock:
            attempt = 0
            while True:
                self._wait_for(host)
                try:
                    response = self.transport(request)
                    failure = None
                except OSError as exc:
                    response, failure = None, exc
                finished = self.clock()
                self._next_allowed[host] = finished + self.min_interval
                if response is not None and response.status not in RETRY_STATUSES:
                    return response

                if response is not None:
                    problem = f"HTTP {response.status}"
                    delay = parse_retry_after(response.header("Retry-After"), now=self.wall_clock())
                else:
                    problem = f"connection failed ({failure})"
                    delay = None
                if attempt == self.retries:
                    status = response.status if response is not None else None
                    tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
                    raise HttpError(url, status, f"{problem}, gave up after {tries}") from failure
                if delay is None:
                    delay = self.backoff * 2**attempt
                delay = min(delay, self.max_retry_after)
                self._next_allowed[host] = max(self._next_allowed[host], finished + delay)
                logger.warning("GET %s: %s; retrying in %.0f s", url, problem, delay)
                attempt += 1

    def _wait_for(self, host: str) -> None:
        wait = self._next_allowed.get(host, float("-inf")) - self.clock()
        if wait > 0:
            self.sleep(wait)
