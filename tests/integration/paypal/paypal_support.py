"""Shared constants and helpers of the PayPal client/sandbox integration tests."""

from __future__ import annotations

import base64

import httpx

BASE_URL = "http://paypal.sandbox"
CLIENT_ID = "AZtestclient000111"
CLIENT_SECRET = "EKtestsecret-shhh-999888777"
ORDER_ID = "9XG87361UH4827419"
CAPTURE_ID = "2GG279541U471931P"
TRANSACTIONS = tuple(f"TXN{i:014d}" for i in range(30))


async def bearer(http: httpx.AsyncClient, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
    """Headers with a fresh access token, as a raw HTTP caller gets one."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = await http.post("/v1/oauth2/token", headers={"Authorization": f"Basic {basic}"},
                             data={"grant_type": "client_credentials"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}", "Content-Type": "application/json"}
