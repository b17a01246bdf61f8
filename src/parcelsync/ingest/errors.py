"""Field-level input errors, shaped the same for the API, the CLI and CSV import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_SKIP_LOC = {"body", "query", "path", "header"}
_PATTERN_REASONS: dict[str, str] = {}


def described_pattern(pattern: str, reason: str) -> str:
    """`pattern`, registered so that a value not matching it is refused with `reason` instead of the regex."""
    _PATTERN_REASONS[pattern] = reason
    return pattern


@dataclass(frozen=True, slots=True)
class FieldError:
    """One offending field (dotted path, e.g. `items.3.tracking_number`) and why."""

    field: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


class InvalidInput(ValueError):
    """The input was rejected; `errors` names every offending field."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in self.errors) or "invalid input")


def _reason(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required"
    if kind == "string_pattern_mismatch":
        ctx = error.get("ctx")
        reason = _PATTERN_REASONS.get(str(ctx.get("pattern"))) if isinstance(ctx, Mapping) else None
        if reason is not None:
            return reason
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def pydantic_field_errors(
    errors: Iterable[Mapping[str, Any]], prefix: str = "", whole: str = "body"
) -> list[FieldError]:
    """Pydantic's error list as FieldErrors, with the request-part prefix (`body`, `query`) dropped.

    An error about the input as a whole (no location) is reported on the field named `whole`.
    """
    out: list[FieldError] = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())]
        if loc and loc[0] in _SKIP_LOC:
            loc = loc[1:]
        field = ".".join(p for p in [prefix, *loc] if p) or whole
        out.append(FieldError(field, _reason(error)))
    return out
