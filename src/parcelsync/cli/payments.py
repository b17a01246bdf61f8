"""`parcelsync payments at-risk | list | settings` and `parcelsync evidence`: payments a dispute could take back."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from parcelsync.cli.support import MerchantOpt, console, database, fail, load_settings, require_merchant, run
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.payments.evidence import EvidencePack, build_pack
from parcelsync.payments.export import TooManyPacks, export_zip
from parcelsync.payments.pdf import render_pdf
from parcelsync.payments.policy_store import get_default_gateway, get_policy, save_default_gateway, save_policy
from parcelsync.payments.risk import INTENT_STATES, LABELS, Reason, RiskPolicy
from parcelsync.payments.service import IntentFilter, IntentView, Summary, list_intents, summarize
from parcelsync.payments.value import format_amount
from parcelsync.sync.gateways import default_gateway as effective_gateway
from parcelsync.sync.gateways import gateway_providers

payments_app = typer.Typer(help="Payment intents: which are at risk, and why.", no_args_is_help=True)


def _load(merchant: str, flt: IntentFilter) -> list[IntentView]:
    async def main() -> list[IntentView]:
        async with database(load_settings()) as sessions, sessions() as session:
            await require_merchant(session, merchant)
            return await list_intents(session, merchant, flt, utcnow())

    return run(main)


def _summary_tables(summary: Summary) -> None:
    totals = Table("currency", "at risk", title=f"{summary.at_risk} of {summary.intents} payment(s) at risk")
    for currency, amount in summary.totals.items():
        totals.add_row(currency, format_amount(amount, currency))
    if summary.without_value:
        totals.add_row("—", f"{summary.without_value} payment(s) without an order value")
    console.print(totals)
    if summary.by_reason:
        reasons = Table("reason", "payments", title="by reason")
        for code, n in summary.by_reason.items():
            reasons.add_row(LABELS[Reason(code)], str(n))
        console.print(reasons)


def _rows(views: list[IntentView], limit: int) -> None:
    table = Table("payment intent", "shipped", "age", "state", "value", "reasons", "parcels", title="oldest first")
    for view in views[:limit]:
        table.add_row(
            view.id,
            view.facts.shipped_on.isoformat() if view.facts.shipped_on else "—",
            f"{view.age_hours / 24:.1f} d",
            view.state,
            "\n".join(format_amount(a, c) for c, a in view.value.items()) or "—",
            "\n".join(f"{f.label}: {f.detail}" for f in view.findings) or "—",
            "\n".join(f"{p.carrier} {p.tracking_number} ({p.status})" for p in view.facts.parcels),
        )
    console.print(table)
    if len(views) > limit:
        console.print(f"[dim]{len(views) - limit} more; raise --limit or narrow with --reason[/dim]")


@payments_app.command("at-risk")
def at_risk(
    merchant: MerchantOpt,
    reason: Annotated[str | None, typer.Option(help=f"Only this reason: {', '.join(r.value for r in Reason)}.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows shown.")] = 50,
) -> None:
    """Payments at risk: totals per currency, counts by reason, then each payment, oldest first."""
    if reason is not None and reason not in {r.value for r in Reason}:
        fail(f"--reason must be one of {', '.join(r.value for r in Reason)}")
    views = _load(merchant, IntentFilter(at_risk=True))
    _summary_tables(summarize(views))
    shown = [v for v in views if reason is None or reason in v.reasons]
    if shown:
        _rows(shown, limit)


@payments_app.command("list")
def list_payments(
    merchant: MerchantOpt,
    state: Annotated[str | None, typer.Option(help=f"One of {', '.join(INTENT_STATES)}.")] = None,
    min_age_hours: Annotated[float | None, typer.Option(min=0, help="Shipped at least this long ago.")] = None,
    gateway: Annotated[str | None, typer.Option(help="Only intents this payment gateway holds.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    """Every payment intent with parcels, at risk or not, oldest first."""
    if state is not None and state not in INTENT_STATES:
        fail(f"--state must be one of {', '.join(INTENT_STATES)}")
    _rows(_load(merchant, IntentFilter(state=state, min_age_hours=min_age_hours, gateway=gateway)), limit)


@payments_app.command("settings")
def settings_command(
    merchant: MerchantOpt,
    accept_within_hours: Annotated[
        int | None, typer.Option(min=1, help="Hours after the ship date for a gateway to accept the tracking.")
    ] = None,
    stuck_after_days: Annotated[int | None, typer.Option(min=1, help="Days without a scan before stuck.")] = None,
    late_after_days: Annotated[int | None, typer.Option(min=1, help="Days after shipping before late.")] = None,
    default_gateway: Annotated[
        str | None,
        typer.Option(help="Gateway for payments naming none when several are connected ('none' clears it)."),
    ] = None,
) -> None:
    """Show, or change, the merchant's thresholds for "payment at risk" and its default payment gateway."""
    choice = None if default_gateway in (None, "none") else default_gateway
    if choice is not None and choice not in gateway_providers():
        fail(f"--default-gateway: not a payment gateway; one of {', '.join(sorted(gateway_providers()))}")

    async def main() -> tuple[RiskPolicy, str | None, str | None]:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            await require_merchant(session, merchant)
            policy = await get_policy(session, merchant)
            if default_gateway is not None:
                await save_default_gateway(session, merchant, choice)
            if accept_within_hours is not None or stuck_after_days is not None or late_after_days is not None:
                policy = await save_policy(session, merchant, RiskPolicy(
                    accept_within_hours or policy.accept_within_hours,
                    stuck_after_days or policy.stuck_after_days,
                    late_after_days or policy.late_after_days,
                ))
            return policy, await get_default_gateway(session, merchant), await effective_gateway(session, merchant)

    policy, chosen, effective = run(main)
    table = Table("setting", "value", title=f"payment settings of {merchant}")
    table.add_row("accept within", f"{policy.accept_within_hours} h after the ship date")
    table.add_row("stuck after", f"{policy.stuck_after_days} day(s) without a scan")
    table.add_row("late after", f"{policy.late_after_days} day(s) after shipping (when no expected date)")
    table.add_row("default gateway", f"{effective or 'not chosen'} (chosen: {chosen or 'none'})")
    console.print(table)


