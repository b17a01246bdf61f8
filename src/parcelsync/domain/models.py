"""Domain records: merchants, their provider connections, shipments and checkpoints.

Frozen dataclasses: the database layer converts rows to these and back, providers map them
to and from payloads. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus


@dataclass(frozen=True, slots=True)
class Merchant:
    """A business whose parcels parcelsync keeps in sync."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Connection:
    """One merchant's link to one provider.

    `credentials` holds the provider's secrets (decrypted, in memory only):
    useepay: merchant_no, app_id, api_key; shopline: handle, access_token;
    trackingmore: api_key, account_email (webhook signature key).
    `options` holds non-secret settings: shopline api_version and notify_customer,
    useepay api_version, rate-limit overrides.
    """

    merchant_id: str
    provider: Provider
    base_url: str
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    options: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One scan event on a parcel's journey."""

    time: datetime
    description: str
    location: str = ""
    status: DeliveryStatus | None = None


@dataclass(frozen=True, slots=True)
class Shipment:
    """A parcel: one tracking number of one carrier, belonging to one merchant."""

    merchant_id: str
    tracking_number: str
    carrier: str
    tracking_url: str | None = None
    order_id: str | None = None
    fulfillment_id: str | None = None
    payment_intent_id: str | None = None
    payment_gateway: str | None = None
    """The gateway the payment went through (a payment gateway's id); None: the merchant's only one."""
    title: str | None = None
    logistics_channel: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    destination_country: str | None = None
    ship_date: date | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    substatus: str | None = None
    last_event: str | None = None
    delivered_at: datetime | None = None
    id: str | None = None
