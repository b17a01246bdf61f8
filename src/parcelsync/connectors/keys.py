"""Target keys: the one place that formats a destination record's key from shipment fields and parses it back.

A key is the values of its shape's fields joined by "/". When a field value may itself hold a
"/", the shape says where to cut when parsing: after the first "/" (`split="first"`, the first
field has none) or before the last one (`split="last"`, the last field has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from parcelsync.domain.provider import Provider

SEPARATOR = "/"
NOT_CHOSEN = "payment gateway not chosen"
"""A shipment naming no gateway, for a merchant with several and no `default_payment_gateway`."""


class HasTargetFields(Protocol):
    merchant_id: str
    carrier: str
    tracking_number: str
    order_id: str | None
    fulfillment_id: str | None
    payment_intent_id: str | None
    payment_gateway: str | None


@dataclass(frozen=True, slots=True)
class KeyField:
    """One shipment field a key is made of, and what a shipment without it is told ("no order")."""

    column: str
    missing: str


@dataclass(frozen=True, slots=True)
class KeyShape:
    """The shipment fields (one or two) that name one destination record."""

    fields: tuple[KeyField, ...]
    split: Literal["first", "last"] = "first"
    only_when: tuple[str, str] | None = None
    """(column, value): a shipment whose `column` names another value is not this destination's; one
    that leaves it empty takes `default` (the merchant's default payment gateway, `sync.gateways`)."""

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)

    def values_of(self, shipment: object, default: str | None = None) -> tuple[str, ...] | None:
        """The key's field values on a shipment (or row), or None when one of them is missing."""
        if not self.selects(shipment, default):
            return None
        values = tuple(getattr(shipment, f.column) for f in self.fields)
        return values if all(values) else None

    def selects(self, shipment: object, default: str | None = None) -> bool:
        """Whether the shipment belongs to this destination at all: its `only_when` column, or else `default`."""
        if self.only_when is None:
            return True
        column, value = self.only_when
        return (getattr(shipment, column, None) or default) == value

    def skip_reason(self, shipment: object, default: str | None = None) -> str | None:
        """Why a shipment cannot reach this destination (its first missing field), or None when it can."""
        if not self.selects(shipment, default) and self.only_when is not None:
            named = getattr(shipment, self.only_when[0], None)
            if named:
                return f"{self.only_when[0]} names another: {named}"
            return NOT_CHOSEN if default is None else f"{self.only_when[0]} defaults to another: {default}"
        for f in self.fields:
            if not getattr(shipment, f.column):
                return f.missing
        return None

    def format(self, *values: str) -> str:
        if len(values) != len(self.fields):
            raise ValueError(f"a key of {self.columns} takes {len(self.fields)} values, got {len(values)}")
        return SEPARATOR.join(values)

    def parse(self, key: str) -> tuple[str, ...]:
        """The field values a key was formatted from (inverse of `format`)."""
        if len(self.fields) == 1:
            return (key,)
        if len(self.fields) != 2:
            raise ValueError("keys of more than two fields cannot be parsed unambiguously")
        head, _, tail = key.partition(SEPARATOR) if self.split == "first" else key.rpartition(SEPARATOR)
        return head, tail


@dataclass(frozen=True, slots=True, order=True)
class TargetKey:
    """One destination record of one provider, e.g. a payment intent, a fulfillment, a tracking."""

    provider: Provider
    key: str
