"""Deterministic journeys in AfterShip tags: given a seed and a tracking, the checkpoints and when.

Most parcels go InfoReceived -> InTransit -> OutForDelivery -> Delivered; some wait at a pickup point,
some fail an attempt, some end in an Exception, some go silent and become Expired after 30 days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

HOUR = 3600.0
DAY = 24 * HOUR
EXPIRE_AFTER_S = 30 * DAY
CITIES = (("Shenzhen", "Guangdong", "CHN"), ("Los Angeles", "CA", "USA"), ("Jamaica", "NY", "USA"),
          ("London", None, "GBR"), ("Frankfurt", None, "DEU"), ("Paris", None, "FRA"))


@dataclass(frozen=True, slots=True)
class PlannedCheckpoint:
    offset_s: float
    tag: str
    subtag: str
    message: str
    city: str
    state: str | None
    country_iso3: str


def plan_journey(seed: int, slug: str, number: str) -> tuple[PlannedCheckpoint, ...]:
    rng = random.Random(f"{seed}:{slug}:{number}")
    origin, dest = rng.choice(CITIES[:1]), rng.choice(CITIES[1:])
    t = rng.uniform(1, 6) * HOUR
    out = [PlannedCheckpoint(t, "InfoReceived", "InfoReceived_001", "Shipment information received", *origin)]
    t += rng.uniform(8, 24) * HOUR
    out.append(PlannedCheckpoint(t, "InTransit", "InTransit_002", "Shipment accepted by the carrier", *origin))
    roll = rng.random()
    if roll < 0.06:
        out.append(PlannedCheckpoint(t + EXPIRE_AFTER_S, "Expired", "Expired_001",
                                     "No tracking information updated in the last 30 days", *origin))
        return tuple(out)
    t += rng.uniform(24, 72) * HOUR
    out.append(PlannedCheckpoint(t, "InTransit", "InTransit_004", "Arrived at the destination country", *dest))
    if roll < 0.10:
        t += rng.uniform(24, 72) * HOUR
        out.append(PlannedCheckpoint(t, "Exception", "Exception_006", "Held by customs, documents required", *dest))
        return tuple(out)
    t += rng.uniform(6, 30) * HOUR
    out.append(PlannedCheckpoint(t, "InTransit", "InTransit_005", "Customs clearance completed", *dest))
    t += rng.uniform(8, 30) * HOUR
    if roll < 0.18:
        out.append(PlannedCheckpoint(t, "AvailableForPickup", "AvailableForPickup_001",
                                     "Ready for collection at pickup point", *dest))
        t += rng.uniform(20, 72) * HOUR
        out.append(PlannedCheckpoint(t, "Delivered", "Delivered_002", "Picked up by the customer", *dest))
        return tuple(out)
    out.append(PlannedCheckpoint(t, "OutForDelivery", "OutForDelivery_001", "Out for delivery", *dest))
    t += rng.uniform(2, 8) * HOUR
    if roll < 0.28:
        out.append(PlannedCheckpoint(t, "AttemptFail", "AttemptFail_001", "Delivery attempted, addressee not home",
                                     *dest))
        t += rng.uniform(18, 30) * HOUR
        out.append(PlannedCheckpoint(t, "OutForDelivery", "OutForDelivery_001", "Out for delivery, second attempt",
                                     *dest))
        t += rng.uniform(2, 8) * HOUR
    subtag = rng.choice(("Delivered_001", "Delivered_003"))
    out.append(PlannedCheckpoint(t, "Delivered", subtag, "Delivered", *dest))
    return tuple(out)
