"""Run the UseePay sandbox standalone: `python -m parcelsync.sandbox.useepay --port 8101`."""

from __future__ import annotations

import argparse

import uvicorn

from parcelsync.sandbox.sockets import with_socket_control
from parcelsync.sandbox.useepay.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="UseePay trackers API sandbox (seeded with the docs' demo merchant)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()
    served = with_socket_control(create_app())
    uvicorn.run(served, host=args.host, port=args.port, log_level="warning", proxy_headers=False)


if __name__ == "__main__":
    main()
