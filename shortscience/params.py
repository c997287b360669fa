"""The one way views read query-string and form parameters: `int_param` and `text_param`.

A parameter is refused, never half-read: an integer is ASCII digits with an optional leading minus (`²`, `١٢`
and `1e3` pass `str.isdigit()` or `float()` and are refused here) within the bounds the caller gives; a text has
no control characters (a NUL byte never reaches the database) and at most `max_length` characters. A refusal
raises `InvalidParameter`, one exception type: `shortscience.middleware.BadInputMiddleware` answers it with the
friendly 400 page saying what was wrong, or, for `status=404` (an id or a year that names nothing: a
ParameterNotFound, also an Http404), Django's 404 page does. Views that answer a refusal their own way (the vote
button's JSON) catch it.

The same middleware answers 400 to any request that holds a NUL anywhere, before any view or library runs:
defence in depth for the pages this project does not write (allauth, the admin).
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import BadRequest
from django.http import Http404, QueryDict

INTEGER_RE = re.compile(r"-?[0-9]+")  # ASCII only: re's [0-9], not \d, which matches ² and ١
INTEGER_DIGITS_MAX = 20  # more digits than this is out of any bound a caller gives (and never read by int())
LINE_BREAKS = frozenset("\t\n\r")  # the only control characters a multi-line text may hold
POSTGRES_INTEGER_MAX = 2_147_483_647  # the largest value of an integer column: ids, versions, years
NUL = "\x00"


class InvalidParameter(BadRequest):
    """A parameter that was refused: a 400 page with `str(exc)` as its message (see ParameterNotFound for 404)."""

    status = 400


class ParameterNotFound(InvalidParameter, Http404):
    """A refused parameter whose meaning is "no such thing" (an id, a year): Django's 404 page with the message."""

    status = 404


def _refuse(message: str, status: int) -> InvalidParameter:
    return ParameterNotFound(message) if status == 404 else InvalidParameter(message)


def parse_int(raw: str, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """`raw` as an integer (surrounding spaces allowed), or ValueError with the end of a sentence that says what
    it must be ("must be between 1 and 10")."""
    text = raw.strip()
    if not INTEGER_RE.fullmatch(text):
        raise ValueError("must be a whole number written with the digits 0-9")
    if len(text.lstrip("-")) > INTEGER_DIGITS_MAX:  # out of any bound: not even given to int()
        raise ValueError(_bounds(min_value, max_value) or f"must have at most {INTEGER_DIGITS_MAX} digits")
    value = int(text)
    if (min_value is not None and value < min_value) or (max_value is not None and value > max_value):
        raise ValueError(_bounds(min_value, max_value))
    return value


def _bounds(min_value: int | None, max_value: int | None) -> str:
    if min_value is not None and max_value is not None:
        return f"must be between {min_value} and {max_value}"
    if min_value is not None:
        return f"must be at least {min_value}"
    if max_value is not None:
        return f"must be at most {max_value}"
    return ""


def int_param(
    data: QueryDict,
    name: str,
    *,
    default: int | None = None,
    min_value: int | None = None,
    max_value: int | None = POSTGRES_INTEGER_MAX,
    status: int = 400,
    message: str = "",
) -> int | None:
    """`data[name]` (request.GET or request.POST) as an int within [min_value, max_value]; `default` when it is
    absent or empty. Anything else raises InvalidParameter with `status` and `message` (by default a sentence
    naming the parameter and what it must be)."""
    raw = data.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return parse_int(raw, min_value=min_value, max_value=max_value)
    except ValueError as exc:
        raise _refuse(message or f"The parameter “{name}” {exc}.", status) from exc


def text_param(
    data: QueryDict,
    name: str,
    *,
    max_length: int,
    default: str = "",
    strip: bool = True,
    multiline: bool = False,
    status: int = 400,
) -> str:
    """`data[name]` as text (stripped unless `strip=False`), `default` when absent. InvalidParameter with
    `status` when it holds a control character (tabs and line breaks are allowed only when `multiline`) or is
    longer than `max_length` characters."""
    value = data.get(name)
    if value is None:
        return default
    if strip:
        value = value.strip()
    if len(value) > max_length:
        raise _refuse(f"The parameter “{name}” is too long: at most {max_length:,} characters.", status)
    if has_control_characters(value, multiline=multiline):
        raise _refuse(f"The parameter “{name}” holds a control character, which no address or text may hold.", status)
    return value


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    allowed = LINE_BREAKS if multiline else frozenset()
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in value)


class StrictIntegerField(forms.IntegerField):
    """A form's integer as int_param reads it: ASCII digits only (Django's IntegerField takes `١٢` as 12), within
    the column's range by default."""

    def __init__(self, *args, max_value=POSTGRES_INTEGER_MAX, **kwargs):
        super().__init__(*args, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_int(str(value))
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
