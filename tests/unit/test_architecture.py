"""Dependencies point inward (ARCHITECTURE.md): checked on the import statements of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "parcelsync"

# layer -> parcelsync layers it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("db", "providers", "sandbox", "sync", "api", "web", "cli", "commands", "ingest", "security"),
    "providers": ("db", "sandbox", "sync", "api", "web", "cli", "commands", "ingest", "security"),
    "sandbox": ("providers", "db", "sync", "api", "web", "cli", "commands", "ingest", "security"),
    "db": ("api", "web", "cli", "commands", "sandbox"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_inward(layer: str) -> None:
    offenders = []
    for path in _modules(layer):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "parcelsync" and len(parts) > 1 and parts[1] in FORBIDDEN[layer]:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_sandbox_never_imports_the_client_it_emulates() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("sandbox")
        for name in _imports(path)
        if name.startswith("parcelsync.providers")
    ]
    assert offenders == []


def test_domain_is_pure() -> None:
    io_modules = {"httpx", "sqlalchemy", "fastapi", "asyncio", "socket", "requests", "aiosqlite", "asyncpg"}
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("domain")
        for name in _imports(path)
        if name.split(".")[0] in io_modules
    ]
    assert offenders == []
