"""The destinations parcelsync keeps in sync, and the kind of each (store, payment gateway, tracking provider)."""

from __future__ import annotations

from enum import StrEnum


class Provider(StrEnum):
    """A destination API a merchant can connect."""

    USEEPAY = "useepay"
    SHOPLINE = "shopline"
    TRACKINGMORE = "trackingmore"


class ProviderKind(StrEnum):
    """What a provider is to the merchant; generic code asks the kind, never the name."""

    STORE = "store"
    PAYMENT_GATEWAY = "payment_gateway"
    TRACKING_PROVIDER = "tracking_provider"


KINDS: dict[Provider, ProviderKind] = {
    Provider.USEEPAY: ProviderKind.PAYMENT_GATEWAY,
    Provider.SHOPLINE: ProviderKind.STORE,
    Provider.TRACKINGMORE: ProviderKind.TRACKING_PROVIDER,
}


def kind_of(provider: str) -> ProviderKind | None:
    """The kind of a provider by its name; None for a name parcelsync does not know."""
    try:
        return KINDS[Provider(provider)]
    except ValueError:
        return None


def providers_of_kind(kind: ProviderKind) -> tuple[Provider, ...]:
    return tuple(p for p, k in KINDS.items() if k is kind)
