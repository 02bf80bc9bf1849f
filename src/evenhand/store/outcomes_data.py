"""What the outcome figures read: each decided ticket of a known customer (its latest
decision), and the moments the customers' bank disputes were opened."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, select

from evenhand.store.decisions import is_latest_decision
from evenhand.store.reviews import last_review
from evenhand.store.tables import decisions, disputes, orders, reviews, tickets


@dataclass(frozen=True, slots=True)
class DecidedRow:
    customer_id: int
    created_at: datetime
    tier: str
    remedy: str
    ltv_minor: int
    threats: str  # "" when the message made no threat


def decided_tickets(connection: Connection, *, batch: int = 5_000) -> Iterator[DecidedRow]:
    """Each ticket's latest decision with the remedy given: an agent's override's, else the
    guide's."""
    overridden = and_(reviews.c.action == "override", reviews.c.remedy.is_not(None))
    given = case((overridden, reviews.c.remedy), else_=decisions.c.remedy)
    statement = (
        select(
            tickets.c.customer_id,
            tickets.c.created_at,
            decisions.c.tier,
            given,
            decisions.c.ltv_minor,
            decisions.c.threats,
        )
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .outerjoin(reviews, reviews.c.id == last_review())
        .where(is_latest_decision(), tickets.c.customer_id.is_not(None))
        .order_by(tickets.c.created_at, tickets.c.id)
    )
    for row in connection.execution_options(yield_per=batch).execute(statement):
        yield DecidedRow(int(row[0]), row[1], row[2], row[3], int(row[4]), row[5] or "")


def dispute_openings(connection: Connection) -> Iterator[tuple[int, datetime]]:
    """(customer id, when opened) of every dispute linked to a customer's order; a dispute
    with no date of its own counts from when it was first seen."""
    opened = func.coalesce(disputes.c.initiated_at, disputes.c.observed_at)
    statement = (
        select(orders.c.customer_id, opened)
        .join(orders, orders.c.id == disputes.c.order_id)
        .where(orders.c.customer_id.is_not(None), opened.is_not(None))
    )
    for customer, at in connection.execute(statement):
        yield int(customer), at
