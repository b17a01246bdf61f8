"""Uploaded CSV files: spooled to disk, checked (a dry run), then imported on confirmation, with progress.

An upload is written to a private temporary directory in chunks (never held in memory whole).
Both the check and the import run in the background through the spine's `ingest.csv_import`,
reporting rows done; the page polls the job. Jobs live in this process only.
"""

from __future__ import annotations

import asyncio
import csv
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.base import utcnow
from parcelsync.ingest.csv_import import CsvFormatError, ImportReport, import_csv

JobState = Literal["checking", "checked", "importing", "done", "failed"]
MAX_JOBS = 50
PREVIEW_ROWS = 10
PREVIEW_CELL_CHARS = 80


@dataclass
class ImportJob:
    """One uploaded file: its preview, the dry-run check, and once confirmed the import's progress."""

    id: str
    merchant_id: str
    filename: str
    path: Path
    size: int
    estimated_rows: int
    state: JobState = "checking"
    processed: int = 0
    header: list[str] = field(default_factory=list)
    preview: list[tuple[int, list[str]]] = field(default_factory=list)
    check: ImportReport | None = None
    result: ImportReport | None = None
    error: str | None = None
    created_at: float = field(default_factory=lambda: utcnow().timestamp())

    @property
    def busy(self) -> bool:
        return self.state in ("checking", "importing")

    @property
    def total(self) -> int:
        return self.check.rows if self.check is not None and self.state != "checking" else self.estimated_rows

    @property
    def percent(self) -> int:
        if not self.busy:
            return 100
        return min(99, int(self.processed * 100 / self.total)) if self.total else 0


def read_preview(path: Path, rows: int = PREVIEW_ROWS) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the first `rows` rows with their line numbers, cells shortened for display."""
    header: list[str] = []
    preview: list[tuple[int, list[str]]] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        for record in reader:
            cells = [c if len(c) <= PREVIEW_CELL_CHARS else c[: PREVIEW_CELL_CHARS - 1] + "…" for c in record]
            if not header:
                header = cells
            else:
                preview.append((reader.line_num, cells))
            if len(preview) >= rows:
                break
    return header, preview


class ImportJobs:
    """In-process registry of uploads, keyed by an unguessable id and scoped by merchant."""

    def __init__(self, directory: Path | None = None) -> None:
        self._dir = directory
        self._jobs: dict[str, ImportJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def new_path(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="parcelsync-imports-"))
        return self._dir / f"{secrets.token_hex(12)}.csv"

    def add(self, merchant_id: str, filename: str, path: Path, size: int, lines: int) -> ImportJob:
        self._evict()
        job = ImportJob(secrets.token_urlsafe(16), merchant_id, filename, path, size, max(0, lines - 1))
        self._jobs[job.id] = job
        return job

    def get(self, job_id: str, merchant_id: str) -> ImportJob | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.merchant_id == merchant_id else None

    def check(self, job: ImportJob, sessions: async_sessionmaker[AsyncSession], **limits: int) -> None:
        """Start the dry run: every row validated, nothing written."""
        job.state, job.processed = "checking", 0

        async def run() -> None:
            job.header, job.preview = read_preview(job.path)
            job.check = await self._run(job, sessions, dry_run=True, **limits)
            job.state = "checked"

        self._spawn(job, run)

    def confirm(self, job: ImportJob, sessions: async_sessionmaker[AsyncSession], **limits: int) -> bool:
        """Start the real import of a checked file; False when it is not in the `checked` state."""
        if job.state != "checked":
            return False
        job.state, job.processed = "importing", 0

        async def run() -> None:
            try:
                job.result = await self._run(job, sessions, dry_run=False, **limits)
                job.state = "done"
            finally:
                job.path.unlink(missing_ok=True)

        self._spawn(job, run)
        return True

    @staticmethod
    async def _run(
        job: ImportJob, sessions: async_sessionmaker[AsyncSession], *, dry_run: bool, **limits: int
    ) -> ImportReport:
        def progress(rows: int) -> None:
            job.processed = rows

        with job.path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
            return await import_csv(stream, sessions, job.merchant_id, dry_run=dry_run, progress=progress, **limits)

    def _spawn(self, job: ImportJob, body: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            try:
                await body()
            except CsvFormatError as exc:
                job.state, job.error = "failed", str(exc)
            except Exception as exc:
                job.state, job.error = "failed", f"the import stopped: {type(exc).__name__}"

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _evict(self) -> None:
        """Forget the oldest idle uploads beyond MAX_JOBS (and delete their files)."""
        idle = sorted((j for j in self._jobs.values() if not j.busy), key=lambda j: j.created_at)
        for job in idle[: max(0, len(self._jobs) - MAX_JOBS + 1)]:
            job.path.unlink(missing_ok=True)
            del self._jobs[job.id]
