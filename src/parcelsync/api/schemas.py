"""Response bodies (request bodies live with their routes, or in ingest for shipments)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from parcelsync.db.tables import MerchantRow, ShipmentRow
from parcelsync.ingest.errors import FieldError
from parcelsync.ingest.service import ItemResult


class FieldErrorOut(BaseModel):
    field: str
    reason: str

    @classmethod
    def of(cls, error: FieldError) -> FieldErrorOut:
        return cls(field=error.field, reason=error.reason)


class MerchantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    created_at: datetime


class MerchantPage(BaseModel):
    items: list[MerchantOut]
    next_cursor: str | None


def merchant_out(row: MerchantRow) -> MerchantOut:
    return MerchantOut.model_validate(row)


class ExpectedDeliveryOut(BaseModel):
    """The delivery window from the merchant's own history: `lane` (carrier + destination), `carrier`, or `none`."""

    earliest: date | None = None
    latest: date | None = None
    basis: Literal["lane", "carrier", "none"] = "none"


class ShipmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    tracking_number: str
    carrier: str
    tracking_url: str | None
    order_id: str | None
    fulfillment_id: str | None
    payment_intent_id: str | None
    payment_gateway: str | None = None
    title: str | None
    logistics_channel: str | None
    customer_name: str | None
    customer_email: str | None
    customer_phone: str | None
    destination_country: str | None
    ship_date: date | None
    order_value: str | None
    currency: str | None
    status: str
    substatus: str | None
    last_event: str | None
    delivered_at: datetime | None
    flags: list[str]
    version: int
    created_at: datetime
    updated_at: datetime
    expected_delivery: ExpectedDeliveryOut = Field(default_factory=ExpectedDeliveryOut)


def shipment_out(row: ShipmentRow) -> ShipmentOut:
    return ShipmentOut.model_validate(row)


class ShipmentWriteOut(BaseModel):
    """The outcome of a create-or-update: `result` says whether anything was written."""

    result: Literal["created", "updated", "unchanged"]
    id: int
    shipment: ShipmentOut


class ShipmentPageOut(BaseModel):
    items: list[ShipmentOut]
    next_cursor: str | None


class ItemResultOut(BaseModel):
    index: int
    status: Literal["created", "updated", "unchanged", "rejected"]
    id: int | None
    errors: list[FieldErrorOut]

    @classmethod
    def of(cls, result: ItemResult) -> ItemResultOut:
        return cls(
            index=result.index, status=result.status, id=result.id, errors=[FieldErrorOut.of(e) for e in result.errors]
        )


class BatchOut(BaseModel):
    summary: dict[str, int]
    results: list[ItemResultOut]
