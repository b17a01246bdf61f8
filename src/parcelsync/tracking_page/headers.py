"""Response headers of the public pages as pure functions: the strict CSP, CORS, and the accent colour's text."""

from __future__ import annotations

import re
from collections.abc import Sequence

ORIGIN_PATTERN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")
ACCENT_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#1f5fbf"

# Headers every public response carries: not indexed, not cached, no referrer (the URL holds the order token).
PRIVATE_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def normalise_origin(value: str) -> str | None:
    """`https://shop.example.com` style origins (scheme, host, optional port; no path); None when not one."""
    origin = value.strip().lower().rstrip("/")
    return origin if ORIGIN_PATTERN.match(origin) else None


def content_security_policy(frame_ancestors: Sequence[str], style_nonce: str) -> str:
    """Nothing but our own script and style (plus one nonce'd theme block), https images, forms to ourselves."""
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{style_nonce}'",
            "img-src 'self' https: data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {ancestors}",
        )
    )


def json_security_policy() -> str:
    return "default-src 'none'; frame-ancestors 'none'"


def cors_headers(origin: str | None, allowed: Sequence[str], *, preflight: bool = False) -> dict[str, str]:
    """CORS for the JSON endpoint: only origins the merchant listed get an Allow-Origin (no credentials)."""
    headers = {"Vary": "Origin"}
    if origin and normalise_origin(origin) in set(allowed):
        headers["Access-Control-Allow-Origin"] = origin
        if preflight:
            headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            headers["Access-Control-Allow-Headers"] = "Content-Type, Accept-Language"
            headers["Access-Control-Max-Age"] = "600"
    return headers


def _luminance(hex_colour: str) -> float:
    def channel(part: str) -> float:
        c = int(part, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(hex_colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def accent_colours(accent: str | None) -> tuple[str, str]:
    """The accent and the text colour on it (black or white, whichever contrasts more: WCAG-readable buttons)."""
    colour = accent if accent and ACCENT_PATTERN.match(accent) else DEFAULT_ACCENT
    lum = _luminance(colour)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return colour.lower(), ("#ffffff" if on_white >= on_black else "#000000")


def accent_text_on_white(accent: str) -> str:
    """A colour for accent-coloured text on white: the accent when it reads (4.5:1), else a dark grey."""
    lum = _luminance(accent)
    return accent if 1.05 / (lum + 0.05) >= 4.5 else "#333333"
