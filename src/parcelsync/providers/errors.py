"""One exception family for every provider.

The sync engine decides what to do from the class alone:

- `Retryable` (network, timeout, 5xx): back off and try again;
- `RateLimited` (429): pause the whole connection until `retry_after`;
- `ConnectionBlocked` (`AuthError`, `QuotaExhausted`, `StoreBlocked`): pause the connection, show
  the reason, never retry blindly;
- `Rejected` (the provider said no to this item, e.g. a bad field): park the target with the
  reason until someone fixes the data and replays it; `NotFound` is a rejection too.

Every error carries the provider name, the HTTP status, the provider's own code and message and,
where known, the offending field. None of them ever carries a credential: messages are built from
response bodies, and `redact()` is applied to anything echoed from a request.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping


class ProviderError(Exception):
    """A provider call failed."""

    def __init__(
        self,
        message: str | None = None,
        *,
        provider: str = "",
        status_code: int | None = None,
        code: str | None = None,
        field: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        self.message = message or (self.__doc__ or "").strip()
        self.provider = provider
        self.status_code = status_code
        self.code = code
        self.field = field
        self.trace_id = trace_id
        super().__init__(self.message)

    @property
    def reason(self) -> str:
        """A short, human-readable reason suitable for a dashboard or a parked target."""
        parts = [self.message]
        if self.field and self.field not in self.message:
            parts.append(f"(field: {self.field})")
        if self.code and self.code not in self.message:
            parts.append(f"[{self.code}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, status_code={self.status_code!r}, "
            f"code={self.code!r}, field={self.field!r}, message={self.message!r})"
        )


class Retryable(ProviderError):
    """The request failed for a passing reason (network, timeout, server error); try again later."""


class RateLimited(Retryable):
    """The provider asked us to slow down."""

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ConnectionBlocked(ProviderError):
    """The provider refuses every call on this connection until a person acts."""


class AuthError(ConnectionBlocked):
    """The provider did not accept the credentials."""


class QuotaExhausted(ConnectionBlocked):
    """The provider account has no quota or balance left."""


class StoreBlocked(ConnectionBlocked):
    """The store is frozen or locked and accepts no changes."""


class Redirected(ConnectionBlocked):
    """The provider answered with a redirect, which parcelsync never follows: check the connection's base URL."""


class Rejected(ProviderError):
    """The provider refused this request or item; retrying the same data will not help."""


class NotFound(Rejected):
    """The provider does not know the resource."""


SECRET_HEADER_NAMES = frozenset(
    {"authorization", "x-api-key", "trackingmore-api-key", "cookie", "set-cookie", "x-shopline-hmac-sha256"}
)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each (non-trivial) secret in `text` with a mask."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict, with credentials masked."""
    return {k: ("***" if k.lower() in SECRET_HEADER_NAMES else v) for k, v in headers}


LONG_SECRET_CHARS = 20
"""Only a secret at least this long shows its last four characters: a shorter one would give away too much."""


def mask(secret: str | None) -> str:
    """A credential as people see it: `••••` plus, for a long secret, its last four characters."""
    if not secret:
        return ""
    return "•" * 4 + secret[-4:] if len(secret) >= LONG_SECRET_CHARS else "•" * 4


def shown_credentials(credentials: Mapping[str, str], public: Collection[str]) -> dict[str, str]:
    """Credentials as shown, sorted by name: the public identifiers in full, every other value masked."""
    return {name: value if name in public else mask(value) for name, value in sorted(credentials.items())}
