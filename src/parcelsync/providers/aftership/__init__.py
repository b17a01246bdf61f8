"""AfterShip Tracking API (tracking provider): register parcels, read their status back.

Facts relied on (public docs, read 2026; current dated version 2026-07):
- Base `https://api.aftership.com/tracking/2026-07`, header `as-api-key`; envelope
  `{meta: {code, message, type}, data}`. https://www.aftership.com/docs/tracking/quickstart/api-quick-start
- Endpoints: `POST /trackings`, `GET /trackings` (cursor pagination), `GET|PUT|DELETE /trackings/{id}`,
  `POST /trackings/{id}/retrack`, `POST /trackings/{id}/mark-as-completed`, `POST /couriers/detect`,
  `GET /couriers`, `GET /couriers/all`. https://www.aftership.com/docs/tracking/2026-07/changelog
- Per-endpoint rate limits since 2024-07 (create 20/s, list 6/s, get/update/delete/retrack/
  mark-as-completed 5/s, detect 3/s, couriers 5/s) with `X-RateLimit-Limit/-Remaining/-Reset`
  (Unix time) headers; 429 `TooManyRequests` over it.
  https://www.aftership.com/docs/tracking/quickstart/rate-limit
- Errors: HTTP status + meta.code (4003 tracking already exists, 4004 does not exist, 4005 invalid
  tracking_number, 4010 invalid slug, 4012 cannot detect courier, 4013/4016 retrack not allowed, 401,
  429...). https://www.aftership.com/docs/tracking/quickstart/request-errors
- Tags and sub-statuses (`Delivered_001`...).
  https://www.aftership.com/docs/tracking/enum/delivery-statuses
- Webhooks: POST JSON `{ts, event, event_id, is_tracking_first_tag, msg: <tracking>}`;
  `aftership-hmac-sha256` = base64(HMAC-SHA256(raw body, webhook secret)).
  https://www.aftership.com/docs/tracking/webhook/webhook-specifications and .../webhook-signature
"""
