"""A small webhook receiver (the demo runs it; tests use it): verifies each delivery per Standard Webhooks,
keeps what arrived, and can play down (503) or gone (410) on demand.

It is also the worked example the README points at: `Webhook(secret).verify(body, headers)` is all a
receiver needs, plus remembering webhook-ids already processed, because delivery is at least once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: str
    payload: dict[str, Any] | None
    verified: bool


@dataclass
class ReceiverState:
    """What arrived, and how to answer next: `answer` is the status for every delivery (200 when healthy)."""

    secret: str | None = None
    answer: int = 200
    received: list[Received] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def unique(self) -> list[Received]:
        """Verified deliveries, one per webhook-id (duplicates are expected and dropped, as a receiver should)."""
        out: dict[str, Received] = {}
        for item in self.received:
            if item.verified:
                out.setdefault(item.webhook_id, item)
        return list(out.values())


def create_receiver_app(state: ReceiverState | None = None) -> FastAPI:
    app = FastAPI(title="parcelsync demo webhook receiver", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.receiver = state or ReceiverState()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        st: ReceiverState = app.state.receiver
        body = (await request.body()).decode()
        headers = dict(request.headers)
        if st.answer != 200:
            st.received.append(Received(headers.get("webhook-id", ""), headers, body, None, False))
            return Response(status_code=st.answer, content="receiver unavailable")
        payload: dict[str, Any] | None = None
        verified = False
        if st.secret is not None:
            try:
                payload = Webhook(st.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        webhook_id = headers.get("webhook-id", "")
        st.received.append(Received(webhook_id, headers, body, payload, verified))
        if not verified:
            return Response(status_code=401, content="bad signature")
        duplicate = webhook_id in st.seen
        st.seen.add(webhook_id)
        return Response(status_code=200, content="duplicate" if duplicate else "ok")

    @app.get("/received")
    async def received() -> dict[str, Any]:
        st: ReceiverState = app.state.receiver
        return {"count": len(st.received), "unique": len(st.unique())}

    return app
