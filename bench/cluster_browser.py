"""A visitor for bench/cluster_drive.py: cookies, CSRF token and allauth's log-in form, on plain http.client (no
redirects followed, every answer's status, Location and the headers the cluster run reads).

Cookies are kept whatever their Secure flag: nginx on loopback stands where TLS would end in production. They
expire after their Max-Age, as in a browser.
"""

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# No answer, or half of one: refused or reset connections, and a body cut short (nginx had passed the headers on
# when the app server died, so it could not move the request to another).
FAILURES = (OSError, http.client.HTTPException)


@dataclass
class Reply:
    status: int
    location: str
    upstream: str  # nginx's X-Upstream (bench only): the app server(s) that were asked
    page_cache: str
    body: str


class Browser:
    """One visitor's cookies, sent to one server (`at` gives the same visitor on another)."""

    def __init__(self, base: str, cookies: dict | None = None, source: str | None = None):
        parts = urlsplit(base)
        self.base, self.host, self.port = base, parts.hostname, parts.port
        self.cookies = {} if cookies is None else cookies  # name: (value, expiry time or None)
        self.source = source  # a loopback address to connect from (127.0.0.2: "another client")

    def at(self, base: str) -> "Browser":
        return Browser(base, self.cookies, self.source)

    def get(self, path: str, headers: dict | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict, headers: dict | None = None) -> Reply:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.base,  # as a browser sends it; Django checks it against the Host nginx passes on
            "X-CSRFToken": self.cookie("csrftoken"),
            **(headers or {}),
        }
        return self.request("POST", path, urlencode(fields), headers)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> Reply:
        source = (self.source, 0) if self.source else None
        conn = http.client.HTTPConnection(self.host, self.port, timeout=20, source_address=source)
        sent = {"Host": f"{self.host}:{self.port}", "User-Agent": "bench/cluster_drive.py", **(headers or {})}
        now = time.time()
        for name in [n for n, (_, expiry) in self.cookies.items() if expiry is not None and expiry <= now]:
            del self.cookies[name]
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, (v, _) in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    max_age = morsel["max-age"]
                    self.cookies[name] = (morsel.value, time.time() + int(max_age) if max_age else None)
        return Reply(
            response.status,
            response.headers.get("Location", ""),
            response.headers.get("X-Upstream", ""),
            response.headers.get("X-Page-Cache", ""),
            data,
        )

    def cookie(self, name: str) -> str:
        return self.cookies.get(name, ("", None))[0]

    def log_in(self, username: str, password: str) -> Reply:
        page = self.get("/accounts/login/")
        token = CSRF_RE.search(page.body).group(1)
        return self.post("/accounts/login/", {"login": username, "password": password, "csrfmiddlewaretoken": token})
