"""The `parcelsync` command line (Typer): builds `app` and registers every command and group, here and only here.

One module per command group, all sharing `parcelsync.cli.support`. A command module never imports this package
back, so there is no cycle; a new command is a new module plus its line below. Registration order is the order
`parcelsync --help` lists them in.
"""

from __future__ import annotations

import typer

from parcelsync.cli import (
    audit,
    connections,
    csv_import,
    db,
    demo,
    keys,
    merchants,
    payments,
    reconcile,
    retry,
    sandbox,
    serve,
    shipments,
    store_inbound,
    sync,
    tokens,
    users,
    webhooks,
    worker,
)

app = typer.Typer(name="parcelsync", help="Keep parcel tracking numbers in sync.", no_args_is_help=True)

app.command()(serve.serve)
app.command("import")(csv_import.import_command)
app.command()(demo.demo)
app.command()(payments.evidence)
app.command()(reconcile.reconcile)
app.command()(retry.retry)
app.command()(sandbox.sandbox)
app.command()(worker.worker)

app.add_typer(db.db_app, name="db")
app.add_typer(merchants.merchants_app, name="merchants")
app.add_typer(connections.connections_app, name="connections")
app.add_typer(shipments.shipments_app, name="shipments")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(payments.payments_app, name="payments")
for _name, _group in store_inbound.store_groups():
    app.add_typer(_group, name=_name)
app.add_typer(sync.sync_app, name="sync")
app.add_typer(tokens.tokens_app, name="tokens")
app.add_typer(users.users_app, name="users")
app.add_typer(webhooks.webhooks_app, name="webhooks")

__all__ = ["app"]
