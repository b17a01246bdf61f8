"""Dependencies point inward (ARCHITECTURE.md): checked on the import statements of every module."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from parcelsync.domain.provider import Provider

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "parcelsync"

# layer -> parcelsync layers it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("db", "providers", "sandbox", "sync", "api", "web", "cli", "ingest", "security"),
    "providers": ("db", "sandbox", "sync", "api", "web", "cli", "ingest", "security"),
    "sandbox": ("providers", "connectors", "db", "sync", "api", "web", "cli", "ingest", "security"),
    "connectors": ("db", "sandbox", "sync", "api", "web", "cli", "ingest", "security"),
    "db": ("connectors", "sync", "ingest", "api", "web", "cli", "sandbox"),
    "sync": ("api", "web", "cli", "sandbox"),
    "ingest": ("api", "web", "cli"),
}
# Where a provider may be named: its own folders and the one file declaring the enum.
PROVIDER_FOLDERS = ("providers", "sandbox")
ENUM_FILE = "domain/provider.py"
# Every provider the enum declares, not only the first three.
PROVIDER_NAMED = re.compile(
    rf"""Provider\.({"|".join(p.name for p in Provider)})\b|["']({"|".join(p.value for p in Provider)})["']"""
)


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


def _in_provider_folder(relative: Path) -> bool:
    parts = relative.parts
    if parts[0] in PROVIDER_FOLDERS:
        return True
    return parts[0] == "connectors" and len(parts) > 2  # connectors/<name>/...: that provider's connector


def files_naming_a_provider() -> list[str]:
    """Package files outside the provider folders that name a specific provider (.py, .html, .js)."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in {".py", ".html", ".js"} or not path.is_file():
            continue
        relative = path.relative_to(PACKAGE)
        if _in_provider_folder(relative):
            continue
        if PROVIDER_NAMED.search(path.read_text(encoding="utf-8", errors="replace")):
            found.append(relative.as_posix())
    return found


def test_nothing_outside_the_connectors_names_a_provider() -> None:
    """Generic code asks the connector registry; only the enum's own file spells the providers out."""
    assert [f for f in files_naming_a_provider() if f != ENUM_FILE] == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _load_time_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: top level, inside if/try, not TYPE_CHECKING-only."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            yield from _load_time_imports(node.body)
            yield from _load_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _load_time_imports(block)


def import_graph() -> dict[str, set[str]]:
    """parcelsync module -> the parcelsync modules it imports at load time."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        edges: set[str] = set()
        for node in _load_time_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in paths else node.module
                           for a in node.names]
            else:
                continue
            edges.update(t for t in targets if t in paths and t != name)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles_in_the_package() -> None:
    assert find_cycles(import_graph()) == []


def test_cli_modules_never_import_the_cli_package_back() -> None:
    """`parcelsync.cli` builds the app and registers its modules; they share `parcelsync.cli.support` instead."""
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("cli")
        if path.name != "__init__.py"
        for name in _imports(path)
        if name == "parcelsync.cli"
    ]
    assert offenders == []


def test_the_cli_package_has_no_import_cycle() -> None:
    graph = import_graph()
    cli = {name: {t for t in edges if t.startswith("parcelsync.cli")}
           for name, edges in graph.items() if name == "parcelsync.cli" or name.startswith("parcelsync.cli.")}
    assert len(cli) > 10 and find_cycles(cli) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