def _write(pack: EvidencePack, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        out.write_bytes(render_pdf(pack))
    elif suffix == ".json":
        out.write_bytes(pack.canonical_json)
    else:
        fail("-o must end in .pdf (the PDF, with the JSON attached) or .json")


def evidence(
    payment_intent: Annotated[str | None, typer.Argument(help="The payment intent.")] = None,
    merchant: MerchantOpt = "",
    out: Annotated[Path, typer.Option("--output", "-o", help="FILE.pdf, FILE.json, or FILE.zip with --from/--to.")] = (
        Path("evidence.pdf")
    ),
    shipped_from: Annotated[str | None, typer.Option("--from", help="Bulk: first ship date, YYYY-MM-DD.")] = None,
    shipped_to: Annotated[str | None, typer.Option("--to", help="Bulk: last ship date (default today).")] = None,
    order: Annotated[str | None, typer.Option("--order", help="The pack of one order instead of an intent.")] = None,
) -> None:
    """Write the evidence pack of one payment intent or order (PDF or JSON), or a zip of every pack in a range."""
    if not merchant:
        fail("--merchant is required")
    bulk = shipped_from is not None or shipped_to is not None
    if [bulk, payment_intent is not None, order is not None].count(True) != 1:
        fail("give a PAYMENT_INTENT, or --order ORDER, or --from/--to for a zip of every pack in a date range")
    try:
        last = date.fromisoformat(shipped_to) if shipped_to else utcnow().date()
        first = date.fromisoformat(shipped_from) if shipped_from else last - timedelta(days=30)
    except ValueError:
        fail("--from and --to are dates: YYYY-MM-DD")

    async def main() -> tuple[EvidencePack | None, bytes, int]:
        async with database(load_settings()) as sessions, sessions() as session:
            await require_merchant(session, merchant)
            if not bulk:
                return await build_pack(session, merchant, payment_intent, utcnow(), order_id=order), b"", 0
            try:
                data, count = await export_zip(session, merchant, first, last, utcnow())
            except TooManyPacks as exc:
                fail(str(exc))
            return None, data, count

    pack, data, count = run(main)
    if bulk:
        if out.suffix.lower() != ".zip":
            fail("with --from/--to, -o must end in .zip")
        out.write_bytes(data)
        console.print(f"wrote {count} evidence pack(s) shipped {first} to {last} to {out}")
        return
    if pack is None:
        what = f"payment intent {payment_intent!r}" if payment_intent else f"order {order!r}"
        fail(f"merchant {merchant!r} has no live parcels on {what}", code=1)
    _write(pack, out)
    console.print(f"wrote {out} (evidence JSON SHA-256 {pack.sha256})")
