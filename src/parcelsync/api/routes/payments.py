"""Payment intents: listed with their risk, one in detail with each gateway's view, and its evidence pack."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from parcelsync.api.deps import MerchantDep, SessionDep
from parcelsync.api.errors import ApiError, not_found
from parcelsync.api.params import IsoDate
from parcelsync.api.routes.shipments import reject_unknown_params
from parcelsync.db.base import utcnow
from parcelsync.ingest.errors import FieldError, InvalidInput
from parcelsync.payments.evidence import EvidencePack, build_pack
from parcelsync.payments.export import TooManyPacks, export_zip
from parcelsync.payments.paging import page_intents
from parcelsync.payments.pdf import render_pdf
from parcelsync.payments.policy_store import get_default_gateway, get_policy, save_default_gateway, save_policy
from parcelsync.payments.risk import LABELS, RiskPolicy
from parcelsync.payments.service import (
    IntentFilter,
    IntentView,
    Summary,
    gateway_outcomes,
    get_intent,
)
from parcelsync.sync.gateways import gateway_providers

router = APIRouter(tags=["payments"])

IntentId = Annotated[str, Path(min_length=1, max_length=128)]
StateParam = Literal["accepted", "pending", "rejected", "not_sent"]
ReasonParam = Literal[
    "not_accepted_in_time", "rejected_by_gateway", "gateway_set_differs", "parcel_exception", "failed_attempt",
    "stuck", "late",
]
LIST_PARAMS = frozenset({"at_risk", "state", "min_age_hours", "max_age_hours", "gateway", "reason", "limit", "offset"})


class FindingOut(BaseModel):
    reason: str
    label: str
    detail: str
    provider: str | None
    shipment_id: int | None


class AmountOut(BaseModel):
    currency: str
    amount: str = Field(description="decimal string")


class ParcelOut(BaseModel):
    shipment_id: int
    tracking_number: str
    carrier: str
    status: str
    ship_date: date | None
    order_id: str | None


class IntentOut(BaseModel):
    payment_intent_id: str
    state: StateParam
    at_risk: bool
    reasons: list[FindingOut]
    value: list[AmountOut]
    age_hours: float = Field(description="hours since the earliest ship date")
    shipped_on: date | None
    parcels: list[ParcelOut]
    gateways: list[str]


class IntentPageOut(BaseModel):
    items: list[IntentOut]
    total: int
    summary: dict[str, Any] = Field(
        description="at-risk intents of the page's filter: count, totals, by reason; for a large merchant as of "
        "`as_of` (computed at most every few minutes), else null (just now)"
    )


class IntentDetailOut(IntentOut):
    connections: dict[str, dict[str, Any]] = Field(
        description="per payment-gateway connection: state, what it last accepted (numbers, at, request_id), "
        "what it rejected and why, and any reconcile finding"
    )


class PaymentSettingsIn(BaseModel):
    """A merchant's thresholds for "payment at risk"."""

    model_config = ConfigDict(extra="forbid")

    accept_within_hours: int = Field(default=24, ge=1, le=24 * 90)
    stuck_after_days: int = Field(default=7, ge=1, le=365)
    late_after_days: int = Field(default=30, ge=1, le=365)
    default_payment_gateway: Annotated[
        str, WithJsonSchema({"type": "string", "enum": sorted(gateway_providers())})
    ] | None = Field(
        default=None,
        description="where a shipment whose payment names no gateway goes when several gateways are connected "
        "(with one, that one; with several and none chosen it is skipped: 'payment gateway not chosen'); "
        "omitted: unchanged, null: cleared",
    )

    @field_validator("default_payment_gateway")
    @classmethod
    def _a_gateway(cls, value: str | None) -> str | None:
        if value is not None and value not in gateway_providers():
            raise ValueError(f"not a payment gateway; one of {', '.join(sorted(gateway_providers()))}")
        return value


def intent_out(view: IntentView) -> IntentOut:
    return IntentOut(
        payment_intent_id=view.id,
        state=view.state,
        at_risk=view.at_risk,
        reasons=[
            FindingOut(reason=f.reason.value, label=LABELS[f.reason], detail=f.detail, provider=f.provider,
                       shipment_id=f.shipment_id)
            for f in view.findings
        ],
        value=[AmountOut(currency=c, amount=str(a)) for c, a in sorted(view.value.items())],
        age_hours=round(view.age_hours, 2),
        shipped_on=view.facts.shipped_on,
        parcels=[
            ParcelOut(shipment_id=p.shipment_id, tracking_number=p.tracking_number, carrier=p.carrier,
                      status=p.status, ship_date=p.ship_date, order_id=p.order_id)
            for p in view.facts.parcels
        ],
        gateways=[g.provider for g in view.facts.gateways],
    )


def summary_out(s: Summary) -> dict[str, Any]:
    return {
        "intents": s.intents, "at_risk": s.at_risk, "without_value": s.without_value,
        "totals": [{"currency": c, "amount": str(a)} for c, a in s.totals.items()], "by_reason": s.by_reason,
        "as_of": s.as_of.isoformat() if s.as_of is not None else None,
    }


