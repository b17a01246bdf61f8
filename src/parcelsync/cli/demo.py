"""`parcelsync demo` (`make demo`): the whole loop on SQLite in one process.

The three sandboxes serve on their own port (as `parcelsync sandbox` would), the demo merchant is
connected to them, demo shipments are seeded, a worker syncs them, TrackingMore's simulated clock
moves on so its webhooks flow back to the API, and the API with the dashboard serves on --port.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Annotated

import httpx
import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.chores import NotifyChores, delivering
from parcelsync.cli.demo_store_flow import store_flow, store_intents
from parcelsync.cli.keys import demo_secret_key
from parcelsync.cli.support import console, database, load_settings, run
from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ShipmentRow
from parcelsync.ingest.demo import (
    DEMO_MERCHANT,
    REFUSED_INTENT,
    SECOND_MERCHANT,
    second_store_orders,
    seed_demo,
    seed_second_demo,
)
from parcelsync.ingest.demo_history import seed_history
from parcelsync.ingest.demo_link import connect_to_sandboxes, store_links
from parcelsync.logging import configure_logging
from parcelsync.outbound import endpoints
from parcelsync.outbound.receiver import ReceiverState, create_receiver_app
from parcelsync.sandbox.link import SandboxAccounts, accept_only_payment_intents, open_sandbox_accounts
from parcelsync.sandbox.link_second import SecondStoreAccounts, open_second_store_accounts, second_store_connections
from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandbox_app
from parcelsync.sandbox.sockets import with_socket_control
from parcelsync.sandbox.trackingmore.models import TrackingMoreState
from parcelsync.security.tokens import Scope, issue_token
from parcelsync.settings import Settings
from parcelsync.sync.embedded import running
from parcelsync.sync.planner import connected_providers, plan_connection
from parcelsync.sync.tracking_links import PageLinker
from parcelsync.sync.worker import Worker
from parcelsync.tracking_page.config import TrackingPageIn, save_config
from parcelsync.tracking_page.sample import BRANDING, EMAIL, ORDER, seed_sample
from parcelsync.web.app import PREFIX as DASHBOARD_PREFIX
from parcelsync.web.auth import ADMIN_USERNAME, DEMO_ADMIN_PASSWORD

SIMULATED_HOURS_PER_TICK = 12
# TrackingMore's simulated clock starts this far back (the demo's ship dates lie within it), catches
# up with the wall clock tick by tick, then follows it: no parcel is ever dated in the future.
SIMULATED_HEAD_START_DAYS = 20


class DemoClock:
    """How far to move the sandbox clock on each tick: a big step while behind, never past now."""

    def __init__(self, start: float, *, step_s: float = SIMULATED_HOURS_PER_TICK * 3600) -> None:
        self.simulated = start
        self.step_s = step_s

    def next_step(self, wall_now: float) -> float:
        step = max(0.0, min(self.step_s, wall_now - self.simulated))
        self.simulated += step
        return step


async def prepare(
    settings: Settings,
    urls: SandboxUrls,
    sandbox: httpx.AsyncClient,
    api_root: str,
    count: int,
    receiver: ReceiverState | None = None,
    receiver_url: str | None = None,
    accounts: SandboxAccounts | None = None,
) -> tuple[int, str, str]:
    """Seed the demo merchant, open its sandbox accounts and connect it; every target is queued afresh.

    The demo merchant gets a branded tracking page with `tracking_page_links` on, and the sample order.
    Returns how many shipments were new, a fresh write token for the demo merchant and the sample order's
    tracking page URL.
    """
    from parcelsync.api.app import build_cipher

    cipher = build_cipher(settings)
    accounts = accounts or SandboxAccounts()
    await open_sandbox_accounts(
        sandbox, urls, accounts, webhook_url=f"{api_root}/v1/webhooks/trackingmore/{DEMO_MERCHANT}"
    )
    async with database(settings) as sessions:
        created = sum(r.status == "created" for r in await seed_demo(sessions, count))
        async with sessions() as session:
            intents = await session.scalars(
                select(ShipmentRow.payment_intent_id)
                .where(ShipmentRow.merchant_id == DEMO_MERCHANT, ShipmentRow.payment_intent_id.is_not(None))
                .distinct()
            )
            known = sorted({*(i for i in intents if i and i != REFUSED_INTENT), *store_intents()})
        # One payment intent the gateway does not know: its upload is rejected, a payment at risk to look at.
        await accept_only_payment_intents(sandbox, urls, accounts, known)
        async with unit_of_work(sessions) as session:
            sample = await seed_sample(session, DEMO_MERCHANT)
            await save_config(session, settings, DEMO_MERCHANT, TrackingPageIn(**BRANDING, tracking_page_links=True))
            await seed_history(session, DEMO_MERCHANT)
            if receiver is not None and receiver_url is not None:
                receiver.secret = await demo_endpoint(session, cipher, receiver_url)
            await connect_to_sandboxes(session, cipher, DEMO_MERCHANT, urls, accounts)
            # The sandboxes start empty on every run: send everything again (to the store's own connections).
            for provider in sorted(await connected_providers(session, DEMO_MERCHANT)):
                await plan_connection(session, DEMO_MERCHANT, provider)
        await prepare_second_store(settings, urls, sandbox, api_root, sessions)
        token = await issue_token(sessions, scope=Scope.WRITE, merchant_id=DEMO_MERCHANT, name="demo")
    linker = PageLinker.from_settings(settings)
    if linker is None:  # the demo always sets public_base_url and a secret key
        raise RuntimeError("the demo needs public_base_url and a secret key")
    return created, token.secret, linker.page_url(DEMO_MERCHANT, sample.order_id)


async def prepare_second_store(
    settings: Settings, urls: SandboxUrls, sandbox: httpx.AsyncClient, api_root: str,
    sessions: async_sessionmaker[AsyncSession],
) -> int:
    """The second demo store: payments through PayPal, parcels tracked by AfterShip (webhooks back to the API)."""
    from parcelsync.api.app import build_cipher

    cipher = build_cipher(settings)
    accounts = SecondStoreAccounts()
    created = sum(r.status == "created" for r in await seed_second_demo(sessions))
    await open_second_store_accounts(
        sandbox, urls, accounts, second_store_orders(),
        webhook_url=f"{api_root}/v1/webhooks/aftership/{SECOND_MERCHANT}",
    )
    links = second_store_connections(urls, accounts)
    async with unit_of_work(sessions) as session:
        await store_links(session, cipher, SECOND_MERCHANT, links)
        for link in links:
            await plan_connection(session, SECOND_MERCHANT, link.provider)
    return created


async def demo_endpoint(session: AsyncSession, cipher: CredentialCipher, url: str) -> str:
    """The demo merchant's webhook endpoint at the demo receiver: created once, its secret rotated on each run
    (the receiver only lives as long as the demo, so it gets the new secret)."""
    found = [e for e in await endpoints.list_endpoints(session, DEMO_MERCHANT) if e.url == url]
    if found:
        endpoints.set_enabled(found[0], True, now=utcnow())
        return endpoints.rotate_secret(cipher, found[0], now=utcnow())
    created = await endpoints.create_endpoint(session, cipher, DEMO_MERCHANT, url=url, description="demo receiver")
    return created.secret


async def serve_all(
    settings: Settings,
    sandboxes: Sandboxes,
    host: str,
    port: int,
    sandbox_port: int,
    receiver: ReceiverState | None = None,
    receiver_port: int | None = None,
    accounts: SandboxAccounts | None = None,
) -> None:
    """API (+ dashboard), sandboxes, the webhook receiver, a worker and a dispatcher in one loop, until Ctrl-C;
    once the servers listen, the store flow runs."""
    import uvicorn

    from parcelsync.api import create_app

    api = create_app(settings)
    sandbox_app = create_sandbox_app(sandboxes)
    servers = [
        uvicorn.Server(uvicorn.Config(api, host=host, port=port, log_level="warning", proxy_headers=False)),
        uvicorn.Server(
            uvicorn.Config(
                with_socket_control(sandbox_app), host=host, port=sandbox_port, log_level="warning", proxy_headers=False
            )
        ),
    ]
    if receiver is not None and receiver_port is not None:
        receiver_app = create_receiver_app(receiver)
        servers.append(uvicorn.Server(
            uvicorn.Config(receiver_app, host=host, port=receiver_port, log_level="warning", proxy_headers=False)
        ))
    admin = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app), base_url="http://sandbox")

    clock = DemoClock(sandboxes.trackingmore.now)

    async def tick() -> None:
        """Move TrackingMore's clock on: parcels progress and their webhooks reach the API."""
        step = clock.next_step(time.time())
        if step > 0:
            await admin.post("/trackingmore/_sandbox/clock/advance", json={"seconds": step})
            await admin.post(f"{SandboxUrls('').aftership}/_sandbox/clock/advance", json={"seconds": step})

    async def second_flow() -> None:
        """Once the servers listen: fulfillments created in the store sandbox flow in by webhook."""
        for _ in range(600):
            if all(s.started for s in servers):
                break
            await asyncio.sleep(0.1)
        try:
            line = await store_flow(runtime.sessions, runtime.cipher, SandboxUrls(f"http://{host}:{sandbox_port}"),
                                    admin, f"http://{host}:{port}", accounts or SandboxAccounts(), sandboxes)
        except Exception as exc:
            line = f"store flow  did not run: {exc}"
        console.print(line)

    runtime = api.state.runtime
    worker = Worker(runtime.sessions, settings, cipher=runtime.cipher, concurrency=4)
    chores = NotifyChores(runtime.sessions, settings, inner=tick)
    try:
        async with (
            running(worker, housekeeping=chores),
            delivering(runtime.sessions, settings, runtime.cipher, chores=chores),
        ):
            flow = asyncio.create_task(second_flow())
            await asyncio.gather(*(s.serve() for s in servers))
            flow.cancel()
    finally:
        await admin.aclose()


