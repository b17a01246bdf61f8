"""Result types of the TrackingMore client and the per-item matching of bulk answers (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from parcelsync.providers.errors import ProviderError, Retryable
from parcelsync.providers.trackingmore.mapping import TrackingUpdate
from parcelsync.providers.trackingmore.meta import ALREADY_EXISTS, PROVIDER, error_for_meta
from parcelsync.providers.trackingmore.schemas import BulkError, BulkResultData


@dataclass(frozen=True, slots=True)
class BatchItemOutcome:
    """The result for one item of a batch or bulk call; `already_exists` (4016) counts as ok."""

    tracking_number: str
    carrier_code: str
    ok: bool
    already_exists: bool = False
    error: ProviderError | None = None
    tracking: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One /trackings/batch call: per-item outcomes, HTTP status and a redacted audit summary."""

    outcomes: tuple[BatchItemOutcome, ...]
    status_code: int
    summary: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TrackingPage:
    """One page of GET /trackings/get."""

    page: int
    limit: int
    total: int
    items: tuple[TrackingUpdate, ...]

    @property
    def has_more(self) -> bool:
        return bool(self.items) and len(self.items) >= self.limit and self.page * self.limit < self.total


def _take_success(pool: list[dict[str, Any]], number: str, carrier: str) -> dict[str, Any] | None:
    for i, entry in enumerate(pool):
        if entry.get("tracking_number") == number and entry.get("carrier_code") in (None, "", carrier):
            return pool.pop(i)
    return None


def _take_error(pool: list[BulkError], number: str, carrier: str) -> BulkError | None:
    for i, entry in enumerate(pool):
        if entry.tracking_number == number and entry.carrier_code in (None, "", carrier):
            return pool.pop(i)
    return None


def match_outcomes(
    requested: Sequence[Mapping[str, Any]],
    data: Any,
    *,
    registering: bool,
    redact: Callable[[str], str] = str,
) -> list[BatchItemOutcome]:
    """Match each requested item, in order, with its success or its per-item error.

    An item the answer does not mention is reported as a `Retryable` failure: re-registering is
    idempotent (4016), so trying again is safe.
    """
    result = BulkResultData.model_validate(data if isinstance(data, dict) else {})
    successes = list(result.trackings)
    errors = list(result.errors)
    outcomes: list[BatchItemOutcome] = []
    for item in requested:
        number, carrier = str(item.get("tracking_number")), str(item.get("carrier_code"))
        hit = _take_success(successes, number, carrier)
        if hit is not None:
            outcomes.append(BatchItemOutcome(number, carrier, ok=True, tracking=hit))
            continue
        err = _take_error(errors, number, carrier)
        if err is None:
            missing = Retryable("no per-item result in the response", provider=PROVIDER)
            outcomes.append(BatchItemOutcome(number, carrier, ok=False, error=missing))
        elif registering and err.code == ALREADY_EXISTS:
            outcomes.append(BatchItemOutcome(number, carrier, ok=True, already_exists=True))
        else:
            error = error_for_meta(err.code, redact(err.message), http_status=200)
            outcomes.append(BatchItemOutcome(number, carrier, ok=False, error=error))
    return outcomes
