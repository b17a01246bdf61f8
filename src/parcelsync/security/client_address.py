"""Who is really connecting: forwarded headers count only when they come from a proxy we were told to trust.

uvicorn runs with `proxy_headers=False` (it would otherwise believe `X-Forwarded-For` from anyone on
127.0.0.1), and `ClientAddressMiddleware` puts the address `client_address` computes into the ASGI
scope, so `request.client.host` is right everywhere: login throttling, stored sessions, the tracking
page's lookup limits, logs. The proxies are `PARCELSYNC_TRUSTED_PROXIES` (IPs or CIDRs, default none).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
FORWARDED_FOR = b"x-forwarded-for"
FORWARDED_PROTO = b"x-forwarded-proto"
UNKNOWN = "unknown"


class TrustedProxiesError(ValueError):
    """PARCELSYNC_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR networks."""


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    """The networks whose forwarded headers are believed; empty trusts nobody."""

    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> TrustedProxies:
        networks = []
        for item in (text or "").split(","):
            if item.strip():
                try:
                    networks.append(ipaddress.ip_network(item.strip(), strict=False))
                except ValueError as exc:
                    message = f"PARCELSYNC_TRUSTED_PROXIES: {item.strip()!r} is not an IP address or CIDR network"
                    raise TrustedProxiesError(message) from exc
        return cls(tuple(networks))

    def trusts(self, address: IPAddress | None) -> bool:
        return address is not None and any(address in net for net in self.networks)


def parse_address(text: str) -> IPAddress | None:
    """An IP from a header hop or a peer: `203.0.113.7`, `203.0.113.7:5000`, `[2001:db8::1]:443`, `2001:db8::1`."""
    value = text.strip().strip('"')
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        parsed = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: TrustedProxies) -> str:
    """The client's address: the direct peer, unless it is a trusted proxy; then the right-most
    `X-Forwarded-For` hop that is not a trusted proxy (hops further left were written by the client and
    prove nothing). A malformed hop stops the walk at the last address a trusted proxy vouched for."""
    current = parse_address(peer) if peer else None
    if current is None:
        return peer or UNKNOWN
    if not trusted.trusts(current):
        return str(current)
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break
        current = address
        if not trusted.trusts(address):
            break
    return str(current)


def forwarded_scheme(peer: str | None, forwarded_proto: Iterable[str], trusted: TrustedProxies) -> str | None:
    """`http` or `https` from a trusted proxy's `X-Forwarded-Proto` (its right-most value), else None."""
    if not trusted.trusts(parse_address(peer) if peer else None):
        return None
    values = [v.strip().lower() for value in forwarded_proto for v in value.split(",") if v.strip()]
    return values[-1] if values and values[-1] in ("http", "https") else None


class ClientAddressMiddleware:
    """Rewrites the scope's client (and scheme) from a trusted proxy's forwarded headers; nobody else's."""

    def __init__(self, app: ASGIApp, trusted: TrustedProxies) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted.networks and scope.get("client"):
            host, port = scope["client"]
            headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
            forwarded = [v.decode("latin-1") for k, v in headers if k == FORWARDED_FOR]
            protos = [v.decode("latin-1") for k, v in headers if k == FORWARDED_PROTO]
            client = client_address(host, forwarded, self.trusted)
            scheme = forwarded_scheme(host, protos, self.trusted)
            scope = {**scope, "client": (client, port if client == host else 0), "scheme": scheme or scope["scheme"]}
        await self.app(scope, receive, send)