@router.get("/v1/payment-intents", response_model=IntentPageOut)
async def list_payment_intents(
    request: Request,
    merchant: MerchantDep,
    session: SessionDep,
    at_risk: bool | None = None,
    state: StateParam | None = None,
    min_age_hours: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    max_age_hours: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    gateway: Annotated[str | None, Query(max_length=20, description="a payment-gateway provider")] = None,
    reason: ReasonParam | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> IntentPageOut:
    """The merchant's payment intents, oldest shipped first, with the reasons each is at risk."""
    reject_unknown_params(request, LIST_PARAMS)
    flt = IntentFilter(at_risk=at_risk, state=state, min_age_hours=min_age_hours, max_age_hours=max_age_hours,
                       gateway=gateway, reason=reason)
    found = await page_intents(session, merchant.id, flt, utcnow(), limit=limit, offset=offset)
    return IntentPageOut(
        items=[intent_out(v) for v in found.items], total=found.total, summary=summary_out(found.summary)
    )


@router.get(
    "/v1/payment-intents/evidence.zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "JSON + PDF per payment intent"}},
)
async def export_evidence(
    merchant: MerchantDep,
    session: SessionDep,
    shipped_from: Annotated[
        IsoDate | None, Query(alias="from", description="first ship date (YYYY-MM-DD); default 30 days ago")
    ] = None,
    shipped_to: Annotated[
        IsoDate | None, Query(alias="to", description="last ship date (YYYY-MM-DD); default today")
    ] = None,
    at_risk: bool | None = None,
) -> Response:
    """The evidence packs of every payment intent shipped in [from, to], as one zip (at most 500)."""
    today = utcnow().date()
    shipped_to = shipped_to or today
    shipped_from = shipped_from or shipped_to - timedelta(days=30)
    if shipped_to < shipped_from:
        raise InvalidInput([FieldError("to", "must not be before from")])
    try:
        data, count = await export_zip(session, merchant.id, shipped_from, shipped_to, utcnow(), at_risk=at_risk)
    except TooManyPacks as exc:
        raise ApiError(422, str(exc), fields=[FieldError("from", str(exc))]) from None
    name = f"evidence-{merchant.id}-{shipped_from.isoformat()}-{shipped_to.isoformat()}.zip"
    return Response(
        data, media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Evidence-Packs": str(count)},
    )


@router.get("/v1/payment-intents/{intent_id}", response_model=IntentDetailOut)
async def get_payment_intent(intent_id: IntentId, merchant: MerchantDep, session: SessionDep) -> IntentDetailOut:
    """One payment intent: its parcels and statuses, and per payment-gateway connection what it accepted or rejected."""
    view = await get_intent(session, merchant.id, intent_id, utcnow())
    if view is None:
        raise not_found("payment intent")
    return IntentDetailOut(
        **intent_out(view).model_dump(), connections=await gateway_outcomes(session, merchant.id, view)
    )


@router.get(
    "/v1/payment-intents/{intent_id}/evidence",
    responses={200: {"content": {"application/json": {}, "application/pdf": {}},
                     "description": "the evidence pack; PDF with Accept: application/pdf"}},
)
async def get_evidence(
    intent_id: IntentId,
    merchant: MerchantDep,
    session: SessionDep,
    accept: Annotated[str | None, Header(description="application/pdf for the PDF")] = None,
) -> Response:
    """The evidence pack of one payment intent: JSON, or a PDF that prints the JSON's SHA-256 and attaches it."""
    pack = await build_pack(session, merchant.id, intent_id, utcnow())
    if pack is None:
        raise not_found("payment intent")
    return _pack_response(pack, accept)


@router.get(
    "/v1/orders/{order_id}/evidence",
    responses={200: {"content": {"application/json": {}, "application/pdf": {}},
                     "description": "the evidence pack of every live parcel of the order"}},
)
async def get_order_evidence(
    order_id: Annotated[str, Path(min_length=1, max_length=128)],
    merchant: MerchantDep,
    session: SessionDep,
    accept: Annotated[str | None, Header(description="application/pdf for the PDF")] = None,
) -> Response:
    """The evidence pack of one order (its parcels whatever their payment intent): JSON, or PDF."""
    pack = await build_pack(session, merchant.id, None, utcnow(), order_id=order_id)
    if pack is None:
        raise not_found("order")
    return _pack_response(pack, accept)


def _pack_response(pack: EvidencePack, accept: str | None) -> Response:
    headers = {"X-Evidence-SHA256": pack.sha256}
    if accept and "application/pdf" in accept.lower():
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in pack.subject)[:100]
        headers["Content-Disposition"] = f'attachment; filename="evidence-{name}.pdf"'
        return Response(render_pdf(pack), media_type="application/pdf", headers=headers)
    return Response(pack.canonical_json, media_type="application/json", headers=headers)


@router.get("/v1/payment-settings", response_model=PaymentSettingsIn)
async def get_payment_settings(merchant: MerchantDep, session: SessionDep) -> PaymentSettingsIn:
    """The merchant's at-risk thresholds (defaults until set)."""
    policy = await get_policy(session, merchant.id)
    return _settings_out(policy, await get_default_gateway(session, merchant.id))


@router.put("/v1/payment-settings", response_model=PaymentSettingsIn)
async def put_payment_settings(
    body: PaymentSettingsIn, merchant: MerchantDep, session: SessionDep
) -> PaymentSettingsIn:
    """Set the merchant's at-risk thresholds: hours for the gateway to accept after shipping, stuck and late days."""
    policy = await save_policy(
        session, merchant.id, RiskPolicy(body.accept_within_hours, body.stuck_after_days, body.late_after_days)
    )
    if "default_payment_gateway" in body.model_fields_set:
        await save_default_gateway(session, merchant.id, body.default_payment_gateway)
    return _settings_out(policy, await get_default_gateway(session, merchant.id))


def _settings_out(policy: RiskPolicy, gateway: str | None) -> PaymentSettingsIn:
    return PaymentSettingsIn(
        accept_within_hours=policy.accept_within_hours, stuck_after_days=policy.stuck_after_days,
        late_after_days=policy.late_after_days, default_payment_gateway=gateway,
    )
