"""What each provider's connection needs, read from its connector: credential names (write-only) and options.

The connector's `credentials` model names the required and optional credentials; its
`options` model validates options and fills their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from parcelsync.connectors import urls
from parcelsync.connectors.registry import connector_for
from parcelsync.domain.provider import Provider
from parcelsync.ingest.errors import FieldError, InvalidInput, pydantic_field_errors
from parcelsync.ingest.text import UnacceptableText, check_text
from parcelsync.outbound import ssrf

MAX_CREDENTIAL_CHARS = 2000


def _unacceptable(value: str) -> str | None:
    try:
        check_text(value)
    except UnacceptableText as exc:
        return str(exc)
    return None


def check_credentials(provider: Provider, credentials: Mapping[str, Any], *, complete: bool) -> dict[str, str]:
    """Known names only, non-empty strings; with `complete`, every required name present."""
    connector = connector_for(provider)
    required = connector.required_credentials()
    allowed = set(required) | set(connector.optional_credentials())
    errors: list[FieldError] = []
    clean: dict[str, str] = {}
    for name, value in credentials.items():
        field = f"credentials.{name}"
        if name not in allowed:
            errors.append(FieldError(field, f"unknown credential for {provider.value}; expected {sorted(allowed)}"))
        elif not isinstance(value, str) or not value.strip():
            errors.append(FieldError(field, "must be a non-empty string"))
        elif len(value) > MAX_CREDENTIAL_CHARS:
            errors.append(FieldError(field, f"at most {MAX_CREDENTIAL_CHARS} characters"))
        elif (unacceptable := _unacceptable(value)) is not None:
            errors.append(FieldError(field, unacceptable))
        else:
            clean[name] = value.strip()
    if complete:
        errors.extend(FieldError(f"credentials.{n}", "required") for n in required if n not in credentials)
    if errors:
        raise InvalidInput(errors)
    return clean


def check_options(provider: Provider, options: Mapping[str, Any], *, fill_defaults: bool) -> dict[str, Any]:
    """The provider's options, validated; with `fill_defaults` the unset ones get their defaults."""
    try:
        model = connector_for(provider).options.model_validate(dict(options))
    except ValidationError as exc:
        raise InvalidInput(pydantic_field_errors(exc.errors(), prefix="options", whole="options")) from None
    return model.model_dump(exclude_unset=not fill_defaults)


def check_base_url(value: str, provider: Provider | None = None, *, allow_private: bool = False) -> str:
    """An http(s) URL of at most 500 characters; with a provider, one whose placeholders its connector fills.

    Never with user info (it would be stored and shown in clear); a loopback, private or link-local
    host (an IP literal or `localhost`) only when `allow_private` (`PARCELSYNC_ALLOW_PRIVATE_BASE_URLS`):
    otherwise any admin could point the worker at the hub's own network. The same rules as outbound
    webhook URLs (`outbound.ssrf`).
    """
    try:
        if provider is None:
            clean = urls.check_base_url_shape(value)
        else:
            clean = urls.check_base_url(connector_for(provider), value)
        ssrf.check_url(clean, allow_private=allow_private)
    except (urls.UnusableBaseUrl, ssrf.UnsafeUrl) as exc:
        raise InvalidInput([FieldError("base_url", str(exc))]) from None
    return clean
