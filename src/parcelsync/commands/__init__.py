"""CLI extensions: every module in this package is imported by `parcelsync.cli` and registers its commands.

A module adds commands with `from parcelsync.cli import app` and then `@app.command()` or
`app.add_typer(sub_app, name="...")`; nothing else needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
