"""The emulated PayPal endpoints: OAuth token, Orders v2 (get, track, patch tracker), v1 trackers."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from parcelsync.sandbox.paypal.common import authenticate, base_of, idempotent, json_body, ok, state_of
from parcelsync.sandbox.paypal.errors import PayPalApiError, detail, error_body, oauth_error
from parcelsync.sandbox.paypal.models import APP_ID, TOKEN_SCOPE, App, PayPalState, Tracker
from parcelsync.sandbox.paypal.validation import ORDER_ID, check_order_track, check_v1_tracker

router = APIRouter()
MAX_BATCH = 20


@router.post("/v1/oauth2/token")
async def token(request: Request) -> JSONResponse:
    """Client credentials grant: Basic auth with client id and secret, form `grant_type=client_credentials`."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        client_id, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        client_id, secret = "", ""
    if scheme.lower() != "basic" or not client_id:
        return oauth_error(401, "invalid_client", "Client Authentication failed")
    form = parse_qs((await request.body()).decode("latin-1"))
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    grant = (form.get("grant_type") or [""])[0]
    if grant != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", f"Grant Type is not supported: {grant or 'null'}")
    state = state_of(request)
    app = state.check_credentials(client_id, secret)
    if app is None:
        return oauth_error(401, "invalid_client", "Client Authentication failed")
    access_token, expires_in = state.issue_token(app)
    return JSONResponse({"scope": TOKEN_SCOPE, "access_token": access_token, "token_type": "Bearer",
                         "app_id": APP_ID, "expires_in": expires_in, "nonce": f"{state.iso_now()}{access_token[-8:]}"})


# -- Orders v2 ---------------------------------------------------------------------------------


def _order(app: App, order_id: str) -> dict[str, str]:
    if not ORDER_ID.match(order_id) or len(order_id) > 36 or order_id not in app.orders:
        raise PayPalApiError(404, [detail("INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please "
                                          "check the resource ID and try again.")])
    return app.orders[order_id]


def _order_view(state: PayPalState, app: App, order_id: str, base: str) -> dict[str, Any]:
    captures = app.orders[order_id]
    trackers = [t.to_order(base) for t in state.trackers_of(app.client_id) if t.order_id == order_id]
    unit: dict[str, Any] = {
        "reference_id": "default",
        "payments": {"captures": [{"id": c, "status": s, "final_capture": True} for c, s in captures.items()]},
    }
    if trackers:
        unit["shipping"] = {"trackers": trackers}
    return {"id": order_id, "intent": "CAPTURE", "status": "COMPLETED", "purchase_units": [unit],
            "links": [{"href": f"{base}/v2/checkout/orders/{order_id}", "rel": "self", "method": "GET"}]}


@router.get("/v2/checkout/orders/{order_id}")
async def get_order(order_id: str, request: Request) -> Response:
    app = authenticate(request)
    _order(app, order_id)
    return ok(_order_view(state_of(request), app, order_id, base_of(request)))


def _count_update(state: PayPalState, tracker: Tracker) -> None:
    if tracker.updates >= state.max_tracker_updates:
        # Integrators report this refusal; PayPal's docs do not list it (unconfirmed issue name).
        raise PayPalApiError(422, [detail("NUMBER_OF_UPDATES_EXCEEDED", "Number of Updates More than Permissible",
                                          "/tracking_number", tracker.tracking_number)])
    tracker.updates += 1
    tracker.updated = state.iso_now()


