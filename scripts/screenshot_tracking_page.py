"""Make docs/tracking-page.png, the README's screenshot of the buyer tracking page (rerun it after a change).

    .venv/bin/python scripts/screenshot_tracking_page.py [--out docs/tracking-page.png] [--lang en]

Starts the sample server (tests/e2e/tracking_server.py: the real app on a throwaway SQLite file with the
sample order), opens the order page in headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM=path)
and saves a full-page PNG.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "tracking-page.png"))
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.tracking_server", "--port", str(port), "--db", f"{tmp}/shot.db"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            _, merchant, token = server.stdout.readline().split()
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                    args=["--no-sandbox", "--disable-gpu"],
                )
                context = browser.new_context(
                    viewport={"width": 900, "height": 900}, device_scale_factor=1, timezone_id="America/New_York"
                )
                page = context.new_page()
                page.goto(f"{base}/track/{merchant}/{token}?lang={args.lang}")
                page.wait_for_function("document.body.dataset.zone === 'America/New_York'")
                page.wait_for_load_state("networkidle")
                Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=args.out, full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
