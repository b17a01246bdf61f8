"""Launch and measure the processes a benchmark needs: sandbox, API, workers, all on free loopback ports.

Every child is started in its own session and stopped by its own pid (SIGTERM, then SIGKILL);
databases are temporary (a SQLite file in a temp dir, or a fresh PostgreSQL database dropped
at the end). Nothing listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PARCELSYNC = VENV_BIN / "parcelsync"
PG_ADMIN_DSN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@functools.cache
class RssSampler:
    """Samples the resident set size of a process (and its children) in a thread; keeps the peak."""

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.peak = 0
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self) -> int:
        try:
            proc = psutil.Process(self.pid)
            family = [proc, *proc.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in family)
            self.cpu_s = max(self.cpu_s, sum(p.cpu_times().user + p.cpu_times().system for p in family))
        except psutil.Error:
            return self.peak
        self.peak = max(self.peak, rss)
        return rss

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=2)
        return self.peak


@dataclass
class Service:
    """One child process: its argv, log file, port (if it serves HTTP) and RSS sampler."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int | None = None
    proc: subprocess.Popen[bytes] | None = None
    sampler: RssSampler | None = None
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Service:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )
        log.close()
        if self.sampler is not None:
            self.sampler.stop()
        self.sampler = RssSampler(self.proc.pid)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL this child (and only its own process group)."""
        if self.alive():
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self, grace_s: float = 10.0) -> None:
        if self.sampler is not None:
            self.sampler.stop()
        if not self.alive():
            return
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self) -> None:
        self.kill()
        self.restarts += 1
        self.start()

    def wait_http(self, path: str = "/", timeout_s: float = 60.0) -> None:
        """Block until the service answers anything on `path` (any status), or fail with its log tail."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.tail()}")
            try:
                httpx.get(self.url + path, timeout=1.0)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise TimeoutError(f"{self.name} did not answer on {self.url}{path} within {timeout_s}s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Database:
    """A temporary database: a SQLite file or a fresh PostgreSQL database (dropped on close)."""

    kind: str
    url: str
    name: str = ""
    workdir: Path | None = None

    @property
    def sync_dsn(self) -> str:
        """A plain libpq/asyncpg DSN (PostgreSQL only)."""
        return self.url.replace("postgresql+asyncpg://", "postgresql://")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(kind: str, workdir: Path, label: str) -> Database:
    if kind == "sqlite":
        path = workdir / f"{label}.db"
        return Database("sqlite", f"sqlite+aiosqlite:///{path}", str(path), workdir)
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}")
    name = f"bench_{label}_{os.getpid()}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return Database("postgres", f"{base}/{name}", name, workdir)


def drop_database(db: Database) -> None:
    if db.kind == "postgres":
        with contextlib.suppress(Exception):
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)'))


def migrate(db: Database) -> None:
    from parcelsync.db.migrate import upgrade_sync

    upgrade_sync(db.url)


@dataclass
class Stack:
    """The processes and temp resources of one benchmark run; `close()` stops and removes all of them."""

    label: str
    keep: bool = False
    workdir: Path = field(init=False)
    secret_key: str = field(init=False)
    services: list[Service] = field(default_factory=list)
    databases: list[Database] = field(default_factory=list)

    def __post_init__(self) -> None:
        from cryptography.fernet import Fernet

        self.workdir = Path(tempfile.mkdtemp(prefix=f"parcelsync-bench-{self.label}-"))
        self.secret_key = Fernet.generate_key().decode()

    def database(self, kind: str, label: str = "hub") -> Database:
        """A migrated temporary database (call outside a running event loop)."""
        db = create_database(kind, self.workdir, label)
        self.databases.append(db)
        migrate(db)
        return db

    def env(self, db: Database | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELSYNC_")}
        env.update(
            PARCELSYNC_SECRET_KEY=self.secret_key,
            PARCELSYNC_LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            PARCELSYNC_LOG_FORMAT="json",
            PYTHONUNBUFFERED="1",
        )
        if db is not None:
            env["PARCELSYNC_DATABASE_URL"] = db.url
        env.update(extra)
        return env

    def spawn(self, name: str, argv: Sequence[str], env: dict[str, str], port: int | None = None) -> Service:
        service = Service(name, list(argv), env, self.workdir / f"{name}.log", port)
        self.services.append(service)
        return service.start()

    def sandbox(self, port: int | None = None) -> Service:
        """`parcelsync sandbox --port P`: the three sandboxes in their own process."""
        port = port or free_port()
        argv = [str(PARCELSYNC), "sandbox", "--port", str(port)]
        service = self.spawn("sandbox", argv, self.env(), port)
        service.wait_http("/useepay/_sandbox/faults")
        return service

    def api(self, db: Database, port: int | None = None) -> Service:
        port = port or free_port()
        argv = [str(PARCELSYNC), "serve", "--host", HOST, "--port", str(port)]
        service = self.spawn(f"api-{port}", argv, self.env(db), port)
        service.wait_http("/healthz")
        return service

    def worker(self, db: Database, index: int = 0, **extra: str) -> Service:
        """`parcelsync worker` in its own process."""
        return self.spawn(f"worker-{index}", [str(PARCELSYNC), "worker"], self.env(db, **extra))

    def close(self) -> None:
        for service in reversed(self.services):
            service.stop()
        for db in self.databases:
            drop_database(db)
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def stack(label: str, *, keep: bool = False) -> Iterator[Stack]:
    s = Stack(label, keep=keep)
    try:
        yield s
    finally:
        s.close()


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def mib(nbytes: int) -> float:
    return nbytes / (1024 * 1024)
