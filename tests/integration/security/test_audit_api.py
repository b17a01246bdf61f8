"""`GET /v1/shipments/{id}/audit`: the calls for this shipment's targets, and nobody else's."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import AuditRow

from .conftest import ALPHA, BRAVO, World, bearer

pytestmark = pytest.mark.anyio
NUMBER = "1Z999AA10123456784"


async def test_audit_lists_only_this_shipments_calls(world: World, http: httpx.AsyncClient) -> None:
    headers = bearer(world.alpha_write)
    body = {"tracking_number": NUMBER, "payment_intent_id": "pi_1", "order_id": "o1", "fulfillment_id": "f1"}
    created = await http.post("/v1/shipments", json=body, headers=headers)
    shipment_id = created.json()["id"]
    now = utcnow()
    calls = [
        (ALPHA, "useepay", ["pi_0", "pi_1"], True),
        (ALPHA, "shopline", ["o1/f1"], True),
        (ALPHA, "trackingmore", [f"ups/{NUMBER}"], True),
        (ALPHA, "useepay", ["pi_10"], False),  # a longer key that merely starts the same
        (ALPHA, "useepay", ["piX1"], False),  # `_` is not a wildcard
        (ALPHA, "shopline", ["pi_1"], False),  # the same key at another provider
        (BRAVO, "useepay", ["pi_1"], False),  # another merchant's call
    ]
    async with unit_of_work(world.app.state.runtime.sessions) as session:
        for i, (merchant, provider, keys, _) in enumerate(calls):
            session.add(
                AuditRow(at=now - timedelta(seconds=100 - i), merchant_id=merchant, provider=provider, method="POST",
                         path=f"/call/{i}", status=200, target_keys=keys, request_summary={"items": len(keys)})
            )  # fmt: skip
    response = await http.get(f"/v1/shipments/{shipment_id}/audit", headers=headers)
    assert response.status_code == 200, response.text
    paths = [item["path"] for item in response.json()["items"]]
    assert paths == [f"/call/{i}" for i in (2, 1, 0)]
    first = await http.get(f"/v1/shipments/{shipment_id}/audit", params={"limit": 2}, headers=headers)
    assert [i["path"] for i in first.json()["items"]] == ["/call/2", "/call/1"]
    page = {"limit": 2, "before": first.json()["next_before"]}
    rest = await http.get(f"/v1/shipments/{shipment_id}/audit", params=page, headers=headers)
    assert [i["path"] for i in rest.json()["items"]] == ["/call/0"] and rest.json()["next_before"] is None
    other = await http.get(f"/v1/shipments/{world.bravo_shipment}/audit", headers=headers)
    assert other.status_code == 404
