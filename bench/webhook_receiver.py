"""The benchmark's webhook receiver: three endpoints (/a, /b, /c) on one loopback port.

Verifies every delivery's Standard Webhooks signature (with `standardwebhooks`), notes when each
webhook-id first arrived per endpoint, and writes what it saw as JSON to --out on SIGTERM.
Run by bench/webhooks.py, not by hand: `python -m bench.webhook_receiver --port P --out F` with the
three secrets in BENCH_SECRET_A/B/C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PATHS = ("a", "b", "c")


def build(out: str) -> Any:
    hooks = {p: Webhook(os.environ[f"BENCH_SECRET_{p.upper()}"]) for p in PATHS}
    first: dict[str, dict[str, float]] = {p: {} for p in PATHS}
    counts = {"requests": 0, "duplicates": 0, "bad_signature": 0}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    data = json.dumps({"first": first, "counts": counts})
                    await asyncio.to_thread(Path(out).write_text, data)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        path = scope["path"].strip("/")
        status = 200
        if scope["method"] == "GET":
            total = sum(len(v) for v in first.values())
            payload = json.dumps({"unique": total, **counts}).encode()
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": payload})
            return
        now = time.time()
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        counts["requests"] += 1
        if path not in hooks:
            status = 404
        else:
            try:
                hooks[path].verify(body, headers, json_parse=False)
            except WebhookVerificationError:
                counts["bad_signature"] += 1
                status = 401
            else:
                seen = first[path]
                webhook_id = headers["webhook-id"]
                if webhook_id in seen:
                    counts["duplicates"] += 1
                else:
                    seen[webhook_id] = now
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    uvicorn.run(build(args.out), host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="on")


if __name__ == "__main__":
    main()
