"""The carrier registry and a merchant's own provider names for carriers."""

from __future__ import annotations

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.api.deps import ActorDep, MerchantDep, MerchantPath, SessionDep
from parcelsync.api.errors import not_found
from parcelsync.connectors.carriers import default_registry
from parcelsync.db.queries import carrier_overrides as q
from parcelsync.domain.carriers import Carrier, CarrierRegistry, alias_key
from parcelsync.domain.provider import Provider
from parcelsync.ingest import carrier_overrides as overrides
from parcelsync.ingest.errors import FieldError, InvalidInput, described_pattern

router = APIRouter(tags=["carriers"])


class CarrierOut(BaseModel):
    code: str
    name: str
    trackingmore: str
    useepay: str
    shopline: str
    url_template: str | None
    aliases: list[str]


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=100, description="The provider's name for this carrier.")


class OverrideOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    provider: str
    carrier: str
    code: str


CarrierPath = Path(
    min_length=1, max_length=64, pattern=described_pattern(r"[^\s\-_.&'/()]", "needs more than spaces and punctuation"),
    description="Any alias of the carrier: more than spaces and punctuation.",
)


@router.get("/v1/carriers", response_model=list[CarrierOut])
async def list_carriers() -> list[CarrierOut]:
    """Every carrier parcelsync knows, with its name at each provider."""
    registry = default_registry()
    return [
        CarrierOut(
            code=c.code, name=c.name, url_template=c.url_template, aliases=list(c.aliases), **_names(registry, c)
        )
        for c in registry.carriers
    ]


def _names(registry: CarrierRegistry, carrier: Carrier) -> dict[str, str]:
    """The carrier's name at each provider `CarrierOut` has a field for (from the connectors' carrier codes)."""
    return {
        provider.value: codes.code_of(carrier.code)
        for provider, codes in registry.codes.items()
        if provider.value in CarrierOut.model_fields
    }


@router.get(
    "/v1/merchants/{merchant_id}/carrier-overrides",
    response_model=list[OverrideOut],
    dependencies=[MerchantPath],
)
async def list_overrides(merchant: MerchantDep, session: SessionDep) -> list[OverrideOut]:
    return [OverrideOut.model_validate(r) for r in await q.list_overrides(session, merchant.id)]


@router.put(
    "/v1/merchants/{merchant_id}/carrier-overrides/{provider}/{carrier}",
    response_model=OverrideOut,
    dependencies=[MerchantPath],
)
async def put_override(
    provider: Provider,
    body: OverrideIn,
    merchant: MerchantDep,
    session: SessionDep,
    actor: ActorDep,
    carrier: str = CarrierPath,
) -> OverrideOut:
    """Send `code` to this provider for this carrier (canonicalised through the registry)."""
    if not alias_key(carrier):
        raise InvalidInput([FieldError("carrier", "must contain a letter or digit")])
    changed = await overrides.set_override(session, merchant.id, provider, carrier, body.code, actor=actor)
    return OverrideOut.model_validate(changed.row)


@router.delete(
    "/v1/merchants/{merchant_id}/carrier-overrides/{provider}/{carrier}",
    status_code=204,
    dependencies=[MerchantPath],
)
async def delete_override(
    provider: Provider, merchant: MerchantDep, session: SessionDep, actor: ActorDep, carrier: str = CarrierPath
) -> Response:
    if await overrides.delete_override(session, merchant.id, provider, carrier, actor=actor) is None:
        raise not_found("carrier override")
    return Response(status_code=204)
