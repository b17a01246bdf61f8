"""Typed TrackingMore v2 request and response models, as documented (seed + public v2 pages).

Responses are parsed leniently (`extra="allow"`): TrackingMore adds fields over time and the
client must not break on them. Requests are strict about the documented names.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_BATCH = 40
MAX_LIST_LIMIT = 2000
DEFAULT_LIST_LIMIT = 100
UPDATABLE_STATUSES = (4, 7, 8)


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def payload(self) -> dict[str, Any]:
        """The JSON body: documented names, unset fields left out."""
        return self.model_dump(exclude_none=True)


class Meta(_Response):
    """The `meta` envelope every answer carries; `code` decides success, not the HTTP status."""

    code: int
    type: str = ""
    message: str = ""


class Envelope(_Response):
    meta: Meta
    data: Any = None


class TrackInfoEvent(_Response):
    """One scan: `Date` (carrier local time), `StatusDescription`, `Details` (usually the location)."""

    Date: str = ""
    StatusDescription: str = ""
    Details: str = ""
    checkpoint_status: str | None = None
    substatus: str | None = None


class TrackInfo(_Response):
    """origin_info / destination_info: milestone times, carrier links and the scans."""

    ItemReceived: str | None = None
    ItemDispatched: str | None = None
    DepartfromAirport: str | None = None
    ArrivalfromAbroad: str | None = None
    CustomsClearance: str | None = None
    DestinationArrived: str | None = None
    weblink: str | None = None
    phone: str | None = None
    carrier_code: str | None = None
    trackinfo: list[TrackInfoEvent] | None = None


class Tracking(_Response):
    """A tracking as GET / list / webhook return it."""

    id: str | None = None
    tracking_number: str
    carrier_code: str
    status: str | None = None
    substatus: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    order_create_time: str | None = None
    title: str | None = None
    order_id: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    logistics_channel: str | None = None
    destination_code: str | None = None
    original_country: str | None = None
    destination_country: str | None = None
    archived: str | bool | None = None
    lastEvent: str | None = None
    lastUpdateTime: str | None = None
    itemTimeLength: int | str | None = None
    stayTimeLength: int | str | None = None
    origin_info: TrackInfo | None = None
    destination_info: TrackInfo | None = None

    @field_validator("status", "substatus", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return None if value is None else str(value)


class _EditableFields(_Request):
    """The optional descriptive fields shared by create, PUT and updatemore."""

    title: str | None = None
    logistics_channel: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    order_id: str | None = None
    destination_code: str | None = None


class CreateTrackingRequest(_EditableFields):
    """POST /trackings/post body, and one item of POST /trackings/batch."""

    tracking_number: str = Field(min_length=1)
    carrier_code: str = Field(min_length=1)
    order_create_time: str | None = None
    tracking_ship_date: str | None = Field(default=None, pattern=r"^\d{8}$")
    tracking_postal_code: str | None = None
    tracking_account_number: str | None = None
    lang: str | None = None


class UpdateTrackingRequest(_EditableFields):
    """PUT /trackings/{carrier_code}/{tracking_number} body (seed example); status only 4, 7 or 8."""

    archived: str | None = None
    status: int | None = None

    @field_validator("archived", mode="before")
    @classmethod
    def _archived(cls, value: object) -> object:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value

    @field_validator("status")
    @classmethod
    def _status(cls, value: int | None) -> int | None:
        if value is not None and value not in UPDATABLE_STATUSES:
            raise ValueError("status may only be 4 (delivered), 7 (exception) or 8 (back to original)")
        return value


class UpdateManyItem(UpdateTrackingRequest):
    """One item of POST /trackings/updatemore."""

    tracking_number: str
    carrier_code: str


class TrackingKey(_Request):
    """One item of POST /trackings/delete and /trackings/notupdate."""

    tracking_number: str
    carrier_code: str


class BulkError(_Response):
    tracking_number: str | None = None
    carrier_code: str | None = None
    code: int
    message: str = ""


class BulkResultData(_Response):
    """`data` of batch / updatemore / delete / notupdate: per-item successes and errors."""

    submitted: int = 0
    added: int | None = None
    updated: int | None = None
    deleted: int | None = None
    trackings: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[BulkError] = Field(default_factory=list)


class ListTrackingsData(_Response):
    """`data` of GET /trackings/get."""

    page: int = 1
    limit: int = DEFAULT_LIST_LIMIT
    total: int = 0
    items: list[dict[str, Any]] = Field(default_factory=list)


class RealtimeRequest(_Request):
    """POST /trackings/realtime body."""

    tracking_number: str
    carrier_code: str
    destination_code: str | None = None
    tracking_ship_date: str | None = Field(default=None, pattern=r"^\d{8}$")
    tracking_postal_code: str | None = None
    specialNumberDestination: str | None = None
    order: str | None = None
    order_create_time: str | None = None
    lang: str | None = None


class ChangeCarrierRequest(_Request):
    """POST /trackings/update body."""

    tracking_number: str
    carrier_code: str
    update_carrier_code: str


class UserInfo(_Response):
    email: str | None = None
    regular_number: int | str | None = None


class RemoteRequest(_Request):
    country: str
    postcode: str
    company: str | None = None


class CosttimeRequest(_Request):
    carrier_code: str
    original: str
    destination: str


class CosttimeResult(_Response):
    carrier_code: str | None = None
    original: str | None = None
    destination: str | None = None
    total: int | None = None
    delivered: int | None = None
    range1: int | None = None
    range2: int | None = None
    range3: int | None = None
    range4: int | None = None
    range5: int | None = None


class CarrierInfo(_Response):
    code: str
    name: str = ""


class WebhookVerifyInfo(_Response):
    timeStr: str
    signature: str


class WebhookBody(_Response):
    """A v2 webhook POST body: `{meta, data: <tracking>, verifyInfo: {timeStr, signature}}`."""

    meta: Meta | None = None
    data: Tracking
    verifyInfo: WebhookVerifyInfo | None = None
