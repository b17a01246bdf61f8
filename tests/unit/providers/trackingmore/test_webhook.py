from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.trackingmore.webhook import WebhookVerificationError, parse_webhook, verify_webhook

EMAIL = "ops@merchant.test"
NOW = 1_700_000_000.0


def body(time_str: str = str(int(NOW)), email: str = EMAIL, **data: object) -> dict[str, object]:
    signature = hmac.new(email.encode(), time_str.encode(), hashlib.sha256).hexdigest()
    tracking = {"tracking_number": "UG198768340YP", "carrier_code": "yanwen", "status": "transit", **data}
    return {
        "meta": {"code": 200, "type": "Success", "message": "Success"},
        "data": tracking,
        "verifyInfo": {"timeStr": time_str, "signature": signature},
    }


def test_valid_signature_passes_as_dict_and_bytes() -> None:
    verify_webhook(body(), EMAIL, now=NOW)
    verify_webhook(json.dumps(body()).encode(), EMAIL, now=NOW + 100)


def test_top_level_time_str_and_signature_are_accepted() -> None:
    b = body()
    flat = {**b, **b.pop("verifyInfo")}  # type: ignore[dict-item]
    verify_webhook(flat, EMAIL, now=NOW)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b["verifyInfo"].update(signature="0" * 64),
        lambda b: b["verifyInfo"].update(timeStr=str(int(NOW) + 1)),
        lambda b: b.pop("verifyInfo"),
        lambda b: b["verifyInfo"].update(signature=""),
    ],
)
def test_tampered_or_missing_signature_is_refused(tamper) -> None:  # type: ignore[no-untyped-def]
    b = body()
    tamper(b)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(b, EMAIL, now=NOW)


def test_wrong_account_email_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body(), "someone@else.test", now=NOW)


def test_stale_or_future_time_str_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body(), EMAIL, now=NOW + 301)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body(), EMAIL, now=NOW - 301)
    verify_webhook(body(), EMAIL, now=NOW + 3000, max_age_s=3600)


def test_garbage_body_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        verify_webhook(b"not json", EMAIL, now=NOW)


def test_parse_webhook_returns_the_tracking_update() -> None:
    update = parse_webhook(json.dumps(body(status="pickup", substatus="pickup002")).encode())
    assert update.tracking_number == "UG198768340YP"
    assert update.status is DeliveryStatus.AVAILABLE_FOR_PICKUP
    with pytest.raises(ValueError):
        parse_webhook({"meta": {"code": 200}, "data": {}})


@pytest.mark.parametrize("time_str", ["NaN", "nan", "inf", "-Infinity", "1e400"])
def test_a_time_str_that_is_not_a_finite_number_is_refused_even_when_signed(time_str: str) -> None:
    with pytest.raises(WebhookVerificationError, match="finite"):
        verify_webhook(body(time_str), EMAIL, now=NOW)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body(time_str), EMAIL, now=NOW + 10**9)


def test_the_replay_key_is_the_signed_pair_whatever_the_data() -> None:
    from parcelsync.providers.trackingmore.webhook import replay_key

    assert replay_key(body(status="transit")) == replay_key(body(status="delivered"))
    assert replay_key(body()) != replay_key(body(str(int(NOW) + 1)))
