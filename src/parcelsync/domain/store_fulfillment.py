"""What a store says a fulfillment holds: the provider-neutral value inbound sync works on (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoreParcel:
    """One parcel as the store shows it: the store's carrier name, the number and its tracking page."""

    number: str
    company: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class StoreFulfillment:
    """The full tracking set of one fulfillment of one order, as the store holds it now.

    `payment_reference` is the gateway's payment id when the store's data carries it (else None:
    it may be looked up in the order, or arrive later through the API or a CSV).
    """

    order_id: str
    fulfillment_id: str
    parcels: tuple[StoreParcel, ...]
    payment_reference: str | None = None
    customer_email: str | None = None
    customer_name: str | None = None
    destination_country: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.order_id, self.fulfillment_id


class InboundSignatureError(ValueError):
    """The store's webhook signature is missing or wrong."""


class InboundPayloadError(ValueError):
    """The store's webhook is signed but not the message its headers promise."""


@dataclass(frozen=True, slots=True)
class InboundEnvelope:
    """A verified store webhook's identity: the message id (stable across redelivery) and its topic."""

    webhook_id: str
    topic: str
