"""The typed models accept the seeds' examples, their quirks and unknown fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from parcelsync.providers.shopline.schemas import (
    Fulfillment,
    UpdateTrackingRequestV20250601,
    UpdateTrackingRequestV20260301,
)

FIXTURES = Path(__file__).parents[3] / "fixtures" / "shopline"


def _load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_seed_requests_validate() -> None:
    old = UpdateTrackingRequestV20250601.model_validate(_load("v20250601_request.json"))
    assert old.fulfillment.tracking_info is not None
    assert old.fulfillment.tracking_info.company == '"4PX"'
    new = UpdateTrackingRequestV20260301.model_validate(_load("v20260301_request.json"))
    assert new.fulfillment.notify_customer is True
    assert [i.tracking_number for i in new.fulfillment.tracking_info_list or []] == ["UG15439033"]
    explorer = UpdateTrackingRequestV20260301.model_validate(_load("v20260301_explorer_request.json"))
    assert explorer.fulfillment.notify_customer is None


def test_request_list_is_capped_at_ten_and_needs_numbers() -> None:
    items = [{"tracking_number": str(i)} for i in range(11)]
    with pytest.raises(ValidationError):
        UpdateTrackingRequestV20260301.model_validate({"fulfillment": {"tracking_info_list": items}})
    with pytest.raises(ValidationError):
        UpdateTrackingRequestV20260301.model_validate({"fulfillment": {"tracking_info_list": [{"tracking_url": "u"}]}})


def test_fulfillment_tolerates_extra_fields_and_numeric_ids() -> None:
    parsed = Fulfillment.model_validate(
        {
            "id": 4005740193290131085320,
            "new_field": {"a": 1},
            "line_items": [{"id": 466157049, "tax_lines": [{"price": "10.00", "rate": "1.00"}], "grams": 10.5}],
            "status": "success-shipped",
            "created_at": "fulfillment",
        }
    )
    assert parsed.id == "4005740193290131085320"
    assert parsed.line_items[0].id == "466157049"
    assert parsed.line_items[0].tax_lines[0].price == "10.00"
    assert parsed.model_extra == {"new_field": {"a": 1}}
    assert parsed.tracking_info_list is None
