"""Orders from domain objects: staged row by row, then merged (see `evenhand.store.staging`).

This is the path for REST orders, webhooks and any export the bulk reader hands back; the
columnar bulk path (`evenhand.store.bulk`) stages the same rows and shares the merge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from evenhand.domain.models import LineItem, Order
from evenhand.domain.money import to_minor
from evenhand.domain.value import order_figures
from evenhand.store.staging import (
    INSERT,
    ITEM_COLUMNS,
    ORDER_COLUMNS,
    REFERENCE_COLUMNS,
    STAGE_INDEX,
    MergedOrders,
    ShopifyIdTakenError,
    create_temporary_stage,
    drop_temporary_stage,
    merge_staged_orders,
    stage_items,
    stage_orders,
    stage_references,
)
from evenhand.store.statements import bulk_insert, timestamp_binder
from evenhand.store.tables import line_items, orders


def save_orders(
    connection: Connection, batch: Sequence[Order], *, customer_ids: Mapping[str, int]
) -> MergedOrders:
    """Insert new orders, update changed ones; the last of a name in the batch wins."""
    latest = list({order.name: order for order in batch}.values())
    _refuse_shared_shopify_ids(latest)
    stage = create_temporary_stage(connection)
    stamp = timestamp_binder(connection)
    bulk_insert(
        connection,
        stage_orders,
        columns=(*ORDER_COLUMNS, STAGE_INDEX, "action"),
        rows=[
            (*order_values(order, customer_ids, stamp=stamp), index, INSERT)
            for index, order in enumerate(latest, start=1)
        ],
    )
    bulk_insert(
        connection,
        stage_items,
        columns=ITEM_COLUMNS,
        rows=[
            (order.name, index, *item_values(order, position, item=item))
            for index, order in enumerate(latest, start=1)
            for position, item in enumerate(order.line_items)
        ],
    )
    bulk_insert(
        connection,
        stage_references,
        columns=REFERENCE_COLUMNS,
        rows=[
            (order.name, index, reference)
            for index, order in enumerate(latest, start=1)
            for reference in order.payment_references
        ],
    )
    merged = merge_staged_orders(connection, stage=stage)
    drop_temporary_stage(connection)
    return merged


def _refuse_shared_shopify_ids(batch: Sequence[Order]) -> None:
    """Two orders of one batch with one Shopify id: refused, naming the second."""
    first_of: dict[int, str] = {}
    for order in batch:
        if order.shopify_id is None:
            continue
        taken_by = first_of.setdefault(order.shopify_id, order.name)
        if taken_by != order.name:
            raise ShopifyIdTakenError(
                name=order.name, shopify_id=order.shopify_id, taken_by=taken_by
            )


def order_values(
    order: Order, customer_ids: Mapping[str, int], *, stamp: Callable[[datetime | None], Any]
) -> tuple[Any, ...]:
    """The order as a row in ORDER_COLUMNS' order, in the driver's terms."""
    currency = order.currency
    figures = order_figures(order)
    row = {
        "name": order.name,
        "shopify_id": order.shopify_id,
        "customer_id": customer_ids.get(order.email) if order.email else None,
        "email": order.email,
        "currency": currency,
        "created_at": stamp(order.created_at),
        "source_updated_at": stamp(order.updated_at),
        "total_minor": to_minor(order.total, currency),
        "subtotal_minor": to_minor(order.subtotal, currency),
        "shipping_minor": to_minor(order.shipping, currency),
        "taxes_minor": to_minor(order.taxes, currency),
        "refunded_minor": to_minor(order.refunded, currency),
        "outstanding_minor": to_minor(order.outstanding, currency),
        "financial_status": order.financial_status,
        "fulfillment_status": order.fulfillment_status,
        "fulfilled_at": stamp(order.fulfilled_at),
        "cancelled_at": stamp(order.cancelled_at),
        "delivered_at": stamp(order.delivered_at),
        "test": order.test,
        "tags": order.tags,
        "billing_name": order.billing_name,
        "exclusion": None if figures.exclusion is None else figures.exclusion.value,
        "value_gross_minor": figures.gross,
        "value_refund_minor": figures.refunded,
        "cost_known_minor": figures.cost_known,
        "uncosted_minor": figures.uncosted,
        "source_digest": order.source_digest,
    }
    return tuple(row[column] for column in ORDER_COLUMNS)


def item_values(order: Order, position: int, *, item: LineItem) -> tuple[Any, ...]:
    """The line item in LINE_ITEM_FIELDS' order."""
    currency = order.currency
    return (
        position,
        item.name,
        item.sku,
        item.quantity,
        to_minor(item.unit_price, currency),
        to_minor(item.discount, currency),
        None if item.unit_cost is None else to_minor(item.unit_cost, currency),
        item.fulfillment_status,
    )


@dataclass(frozen=True, slots=True)
class OrderLine:
    name: str
    sku: str | None
    quantity: int
    unit_price_minor: int
    fulfillment_status: str | None


@dataclass(frozen=True, slots=True)
class OrderShown:
    """An order as an agent sees it on a ticket: its state and its lines."""

    name: str
    shopify_id: int | None
    currency: str
    created_at: datetime
    total_minor: int
    refunded_minor: int
    financial_status: str | None
    fulfillment_status: str | None
    fulfilled_at: datetime | None
    cancelled_at: datetime | None
    lines: tuple[OrderLine, ...]


def order_shown(
    connection: Connection, name: str, *, customer_id: int | None = None
) -> OrderShown | None:
    """The order of this name with its lines in their order (given `customer_id`, only
    if it is that customer's), or None."""
    query = select(orders).where(orders.c.name == name)
    if customer_id is not None:
        query = query.where(orders.c.customer_id == customer_id)
    row = connection.execute(query).one_or_none()
    if row is None:
        return None
    lines = connection.execute(
        select(
            line_items.c.name,
            line_items.c.sku,
            line_items.c.quantity,
            line_items.c.unit_price_minor,
            line_items.c.fulfillment_status,
        )
        .where(line_items.c.order_id == row.id)
        .order_by(line_items.c.position)
    )
    return OrderShown(
        name=row.name,
        shopify_id=row.shopify_id,
        currency=row.currency,
        created_at=row.created_at,
        total_minor=row.total_minor,
        refunded_minor=row.refunded_minor,
        financial_status=row.financial_status,
        fulfillment_status=row.fulfillment_status,
        fulfilled_at=row.fulfilled_at,
        cancelled_at=row.cancelled_at,
        lines=tuple(OrderLine(*line) for line in lines),
    )
