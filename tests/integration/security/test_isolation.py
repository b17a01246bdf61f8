"""Merchant A's tokens against merchant B's resources, route by route over every /v1 route of the app.

The route list comes from app.routes, so a route added later is probed automatically; it only needs a
sample value for a new path parameter (and a valid sample body if `{}` is not one).
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from parcelsync.api.auth import route_depends_on
from parcelsync.api.deps import current_merchant
from parcelsync.db.tables import CarrierOverrideRow, ConnectionRow, MerchantRow, ShipmentRow, SyncTargetRow

from .conftest import BRAVO, BRAVO_MARKERS, UPS, World, bearer
from .routes import Endpoint, endpoints

pytestmark = pytest.mark.anyio

SAMPLE_BODIES: dict[tuple[str, str], object] = {
    ("POST", "/v1/merchants"): {"id": "mallory", "name": "Mallory"},
    ("PATCH", "/v1/merchants/{merchant_id}"): {"name": "Renamed by alpha"},
    ("PUT", "/v1/merchants/{merchant_id}/carrier-overrides/{provider}/{carrier}"): {"code": "evil"},
    ("PUT", "/v1/merchants/{merchant_id}/connections/{provider}"): {
        "credentials": {"api_key": "alpha-evil-key-0000"},
        "base_url": "http://evil.example",
    },
    ("PATCH", "/v1/merchants/{merchant_id}/connections/{provider}"): {"enabled": False},
    ("POST", "/v1/shipments"): {"tracking_number": UPS, "title": "written by alpha"},
    ("POST", "/v1/shipments/batch"): {"items": [{"tracking_number": UPS, "title": "written by alpha"}]},
    ("PATCH", "/v1/shipments/{shipment_id}"): {"title": "changed by alpha"},
    ("POST", "/v1/webhook-endpoints"): {"url": "https://hooks.example.com/alpha"},
    ("PATCH", "/v1/webhook-endpoints/{endpoint_id}"): {"enabled": False},
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/replay"): {"since": "2026-01-01T00:00:00Z"},
    ("PUT", "/v1/alert-settings"): {"email": "alpha@example.com"},
}


def path_values(world: World) -> dict[str, object]:
    return {"merchant_id": BRAVO, "shipment_id": world.bravo_shipment, "provider": "trackingmore", "carrier": "ups",
            "endpoint_id": world.bravo_endpoint, "delivery_id": 999999, "alert_id": 999999,
            "intent_id": "pi_bravo_marker", "order_id": "BRAVO-ORDER-77"}  # fmt: skip


async def bravo_snapshot(world: World) -> list[object]:
    async with world.app.state.runtime.sessions() as session:
        merchant = await session.get(MerchantRow, BRAVO)
        assert merchant is not None
        rows: list[object] = [merchant.name]
        for model, columns in (
            (ShipmentRow, ("id", "version", "title", "deleted_at", "content_hash", "status")),
            (ConnectionRow, ("provider", "base_url", "credentials_enc", "enabled", "options")),
            (CarrierOverrideRow, ("provider", "carrier", "code")),
            (SyncTargetRow, ("provider", "target_key", "desired_version")),
        ):
            found = (await session.execute(select(model).where(model.merchant_id == BRAVO))).scalars().all()
            rows.append(sorted(tuple(str(getattr(r, c)) for c in columns) for r in found))
    return rows


async def probe(http: httpx.AsyncClient, ep: Endpoint, url: str, headers: dict[str, str]) -> httpx.Response:
    body = SAMPLE_BODIES.get((ep.method, ep.path), {} if ep.route.body_field is not None else None)
    response = await http.request(ep.method, url, json=body, headers=headers)
    assert response.status_code != 422, f"{ep}: add a valid sample body to SAMPLE_BODIES ({response.text})"
    assert response.status_code < 500, f"{ep}: {response.status_code} {response.text}"
    return response


def assert_no_bravo_data(ep: Endpoint, response: httpx.Response) -> None:
    leaked = [m for m in BRAVO_MARKERS if m.lower() in response.text.lower()]
    assert not leaked, f"{ep} answered merchant alpha with bravo's data {leaked}: {response.text[:300]}"


async def test_alpha_never_reaches_bravo_on_any_route(world: World, http: httpx.AsyncClient) -> None:
    before = await bravo_snapshot(world)
    routes = endpoints(world.app)
    assert len(routes) >= 18
    values = path_values(world)
    probed = 0
    for token in (world.alpha_write, world.alpha_read):
        for ep in routes:
            url = ep.url(values)
            for extra in ({}, {"X-Merchant-Id": BRAVO}):
                response = await probe(http, ep, url, {**bearer(token), **extra})
                assert_no_bravo_data(ep, response)
                names_bravo = bool(ep.params) or (extra and route_depends_on(ep.route, current_merchant))
                if names_bravo:
                    assert response.status_code in (403, 404), f"{ep} {extra}: {response.status_code} {response.text}"
                probed += 1
    assert probed == 4 * len(routes)
    assert await bravo_snapshot(world) == before


async def test_the_probes_point_at_real_resources(world: World, http: httpx.AsyncClient) -> None:
    """Positive control: bravo's own token reads every GET route the probes used, so the 404s above mean isolation."""
    values = path_values(world)
    for ep in endpoints(world.app):
        if ep.method != "GET" or not ep.params:
            continue
        response = await http.get(ep.url(values), headers=bearer(world.bravo_write))
        assert response.status_code == 200, f"{ep}: {response.status_code} {response.text}"
