"""`parcelsync webhooks`: a merchant's outbound webhook endpoints: add, list, deliveries, replay, test."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import httpx
import typer
from rich.table import Table

from parcelsync.cli.support import (
    MerchantOpt,
    cipher_for,
    console,
    database,
    fail,
    load_settings,
    require_merchant,
    run,
)
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import OutboundAttemptRow, WebhookEndpointRow
from parcelsync.outbound import deliveries
from parcelsync.outbound import endpoints as q
from parcelsync.outbound.log import delivery_counts, recent_attempts
from parcelsync.outbound.messages import AttemptResult
from parcelsync.outbound.ping import send_ping
from parcelsync.outbound.ssrf import UnsafeUrl, check_url

webhooks_app = typer.Typer(help="Outbound webhook endpoints (signed per Standard Webhooks).", no_args_is_help=True)


def _when(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"not an ISO 8601 time: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@webhooks_app.command("add")
def add(
    url: str,
    merchant: MerchantOpt,
    event_type: Annotated[
        list[str] | None, typer.Option("--type", help="Event type, repeatable (default all).")
    ] = None,
) -> None:
    """Add an endpoint; prints its signing secret, which is never shown again."""
    settings = load_settings()
    try:
        check_url(url, allow_private=settings.webhook_allow_private_urls)
    except UnsafeUrl as exc:
        fail(f"url {exc}")
    cipher = cipher_for(settings)

    async def main() -> q.NewEndpoint:
        async with database(settings) as sessions, unit_of_work(sessions) as session:
            await require_merchant(session, merchant)
            return await q.create_endpoint(session, cipher, merchant, url=url, event_types=event_type or [])

    created = run(main)
    console.print(f"endpoint {created.row.id} -> {created.row.url}")
    console.print(f"secret   {created.secret}  (shown once: give it to the receiver now)")


@webhooks_app.command("list")
def list_command(merchant: MerchantOpt) -> None:
    """The merchant's endpoints with their delivery counts."""

    async def main() -> list[tuple[WebhookEndpointRow, dict[str, int]]]:
        async with database(load_settings()) as sessions, sessions() as session:
            rows = await q.list_endpoints(session, merchant)
            return [(r, await delivery_counts(session, merchant, r.id)) for r in rows]

    table = Table("id", "url", "types", "enabled", "pending", "delivered", "dead")
    for row, counts in run(main):
        table.add_row(
            str(row.id),
            row.url,
            ",".join(row.event_types) or "all",
            "yes" if row.enabled else f"no ({row.disabled_reason})",
            str(counts["pending"]),
            str(counts["delivered"]),
            str(counts["dead"]),
        )
    console.print(table)


@webhooks_app.command("deliveries")
def deliveries_command(
    endpoint: int, merchant: MerchantOpt, limit: Annotated[int, typer.Option(min=1, max=500)] = 20
) -> None:
    """The endpoint's newest delivery attempts: time, attempt, status, latency, the start of the answer."""

    async def main() -> list[OutboundAttemptRow]:
        async with database(load_settings()) as sessions, sessions() as session:
            if await q.get_endpoint(session, merchant, endpoint) is None:
                fail(f"no endpoint {endpoint} for merchant {merchant}")
            return list(await recent_attempts(session, merchant, endpoint, limit=limit))

    table = Table("at", "delivery", "webhook-id", "type", "attempt", "status", "ms", "answer")
    for a in run(main):
        table.add_row(
            a.at.isoformat(timespec="seconds"),
            str(a.delivery_id or "-"),
            a.message_id,
            a.event_type,
            str(a.attempt),
            str(a.status or a.error),
            f"{a.latency_ms:.0f}",
            a.response_excerpt[:60].replace("\n", " "),
        )
    console.print(table)


@webhooks_app.command("replay")
def replay(
    endpoint: int,
    merchant: MerchantOpt,
    delivery: Annotated[int | None, typer.Option("--delivery", help="One delivery id (see `deliveries`).")] = None,
    since: Annotated[str | None, typer.Option(help="Start of a time range (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="End of the range (default now).")] = None,
    failed_only: Annotated[bool, typer.Option("--failed-only", help="Only deliveries that died.")] = False,
) -> None:
    """Send again one delivery, or every event of a time range, with the same webhook-ids."""
    if (delivery is None) == (since is None):
        fail("say what to replay: --delivery ID or --since TIME")

    async def main() -> int:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            row = await q.get_endpoint(session, merchant, endpoint)
            if row is None:
                fail(f"no endpoint {endpoint} for merchant {merchant}")
            now = utcnow()
            if delivery is not None:
                found = await deliveries.replay_delivery(session, merchant, delivery, now=now, endpoint_id=endpoint)
                return int(found)
            start, end = _when(since or ""), _when(until) if until else now
            return await deliveries.replay_range(session, row, since=start, until=end, now=now, failed_only=failed_only)

    queued = run(main)
    console.print(f"{queued} deliveries queued again; the worker sends them on its next pass")


@webhooks_app.command("test")
def test(endpoint: int, merchant: MerchantOpt) -> None:
    """Send a signed `webhook.test` ping to the endpoint now and show the answer."""
    settings = load_settings()
    cipher = cipher_for(settings)

    async def main() -> tuple[str, AttemptResult]:
        async with (
            database(settings) as sessions,
            unit_of_work(sessions) as session,
            httpx.AsyncClient(follow_redirects=False) as http,
        ):
            row = await q.get_endpoint(session, merchant, endpoint)
            if row is None:
                fail(f"no endpoint {endpoint} for merchant {merchant}")
            return await send_ping(session, http, cipher, settings, row)

    msg_id, result = run(main)
    status = result.status if result.status is not None else result.error
    console.print(f"ping {msg_id}: {status} in {result.latency_ms:.0f} ms")
    if not result.ok:
        raise typer.Exit(1)
