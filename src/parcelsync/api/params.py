"""Query parameter types whose OpenAPI says exactly what they accept."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, get_args, get_origin

from fastapi import Request
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from parcelsync.ingest.errors import FieldError, InvalidInput, described_pattern
from parcelsync.ingest.text import check_text, text_or_none

# RFC 3339 section 5.6 date-time: full date, "T" (or a space, as its note allows), time with optional
# fraction, and an offset ("Z" or +hh:mm). Unix times, bare dates and offset-less times are refused.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def parse_rfc3339(value: Any) -> datetime:
    """An RFC 3339 date-time as an aware datetime; anything else is a ValueError naming the format."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if not isinstance(value, str) or not _RFC3339.match(value.strip()):
        raise ValueError("must be an RFC 3339 date-time, e.g. 2026-03-01T08:00:00Z")
    text = value.strip()
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    date, _, rest = text.partition(text[10])
    whole, dot, fraction = rest.partition(".")
    if dot:  # Python takes at most 6 fraction digits
        digits = re.match(r"\d+", fraction)
        assert digits is not None
        rest = f"{whole}.{digits.group()[:6].ljust(6, '0')}{fraction[digits.end():]}"
    try:
        return datetime.fromisoformat(f"{date}T{rest}")
    except ValueError:
        raise ValueError("must be a real RFC 3339 date-time (month 1-12, day of that month, hour 0-23)") from None


Rfc3339DateTime = Annotated[
    datetime, BeforeValidator(parse_rfc3339), WithJsonSchema({"type": "string", "format": "date-time"})
]

# Row ids are 64-bit, but a JSON Schema bound of 2**63 - 1 is not exact once read as a double (it rounds
# up to 2**63, so clients and generators take 2**63 as valid); 2**53 - 1 is exact everywhere and ids
# never get near it.
MAX_ID = 2**53 - 1


def _parse_iso_date(value: object) -> object:
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_parse_iso_date), WithJsonSchema({"type": "string", "format": "date"})]


def _takes_many(annotation: Any) -> bool:
    """Whether a query parameter's type is a list (possibly optional): those may repeat."""
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_takes_many(arg) for arg in get_args(annotation)) if origin is not None else False


def _query_names(dependant: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameters a route declares, and those of them that take several values."""
    names = {param.alias for param in dependant.query_params}
    many = {param.alias for param in dependant.query_params if _takes_many(param.field_info.annotation)}
    for sub in dependant.dependencies:
        sub_names, sub_many = _query_names(sub)
        names |= sub_names
        many |= sub_many
    return frozenset(names), frozenset(many)


_QUERY_ATTR = "_parcelsync_query_names"


def undeclared_query_guard(api_prefix: str) -> Callable[[Request], None]:
    """An app-wide dependency for the documented API: a query parameter the route does not declare is a
    422 naming it, never silently ignored (the OpenAPI says which ones each route takes). Only paths under
    `api_prefix` are guarded: the dashboard and the public pages read their own parameters."""

    def reject_undeclared_query(request: Request) -> None:
        route = request.scope.get("route")
        dependant = getattr(route, "dependant", None)
        if dependant is None or not request.url.path.startswith(api_prefix):
            return
        found = getattr(route, _QUERY_ATTR, None)
        if found is None:
            found = _query_names(dependant)
            setattr(route, _QUERY_ATTR, found)
        declared, many = found
        unknown = sorted(set(request.query_params) - declared)
        if unknown:
            raise InvalidInput([FieldError(name, "unknown query parameter") for name in unknown])
        repeated = sorted(
            {k for k in request.query_params if k not in many and len(request.query_params.getlist(k)) > 1}
        )
        if repeated:  # a one-value parameter given twice: the last one would win silently
            raise InvalidInput([FieldError(name, "given more than once") for name in repeated])

    return reject_undeclared_query


# Whitespace by either regex dialect a client may check the schema with (JSON Schema's ECMA `\s` and the
# Unicode White_Space property), so "has a visible character" and "is trimmed" mean the same everywhere.
WHITESPACE = (
    " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)

# Free text (a description, a note): no control characters (`ingest.text`).
Text = BeforeValidator(text_or_none)

# A name: 1-200 characters as sent (the schema's bounds are the sender's), at least one of them visible;
# stored trimmed.
# Control characters `ingest.text.check_text` refuses in text (tab and line breaks are layout, kept).
CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"

Name = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=described_pattern(
            f"^[^{CONTROLS}]*[^{WHITESPACE}{CONTROLS}][^{CONTROLS}]*$",
            "needs a visible character and may not hold control characters",
        ),
    ),
    AfterValidator(lambda value: check_text(value.strip(WHITESPACE))),
]
