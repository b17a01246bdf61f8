"""Masking (the tail only of long secrets) and the one rule for provider redirects: never followed."""

from __future__ import annotations

import httpx
import pytest

from parcelsync.providers.errors import ConnectionBlocked, Redirected, mask, shown_credentials
from parcelsync.providers.http import default_client, send

pytestmark = pytest.mark.anyio


def test_a_short_secret_is_masked_whole_a_long_one_shows_its_last_four() -> None:
    assert mask("") == ""
    assert mask("app12345") == "••••"
    assert mask("x" * 19) == "••••"
    assert mask("0123456789abcdefWXYZ") == "••••WXYZ"


def test_public_identifiers_are_shown_in_full() -> None:
    shown = shown_credentials({"merchant_no": "500000123", "app_id": "shopapp1"}, public=("merchant_no",))
    assert shown == {"app_id": "••••", "merchant_no": "500000123"}


async def test_a_redirect_is_an_error_naming_its_target_host_and_is_not_followed() -> None:
    followed: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "evil.example":
            followed.append(str(request.url))
            return httpx.Response(200)
        return httpx.Response(302, headers={"Location": "https://evil.example/steal?token=abc"})

    async with default_client(transport=httpx.MockTransport(answer)) as client:
        assert client.follow_redirects is False
        with pytest.raises(Redirected) as caught:
            await send(client, client.build_request("GET", "https://api.provider.example/v2/x"), provider="p")
    assert isinstance(caught.value, ConnectionBlocked)
    assert "evil.example" in str(caught.value) and "token" not in str(caught.value)
    assert caught.value.status_code == 302
    assert followed == []
