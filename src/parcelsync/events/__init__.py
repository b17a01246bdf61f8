"""Events: what happened to a merchant's data, recorded in the same transaction as the change.

The feed API (`GET /v1/events`) and the outbound webhooks read them; `record_event` is the one writer.
"""

from __future__ import annotations

from parcelsync.events.record import NewEvent, record_event, record_events
from parcelsync.events.types import EventType

__all__ = ["EventType", "NewEvent", "record_event", "record_events"]
