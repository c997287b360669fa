"""Every URL pattern of the site, read from the resolver, and addresses built from them with any path values: the
tests that walk every URL (tests/test_url_fuzz.py, tests/test_id_urls.py) cover a new URL as soon as it exists."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

OWN_APPS = ("summaries", "papers", "accounts", "shortscience")  # the apps whose views this project writes
OWN_NAMESPACES = ("api",)  # the JSON API's endpoints, run by django-ninja's view functions (shortscience/api.py)
ROUTE_PARAM_RE = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP_RE = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route itself for an unnamed pattern
    pieces: tuple  # the patterns from the root resolver down to this one
    callback: object

    @property
    def module(self) -> str:
        return getattr(self.callback, "__module__", "") or ""

    @property
    def is_own(self) -> bool:
        """A view of this project (not the admin's nor allauth's)."""
        return self.module.split(".")[0] in OWN_APPS or self.name.split(":")[0] in OWN_NAMESPACES

    @property
    def path_params(self) -> list[str]:
        names = []
        for piece in self.pieces:
            text = str(piece)
            regex = ROUTE_PARAM_RE if isinstance(piece, RoutePattern) else REGEX_GROUP_RE
            names += [m["name"] for m in regex.finditer(text)]
        return names

    def path(self, **values) -> str | None:
        """This pattern's address with `values` in its path parameters, or None when the resolver would not send it
        to this pattern's view (an `<int:…>` given "²"): such a value never reaches the view."""
        parts = []
        for piece in self.pieces:
            text = str(piece)
            if isinstance(piece, RoutePattern):
                parts.append(ROUTE_PARAM_RE.sub(lambda m: str(values[m["name"]]), text))
            elif isinstance(piece, RegexPattern):
                text = text.removeprefix("^").removesuffix("$").removesuffix("\\Z")
                parts.append(REGEX_GROUP_RE.sub(lambda m: str(values[m["name"]]), text).replace("\\", ""))
            else:
                raise AssertionError(f"unknown pattern kind {piece!r}")
        path = "/" + "".join(parts)
        try:
            match = resolve(path)
        except Resolver404:
            return None
        return path if match.func == self.callback else None


def all_patterns() -> list[Pattern]:
    found = []

    def walk(resolver, pieces, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(n for n in (namespace, entry.namespace) if n)
                walk(entry, (*pieces, entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = "".join(str(p) for p in (*pieces, entry.pattern))
                name = ":".join(n for n in (namespace, entry.name) if n) if entry.name else route
                found.append(Pattern(name=name, pieces=(*pieces, entry.pattern), callback=entry.callback))

    walk(get_resolver(), (), "")
    return found
