"""What the predicted-CLV fit reads: each counted order's customer, day and net amount."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, func, select

from evenhand.store.tables import orders


def counted_purchases(connection: Connection) -> Iterator[tuple[int, datetime, int]]:
    """(customer id, created at, net amount in minor units) of every counted order of a
    known customer, in the covering index's order."""
    statement = select(
        orders.c.customer_id,
        orders.c.created_at,
        orders.c.value_gross_minor - orders.c.value_refund_minor,
    ).where(orders.c.exclusion.is_(None), orders.c.customer_id.is_not(None))
    for customer, created, net in connection.execute(statement):
        yield int(customer), created, int(net)


def counted_orders(connection: Connection) -> int:
    statement = select(func.count()).where(
        orders.c.exclusion.is_(None), orders.c.customer_id.is_not(None)
    )
    return int(connection.execute(statement).scalar_one())
