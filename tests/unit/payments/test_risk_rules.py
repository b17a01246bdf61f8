"""The at-risk rules as a pure function: each reason raised by its fact and gone when the fact is."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from parcelsync.api.routes.payments import ReasonParam, StateParam
from parcelsync.payments.facts import GatewayCheck, GatewayFacts, IntentFacts, ParcelFacts, Receipt
from parcelsync.payments.risk import INTENT_STATES, Reason, RiskPolicy, assess, intent_state
from parcelsync.payments.value import order_values, totals_by_currency

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
POLICY = RiskPolicy(accept_within_hours=24, stuck_after_days=7, late_after_days=30)


def parcel(n: int = 1, **kw: object) -> ParcelFacts:
    base = ParcelFacts(
        shipment_id=n, tracking_number=f"LX{n:09d}CN", carrier="china-post", status="in_transit",
        ship_date=date(2026, 6, 8), created_at=NOW - timedelta(days=2), updated_at=NOW - timedelta(days=2),
        last_checkpoint_at=NOW - timedelta(days=1),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def receipt(at: datetime = NOW - timedelta(days=1), numbers: tuple[str, ...] = ("LX000000001CN",)) -> Receipt:
    return Receipt("gw", "pi_1", 1, at, "req-1", tuple({"tracking_number": n} for n in numbers))


def intent(*parcels: ParcelFacts, **gateway: object) -> IntentFacts:
    gw = GatewayFacts(provider="gw", state="synced", last_receipt=receipt())
    return IntentFacts("m", "pi_1", parcels or (parcel(),), (replace(gw, **gateway),))  # type: ignore[arg-type]


def reasons(facts: IntentFacts, now: datetime = NOW, policy: RiskPolicy = POLICY) -> set[Reason]:
    return {f.reason for f in assess(facts, policy, now)}


def test_a_synced_moving_parcel_is_safe() -> None:
    assert reasons(intent()) == set()
    assert intent_state(intent()) == "accepted"


def test_nothing_accepted_after_the_grace_period() -> None:
    unsent = intent(last_receipt=None, state="pending")
    assert Reason.NOT_ACCEPTED in reasons(unsent)
    assert Reason.NOT_ACCEPTED not in reasons(unsent, now=datetime(2026, 6, 8, 23, tzinfo=UTC))
    assert Reason.NOT_ACCEPTED not in reasons(unsent, policy=RiskPolicy(accept_within_hours=72))
    assert Reason.NOT_ACCEPTED not in reasons(intent(state="synced"))
    assert Reason.NOT_ACCEPTED not in reasons(intent(last_receipt=None, state="synced", acked_version=2))


def test_rejected_by_the_gateway_and_cleared_by_a_successful_retry() -> None:
    assert Reason.REJECTED in reasons(intent(state="parked", reason="No such payment_intent"))
    assert Reason.REJECTED in reasons(intent(state="dead"))
    assert intent_state(intent(state="parked")) == "rejected"
    assert Reason.REJECTED not in reasons(intent(state="synced"))


def test_a_reconcile_finding_stands_until_a_newer_acknowledgement() -> None:
    check = GatewayCheck(NOW - timedelta(hours=2), ("LX000000001CN",), ("LX999999999CN",))
    assert Reason.SET_DIFFERS in reasons(intent(check=check))
    newer = receipt(at=NOW - timedelta(hours=1))
    assert Reason.SET_DIFFERS not in reasons(intent(check=check, last_receipt=newer))


def test_exception_and_failed_attempt_name_the_parcel() -> None:
    (finding,) = assess(intent(parcel(status="exception")), POLICY, NOW)
    assert finding.reason is Reason.EXCEPTION and finding.shipment_id == 1
    assert reasons(intent(parcel(status="failed_attempt"))) == {Reason.FAILED_ATTEMPT}
    assert reasons(intent(parcel(status="delivered"))) == set()


def test_stuck_when_no_scan_for_days() -> None:
    stale = parcel(last_checkpoint_at=NOW - timedelta(days=8))
    assert reasons(intent(stale)) == {Reason.STUCK}
    assert reasons(intent(replace(stale, last_checkpoint_at=NOW))) == set()
    assert reasons(intent(replace(stale, status="delivered"))) == set()


def test_late_by_the_expected_date_when_known_else_by_days_since_shipping() -> None:
    old = parcel(ship_date=date(2026, 4, 1))
    assert reasons(intent(old)) == {Reason.LATE}
    assert reasons(intent(replace(old, expected_delivery=date(2026, 6, 20)))) == set()
    assert reasons(intent(parcel(expected_delivery=date(2026, 6, 9)))) == set()  # within the one-day grace
    assert reasons(intent(parcel(expected_delivery=date(2026, 6, 8)))) == {Reason.LATE}
    assert reasons(intent(replace(old, status="delivered"))) == set()


def test_an_orders_value_counts_once_however_many_parcels() -> None:
    first = parcel(1, order_id="o1", order_value="50.00", currency="USD")
    second = parcel(2, order_id="o1", order_value="50.00", currency="USD")
    other = parcel(3, order_id="o2", order_value="10.50", currency="USD")
    euro = parcel(4, order_id="o3", order_value="7", currency="EUR")
    assert order_values([first, second, other, euro]) == {"USD": Decimal("60.50"), "EUR": Decimal("7")}
    newer = replace(second, order_value="55.00", updated_at=NOW)
    assert order_values([first, newer]) == {"USD": Decimal("55.00")}
    assert totals_by_currency([intent(first, second), intent(euro)]) == {"EUR": Decimal("7"), "USD": Decimal("50.00")}


def test_the_api_vocabulary_is_the_rules_vocabulary() -> None:
    assert set(StateParam.__args__) == set(INTENT_STATES)  # type: ignore[attr-defined]
    assert set(ReasonParam.__args__) == {r.value for r in Reason}  # type: ignore[attr-defined]
