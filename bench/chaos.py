"""Chaos: sync 10,000 shipments (plus live edits) through failing sandboxes while workers are SIGKILLed.

The sandboxes inject 20% 5xx, a 429 burst every few seconds, 2 s timeouts and connection resets
(5% reset before the answer, 3% closed mid-body, both after the sandbox did the work); a worker process is
SIGKILLed and restarted every --kill-every seconds; shipments arrive in waves and some move to
another order and payment intent mid-run; with --pg-restart PostgreSQL is restarted while an API
process takes single POSTs (its answers while the database is down are counted, and every
accepted shipment is checked afterwards). At the end every sandbox must hold exactly the hub's
state: 0 lost, 0 clobbered, 0 duplicates. Bounded by --timeout.

    .venv/bin/python -m bench.chaos                  # PostgreSQL, 2 workers, PostgreSQL restart
    .venv/bin/python -m bench.chaos --db sqlite --workers 1 --no-pg-restart
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.datagen import Dataset
from bench.harness import Database, Service, Stack, stack
from bench.hub import Outbox, ingest, setup_merchants, verify
from bench.ingest import admin_token
from bench.results import record, table
from bench.sandboxes import PROVIDERS, SandboxAdmin

PG_RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]


class Poster(threading.Thread):
    """Single POSTs to the API every `interval_s`, tallying statuses; remembers what was accepted."""

    def __init__(self, api: str, headers: dict[str, str], data: Dataset, offset: int, interval_s: float) -> None:
        super().__init__(daemon=True)
        self.api, self.headers, self.data, self.offset, self.interval_s = api, headers, data, offset, interval_s
        self.statuses: Counter[str] = Counter()
        self.accepted: list[str] = []
        self.down_window: list[tuple[float, int]] = []
        self.stop_event = threading.Event()

    def run(self) -> None:
        i = 0
        with httpx.Client(timeout=10) as http:
            while not self.stop_event.is_set():
                item = self.data.shipment(0, i, self.offset)
                try:
                    r = http.post(f"{self.api}/v1/shipments", json=item, headers=self.headers)
                    status = r.status_code
                except httpx.HTTPError as exc:
                    status = 0
                    self.statuses[type(exc).__name__] += 1
                self.statuses[str(status)] += 1
                if status in (200, 201):
                    self.accepted.append(item["tracking_number"])
                else:
                    self.down_window.append((time.time(), status))
                i += 1
                self.stop_event.wait(self.interval_s)


async def accepted_missing(db: Database, merchant: str, numbers: list[str]) -> int:
    from parcelsync.db.engine import make_engine, make_sessionmaker
    from parcelsync.db.tables import ShipmentRow

    engine = make_engine(db.url)
    try:
        async with make_sessionmaker(engine)() as session:
            found = set(
                (await session.scalars(
                    select(ShipmentRow.tracking_number).where(ShipmentRow.merchant_id == merchant)
                )).all()
            )
    finally:
        await engine.dispose()
    return sum(1 for n in numbers if n not in found)


async def audit_calls(db: Database) -> dict[str, int]:
    from parcelsync.db.engine import make_engine, make_sessionmaker
    from parcelsync.db.tables import AuditRow

    engine = make_engine(db.url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (await session.execute(
                select(AuditRow.error.is_(None), func.count()).group_by(AuditRow.error.is_(None))
            )).all()
    finally:
        await engine.dispose()
    return {"ok" if ok else "failed": int(n) for ok, n in rows}


async def leftovers(db: Database) -> dict[str, Any]:
    """What a run leaves unexplained: targets not synced, paused connections, and calls answered 400."""
    from parcelsync.db.engine import make_engine, make_sessionmaker
    from parcelsync.db.tables import AuditRow, ConnectionRow, SyncTargetRow

    engine = make_engine(db.url)
    try:
        async with make_sessionmaker(engine)() as session:
            targets = (await session.execute(select(SyncTargetRow).where(SyncTargetRow.state != "synced"))).scalars()
            unsynced = [
                {"provider": t.provider, "key": t.target_key, "state": t.state, "attempts": t.attempts,
                 "reason": t.reason, "next_attempt_at": str(t.next_attempt_at), "lease_owner": t.lease_owner,
                 "lease_expires_at": str(t.lease_expires_at), "desired": t.desired_version, "acked": t.acked_version,
                 "last_attempt_at": str(t.last_attempt_at), "last_outcome": t.last_outcome}
                for t in list(targets)[:20]
            ]
            conns = (await session.execute(select(ConnectionRow))).scalars()
            paused = [{"provider": c.provider, "paused_until": str(c.paused_until), "reason": c.pause_reason}
                      for c in conns if c.paused_until is not None]
            bad = (await session.execute(
                select(AuditRow).where(AuditRow.status == 400).order_by(AuditRow.at).limit(10))).scalars()
            rejected = [{"at": str(a.at), "provider": a.provider, "method": a.method, "path": a.path,
                         "targets": a.target_keys, "error": a.error, "response": a.response_summary}
                        for a in bad]
    finally:
        await engine.dispose()
    return {"unsynced": unsynced, "paused_connections": paused, "answered_400": rejected}


def fault_config(args: argparse.Namespace, burst: int, round_: int = 0) -> dict[str, Any]:
    """The sandbox fault settings; each re-arm gets its own seed so the random faults do not replay."""
    return {"latency_ms": args.latency_ms, "error_rate": args.error_rate, "error_status": 503,
            "rate_limit_burst": burst, "retry_after": 1.0, "timeout_rate": args.timeout_rate,
            "timeout_seconds": 2.0, "reset_rate": args.reset_rate, "reset_mid_body_rate": args.reset_mid_body_rate,
            "seed": args.seed + round_}


async def chaos(args: argparse.Namespace, s: Stack, db: Database, admin: SandboxAdmin) -> dict[str, Any]:
    data = Dataset(1, args.n, 3)
    acc = admin.add_merchant(0, shopline_rate_limit=False)
    (mid,) = await setup_merchants(db.url, s.secret_key, [acc], {"shopline": {"rate_per_second": 1000,
                                                                            "bucket_size": 1000}})
    shipments = data.for_merchant(0)
    first_wave = shipments[: args.n // 2]
    await ingest(db.url, mid, first_wave)
    admin.faults_all(**fault_config(args, 0))
    admin.clear_requests()
    env = {"PARCELSYNC_LEASE_SECONDS": str(args.lease_seconds)}
    if args.backoff_cap:
        env["PARCELSYNC_BACKOFF_CAP_S"] = str(args.backoff_cap)
    if args.max_attempts:
        env["PARCELSYNC_MAX_ATTEMPTS"] = str(args.max_attempts)
    workers: list[Service] = [s.worker(db, i, **env) for i in range(args.workers)]
    events: list[str] = []
    t0 = time.monotonic()
    stop = asyncio.Event()

    def log(msg: str) -> None:
        events.append(f"{time.monotonic() - t0:6.1f}s {msg}")

    async def killer() -> None:
        k = 0
        while not stop.is_set():
            await asyncio.sleep(args.kill_every)
            if stop.is_set():
                return
            victim = workers[k % len(workers)]
            await asyncio.to_thread(victim.restart)
            k += 1
            log(f"SIGKILL + restart {victim.name} (#{victim.restarts})")

    faults_off: dict[str, Any] = {}

    async def bursts() -> None:
        round_ = 0
        while not stop.is_set() and not faults_off:
            await asyncio.sleep(args.burst_every)
            if faults_off:
                return
            round_ += 1
            for provider in PROVIDERS:
                await asyncio.to_thread(admin.faults, provider, **fault_config(args, args.burst, round_))

    tasks = [asyncio.create_task(killer()), asyncio.create_task(bursts())]
    poster: Poster | None = None
    pg: dict[str, Any] = {}
    try:
        if args.pg_restart and db.kind == "postgres":
            token = await admin_token(db)
            api = s.api(db)
            poster = Poster(api.url, {"Authorization": f"Bearer {token}", "X-Merchant-Id": mid}, data, 90_000_000,
                            0.1)
            poster.start()
        # second half in waves, then moves, while the workers run and die
        rest = shipments[args.n // 2 :]
        wave = max(1, len(rest) // 5)
        for start in range(0, len(rest), wave):
            await asyncio.sleep(3)
            await ingest(db.url, mid, rest[start : start + wave])
            log(f"ingested wave of {len(rest[start:start + wave])}")
            if poster is not None and not pg and start >= wave * 2:
                started = time.monotonic()
                done = await asyncio.to_thread(subprocess.run, PG_RESTART, capture_output=True, text=True)
                pg = {"exit": done.returncode, "seconds": time.monotonic() - started, "stderr": done.stderr[-500:]}
                log(f"PostgreSQL restarted ({pg['seconds']:.1f} s, exit {done.returncode})")
        moved = []
        for i in range(0, args.n, 3 * max(1, args.n // (3 * args.moves))):
            item = dict(shipments[i])
            target = (i // 3 + 7) % data.groups_per_merchant
            item.update(order_id=f"o_0_{target}", fulfillment_id=f"f_0_{target}", payment_intent_id=f"pi_0_{target}")
            moved.append(item)
        await ingest(db.url, mid, moved)
        log(f"moved {len(moved)} shipments to other orders/intents")
        if poster is not None:
            await asyncio.sleep(2)
            poster.stop_event.set()
            await asyncio.to_thread(poster.join, 15)
            log(f"poster stopped: {dict(poster.statuses)}")
        edits_done = time.monotonic()
        outbox = Outbox(db.url)

        async def quiet(_: Any) -> None:
            """After --faults-for seconds past the last edit: no more faults (the SIGKILLs go on)."""
            if args.faults_for and not faults_off and time.monotonic() - edits_done >= args.faults_for:
                faults_off["at"] = time.monotonic()
                await asyncio.to_thread(admin.faults_all, latency_ms=args.latency_ms)
                faults_off["pending"] = (await outbox.progress()).pending
                log(f"faults off; {faults_off['pending']} target(s) pending")

        _, progress = await outbox.wait_done(timeout_s=args.timeout, on_poll=quiet)
        converged = time.monotonic()
        await outbox.close()
        log(f"converged: {progress.by_state}")
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for w in workers:
        w.stop(grace_s=20)
    admin.faults_all(latency_ms=0)
    counts = admin.call_counts()
    injected = {p: admin.injected(p) for p in PROVIDERS}
    verdict = await verify(db.url, admin, [(mid, acc)])
    left = await leftovers(db)
    left["sandbox_400_requests"] = [
        {"path": r["path"], "body": str(r.get("body"))[:600]}
        for p in PROVIDERS for r in counts[p]["items"] if r["status"] == 400
    ][:10]
    missing = await accepted_missing(db, mid, poster.accepted) if poster else None
    return {
        "n": args.n, "moves": len(moved), "workers": args.workers, "kills": sum(w.restarts for w in workers),
        "time_to_converge_after_edits_s": converged - edits_done, "total_s": converged - t0,
        "final_states": {f"{p}:{st}": n for (p, st), n in progress.by_state.items()},
        "calls": {p: {"total": counts[p]["total"], "by_status": counts[p]["by_status"]} for p in PROVIDERS},
        "injected": injected, "audit": await audit_calls(db), "verdict": vars(verdict),
        "minimum_first_pass": data.minimum_calls(),
        "poster": {"statuses": dict(poster.statuses), "accepted": len(poster.accepted),
                   "accepted_missing": missing} if poster else None,
        "pg_restart": pg or None, "events": events, "leftovers": left,
        "faults_off": {"after_edits_s": faults_off["at"] - edits_done, "pending": faults_off["pending"],
                       "converged_after_s": converged - faults_off["at"]} if faults_off else None,
    }


def report(args: argparse.Namespace, out: dict[str, Any]) -> None:
    v = out["verdict"]
    rows = [[p, out["calls"][p]["total"], out["calls"][p]["by_status"], out["injected"][p]] for p in PROVIDERS]
    retries = sum(c["total"] for c in out["calls"].values()) - sum(out["minimum_first_pass"].values())
    lines = [
        f"{args.n} shipments (half up front, half in 5 waves during the run) + {out['moves']} moved to another "
        f"order/intent mid-run; {args.db}; {args.workers} worker process(es), one SIGKILLed and restarted every "
        f"{args.kill_every:g} s ({out['kills']} kills), lease {args.lease_seconds:g} s, backoff cap "
        f"{args.backoff_cap or 'default'} s, max attempts {args.max_attempts or 'default'}; sandboxes: "
        f"{args.latency_ms:g} ms latency, {args.error_rate:.0%} 503, a {args.burst}-request 429 burst every "
        f"{args.burst_every:g} s, {args.timeout_rate:.0%} of calls hang 2 s then 504, {args.reset_rate:.0%} of "
        f"calls handled and then reset before the answer, {args.reset_mid_body_rate:.0%} closed mid-body; "
        f"seed {args.seed}.",
        "",
        *table(["provider", "calls", "statuses", "faults injected"], rows),
        "",
        f"- **hub vs sandboxes: {v['checked']} targets, lost {v['lost']}, clobbered {v['clobbered']}, "
        f"duplicates {v['duplicates']}, extra {v['extra']}**"
        + (f"; examples: {v['examples']}" if v["examples"] else ""),
        f"- final outbox states: {out['final_states']}",
        "- not synced at the end: " + "; ".join(
            f"{t['provider']} {t['key']} {t['state']} attempts={t['attempts']} next={t['next_attempt_at']} "
            f"reason={t['reason']!r}" for t in out["leftovers"]["unsynced"][:5]) + "; paused connections: "
        + str(out["leftovers"]["paused_connections"]) + "; calls answered 400 (audit): "
        + "; ".join(f"{a['provider']} {a['method']} {a['path']} {a['error']!r}"
                    for a in out["leftovers"]["answered_400"][:5]),
        f"- calls beyond the fault-free minimum of the first pass (retries + resends of moved targets): {retries}; "
        f"audit log rows: {out['audit']}",
        f"- time to converge after the last edit: **{out['time_to_converge_after_edits_s']:.1f} s**; "
        f"whole run {out['total_s']:.1f} s",
    ]
    if out.get("faults_off"):
        off = out["faults_off"]
        lines.append(f"- faults stopped {off['after_edits_s']:.0f} s after the last edit with {off['pending']} "
                     f"target(s) pending; converged **{off['converged_after_s']:.1f} s** later (SIGKILLs continuing)")
    if out["poster"]:
        p, pg = out["poster"], out["pg_restart"] or {}
        lines.append(
            f"- PostgreSQL restart (`{' '.join(PG_RESTART)}`, exit {pg.get('exit')}, {pg.get('seconds', 0):.1f} s) "
            f"during single POSTs every 100 ms: statuses {p['statuses']}; accepted {p['accepted']}, "
            f"accepted but missing afterwards: **{p['accepted_missing']}**"
        )
    lines += ["", "<details><summary>timeline</summary>", "", *[f"    {e}" for e in out["events"]], "", "</details>"]
    path = record("chaos", f"Chaos run ({args.db}, N={args.n})", lines, {"args": vars(args), "result": out})
    sys.stdout.write("\n".join(lines) + f"\n\nraw: {path}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=10.0)
    parser.add_argument("--lease-seconds", type=float, default=15.0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--error-rate", type=float, default=0.2)
    parser.add_argument("--timeout-rate", type=float, default=0.02)
    parser.add_argument("--reset-rate", type=float, default=0.05,
                        help="fraction of calls the sandbox handles, then resets the connection before the answer")
    parser.add_argument("--reset-mid-body-rate", type=float, default=0.03,
                        help="fraction of calls the sandbox handles, then closes in the middle of the body")
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--burst-every", type=float, default=5.0)
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--faults-for", type=float, default=0.0,
                        help="stop injecting faults this many seconds after the last edit (0: never), then measure "
                             "how long convergence takes without them (workers are still SIGKILLed)")
    parser.add_argument("--backoff-cap", type=float, default=0.0,
                        help="PARCELSYNC_BACKOFF_CAP_S for the workers (default: the app's own, 600 s)")
    parser.add_argument("--max-attempts", type=int, default=0,
                        help="PARCELSYNC_MAX_ATTEMPTS for the workers (default: the app's own, 12)")
    parser.add_argument("--pg-restart", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--timeout", type=float, default=900.0, help="give up converging after this many seconds")
    args = parser.parse_args()
    with stack("chaos") as s:
        sandbox = s.sandbox()
        admin = SandboxAdmin(sandbox.url)
        db = s.database(args.db)
        out = asyncio.run(chaos(args, s, db, admin))
        admin.close()
    report(args, out)


if __name__ == "__main__":
    main()
