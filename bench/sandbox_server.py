"""Stand-in for `parcelsync sandbox` until that command lands: the three sandboxes on one loopback port.

Serves `parcelsync.sandbox.server.create_app()` (/useepay, /shopline/{handle}, /trackingmore/v2,
admin routes under `<prefix>/_sandbox/...`) with uvicorn, as the CLI command will.
"""

from __future__ import annotations

import argparse

import uvicorn

from parcelsync.sandbox.server import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
