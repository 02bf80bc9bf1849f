"""What the VIP threshold advisor reads: each customer's value figures, and the days the
shop's orders and decided tickets span."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from evenhand.store.tables import customer_values, decisions, tickets


@dataclass(frozen=True, slots=True)
class CustomerFigures:
    net_minor: int
    margin_minor: int
    orders: int
    first_order_at: datetime
    last_order_at: datetime


def customer_figures(connection: Connection) -> Iterator[CustomerFigures]:
    """Each customer with orders: net revenue and gross margin in minor units, orders, the
    first and the last."""
    statement = select(
        customer_values.c.gross_minor - customer_values.c.refunds_minor,
        customer_values.c.margin_minor,
        customer_values.c.orders,
        customer_values.c.first_order_at,
        customer_values.c.last_order_at,
    ).where(customer_values.c.orders > 0)
    for net, margin, orders, first, last in connection.execute(statement):
        yield CustomerFigures(int(net), int(margin), int(orders), first, last)


def customer_amounts(connection: Connection) -> Iterator[tuple[int, int]]:
    """Each customer with orders: (net revenue, gross margin) in minor units, and nothing
    else (the dates cost more to read than the rest; only the predicted CLV needs them)."""
    statement = select(
        customer_values.c.gross_minor - customer_values.c.refunds_minor,
        customer_values.c.margin_minor,
    ).where(customer_values.c.orders > 0)
    for net, margin in connection.execute(statement):
        yield int(net), int(margin)


def order_span(connection: Connection) -> tuple[datetime | None, datetime | None]:
    first, last = connection.execute(
        select(
            func.min(customer_values.c.first_order_at), func.max(customer_values.c.last_order_at)
        )
    ).one()
    return first, last


def ticket_span(connection: Connection) -> tuple[datetime | None, datetime | None]:
    first, last = connection.execute(
        select(func.min(tickets.c.created_at), func.max(tickets.c.created_at)).where(
            tickets.c.id.in_(select(decisions.c.ticket_id))
        )
    ).one()
    return first, last
