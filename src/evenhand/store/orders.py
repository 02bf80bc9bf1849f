"""Orders with their line items and payment references, saved idempotently by name.

An order whose source record is unchanged (same digest) is left alone; a changed one is
updated in place and its line items replaced; one whose source says it is older than what
is stored (`updated_at`) is stale and skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from evenhand.domain.models import LineItem, Order
from evenhand.domain.money import to_minor
from evenhand.domain.value import order_figures
from evenhand.store.statements import (
    bulk_insert,
    bulk_update,
    chunked,
    timestamp_binder,
)
from evenhand.store.tables import line_items, orders, payment_references


@dataclass(slots=True)
class SavedOrders:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    customer_ids: set[int] = field(default_factory=set)  # whose value must be recomputed


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    digest: str
    updated_at: Any
    customer_id: int | None


def save_orders(
    connection: Connection, batch: Sequence[Order], customer_ids: Mapping[str, int]
) -> SavedOrders:
    result = SavedOrders()
    stored = _stored_by_name(connection, [order.name for order in batch])
    fresh: list[Order] = []
    changed: list[tuple[int, Order]] = []
    for order in batch:
        before = stored.get(order.name)
        if before is None:
            fresh.append(order)
        elif before.digest == order.source_digest:
            result.unchanged += 1
        elif _is_stale(order, before):
            result.stale += 1
        else:
            changed.append((before.id, order))
            if before.customer_id is not None:
                result.customer_ids.add(before.customer_id)
    _insert_new(connection, fresh, customer_ids)
    _update_changed(connection, changed, customer_ids)
    result.created, result.updated = len(fresh), len(changed)
    result.customer_ids.update(
        customer_ids[o.email] for o in fresh + [o for _, o in changed] if o.email is not None
    )
    return result


def _is_stale(order: Order, before: _Stored) -> bool:
    return (
        order.updated_at is not None
        and before.updated_at is not None
        and order.updated_at < before.updated_at
    )


def _stored_by_name(connection: Connection, names: Sequence[str]) -> dict[str, _Stored]:
    stored: dict[str, _Stored] = {}
    columns = (
        orders.c.name,
        orders.c.id,
        orders.c.source_digest,
        orders.c.source_updated_at,
        orders.c.customer_id,
    )
    for part in chunked(names):
        for name, *rest in connection.execute(select(*columns).where(orders.c.name.in_(part))):
            stored[name] = _Stored(*rest)
    return stored


ORDER_COLUMNS = (
    "name",
    "shopify_id",
    "customer_id",
    "email",
    "currency",
    "created_at",
    "source_updated_at",
    "total_minor",
    "subtotal_minor",
    "shipping_minor",
    "taxes_minor",
    "refunded_minor",
    "outstanding_minor",
    "financial_status",
    "fulfillment_status",
    "fulfilled_at",
    "cancelled_at",
    "test",
    "tags",
    "billing_name",
    "exclusion",
    "value_gross_minor",
    "value_refund_minor",
    "cost_known_minor",
    "uncosted_minor",
    "source_digest",
)
ITEM_COLUMNS = (
    "order_id",
    "position",
    "name",
    "sku",
    "quantity",
    "unit_price_minor",
    "discount_minor",
    "unit_cost_minor",
    "fulfillment_status",
)


def _order_values(
    order: Order, customer_ids: Mapping[str, int], stamp: Callable[[datetime | None], Any]
) -> tuple[Any, ...]:
    """The order as a row in ORDER_COLUMNS' order, in the driver's terms."""
    currency = order.currency
    figures = order_figures(order)
    return (
        order.name,
        order.shopify_id,
        customer_ids.get(order.email) if order.email else None,
        order.email,
        currency,
        stamp(order.created_at),
        stamp(order.updated_at),
        to_minor(order.total, currency),
        to_minor(order.subtotal, currency),
        to_minor(order.shipping, currency),
        to_minor(order.taxes, currency),
        to_minor(order.refunded, currency),
        to_minor(order.outstanding, currency),
        order.financial_status,
        order.fulfillment_status,
        stamp(order.fulfilled_at),
        stamp(order.cancelled_at),
        order.test,
        order.tags,
        order.billing_name,
        None if figures.exclusion is None else figures.exclusion.value,
        figures.gross,
        figures.refunded,
        figures.cost_known,
        figures.uncosted,
        order.source_digest,
    )


def _insert_new(
    connection: Connection, fresh: Sequence[Order], customer_ids: Mapping[str, int]
) -> None:
    """Bulk insert, then read the new ids back by name (names are unique)."""
    if not fresh:
        return
    stamp = timestamp_binder(connection)
    before = connection.execute(select(func.max(orders.c.id))).scalar() or 0
    bulk_insert(
        connection,
        orders,
        ORDER_COLUMNS,
        [_order_values(order, customer_ids, stamp) for order in fresh],
    )
    new_rows = connection.execute(select(orders.c.name, orders.c.id).where(orders.c.id > before))
    ids = {name: order_id for name, order_id in new_rows}
    _insert_children(connection, [(ids[order.name], order) for order in fresh])


def _update_changed(
    connection: Connection, changed: Sequence[tuple[int, Order]], customer_ids: Mapping[str, int]
) -> None:
    if not changed:
        return
    stamp = timestamp_binder(connection)
    bulk_update(
        connection,
        orders,
        ORDER_COLUMNS,
        [(*_order_values(order, customer_ids, stamp), order_id) for order_id, order in changed],
    )
    for part in chunked([order_id for order_id, _ in changed]):
        connection.execute(delete(line_items).where(line_items.c.order_id.in_(part)))
        connection.execute(
            delete(payment_references).where(payment_references.c.order_id.in_(part))
        )
    _insert_children(connection, changed)


def _insert_children(connection: Connection, saved: Sequence[tuple[int, Order]]) -> None:
    items = [
        _item_values(order_id, position, order.currency, item)
        for order_id, order in saved
        for position, item in enumerate(order.line_items)
    ]
    bulk_insert(connection, line_items, ITEM_COLUMNS, items)
    references = [
        (reference, order_id) for order_id, order in saved for reference in order.payment_references
    ]
    bulk_insert(
        connection, payment_references, ("reference", "order_id"), references, skip_conflicts=True
    )


def _item_values(order_id: int, position: int, currency: str, item: LineItem) -> tuple[Any, ...]:
    return (
        order_id,
        position,
        item.name,
        item.sku,
        item.quantity,
        to_minor(item.unit_price, currency),
        to_minor(item.discount, currency),
        None if item.unit_cost is None else to_minor(item.unit_cost, currency),
        item.fulfillment_status,
    )
