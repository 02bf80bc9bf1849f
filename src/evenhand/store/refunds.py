"""Shopify refunds that arrive on their own (refunds/create), counted once.

The refunds an order object lists (orders/updated) already make up its refunded amount;
their ids are remembered too, so a refunds/create for one of them adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select, update

from evenhand.store.statements import bulk_insert
from evenhand.store.tables import orders, refunds_seen


def remember_refunds(
    connection: Connection, *, order_shopify_id: int, refund_ids: Sequence[int]
) -> None:
    rows = [(refund_id, order_shopify_id) for refund_id in refund_ids]
    bulk_insert(
        connection,
        refunds_seen,
        columns=("refund_id", "order_shopify_id"),
        rows=rows,
        skip_conflicts=True,
    )


def refund_seen(connection: Connection, refund_id: int) -> bool:
    found = connection.execute(
        select(refunds_seen.c.refund_id).where(refunds_seen.c.refund_id == refund_id)
    ).first()
    return found is not None


def add_refund(
    connection: Connection, *, refund_id: int, order_shopify_id: int, amount_minor: int
) -> int | None:
    """Add a refund not counted yet to its order; returns the order's customer id, if any.

    Raises LookupError when the order is not known (it has to be imported first).
    """
    order = connection.execute(
        select(orders.c.id, orders.c.customer_id).where(orders.c.shopify_id == order_shopify_id)
    ).first()
    if order is None:
        raise LookupError(f"order {order_shopify_id} is not known yet")
    if refund_seen(connection, refund_id):
        return None
    remember_refunds(connection, order_shopify_id=order_shopify_id, refund_ids=[refund_id])
    connection.execute(
        update(orders)
        .where(orders.c.id == order.id)
        .values(
            refunded_minor=orders.c.refunded_minor + amount_minor,
            value_refund_minor=func.min(
                orders.c.value_gross_minor, orders.c.value_refund_minor + amount_minor
            )
            if connection.dialect.name == "sqlite"
            else func.least(orders.c.value_gross_minor, orders.c.value_refund_minor + amount_minor),
        )
    )
    customer_id: int | None = order.customer_id
    return customer_id
