"""PayPal (payment gateway): tracking per captured payment so funds are released and disputes won.

Facts relied on (public docs, read 2026):
- Orders v2 tracking: `POST /v2/checkout/orders/{id}/track` (body `capture_id` required,
  `tracking_number`, `carrier`, `carrier_name_other`, `notify_payer`, `items`), answers the order;
  `PATCH /v2/checkout/orders/{id}/trackers/{tracker_id}` with a JSON Patch; only `/status` to
  `CANCELLED` is supported, answer 204. https://developer.paypal.com/api/orders/v2/#orders_track_create
  and https://developer.paypal.com/docs/api/orders/v2/#trackers_patch
- Add Tracking v1 (deprecated, still documented): `POST /v1/shipping/trackers-batch` (up to 20
  trackers; `tracker_identifiers[]` + `errors[]`), `GET|PUT /v1/shipping/trackers/{id}` with
  id `{transaction_id}-{tracking_number}`. https://developer.paypal.com/api/tracking/v1/
- OAuth 2.0 client credentials: `POST /v1/oauth2/token`, Basic auth, form body
  `grant_type=client_credentials`; answer `{scope, access_token, token_type, app_id, expires_in, nonce}`.
  https://developer.paypal.com/api/rest/authentication/
- `PayPal-Request-Id` makes a POST idempotent. https://developer.paypal.com/api/rest/reference/idempotency/
- Error body `{name, message, debug_id, details: [{field, value, location, issue, description}], links}`.
  https://developer.paypal.com/api/rest/responses/
- Carriers: https://developer.paypal.com/docs/tracking/reference/carriers/ (global and
  country-specific enums; `OTHER` + `carrier_name_other` when the carrier is not listed).
"""