@router.post("/v2/checkout/orders/{order_id}/track")
async def track(order_id: str, request: Request) -> Response:
    """Add (or change) the tracker of one capture of the order; answers the order with its trackers."""
    app = authenticate(request)

    async def handle() -> Response:
        captures = _order(app, order_id)
        body = await json_body(request)
        problems = check_order_track(body)
        if problems:
            raise PayPalApiError(400, problems)
        capture = body["capture_id"]
        if capture not in captures:
            raise PayPalApiError(422, [detail("CAPTURE_ID_NOT_FOUND", "Specified capture ID does not exist for "
                                              "this order.", "/capture_id", capture)])
        if captures[capture] not in ("COMPLETED", "PARTIALLY_REFUNDED", "PENDING"):
            raise PayPalApiError(422, [detail("CAPTURE_STATUS_NOT_VALID", "Invalid capture status. Tracker "
                                              "information can only be added to captures in `COMPLETED` state.",
                                              "/capture_id", capture)])
        state = state_of(request)
        number = body.get("tracking_number") or ""
        tracker_id = f"{capture}-{number}" if number else f"{capture}-{len(state.trackers_of(app.client_id))}"
        existing = state.tracker(app.client_id, tracker_id)
        new = Tracker(tracker_id, capture, number, "SHIPPED", body.get("carrier"), body.get("carrier_name_other"),
                      notify_payer=bool(body.get("notify_payer", False)), items=list(body.get("items") or []),
                      order_id=order_id, created=state.iso_now(), updated=state.iso_now())
        if existing is not None:
            if existing.fields() != new.fields() or existing.items != new.items:
                _count_update(state, existing)
                existing.status, existing.carrier = new.status, new.carrier
                existing.carrier_name_other, existing.items = new.carrier_name_other, new.items
        else:
            state.put_tracker(app.client_id, new)
        return ok(_order_view(state, app, order_id, base_of(request)), 201)

    return await idempotent(request, app, handle)


PATCHABLE = {"/status": ("replace",), "/notify_payer": ("replace", "add"), "/items": ("replace",)}
PATCH_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})


@router.patch("/v2/checkout/orders/{order_id}/trackers/{tracker_id}")
async def patch_tracker(order_id: str, tracker_id: str, request: Request) -> Response:
    """JSON Patch of an order tracker: only `/status` -> CANCELLED, `/notify_payer`, `/items`; 204."""
    app = authenticate(request)

    async def handle() -> Response:
        _order(app, order_id)
        state = state_of(request)
        tracker = state.tracker(app.client_id, tracker_id)
        if tracker is None or tracker.order_id != order_id:
            raise PayPalApiError(404, [detail("INVALID_RESOURCE_ID", "Specified resource ID does not exist.")])
        ops = await json_body(request)
        if not isinstance(ops, list) or not ops:
            raise PayPalApiError(400, [detail("INVALID_PARAMETER_SYNTAX", "The request body must be an array of "
                                              "JSON patch objects.", "/")])
        for i, op in enumerate(ops):
            if not isinstance(op, dict) or op.get("op") not in PATCH_OPS:
                raise PayPalApiError(400, [detail("INVALID_PATCH_OPERATION", "The operation cannot be honored.",
                                                  f"/{i}/op", (op or {}).get("op") if isinstance(op, dict) else op)])
            path = op.get("path")
            if path not in PATCHABLE or op["op"] not in PATCHABLE[path]:
                raise PayPalApiError(400, [detail("FIELD_NOT_PATCHABLE", "Field cannot be patched.", path, None)])
            if path == "/status" and op.get("value") != "CANCELLED":
                raise PayPalApiError(422, [detail("INVALID_PARAMETER_VALUE", "Only patching status to CANCELLED "
                                                  "is currently supported.", "/status", op.get("value"))])
            if path == "/notify_payer" and not isinstance(op.get("value"), bool):
                raise PayPalApiError(400, [detail("INVALID_PARAMETER_SYNTAX", "notify_payer must be a boolean.",
                                                  "/notify_payer", op.get("value"))])
        _count_update(state, tracker)
        for op in ops:
            if op["path"] == "/status":
                tracker.status = "CANCELLED"
            elif op["path"] == "/notify_payer":
                tracker.notify_payer = op["value"]
            else:
                tracker.items = list(op.get("value") or [])
        return ok(None, 204)

    return await idempotent(request, app, handle)


# -- v1 trackers -------------------------------------------------------------------------------


def _store_v1(state: PayPalState, app: App, item: dict[str, Any]) -> Tracker:
    number = item.get("tracking_number") or ""
    tid = f"{item['transaction_id']}-{number}" if number else f"{item['transaction_id']}-NOTRACKER"
    existing = state.tracker(app.client_id, tid)
    new = Tracker(tid, item["transaction_id"], number, item["status"], item.get("carrier"),
                  item.get("carrier_name_other"), item.get("shipment_date"), created=state.iso_now(),
                  updated=state.iso_now())
    if existing is None:
        state.put_tracker(app.client_id, new)
        return new
    if existing.fields() != new.fields():
        _count_update(state, existing)
        existing.status, existing.carrier = new.status, new.carrier
        existing.carrier_name_other, existing.shipment_date = new.carrier_name_other, new.shipment_date
    return existing


