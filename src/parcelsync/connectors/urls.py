"""Base URLs: the one place a connection's `base_url` is checked and its `{handle}` placeholder filled.

A base URL may name a placeholder only when the connector has a credential of that name
(`{handle}`: SHOPLINE's store handle, as in `https://{handle}.myshopline.com`). The stored URL
keeps the placeholder; it is filled each time a client is built, so a changed handle is used
at once.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import quote, urlsplit

from parcelsync.connectors.record import Connector, MissingCredential
from parcelsync.domain.models import Connection

PLACEHOLDERS = ("handle",)
"""Credential names a base URL may contain as `{name}` (not secrets); filled URL-quoted."""

MAX_URL_CHARS = 500


class UnusableBaseUrl(ValueError):
    """The base URL cannot be used by this connector."""


def placeholders(url: str) -> set[str]:
    """The `{name}` fields of a URL template; raises UnusableBaseUrl when its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(url) if name is not None}
    except ValueError as exc:
        raise UnusableBaseUrl(f"unbalanced braces: {exc}") from None


def check_base_url_shape(value: str) -> str:
    """The URL without a trailing slash, when it is http(s) and short enough."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(value) > MAX_URL_CHARS:
        raise UnusableBaseUrl(f"must be an http or https URL of at most {MAX_URL_CHARS} characters")
    return value.rstrip("/")


def check_base_url(connector: Connector, value: str) -> str:
    """The URL without a trailing slash, when it is http(s) and names only placeholders this connector fills."""
    check_base_url_shape(value)
    allowed = {p for p in PLACEHOLDERS if p in connector.credentials.model_fields}
    for name in sorted(placeholders(value)):
        if name not in allowed:
            fills = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
            raise UnusableBaseUrl(f"{{{name}}} cannot be filled for {connector.name} (placeholders it fills: {fills})")
    return value.rstrip("/")


def fill(template: str, credentials: Mapping[str, str]) -> str:
    """The URL with each placeholder replaced by its (quoted) credential."""
    url = template
    for name in placeholders(template):
        value = credentials.get(name)
        if not value:
            raise MissingCredential(f"the base URL needs the {name!r} credential")
        url = url.replace(f"{{{name}}}", quote(value, safe=""))
    return url


def production_url(connector: Connector, credentials: Mapping[str, str]) -> str:
    """The connector's production URL; a placeholder is filled now when its credential is given."""
    template = connector.production_url
    if all(credentials.get(name) for name in placeholders(template)):
        return fill(template, credentials)
    return template


def resolved(connection: Connection) -> Connection:
    """The connection with its base URL's placeholders filled, ready for a client."""
    if "{" not in connection.base_url:
        return connection
    return replace(connection, base_url=fill(connection.base_url, connection.credentials))
