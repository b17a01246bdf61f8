"""Inbound status webhooks, one route per connector with status intake; they carry their own signature, no token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from parcelsync.api.deps import RuntimeDep
from parcelsync.api.errors import error_response
from parcelsync.connectors.record import Connector
from parcelsync.connectors.registry import with_status_intake
from parcelsync.connectors.webhook_paths import WEBHOOKS_PREFIX, route_path
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.sync.statuses import WebhookRejected, receive_webhook

router = APIRouter(prefix=WEBHOOKS_PREFIX, tags=["webhooks"])


def _receiver(connector: Connector) -> Callable[..., Awaitable[JSONResponse]]:
    provider = connector.provider

    async def receive(
        merchant_id: Annotated[str, Path(max_length=64)], request: Request, runtime: RuntimeDep
    ) -> JSONResponse:
        body = await request.body()
        try:
            async with unit_of_work(runtime.sessions) as session:
                applied = await receive_webhook(
                    session, runtime.cipher, merchant_id, body,
                    max_age_s=runtime.settings.webhook_max_age_s, now=utcnow(), provider=provider,
                    headers=request.headers, http_factory=request.app.state.provider_http_factory,
                )
        except WebhookRejected as exc:
            return error_response(exc.status, exc.message)
        if applied is None:
            return JSONResponse({"ok": True, "duplicate": True})
        return JSONResponse(
            {
                "ok": True,
                "shipment_id": applied.shipment_id,
                "status_changed": applied.status_changed,
                "new_checkpoints": applied.new_checkpoints,
            }
        )

    receive.__name__ = connector.id
    receive.__doc__ = f"A {connector.name} status webhook: verified, applied once, answered fast."
    return receive


for _connector in with_status_intake():
    router.add_api_route(
        route_path(_connector),
        _receiver(_connector),
        methods=["POST"],
        responses={
            401: {"description": "signature missing, wrong or too old"}, 404: {"description": "unknown merchant"}
        },
    )
