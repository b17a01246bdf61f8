"""Record a benchmark run: machine, date, exact command and numbers, appended to bench/RESULTS.md.

The raw numbers of every run also go to bench/results/<name>-<timestamp>.json.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
RESULTS_MD = BENCH / "RESULTS.md"
RAW_DIR = BENCH / "results"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.strip()
    total = psutil.virtual_memory().total
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_total_gib": round(total / 2**30, 1),
        "free_h": free,
        "python": platform.python_version(),
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
    }


def command_line() -> str:
    """The command as typed from the repository root."""
    argv = sys.argv[:]
    module = Path(argv[0])
    if module.suffix == ".py" and module.parent.name == "bench":
        argv[0:1] = ["-m", f"bench.{module.stem}"]
    return ".venv/bin/python " + " ".join(shlex.quote(a) for a in argv)


def _git_head() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH,
                          check=False)
    return done.stdout.strip() or "unknown"


def record(name: str, title: str, lines: list[str], raw: dict[str, Any]) -> Path:
    """Append a section to RESULTS.md and write the raw JSON; returns the JSON path."""
    now = datetime.now(UTC)
    info = machine()
    RAW_DIR.mkdir(exist_ok=True)
    raw_path = RAW_DIR / f"{name}-{now:%Y%m%dT%H%M%SZ}.json"
    payload = {"name": name, "date": now.isoformat(timespec="seconds"), "command": command_line(),
               "git_head": _git_head(), "machine": info, **raw}
    raw_path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    section = [
        f"## {title}",
        "",
        f"- date: {now:%Y-%m-%d %H:%M} UTC, commit {payload['git_head']}",
        f"- machine: {info['nproc']} cores ({info['cpu_model']}), {info['memory_total_gib']} GiB RAM, "
        f"Python {info['python']}; load average at the end (1/5/15 min) {info['loadavg_1_5_15']} "
        "(the machine is shared with other sessions' test runs)",
        f"- command: `{payload['command']}`",
        f"- raw: `bench/results/{raw_path.name}`",
        "",
        *lines,
        "",
    ]
    if not RESULTS_MD.exists():
        RESULTS_MD.write_text("# Benchmark results\n\nEvery section is one run, appended by the script itself.\n\n")
    with RESULTS_MD.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(section) + "\n")
    return raw_path


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out
