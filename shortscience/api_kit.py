"""What the apps' JSON API endpoints (papers/api.py, summaries/api.py, accounts/api.py) are built with: the methods
they answer, their query parameters read by params.py's rules, absolute addresses, and keyset cursor pages.

The root API that joins them is shortscience/api.py (imported by urls.py only: it names the apps' routers).

Cursor pages (`Keyset.page`) never count and never skip rows with OFFSET: a page is the first `limit` rows after
the last row of the previous page in the list's order, a range of an index whatever the page's depth. The order
ends with a unique column (the primary key), so ties on the other columns are walked without duplicates or gaps.
The cursor is that last row's values, signed (django.core.signing, salted per list): opaque to clients, and a
cursor that was not made by this list is refused (400) rather than read.
"""

import datetime
import functools
import operator
from typing import Annotated

from django.conf import settings
from django.core import signing
from django.db.models import Q
from pydantic import AfterValidator, BeforeValidator, Field

from .params import InvalidParameter, has_control_characters, parse_int

SAFE_METHODS = ["GET", "HEAD"]  # every endpoint answers HEAD as it answers GET (the schema lists GET only)
PAGE_SIZE = 20
PAGE_SIZE_MAX = 100
CURSOR_MAX_LENGTH = 500


def absolute(path: str) -> str:
    """An address on this site as clients get it: SITE_URL + `path`, as the feeds and canonical links give it."""
    return settings.SITE_URL + path


def _plain_text(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("holds a control character, which no address may hold")
    return value.strip()


def _ascii_integer(value):
    """params.parse_int's rule: ASCII digits only (pydantic would read other digits too)."""
    return parse_int(value) if isinstance(value, str) else value


def text_type(max_length: int):
    """A query parameter's text: at most `max_length` characters, no control character, stripped."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_plain_text)]


PageSize = Annotated[
    int, Field(ge=1, le=PAGE_SIZE_MAX, description="Items per page (1 to 100)"), BeforeValidator(_ascii_integer)
]
Cursor = Annotated[
    str,
    Field(max_length=CURSOR_MAX_LENGTH, description="The `next` address's cursor: where the previous page ended"),
    AfterValidator(_plain_text),
]


class Keyset:
    """A list's order, e.g. Keyset("summaries", "-edited_at", "-id"), walked by cursors. The last field must be
    unique. A field whose value on a cursor's row is NULL is taken to be the same on every row of the list (a
    venue's papers without a year): only the fields after it order the rest."""

    def __init__(self, name: str, *ordering: str):
        self.salt = f"shortscience.api.cursor:{name}"
        self.ordering = ordering
        self.fields = [(field.removeprefix("-"), field.startswith("-")) for field in ordering]

    def page(self, queryset, request, *, cursor: str = "", limit: int = PAGE_SIZE) -> dict:
        """{"results": up to `limit` rows after `cursor` (from the start without one), "next": the address of the
        page after (this request's address with the cursor of its last row) or None on the last page}."""
        rows = queryset.order_by(*self.ordering)
        if cursor:
            rows = rows.filter(self.after(self.decode(cursor, queryset.model)))
        rows = list(rows[: limit + 1])
        results = rows[:limit]
        next_url = None
        if len(rows) > limit:
            query = request.GET.copy()
            query["cursor"] = self.encode(results[-1])
            next_url = absolute(request.path + "?" + query.urlencode(safe="/:"))
        return {"results": results, "next": next_url}

    def encode(self, row) -> str:
        values = [getattr(row, name) for name, _ in self.fields]
        return signing.dumps([v.isoformat() if isinstance(v, datetime.datetime) else v for v in values], salt=self.salt)

    def decode(self, cursor: str, model) -> list:
        try:
            values = signing.loads(cursor, salt=self.salt)
            if not isinstance(values, list) or len(values) != len(self.fields):
                raise ValueError(values)
            return [
                None if value is None else model._meta.get_field(name).to_python(value)
                for (name, _), value in zip(self.fields, values, strict=True)
            ]
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise InvalidParameter(
                "The parameter “cursor” is not one this list gave: start again from its first page."
            ) from exc

    def after(self, values: list) -> Q:
        """The rows after the row whose fields have `values`, in this order: for (a desc, b desc), a < A or
        (a = A and b < B), with a <= A said first so that the database reads the index from A on."""
        clauses, same = [], Q()
        for (name, descending), value in zip(self.fields, values, strict=True):
            if value is None:  # the same on every row of the list: nothing is after it, all are equal to it
                same &= Q(**{f"{name}__isnull": True})
                continue
            clauses.append(same & Q(**{f"{name}__{'lt' if descending else 'gt'}": value}))
            same &= Q(**{name: value})
        if not clauses:
            return Q(pk__in=[])
        after = functools.reduce(operator.or_, clauses)
        (first, descending), first_value = self.fields[0], values[0]
        if first_value is not None:
            after &= Q(**{f"{first}__{'lte' if descending else 'gte'}": first_value})
        return after
