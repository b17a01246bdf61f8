"""Base URLs: placeholders are checked against the connector and filled from the credentials in one place."""

from __future__ import annotations

import pytest

from parcelsync.connectors import urls
from parcelsync.connectors.record import MissingCredential
from parcelsync.connectors.registry import build_client, connector_for
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connection_input import check_base_url
from parcelsync.ingest.errors import InvalidInput


def test_a_handle_placeholder_is_accepted_where_the_connector_has_a_handle() -> None:
    assert check_base_url("http://127.0.0.1:8100/store/{handle}/", Provider.SHOPLINE, allow_private=True) == (
        "http://127.0.0.1:8100/store/{handle}"
    )
    with pytest.raises(InvalidInput):
        check_base_url("http://127.0.0.1:8100/store/{handle}/", Provider.SHOPLINE)


@pytest.mark.parametrize(
    ("provider", "url"),
    [
        (Provider.USEEPAY, "http://host/{handle}"),  # UseePay has no handle credential
        (Provider.SHOPLINE, "http://host/{access_token}"),  # secrets never go into URLs
        (Provider.SHOPLINE, "http://host/{handle"),  # unbalanced
        (Provider.TRACKINGMORE, "ftp://host/v2"),
        (Provider.TRACKINGMORE, "https://user:secret@host/v2"),  # user info would be stored and shown in clear
    ],
)
def test_a_base_url_the_connector_cannot_use_is_an_error_naming_base_url(provider: Provider, url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_base_url(url, provider)
    assert [e.field for e in caught.value.errors] == ["base_url"]


def test_the_handle_is_filled_when_the_client_is_built() -> None:
    import httpx

    conn = Connection(
        merchant_id="m",
        provider=Provider.SHOPLINE,
        base_url="http://127.0.0.1:8100/shop/{handle}",
        credentials={"handle": "acme store", "access_token": "t"},
        options={},
        enabled=True,
    )
    client = build_client(conn, httpx.AsyncClient())
    assert client.base_url == "http://127.0.0.1:8100/shop/acme%20store"  # type: ignore[attr-defined]
    missing = Connection(
        merchant_id="m",
        provider=Provider.SHOPLINE,
        base_url="http://h/{handle}",
        credentials={"access_token": "t"},
        options={},
        enabled=True,
    )
    with pytest.raises(MissingCredential):
        build_client(missing, httpx.AsyncClient())


def test_production_url_is_filled_from_the_credentials() -> None:
    shopline = connector_for(Provider.SHOPLINE)
    assert urls.production_url(shopline, {"handle": "acme"}) == "https://acme.myshopline.com"
