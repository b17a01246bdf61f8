"""Typed models of SHOPLINE's update_tracking request bodies and the Fulfillment it returns.

Field names follow the seeds (v20250601 zh, v20260301 en). Every model tolerates fields it does
not know, numeric ids arriving as numbers, and the seed example's quirks: `properties` sent as a
single object instead of a list, and `taxLines` instead of `tax_lines`.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

MAX_TRACKING_INFO_LIST = 10


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)


def _as_list(value: Any) -> Any:
    """A lone object where the docs promise an array is read as a one-element array."""
    return [value] if isinstance(value, dict) else value


class Money(_Model):
    amount: str | None = None
    currency_code: str | None = None


class PriceSet(_Model):
    """An amount in the buyer's (presentment) and the store's (shop) currency."""

    presentment_money: Money | None = None
    shop_money: Money | None = None


class TaxLine(_Model):
    name: str | None = None
    price: str | None = None
    price_set: PriceSet | None = None
    rate: str | None = None
    title: str | None = None


class LineItemProperty(_Model):
    """A product customisation (text, picture or link)."""

    additional: str | None = None
    name: str | None = None
    type: str | None = None
    urls: list[str] = Field(default_factory=list)
    value: str | None = None


class LineItem(_Model):
    fulfillable_quantity: int | None = None
    fulfillment_status: str | None = None
    grams: float | None = None
    id: str | None = None
    name: str | None = None
    price: str | None = None
    price_set: PriceSet | None = None
    product_id: str | None = None
    properties: list[LineItemProperty] = Field(default_factory=list)
    quantity: int | None = None
    requires_shipping: bool | None = None
    sku: str | None = None
    tax_lines: list[TaxLine] = Field(default_factory=list, validation_alias=AliasChoices("tax_lines", "taxLines"))
    taxable: bool | None = None
    title: str | None = None
    total_discount: str | None = None
    total_discount_set: PriceSet | None = None
    variant_id: str | None = None
    variant_title: str | None = None
    vendor: str | None = None
    version: str | None = None

    @field_validator("properties", "tax_lines", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_list(value)


class TrackingInfoItem(_Model):
    """One entry of `tracking_info_list` (v20260301): one parcel's carrier, number and URL."""

    tracking_company: str | None = None
    tracking_number: str
    tracking_url: str | None = None


class Fulfillment(_Model):
    """The fulfillment (package) object both versions answer with."""

    created_at: str | None = None
    id: str
    line_items: list[LineItem] = Field(default_factory=list)
    name: str | None = None
    order_id: str | None = None
    shipment_status: str | None = None
    status: str | None = None
    tracking_company: str | None = None
    tracking_info_list: list[TrackingInfoItem] | None = None
    tracking_number: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    tracking_url: str | None = None
    tracking_urls: list[str] = Field(default_factory=list)
    updated_at: str | None = None

    @field_validator("tracking_info_list", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_list(value)


class FulfillmentResponse(_Model):
    """The body of a successful update_tracking call."""

    fulfillment: Fulfillment


class TrackingInfo(_Model):
    """v20250601 `tracking_info`: the single tracking a fulfillment holds (company, number, url)."""

    company: str | None = None
    number: str | None = None
    url: str | None = None


class UpdateTrackingFulfillmentV20250601(_Model):
    tracking_info: TrackingInfo | None = None


class UpdateTrackingRequestV20250601(_Model):
    """`POST orders/:order_id/fulfillments/:fulfillment_id/update_tracking.json` (v20250601)."""

    fulfillment: UpdateTrackingFulfillmentV20250601


class UpdateTrackingFulfillmentV20260301(_Model):
    notify_customer: bool | None = None
    tracking_info: TrackingInfo | None = None
    tracking_info_list: list[TrackingInfoItem] | None = Field(default=None, max_length=MAX_TRACKING_INFO_LIST)

    @field_validator("tracking_info_list", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_list(value)


class UpdateTrackingRequestV20260301(_Model):
    """`POST fulfillments/:order_id/:fulfillment_id/update_tracking.json` (v20260301 and later).

    Overwrite update: every entry not in `tracking_info_list` is cleared; when the list is sent,
    the deprecated single `tracking_info` is ignored.
    """

    fulfillment: UpdateTrackingFulfillmentV20260301
