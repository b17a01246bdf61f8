"""What each provider's connection needs: credential names (write-only) and options (validated, defaulted)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from parcelsync.domain.provider import Provider
from parcelsync.ingest.errors import FieldError, InvalidInput, pydantic_field_errors

REQUIRED_CREDENTIALS: dict[Provider, tuple[str, ...]] = {
    Provider.USEEPAY: ("merchant_no", "app_id", "api_key"),
    Provider.SHOPLINE: ("handle", "access_token"),
    Provider.TRACKINGMORE: ("api_key",),
}
OPTIONAL_CREDENTIALS: dict[Provider, tuple[str, ...]] = {
    Provider.USEEPAY: (),
    Provider.SHOPLINE: ("app_secret",),
    Provider.TRACKINGMORE: ("account_email",),
}
MAX_CREDENTIAL_CHARS = 2000


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UseePayOptions(_Options):
    api_version: str = Field(default="2024-08", pattern=r"^\d{4}-\d{2}$")


class ShoplineOptions(_Options):
    api_version: Literal["v20250601", "v20260301"] = "v20260301"
    notify_customer: bool = False
    rate_per_second: float | None = Field(default=None, gt=0, description="client bucket rate (default 4/s)")
    bucket_size: int | None = Field(default=None, ge=1, description="client bucket size (default 40)")


class TrackingMoreOptions(_Options):
    webhooks: bool = Field(default=True, description="false: the worker polls /trackings/get instead")


OPTION_MODELS: dict[Provider, type[_Options]] = {
    Provider.USEEPAY: UseePayOptions,
    Provider.SHOPLINE: ShoplineOptions,
    Provider.TRACKINGMORE: TrackingMoreOptions,
}


def check_credentials(provider: Provider, credentials: Mapping[str, Any], *, complete: bool) -> dict[str, str]:
    """Known names only, non-empty strings; with `complete`, every required name present."""
    required = REQUIRED_CREDENTIALS[provider]
    allowed = set(required) | set(OPTIONAL_CREDENTIALS[provider])
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
        model = OPTION_MODELS[provider].model_validate(dict(options))
    except ValidationError as exc:
        raise InvalidInput(pydantic_field_errors(exc.errors(), prefix="options", whole="options")) from None
    return model.model_dump(exclude_unset=not fill_defaults)


def check_base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(value) > 500:
        raise InvalidInput([FieldError("base_url", "must be an http or https URL of at most 500 characters")])
    return value.rstrip("/")
