"""Deterministic parcel journeys: given a seed and a tracking, the scans it will get and when.

Most parcels go pending -> transit -> pickup -> delivered; some wait at a pickup point, some
fail a delivery attempt, some end in an exception, some go silent and expire. The same seed,
carrier and number always give the same journey.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

HOUR = 3600.0
DAY = 24 * HOUR
EXPIRE_AFTER_S = 30 * DAY

CITIES: Mapping[str, tuple[str, ...]] = {
    "CN": ("Shenzhen, Guangdong", "Guangzhou, Guangdong", "Yiwu, Zhejiang", "Shanghai"),
    "US": ("Los Angeles, CA", "Jamaica, NY", "Chicago, IL", "Dallas, TX"),
    "GB": ("London", "Coventry", "Manchester"),
    "DE": ("Frankfurt", "Leipzig", "Berlin"),
    "FR": ("Roissy CDG", "Lyon", "Paris"),
    "CA": ("Mississauga, ON", "Vancouver, BC"),
    "AU": ("Sydney, NSW", "Melbourne, VIC"),
    "JP": ("Tokyo", "Osaka"),
}
GENERIC_CITIES = ("International hub", "Regional sorting center")


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """One future scan: when (seconds after registration), what it says, and what it sets."""

    offset_s: float
    status: str
    substatus: str | None
    description: str
    location: str
    side: str = "origin"
    milestone: str | None = None


def _city(rng: random.Random, country: str) -> str:
    return rng.choice(CITIES.get(country.upper(), GENERIC_CITIES))


def plan_journey(seed: int, carrier_code: str, number: str, origin: str, destination: str) -> tuple[PlannedEvent, ...]:
    """The whole journey of one parcel, chronological."""
    rng = random.Random(f"{seed}:{carrier_code}:{number}")
    origin_city, dest_city = _city(rng, origin), _city(rng, destination or "US")
    t = rng.uniform(1, 6) * HOUR
    events = [PlannedEvent(t, "transit", "transit001", "Shipment information received, parcel accepted",
                           origin_city, milestone="ItemReceived")]
    t += rng.uniform(8, 24) * HOUR
    events.append(PlannedEvent(t, "transit", "transit002", "Departed from sorting center", origin_city,
                               milestone="ItemDispatched"))
    t += rng.uniform(12, 36) * HOUR
    events.append(PlannedEvent(t, "transit", "transit001", "Departed from origin airport", origin_city,
                               milestone="DepartfromAirport"))
    roll = rng.random()
    if roll < 0.06:
        events.append(PlannedEvent(t + EXPIRE_AFTER_S, "expired", None,
                                   "No tracking updates for 30 days, tracking expired", origin_city))
        return tuple(events)
    t += rng.uniform(18, 48) * HOUR
    events.append(PlannedEvent(t, "transit", "transit004", "Arrived at destination country", dest_city,
                               side="destination", milestone="ArrivalfromAbroad"))
    if roll < 0.10:
        t += rng.uniform(24, 72) * HOUR
        events.append(PlannedEvent(t, "exception", "exception006", "Held by customs, documents required",
                                   dest_city, side="destination"))
        return tuple(events)
    t += rng.uniform(6, 30) * HOUR
    events.append(PlannedEvent(t, "transit", "transit005", "Customs clearance completed", dest_city,
                               side="destination", milestone="CustomsClearance"))
    t += rng.uniform(8, 30) * HOUR
    events.append(PlannedEvent(t, "transit", "transit003", "Arrived at delivery facility", dest_city,
                               side="destination", milestone="DestinationArrived"))
    t += rng.uniform(6, 20) * HOUR
    if roll < 0.18:
        events.append(PlannedEvent(t, "pickup", "pickup002", "Ready for collection at pickup point", dest_city,
                                   side="destination"))
        t += rng.uniform(20, 72) * HOUR
        events.append(PlannedEvent(t, "delivered", "delivered002", "Picked up by the addressee", dest_city,
                                   side="destination"))
        return tuple(events)
    events.append(PlannedEvent(t, "pickup", "pickup001", "Out for delivery", dest_city, side="destination"))
    t += rng.uniform(2, 8) * HOUR
    if roll < 0.28:
        events.append(PlannedEvent(t, "undelivered", "undelivered002", "Delivery attempted, receiver not home",
                                   dest_city, side="destination"))
        if roll < 0.22:
            return tuple(events)
        t += rng.uniform(18, 30) * HOUR
        events.append(PlannedEvent(t, "pickup", "pickup001", "Out for delivery, second attempt", dest_city,
                                   side="destination"))
        t += rng.uniform(2, 8) * HOUR
    if roll < 0.34:
        events.append(PlannedEvent(t, "exception", "exception009", "Package refused by the addressee", dest_city,
                                   side="destination"))
        return tuple(events)
    substatus = rng.choice(("delivered001", "delivered003", "delivered004"))
    events.append(PlannedEvent(t, "delivered", substatus, "Delivered", dest_city, side="destination"))
    return tuple(events)
