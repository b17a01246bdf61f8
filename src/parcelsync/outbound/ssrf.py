"""Where an outbound webhook may go: http(s) only, and no loopback, private, link-local or otherwise
internal address unless the admin setting `PARCELSYNC_WEBHOOK_ALLOW_PRIVATE_URLS` allows it.

The URL is checked when an endpoint is saved and its host's addresses again before every delivery
(a name that resolved to a public address yesterday may point inside the network today).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_CHARS = 2048


class UnsafeUrl(ValueError):
    """The webhook URL is not allowed."""


def _blocked(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL if its form is acceptable (scheme, host, no credentials, and no internal IP literal)."""
    if len(url) > MAX_URL_CHARS:
        raise UnsafeUrl(f"must be at most {MAX_URL_CHARS} characters")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeUrl("must be an http or https URL")
    if not parts.hostname:
        raise UnsafeUrl("must name a host")
    if parts.username or parts.password:
        raise UnsafeUrl("must not carry credentials")
    try:
        _ = parts.port
    except ValueError:
        raise UnsafeUrl("has an invalid port") from None
    if not allow_private:
        host = parts.hostname
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise UnsafeUrl("points at a loopback or internal host")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None and _blocked(literal):
            raise UnsafeUrl("points at a loopback, private or link-local address")
    return url


async def check_resolved(url: str, *, allow_private: bool) -> None:
    """Before a delivery: every address the host resolves to must be public (unless allowed)."""
    check_url(url, allow_private=allow_private)
    if allow_private:
        return
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeUrl(f"host does not resolve: {exc.strerror or exc}") from None
    for info in infos:
        if _blocked(ipaddress.ip_address(info[4][0])):
            raise UnsafeUrl("resolves to a loopback, private or link-local address")
