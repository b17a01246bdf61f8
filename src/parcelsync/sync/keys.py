"""Target keys across connectors: which destination records a shipment feeds, in Python and in SQL.

Formatting and parsing of one key live in `connectors.keys.KeyShape`; this module asks every
registered connector, and turns key shapes into SQL over shipment rows. `gateway` is the merchant's
default payment gateway (`sync.gateways.default_gateway`): where a payment naming none goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, or_, true, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from parcelsync.connectors.keys import SEPARATOR, HasTargetFields, TargetKey
from parcelsync.connectors.registry import all_connectors, connector_for
from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.provider import Provider
from parcelsync.sync.gateways import gateway_providers

SHIPMENT_COLUMNS = cast(Table, ShipmentRow.__table__).c

__all__ = [
    "HasTargetFields", "TargetKey", "history_keys", "key_columns", "key_expression", "key_for",
    "key_present_condition", "keys_condition", "parse_key", "skip_reason", "target_key", "target_keys",
]


def key_for(provider: Provider | str, *values: str) -> TargetKey:
    """The target key of a provider's record from its field values, e.g. (order_id, fulfillment_id)."""
    connector = connector_for(provider)
    return TargetKey(connector.provider, connector.key.format(*values))


def parse_key(target: TargetKey) -> tuple[str, ...]:
    """The field values a target key was made of."""
    return connector_for(target.provider).key.parse(target.key)


def skip_reason(provider: Provider | str, shipment: HasTargetFields, *, gateway: str | None) -> str | None:
    """Why a shipment cannot reach a provider (a missing key), or None when it can."""
    return connector_for(provider).key.skip_reason(shipment, gateway)


def target_key(provider: Provider | str, shipment: HasTargetFields, *, gateway: str | None) -> TargetKey | None:
    """The provider record this shipment is part of, or None when it lacks the key's fields."""
    connector = connector_for(provider)
    values = connector.key.values_of(shipment, gateway)
    return TargetKey(connector.provider, connector.key.format(*values)) if values is not None else None


def target_keys(shipment: HasTargetFields, *, gateway: str | None) -> set[TargetKey]:
    """Every destination record this shipment is part of (`target_key` of every connector)."""
    keys: set[TargetKey] = set()
    for connector in all_connectors():
        values = connector.key.values_of(shipment, gateway)
        if values is not None:
            keys.add(TargetKey(connector.provider, connector.key.format(*values)))
    return keys


def history_keys(shipment: HasTargetFields) -> set[TargetKey]:
    """Every record the shipment may have fed, whichever gateway was the default then (audit, receipts)."""
    return set().union(*(target_keys(shipment, gateway=g) for g in (None, *sorted(gateway_providers()))))


def key_columns(provider: Provider | str) -> tuple[InstrumentedAttribute[str | None], ...]:
    """The shipment columns a provider's target key is made of."""
    return tuple(getattr(ShipmentRow, c) for c in connector_for(provider).key.columns)


def key_expression(provider: Provider | str) -> ColumnElement[str]:
    """The target key as SQL over a shipment row (what `KeyShape.format` makes in Python)."""
    columns: list[ColumnElement[str]] = list(key_columns(provider))  # type: ignore[arg-type]
    expression = columns[0]
    for column in columns[1:]:
        expression = expression + SEPARATOR + column
    return expression


def keys_condition(
    provider: Provider | str, keys: Sequence[str], *, gateway: str | None, row_values: bool = True
) -> ColumnElement[bool]:
    """Shipment rows behind any of `keys`: `IN` on the key column, or on the column tuple (`row_values`),
    or one AND per key (`row_values=False`, which lets SQLite use the two-column index per key)."""
    connector = connector_for(provider)
    columns = key_columns(provider)
    if len(columns) == 1:
        return and_(columns[0].in_(list(keys)), selector_condition(provider, gateway=gateway))
    parsed = [connector.key.parse(k) for k in keys]
    if row_values:
        return and_(tuple_(*columns).in_(parsed), selector_condition(provider, gateway=gateway))
    keyed = or_(*(and_(*(c == v for c, v in zip(columns, values, strict=True))) for values in parsed))
    return and_(keyed, selector_condition(provider, gateway=gateway))


def selector_condition(provider: Provider | str, *, gateway: str | None) -> ColumnElement[bool]:
    """SQL of `KeyShape.selects`: rows whose selector column names this provider, or is empty while it is
    the default (`gateway`)."""
    only_when = connector_for(provider).key.only_when
    if only_when is None:
        return true()
    column: ColumnElement[str | None] = SHIPMENT_COLUMNS[only_when[0]]  # table columns: usable in Core statements
    if gateway == only_when[1]:
        return or_(column.is_(None), column == "", column == only_when[1])
    return column == only_when[1]


def key_present_condition(provider: Provider | str, *, gateway: str | None) -> ColumnElement[bool]:
    """SQL of `skip_reason(...) is None`: rows this destination selects that have every field of its key."""
    present = (and_(column.is_not(None), column != "") for column in key_columns(provider))
    return and_(selector_condition(provider, gateway=gateway), *present)