def demo(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="API and dashboard port.")] = 8000,
    sandbox_port: Annotated[int, typer.Option(help="Port of the three sandboxes.")] = 8100,
    receiver_port: Annotated[int, typer.Option(help="Port of the demo webhook receiver.")] = 8101,
    shipments: Annotated[int, typer.Option(min=1, max=10_000, help="Demo shipments to seed.")] = 50,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve and sync after seeding.")] = True,
) -> None:
    """Run the full loop on SQLite: sandboxes, demo merchant and shipments, worker, webhooks, API, dashboard."""
    receiver = ReceiverState()
    receiver_url = f"http://{host}:{receiver_port}/hook"
    api_root = f"http://{host}:{port}"
    public_base_url = os.environ.get("PARCELSYNC_PUBLIC_BASE_URL") or api_root
    settings = load_settings(
        demo_mode=True,
        secret_key=demo_secret_key(),
        public_base_url=public_base_url,
        webhook_allow_private_urls=True,
        allow_private_base_urls=True,
        housekeeping_interval_s=5.0,
    )
    configure_logging(level="WARNING", fmt=settings.log_format)
    urls = SandboxUrls(f"http://{host}:{sandbox_port}")
    sandboxes = Sandboxes(trackingmore=TrackingMoreState(start=time.time() - SIMULATED_HEAD_START_DAYS * 86400))

    accounts = SandboxAccounts()

    async def seed() -> tuple[int, str, str]:
        transport = httpx.ASGITransport(app=create_sandbox_app(sandboxes))
        async with httpx.AsyncClient(transport=transport, base_url=urls.root) as sandbox:
            return await prepare(settings, urls, sandbox, api_root, shipments, receiver, receiver_url, accounts)

    created, token, tracking_page = run(seed)
    console.print(f"demo merchant [bold]{DEMO_MERCHANT}[/bold]: {created} new demo shipments ({settings.database_url})")
    console.print(f"dashboard   {api_root}{DASHBOARD_PREFIX}/  (login {ADMIN_USERNAME} / {DEMO_ADMIN_PASSWORD})")
    console.print(f"API docs    {api_root}/docs")
    console.print(f"API token   {token}  (a new write token for the demo merchant on every start)")
    console.print(f"try         curl -H 'Authorization: Bearer {token}' '{api_root}/v1/sync/status'")
    console.print(f"buyer page  {tracking_page}")
    console.print(f"            (or look up order {ORDER} with {EMAIL} at {public_base_url}/track/{DEMO_MERCHANT})")
    console.print(f"sandboxes   {urls.useepay}  {urls.shopline('demo-store')}  {urls.trackingmore}")
    console.print(f"2nd store   [bold]{SECOND_MERCHANT}[/bold]: payments {urls.paypal}  tracking {urls.aftership}")
    console.print("sync state  parcelsync sync status")
    console.print(f"webhooks    {receiver_url} receives signed events: {api_root}{DASHBOARD_PREFIX}/webhooks")
    console.print(f"alerts      {api_root}{DASHBOARD_PREFIX}/alerts  (expected dates on every shipment page)")
    console.print(f"at risk     {api_root}{DASHBOARD_PREFIX}/payments  (parcelsync payments at-risk -m demo)")
    console.print("            each also an alert (rule payment_at_risk: one per payment and reason, with its value)")
    console.print(f"evidence    parcelsync evidence pi_demo_exception_0002 -m {DEMO_MERCHANT} -o evidence.pdf")
    if serve_api:
        run(lambda: serve_all(settings, sandboxes, host, port, sandbox_port, receiver, receiver_port, accounts))
