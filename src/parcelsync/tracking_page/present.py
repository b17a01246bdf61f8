"""The order as the page and the JSON endpoint present it, in the buyer's language and time zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parcelsync.db.tables import MerchantRow, TrackingPageRow
from parcelsync.domain.status import DeliveryStatus
from parcelsync.tracking_page.headers import accent_colours, accent_text_on_white
from parcelsync.tracking_page.i18n import Localizer
from parcelsync.tracking_page.orders import OrderView, ParcelView
from parcelsync.tracking_page.progress import STEPS, Marker, Step

# Message ids of the status names, step names and markers: the catalogs translate these.
STATUS_LABELS: dict[DeliveryStatus, str] = {
    DeliveryStatus.PENDING: "Order shipped, awaiting carrier scan",
    DeliveryStatus.INFO_RECEIVED: "Carrier has the parcel's details",
    DeliveryStatus.IN_TRANSIT: "In transit",
    DeliveryStatus.OUT_FOR_DELIVERY: "Out for delivery",
    DeliveryStatus.FAILED_ATTEMPT: "Delivery attempt failed",
    DeliveryStatus.AVAILABLE_FOR_PICKUP: "Ready for pickup",
    DeliveryStatus.DELIVERED: "Delivered",
    DeliveryStatus.EXCEPTION: "Delivery problem",
    DeliveryStatus.EXPIRED: "Tracking stopped",
    DeliveryStatus.UNKNOWN: "Status not available",
}
STEP_LABELS: dict[Step, str] = {
    Step.SHIPPED: "Shipped",
    Step.IN_TRANSIT: "In transit",
    Step.OUT_FOR_DELIVERY: "Out for delivery",
    Step.DELIVERED: "Delivered",
}
MARKER_LABELS: dict[Marker, str] = {
    Marker.EXCEPTION: "Delivery problem",
    Marker.FAILED_ATTEMPT: "Delivery attempt failed",
    Marker.EXPIRED: "Tracking stopped",
}


@dataclass(frozen=True, slots=True)
class Branding:
    display_name: str
    logo_url: str | None
    accent: str
    on_accent: str
    accent_text: str
    support_email: str | None
    message: str | None


def branding(merchant: MerchantRow, page: TrackingPageRow | None) -> Branding:
    accent, on_accent = accent_colours(page.accent_color if page else None)
    return Branding(
        display_name=(page.display_name if page and page.display_name else merchant.name),
        logo_url=page.logo_url if page else None,
        accent=accent,
        on_accent=on_accent,
        accent_text=accent_text_on_white(accent),
        support_email=page.support_email if page else None,
        message=page.message if page else None,
    )


def _steps(parcel: ParcelView, loc: Localizer) -> list[dict[str, Any]]:
    return [
        {"step": step.value, "label": loc.gettext(STEP_LABELS[step]), "state": parcel.progress.state_of(step)}
        for step in STEPS
    ]


def parcel_context(parcel: ParcelView, loc: Localizer) -> dict[str, Any]:
    """One parcel for the template (every string already translated, every time already in the buyer's zone)."""
    marker = parcel.progress.marker
    return {
        "carrier": parcel.carrier_name,
        "carrier_url": parcel.carrier_url,
        "tracking_number": parcel.tracking_number,
        "title": parcel.title,
        "status": parcel.status.value,
        "status_label": loc.gettext(STATUS_LABELS[parcel.status]),
        "marker": marker.value if marker else None,
        "marker_label": loc.gettext(MARKER_LABELS[marker]) if marker else None,
        "steps": _steps(parcel, loc),
        "delivered_on": loc.day(parcel.delivered_at) if parcel.delivered_at else None,
        "expected_on": loc.window(parcel.expected_delivery.earliest, parcel.expected_delivery.latest)
        if parcel.expected_delivery
        else None,
        "checkpoints": [
            {
                "iso": c.time.isoformat(),
                "time": loc.moment(c.time),
                "description": c.description,
                "location": c.location,
                "problem": c.problem,
                "status_label": loc.gettext(STATUS_LABELS[c.status]) if c.status else None,
            }
            for c in parcel.checkpoints
        ],
    }


def order_json(order: OrderView, brand: Branding, loc: Localizer, *, token: str, page_url: str) -> dict[str, Any]:
    """The JSON endpoint's body: the same data as the page, machine-readable (UTC times, codes and labels)."""
    return {
        "merchant": {
            "display_name": brand.display_name,
            "logo_url": brand.logo_url,
            "accent_color": brand.accent,
            "support_email": brand.support_email,
            "message": brand.message,
        },
        "language": loc.lang,
        "token": token,
        "page_url": page_url,
        "order": {
            "order_number": order.order_number,
            "parcels": [
                {
                    "carrier": p.carrier_code,
                    "carrier_name": p.carrier_name,
                    "carrier_tracking_url": p.carrier_url,
                    "tracking_number": p.tracking_number,
                    "title": p.title,
                    "status": p.status.value,
                    "status_label": loc.gettext(STATUS_LABELS[p.status]),
                    "progress": {
                        "step": p.progress.step.value,
                        "marker": p.progress.marker.value if p.progress.marker else None,
                    },
                    "delivered_at": p.delivered_at.isoformat() if p.delivered_at else None,
                    "expected_delivery": {
                        "earliest": p.expected_delivery.earliest.isoformat(),
                        "latest": p.expected_delivery.latest.isoformat(),
                    }
                    if p.expected_delivery
                    else None,
                    "checkpoints": [
                        {
                            "time": c.time.isoformat(),
                            "description": c.description,
                            "location": c.location,
                            "status": c.status.value if c.status else None,
                        }
                        for c in p.checkpoints
                    ],
                }
                for p in order.parcels
            ],
        },
    }
