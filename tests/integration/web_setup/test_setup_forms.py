"""First run, merchants, connection forms and carrier overrides through the dashboard, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.integration.web_setup.conftest import Setup

from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.connections import get_connection_row
from parcelsync.db.tables import MerchantRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.schema import ShipmentIn
from parcelsync.ingest.service import upsert_shipments

pytestmark = pytest.mark.anyio
HX = {"HX-Request": "true"}
OVERRIDE = "/dashboard/carriers/override"


async def _store(s: Setup, merchant_id: str = "shop1", name: str = "Shop One") -> None:
    created = await s.post("/dashboard/setup/store", {"name": name, "id": merchant_id})
    assert created.status_code == 303, created.text
    assert created.headers["location"] == f"/dashboard/setup/providers?merchant={merchant_id}"


def _useepay_form(s: Setup, **extra: str) -> dict[str, str]:
    creds = s.accounts.credentials(Provider.USEEPAY)
    return {
        **{f"credentials.{k}": v for k, v in creds.items()},
        "base_url": s.urls.useepay, "options.api_version": "2024-08", "enabled": "on", **extra,
    }


async def test_first_run_goes_store_then_providers_then_import(setup: Setup) -> None:
    s = setup
    home = await s.client.get("/dashboard/")
    assert home.status_code == 303 and home.headers["location"] == "/dashboard/setup/store"
    page = await s.client.get("/dashboard/setup/store")
    assert "Create your first store" in page.text
    await _store(s)
    providers = await s.client.get("/dashboard/setup/providers?merchant=shop1")
    assert "Connect your providers" in providers.text
    assert "/dashboard/connections/trackingmore/form?next=setup" in providers.text
    assert 'href="/dashboard/import"' in providers.text
    imports = await s.client.get("/dashboard/import")
    assert 'aria-current="step">Import shipments' in imports.text
    overview = await s.client.get("/dashboard/")
    assert overview.status_code == 200


async def test_a_store_form_names_the_bad_field(setup: Setup) -> None:
    bad = await setup.post("/dashboard/setup/store", {"name": "  ", "id": "no spaces allowed"})
    assert bad.status_code == 422
    assert 'id="f-merchant-name-error"' in bad.text and 'id="f-merchant-id-error"' in bad.text


async def test_the_form_is_generated_from_the_connector_models(setup: Setup) -> None:
    s = setup
    await _store(s)
    form = (await s.client.get("/dashboard/connections/shopline/form")).text
    assert '<select id="f-options-api-version" name="options.api_version"' in form
    assert 'type="checkbox" id="f-options-notify-customer" name="options.notify_customer"' in form
    assert 'type="number" id="f-options-bucket-size" name="options.bucket_size"' in form
    assert 'type="password" id="f-credentials-access-token" name="credentials.access_token"' in form
    assert form.count('class="req"') >= 2


async def test_save_test_edit_keeps_the_secret_and_never_echoes_it(setup: Setup) -> None:
    s = setup
    await _store(s)
    form = _useepay_form(s)
    probe = await s.post("/dashboard/connections/useepay/check", form, headers=HX)
    assert "Connected" in probe.text and "✓" in probe.text
    wrong = await s.post("/dashboard/connections/useepay/check", {**form, "credentials.api_key": "nope"}, headers=HX)
    assert "✗" in wrong.text
    without_htmx = await s.post("/dashboard/connections/useepay/check", form)
    assert "<h1>Connect UseePay</h1>" in without_htmx.text and "✓" in without_htmx.text
    assert s.accounts.useepay_api_key not in without_htmx.text
    saved = await s.post("/dashboard/connections/useepay", {**form, "next": "setup"})
    assert saved.status_code == 303 and saved.headers["location"] == "/dashboard/setup/providers"
    api_key = s.accounts.useepay_api_key
    edit = await s.client.get("/dashboard/connections/useepay/form")
    assert api_key not in edit.text and api_key[-4:] in edit.text
    blank = {k: ("" if k.startswith("credentials.") else v) for k, v in form.items()}
    assert (await s.post("/dashboard/connections/useepay", blank)).status_code == 303
    dash = s.app.state.dashboard
    async with unit_of_work(dash.sessions) as session:
        row = await get_connection_row(session, "shop1", Provider.USEEPAY)
        assert row is not None
        assert dash.cipher.decrypt(row.credentials_enc)["api_key"] == api_key
    listing = await s.client.get("/dashboard/connections")
    assert api_key not in listing.text


async def test_an_invalid_option_is_a_422_next_to_its_field(setup: Setup) -> None:
    s = setup
    await _store(s)
    bad = await s.post("/dashboard/connections/useepay", _useepay_form(s, **{"options.api_version": "latest"}))
    assert bad.status_code == 422
    assert 'id="f-options-api-version-error"' in bad.text
    assert s.accounts.useepay_api_key not in bad.text
    missing = await s.post("/dashboard/connections/trackingmore", {"enabled": "on"})
    assert missing.status_code == 422 and 'id="f-credentials-api-key-error"' in missing.text


async def test_disable_enable_and_the_webhook_url(setup: Setup) -> None:
    s = setup
    await _store(s)
    creds = s.accounts.credentials(Provider.TRACKINGMORE)
    form = {f"credentials.{k}": v for k, v in creds.items()} | {"base_url": s.urls.trackingmore, "enabled": "on",
                                                                "options.webhooks": "on"}
    assert (await s.post("/dashboard/connections/trackingmore", form)).status_code == 303
    page = (await s.client.get("/dashboard/connections")).text
    assert 'value="http://testserver/v1/webhooks/trackingmore/shop1"' in page and "data-copy=" in page
    assert (await s.post("/dashboard/connections/trackingmore/disable")).status_code == 303
    dash = s.app.state.dashboard
    async with unit_of_work(dash.sessions) as session:
        row = await get_connection_row(session, "shop1", Provider.TRACKINGMORE)
        assert row is not None and not row.enabled
    assert (await s.post("/dashboard/connections/trackingmore/enable")).status_code == 303


async def test_merchants_create_rename_deactivate(setup: Setup) -> None:
    s = setup
    await _store(s)
    assert (await s.post("/dashboard/merchants", {"name": "Second", "id": "shop2"})).status_code == 303
    dup = await s.post("/dashboard/merchants", {"name": "Again", "id": "shop2"})
    assert dup.status_code == 422 and "already exists" in dup.text
    assert (await s.post("/dashboard/merchants/shop2/rename", {"name": "Second Shop"})).status_code == 303
    assert (await s.post("/dashboard/merchants/shop2/deactivate")).status_code == 303
    dash = s.app.state.dashboard
    async with unit_of_work(dash.sessions) as session:
        row = (await session.scalars(select(MerchantRow).where(MerchantRow.id == "shop2"))).one()
        assert row.name == "Second Shop" and row.deactivated_at is not None
    page = (await s.client.get("/dashboard/merchants")).text
    assert "Reactivate" in page
    assert (await s.client.get("/track/shop2")).status_code == 404
    assert (await s.post("/dashboard/merchants/shop2/reactivate")).status_code == 303


async def test_a_carrier_override_set_inline_says_how_many_targets_are_resent(setup: Setup) -> None:
    s = setup
    await _store(s)
    assert (await s.post("/dashboard/connections/useepay", _useepay_form(s))).status_code == 303
    dash = s.app.state.dashboard
    async with unit_of_work(dash.sessions) as session:
        items = [
            ShipmentIn(tracking_number=f"LC{i:08d}", carrier="Local Courier", payment_intent_id=f"pi_{i}")
            for i in range(3)
        ] + [ShipmentIn(tracking_number="1Z999AA10123456784", carrier="ups", payment_intent_id="pi_ups")]
        await upsert_shipments(session, "shop1", items)
    page = (await s.client.get("/dashboard/carriers")).text
    assert page.index("localcourier") < page.index("UPS")
    assert "fallback" in page
    changed = await s.post(
        OVERRIDE, {"provider": "useepay", "carrier": "localcourier", "code": "LocalCo"}, headers=HX
    )
    assert changed.status_code == 200
    assert "3 queued targets will be sent again" in changed.text and "LocalCo" in changed.text
    async with unit_of_work(dash.sessions) as session:
        versions = (await session.scalars(select(SyncTargetRow.desired_version))).all()
        assert sorted(versions) == [1, 2, 2, 2]
    removed = await s.post(
        "/dashboard/carriers/override/delete", {"provider": "useepay", "carrier": "localcourier"}, headers=HX
    )
    assert "3 queued targets" in removed.text and "LocalCo" not in removed.text.split("</span>")[0]
    empty = await s.post(
        OVERRIDE, {"provider": "useepay", "carrier": "localcourier", "code": " "}, headers=HX
    )
    assert empty.status_code == 422 and "Name:" in empty.text


async def test_setup_pages_are_admins_only_and_forms_need_csrf(setup: Setup) -> None:
    s = setup
    await _store(s)
    no_csrf = await s.client.post("/dashboard/merchants", data={"name": "X"})
    assert no_csrf.status_code == 403
