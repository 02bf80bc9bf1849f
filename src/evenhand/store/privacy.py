"""Erasing a customer's personal data (Shopify's customers/redact and shop/redact).

What stays is anonymous: the customer row keeps its figures under a placeholder address,
orders keep their amounts, tickets and decisions keep intent, remedy, tier and tags. What
goes: names, e-mail addresses, phone numbers, notes, ticket text, reply drafts, the
evidence sentences, and the raw webhook bodies that carried any of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, or_, select, update

from evenhand.store.tables import customers, decisions, inbox, orders, tickets

REDACTED_BODY = '{"redacted": true}'


def placeholder_email(customer_id: int) -> str:
    return f"redacted-{customer_id}@redacted.invalid"


def customers_matching(
    connection: Connection, *, email: str | None, shopify_id: int | None
) -> list[tuple[int, str]]:
    conditions = []
    if email:
        conditions.append(func.lower(customers.c.email) == email.strip().lower())
    if shopify_id is not None:
        conditions.append(customers.c.shopify_id == shopify_id)
    if not conditions:
        return []
    rows = connection.execute(select(customers.c.id, customers.c.email).where(or_(*conditions)))
    return [(customer_id, address) for customer_id, address in rows]


def all_customers(connection: Connection) -> list[tuple[int, str]]:
    rows = connection.execute(select(customers.c.id, customers.c.email))
    return [(customer_id, address) for customer_id, address in rows]


def redact_customers(connection: Connection, people: Sequence[tuple[int, str]]) -> dict[str, int]:
    """Erase these customers' personal data; returns how many rows of each kind changed."""
    counts = {"customers": 0, "orders": 0, "tickets": 0, "decisions": 0, "deliveries": 0}
    for customer_id, address in people:
        for kind, changed in _redact_one(connection, customer_id, address).items():
            counts[kind] += changed
    return counts


def _redact_one(connection: Connection, customer_id: int, address: str) -> dict[str, int]:
    placeholder = placeholder_email(customer_id)
    people = connection.execute(
        update(customers)
        .where(customers.c.id == customer_id)
        .values(email=placeholder, first_name=None, last_name=None, phone=None, note=None, tags="")
    ).rowcount
    placed = connection.execute(
        update(orders)
        .where(or_(orders.c.customer_id == customer_id, func.lower(orders.c.email) == address))
        .values(email=None, billing_name=None)
    ).rowcount
    their_tickets = select(tickets.c.id).where(
        or_(tickets.c.customer_id == customer_id, tickets.c.customer_email == address)
    )
    ticket_ids = [ticket_id for (ticket_id,) in connection.execute(their_tickets)]
    return {
        "customers": people,
        "orders": placed,
        "tickets": _redact_tickets(connection, ticket_ids, placeholder),
        "decisions": _redact_decisions(connection, ticket_ids),
        "deliveries": _redact_deliveries(connection, address),
    }


def _redact_tickets(connection: Connection, ticket_ids: list[int], placeholder: str) -> int:
    if not ticket_ids:
        return 0
    return connection.execute(
        update(tickets)
        .where(tickets.c.id.in_(ticket_ids))
        .values(customer_email=placeholder, first_name=None, subject=None, body="")
    ).rowcount


def _redact_decisions(connection: Connection, ticket_ids: list[int]) -> int:
    if not ticket_ids:
        return 0
    rows = connection.execute(
        select(decisions.c.id, decisions.c.signals).where(decisions.c.ticket_id.in_(ticket_ids))
    ).all()
    for decision_id, signals in rows:
        connection.execute(
            update(decisions)
            .where(decisions.c.id == decision_id)
            .values(reply_text="", explanation="", signals=_without_evidence(signals))
        )
    return len(rows)


def _without_evidence(signals: Any) -> list[dict[str, Any]]:
    return [{"kind": each.get("kind"), "evidence": ""} for each in signals or []]


def _redact_deliveries(connection: Connection, address: str) -> int:
    """Raw webhook bodies that name the customer's address (the redact request's own too)."""
    condition = func.lower(inbox.c.body).contains(address.lower(), autoescape=True)
    return connection.execute(update(inbox).where(condition).values(body=REDACTED_BODY)).rowcount


def data_held(connection: Connection, people: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """What Evenhand holds on these customers (for customers/data_request): how many orders
    and tickets; `evenhand customer EMAIL --json` gives the figures behind their value."""
    held = []
    for customer_id, address in people:
        order_count = select(func.count()).where(orders.c.customer_id == customer_id)
        ticket_count = select(func.count()).where(
            or_(tickets.c.customer_id == customer_id, tickets.c.customer_email == address)
        )
        held.append(
            {
                "email": address,
                "orders": connection.execute(order_count).scalar_one(),
                "tickets": connection.execute(ticket_count).scalar_one(),
            }
        )
    return {"customers": held}
