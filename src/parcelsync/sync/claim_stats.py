"""What the claims of one worker process ran into: how contended the outbox is when several workers share it.

Counted per process (`ClaimStats`, logged by the worker when it stops) and in Prometheus as
`parcelsync_sync_claims_total{result}`. Kept apart from `parcelsync.metrics`, which reads sync state
and so cannot be imported by the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import Counter

CLAIMS = Counter(
    "parcelsync_sync_claims_total",
    "Claim attempts by result: claimed, empty (nothing due), head (a head target looked up), head_locked "
    "(its connection's advisory lock held by another claimer, PostgreSQL), raced (the group was taken between "
    "the head lookup and the lease update).",
    ["result"],
)
RESULTS = ("claimed", "empty", "head", "head_locked", "raced")
_CHILDREN = {r: CLAIMS.labels(r) for r in RESULTS}


@dataclass(slots=True)
class ClaimStats:
    """Running counts of `RESULTS` for one process's claims."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESULTS, 0))

    def count(self, result: str, n: int = 1) -> None:
        self.counts[result] += n
        _CHILDREN[result].inc(n)

    def as_dict(self) -> dict[str, int]:
        return dict(self.counts)
