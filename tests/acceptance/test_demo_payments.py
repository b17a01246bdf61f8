"""The demo's payments at risk: once its worker has run, a rejected upload and a parcel in exception show up."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from parcelsync.db.base import utcnow
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker
from parcelsync.ingest.demo import DEMO_MERCHANT, REFUSED_INTENT
from parcelsync.payments.risk import Reason
from parcelsync.payments.service import IntentFilter, list_intents
from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandbox_app
from parcelsync.sandbox.trackingmore.models import TrackingMoreState
from parcelsync.settings import Settings
from parcelsync.sync.worker import Worker

pytestmark = pytest.mark.anyio


async def test_the_demo_has_a_rejected_upload_and_a_parcel_in_exception(tmp_path: Path) -> None:
    from parcelsync.cli.demo import prepare
    from parcelsync.db import migrate

    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    settings = Settings(
        database_url=url, secret_key=generate_key(), demo_mode=True, public_base_url="http://127.0.0.1:8000"
    )
    await migrate.upgrade(engine := make_engine(url))
    sandboxes = Sandboxes(trackingmore=TrackingMoreState(start=time.time() - 20 * 86400))
    transport = httpx.ASGITransport(app=create_sandbox_app(sandboxes))
    urls = SandboxUrls("http://127.0.0.1:8100")
    async with httpx.AsyncClient(transport=transport, base_url=urls.root) as sandbox:
        await prepare(settings, urls, sandbox, "http://127.0.0.1:8000", 50)
    sessions = make_sessionmaker(engine)
    async with Worker(sessions, settings, transport=transport, concurrency=2) as worker:
        await worker.run_once()
    async with sessions() as session:
        risky = {v.id: v for v in await list_intents(session, DEMO_MERCHANT, IntentFilter(at_risk=True), utcnow())}
    await engine.dispose()
    assert Reason.REJECTED in risky[REFUSED_INTENT].reasons
    assert Reason.EXCEPTION in risky["pi_demo_exception_0002"].reasons
    assert Reason.LATE in risky["pi_demo_late_0003"].reasons
