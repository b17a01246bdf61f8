"""Who owns a fulfillment's tracking when the store reports a set: a pure decision, like RetryPolicy.decide.

The store tells the hub a fulfillment's full tracking set. Compared with what the hub holds:
- SAME: the store holds exactly the hub's set (the usual echo of the hub's own write): nothing to do.
- ECHO: the store holds the set the hub last wrote, but the hub has moved on since; the hub's newer
  set is already queued, so the old echo changes nothing.
- IN_FLIGHT: the hub is writing this fulfillment right now; that write overwrites the store (the
  store's update is an overwrite) and its own echo settles the question: nothing to do.
- NEW: the hub knows no parcel of this fulfillment yet: take the store's set (in both modes).
- STORE_WINS (`source_of_truth: store`): a person (or an ERP) changed the set in the store: the
  store's set becomes the hub's set for that fulfillment (added, changed, removed), and the gateway
  and the tracking provider get it as the new full set; the store itself is not written back.
- HUB_WINS (`source_of_truth: hub`): the hub's set is written back to the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from parcelsync.domain.store_fulfillment import StoreParcel

_NUMBER_NOISE = re.compile(r"[\s\-]+")


class Verdict(StrEnum):
    SAME = "same"
    ECHO = "echo"
    IN_FLIGHT = "in_flight"
    NEW = "new"
    STORE_WINS = "store_wins"
    HUB_WINS = "hub_wins"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict

    @property
    def take_store_set(self) -> bool:
        """Write the store's set into the hub."""
        return self.verdict in (Verdict.NEW, Verdict.STORE_WINS)

    @property
    def write_back(self) -> bool:
        """Queue the hub's set for the store."""
        return self.verdict is Verdict.HUB_WINS


def number_key(number: str) -> str:
    """Tracking numbers compared as the hub stores them: no spaces or dashes, upper case."""
    return _NUMBER_NOISE.sub("", number).upper()


def _company(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


def same_set(store: Iterable[StoreParcel], hub: Iterable[StoreParcel]) -> bool:
    """True when both hold the same numbers, each with the same carrier and URL.

    What the store leaves blank (no company, no URL) is not a difference: the hub may fill a
    carrier's default tracking page where a person typed none.
    """
    ours = {number_key(p.number): p for p in hub}
    theirs = {number_key(p.number): p for p in store}
    if ours.keys() != theirs.keys():
        return False
    for key, parcel in theirs.items():
        mine = ours[key]
        if parcel.company and _company(parcel.company) != _company(mine.company):
            return False
        if parcel.url and parcel.url != mine.url:
            return False
    return True


def decide(
    store: tuple[StoreParcel, ...],
    hub: tuple[StoreParcel, ...],
    *,
    last_sent: tuple[StoreParcel, ...] | None,
    in_flight: bool,
    source_of_truth: str,
) -> Decision:
    """The verdict for one fulfillment (see the module docstring for the rules, in order)."""
    if same_set(store, hub):
        return Decision(Verdict.SAME)
    if last_sent is not None and same_set(store, last_sent) and same_set(last_sent, store):
        return Decision(Verdict.ECHO)
    if in_flight:
        return Decision(Verdict.IN_FLIGHT)
    if not hub:
        return Decision(Verdict.NEW)
    if source_of_truth == "hub":
        return Decision(Verdict.HUB_WINS)
    return Decision(Verdict.STORE_WINS)


def effective_source_of_truth(options: dict[str, object], inbound: bool) -> str:
    """`source_of_truth` as set, else `store` while inbound is on and `hub` otherwise."""
    value = options.get("source_of_truth")
    if value in ("store", "hub"):
        return str(value)
    return "store" if inbound else "hub"
