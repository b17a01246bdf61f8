"""`decide`: the newest event decides the status, whatever order the updates arrive in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parcelsync.sync.status_order import StatusState, decide, is_newer

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_late_in_transit_never_undoes_a_delivery() -> None:
    delivered = StatusState("delivered", "delivered001", "Delivered", at(5), at(5))
    decision = decide(delivered, StatusState("in_transit", "transit001", "Departed", None, at(2)))
    assert decision.stale and decision.transition is None and decision.changed_fields == {}
    assert decision.state == delivered


def test_a_newer_event_still_changes_a_delivered_parcel() -> None:
    delivered = StatusState("delivered", None, "Delivered", at(5), at(5))
    decision = decide(delivered, StatusState("exception", "exception004", "Returned to sender", None, at(9)))
    assert not decision.stale and decision.transition == ("delivered", "exception")
    assert decision.changed_fields == {
        "status": "exception", "substatus": "exception004", "last_event": "Returned to sender",
        "delivered_at": None, "status_at": at(9),
    }


def test_delivered_at_follows_the_newest_delivered_state() -> None:
    moving = StatusState("in_transit", event_at=at(1))
    decision = decide(moving, StatusState("delivered", None, "Delivered", None, at(4)))
    assert decision.state.delivered_at == at(4)  # no delivery time given: the event's time
    again = decide(decision.state, StatusState("delivered", "delivered003", None, None, at(4)))
    assert again.transition is None and again.state.delivered_at == at(4) and again.state.last_event == "Delivered"


def test_same_time_is_not_older_and_an_untimed_update_never_beats_a_timed_state() -> None:
    assert is_newer(at(1), at(1)) and is_newer(None, None) and is_newer(at(0), None)
    assert not is_newer(None, at(1)) and not is_newer(at(0), at(1))
    stored = StatusState("out_for_delivery", event_at=at(3))
    assert decide(stored, StatusState("in_transit")).stale


def test_no_transition_when_only_the_substatus_moves() -> None:
    decision = decide(StatusState("in_transit", "transit001", "A", None, at(1)),
                      StatusState("in_transit", "transit004", "B", None, at(2)))
    assert decision.transition is None and decision.changed_fields["substatus"] == "transit004"
