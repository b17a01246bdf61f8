"""Alerts: the merchant's rules and thresholds (`/v1/alert-settings`), its alerts, and acknowledging one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from sqlalchemy import select

from parcelsync.alerts.evaluate import acknowledge
from parcelsync.alerts.rules import RULES, effective_rules
from parcelsync.api.deps import MerchantDep, PrincipalDep, SessionDep
from parcelsync.api.errors import not_found
from parcelsync.db.base import utcnow
from parcelsync.db.tables import AlertRow, AlertSettingsRow

router = APIRouter(tags=["alerts"])


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    threshold: float | None = Field(default=None, ge=0, le=10_000)


class AlertSettingsIn(BaseModel):
    """Who gets the e-mails, whether a daily digest goes out, and each rule on/off with its threshold."""

    model_config = ConfigDict(extra="forbid", strict=True)

    email: EmailStr | None = None
    daily_digest: bool = True
    rules: dict[str, RuleIn] = Field(default_factory=dict)

    @field_validator("rules")
    @classmethod
    def _known(cls, value: dict[str, RuleIn]) -> dict[str, RuleIn]:
        unknown = sorted(set(value) - set(RULES))
        if unknown:
            raise ValueError(f"unknown rule {unknown[0]!r}; rules: {', '.join(RULES)}")
        return value


class RuleOut(BaseModel):
    enabled: bool
    threshold: float | None
    unit: str | None
    severity: str
    description: str


class AlertSettingsOut(BaseModel):
    email: str | None
    daily_digest: bool
    rules: dict[str, RuleOut]


class AlertOut(BaseModel):
    id: int
    rule: str
    subject: str
    shipment_id: int | None
    severity: str
    state: str
    title: str
    detail: dict[str, Any]
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None


def _settings_out(row: AlertSettingsRow | None) -> AlertSettingsOut:
    rules = effective_rules(row.rules if row else None)
    return AlertSettingsOut(
        email=row.email if row else None,
        daily_digest=row.daily_digest if row else True,
        rules={
            name: RuleOut(
                enabled=s.enabled,
                threshold=s.threshold,
                unit=RULES[name].unit,
                severity=RULES[name].severity,
                description=RULES[name].description,
            )
            for name, s in rules.items()
        },
    )


@router.get("/v1/alert-settings", response_model=AlertSettingsOut)
async def get_settings(merchant: MerchantDep, session: SessionDep) -> AlertSettingsOut:
    return _settings_out(await session.get(AlertSettingsRow, merchant.id))


@router.put("/v1/alert-settings", response_model=AlertSettingsOut)
async def put_settings(body: AlertSettingsIn, merchant: MerchantDep, session: SessionDep) -> AlertSettingsOut:
    """Replace the settings; a rule left out is on with its default threshold."""
    row = await session.get(AlertSettingsRow, merchant.id)
    if row is None:
        row = AlertSettingsRow(merchant_id=merchant.id)
        session.add(row)
    row.email = str(body.email) if body.email else None
    row.daily_digest = body.daily_digest
    row.rules = {
        name: {"enabled": r.enabled, **({"threshold": r.threshold} if r.threshold is not None else {})}
        for name, r in body.rules.items()
    }
    row.updated_at = utcnow()
    await session.flush()
    return _settings_out(row)


@router.get("/v1/alerts", response_model=list[AlertOut])
async def list_alerts(
    merchant: MerchantDep,
    session: SessionDep,
    state: Literal["open", "acknowledged", "resolved", "active"] = "active",
    rule: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AlertOut]:
    """Alerts newest first; `active` (the default) means open or acknowledged."""
    states = ("open", "acknowledged") if state == "active" else (state,)
    stmt = select(AlertRow).where(AlertRow.merchant_id == merchant.id, AlertRow.state.in_(states))
    if rule:
        stmt = stmt.where(AlertRow.rule == rule)
    rows = await session.scalars(stmt.order_by(AlertRow.id.desc()).limit(limit))
    return [AlertOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/v1/alerts/{alert_id}/acknowledge", response_model=AlertOut)
async def acknowledge_alert(
    alert_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    merchant: MerchantDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> AlertOut:
    by = f"token {principal.token_id}" if principal is not None else "api"
    row = await acknowledge(session, merchant.id, alert_id, by=by, now=utcnow())
    if row is None:
        raise not_found("alert")
    return AlertOut.model_validate(row, from_attributes=True)