@router.post("/v1/shipping/trackers-batch")
async def trackers_batch(request: Request) -> Response:
    """Up to 20 trackers; each is added (`tracker_identifiers[]`) or refused (`errors[]`, one per item)."""
    app = authenticate(request)

    async def handle() -> Response:
        body = await json_body(request)
        trackers = body.get("trackers") if isinstance(body, dict) else None
        if not isinstance(trackers, list) or not trackers:
            raise PayPalApiError(400, [detail("MISSING_REQUIRED_PARAMETER", "A required field / parameter is "
                                              "missing.", "/trackers")])
        if len(trackers) > MAX_BATCH:
            raise PayPalApiError(400, [detail("INVALID_ARRAY_MAX_ITEMS", f"The number of items in an array "
                                              f"parameter is too large (at most {MAX_BATCH}).", "/trackers",
                                              len(trackers))])
        state, base = state_of(request), base_of(request)
        identifiers: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for i, item in enumerate(trackers):
            problems = check_v1_tracker(item, f"/trackers/{i}")
            if problems:
                errors.append(error_body(400, problems))
                continue
            if not app.knows_transaction(item["transaction_id"]):
                errors.append(error_body(404, [detail("INVALID_RESOURCE_ID", "The requested transaction ID was "
                                                      "not found.", f"/trackers/{i}/transaction_id",
                                                      item["transaction_id"])]))
                continue
            try:
                tracker = _store_v1(state, app, item)
            except PayPalApiError as exc:
                for d in exc.body.get("details", []):
                    d["field"] = f"/trackers/{i}/tracking_number"
                errors.append(exc.body)
                continue
            identifiers.append({"transaction_id": tracker.transaction_id, "tracking_number": tracker.tracking_number,
                                "links": tracker.to_v1(base)["links"]})
        return ok({"tracker_identifiers": identifiers, "errors": errors,
                   "links": [{"href": f"{base}/v1/shipping/trackers-batch", "rel": "self", "method": "POST"}]})

    return await idempotent(request, app, handle)


def _v1_tracker(request: Request, app: App, tracker_id: str) -> Tracker:
    tracker = state_of(request).tracker(app.client_id, tracker_id)
    if tracker is None or tracker.order_id is not None:
        raise PayPalApiError(404, [detail("INVALID_RESOURCE_ID", "Specified resource ID does not exist.")])
    return tracker


@router.get("/v1/shipping/trackers/{tracker_id}")
async def get_tracker(tracker_id: str, request: Request) -> Response:
    app = authenticate(request)
    return ok(_v1_tracker(request, app, tracker_id).to_v1(base_of(request)))


@router.put("/v1/shipping/trackers/{tracker_id}")
async def put_tracker(tracker_id: str, request: Request) -> Response:
    """Update or cancel a v1 tracker: the whole tracker, ids matching the path; answers 204."""
    app = authenticate(request)

    async def handle() -> Response:
        tracker = _v1_tracker(request, app, tracker_id)
        body = await json_body(request)
        problems = check_v1_tracker(body, "")
        if problems:
            raise PayPalApiError(400, problems)
        if body["transaction_id"] != tracker.transaction_id or (body.get("tracking_number") or "") != \
                tracker.tracking_number:
            raise PayPalApiError(422, [detail("INVALID_PARAMETER_VALUE", "transaction_id and tracking_number must "
                                              "match the tracker id.", "/transaction_id", body["transaction_id"])])
        _store_v1(state_of(request), app, body)
        return ok(None, 204)

    return await idempotent(request, app, handle)


@router.get("/v1/shipping/trackers")
async def list_trackers(request: Request, transaction_id: str | None = None,
                        tracking_number: str | None = None) -> Response:
    app = authenticate(request)
    if not transaction_id:
        raise PayPalApiError(400, [detail("MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.",
                                          "transaction_id", location="query")])
    found = [t.to_v1(base_of(request)) for t in state_of(request).trackers_of(app.client_id)
             if t.order_id is None and t.transaction_id == transaction_id
             and (tracking_number is None or t.tracking_number == tracking_number)]
    return ok({"trackers": found, "links": []})
