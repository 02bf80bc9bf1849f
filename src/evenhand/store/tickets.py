"""Tickets as they arrived, and what triage needs to look up about them in one go."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from evenhand.store.customers import CustomerRow, _with_values
from evenhand.store.statements import chunked
from evenhand.store.tables import customers, decisions, orders, tickets


@dataclass(frozen=True, slots=True)
class OrderRow:
    name: str
    customer_id: int | None
    created_at: datetime
    total_minor: int
    fulfillment_status: str | None
    fulfilled_at: datetime | None
    cancelled_at: datetime | None
    tags: str
    delivered_at: datetime | None = None  # when every parcel's carrier said delivered
    subtotal_minor: int = 0  # the lines after discounts
    cost_known_minor: int = 0  # the lines' Cost per item, where known
    uncosted_minor: int = 0  # the price of the lines without a known cost


_ORDER_COLUMNS = (
    orders.c.name,
    orders.c.customer_id,
    orders.c.created_at,
    orders.c.total_minor,
    orders.c.fulfillment_status,
    orders.c.fulfilled_at,
    orders.c.cancelled_at,
    orders.c.tags,
    orders.c.delivered_at,
    orders.c.subtotal_minor,
    orders.c.cost_known_minor,
    orders.c.uncosted_minor,
)


def customers_by_email(connection: Connection, emails: Sequence[str]) -> dict[str, CustomerRow]:
    found: dict[str, CustomerRow] = {}
    for part in chunked(sorted(set(emails))):
        rows = connection.execute(_with_values().where(customers.c.email.in_(part))).mappings()
        found.update({row["email"]: CustomerRow.of(row) for row in rows})
    return found


def orders_by_name(connection: Connection, names: Sequence[str]) -> dict[str, OrderRow]:
    found: dict[str, OrderRow] = {}
    for part in chunked(sorted(set(names))):
        rows = connection.execute(select(*_ORDER_COLUMNS).where(orders.c.name.in_(part)))
        found.update({row.name: OrderRow(*row) for row in rows})
    return found


def orders_of_customers(
    connection: Connection, customer_ids: Sequence[int]
) -> dict[int, list[OrderRow]]:
    """Each customer's orders, oldest first."""
    found: dict[int, list[OrderRow]] = defaultdict(list)
    for part in chunked(sorted(set(customer_ids))):
        statement = (
            select(*_ORDER_COLUMNS)
            .where(orders.c.customer_id.in_(part))
            .order_by(orders.c.created_at, orders.c.name)
        )
        for row in connection.execute(statement):
            found[row.customer_id].append(OrderRow(*row))
    return found


TicketKey = tuple[str, str]  # (source, the source's own id of the ticket)


def save_tickets(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> dict[TicketKey, int]:
    """Insert new tickets and refresh known ones (by source and key); returns ids by both."""
    latest = {(row["source"], row["ticket_key"]): row for row in rows}
    known = _ids_by_key(connection, list(latest))
    fresh = [row for key, row in latest.items() if key not in known]
    if fresh:
        connection.execute(insert(tickets), fresh)
    changed = [
        {**row, "b_source": row["source"], "b_key": row["ticket_key"]}
        for key, row in latest.items()
        if key in known
    ]
    if changed:
        fixed = {"b_source", "b_key", "source", "ticket_key"}
        values: dict[str, Any] = {key: bindparam(key) for key in changed[0] if key not in fixed}
        statement = (
            update(tickets)
            .where(tickets.c.source == bindparam("b_source"))
            .where(tickets.c.ticket_key == bindparam("b_key"))
            .values(values)
        )
        connection.execute(statement, changed)
    return known | _ids_by_key(connection, [(row["source"], row["ticket_key"]) for row in fresh])


def _ids_by_key(connection: Connection, keys: Sequence[TicketKey]) -> dict[TicketKey, int]:
    found: dict[TicketKey, int] = {}
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, key in keys:
        by_source[source].append(key)
    for source, source_keys in by_source.items():
        for part in chunked(source_keys):
            rows = connection.execute(
                select(tickets.c.ticket_key, tickets.c.id)
                .where(tickets.c.source == source)
                .where(tickets.c.ticket_key.in_(part))
            )
            found.update({(source, key): ticket_id for key, ticket_id in rows})
    return found


def message_of_decision(connection: Connection, decision_id: int) -> tuple[str | None, str]:
    """The subject of the ticket a decision decided, and the words it was taken on (the
    ticket's latest for a decision taken before they were kept with it)."""
    subject, body = connection.execute(
        select(tickets.c.subject, func.coalesce(decisions.c.message_body, tickets.c.body))
        .join(decisions, decisions.c.ticket_id == tickets.c.id)
        .where(decisions.c.id == decision_id)
    ).one()
    return subject, body


def source_of_decision(connection: Connection, decision_id: int) -> tuple[str, str]:
    """The source (zendesk, gorgias, file, ...) and the source's own id of a decision's ticket."""
    source, key = connection.execute(
        select(tickets.c.source, tickets.c.ticket_key)
        .join(decisions, decisions.c.ticket_id == tickets.c.id)
        .where(decisions.c.id == decision_id)
    ).one()
    return str(source), str(key)


def first_name_of_decision(connection: Connection, decision_id: int) -> str | None:
    """The first name a reply to the decision's ticket greets: the ticket's own, else the
    customer's (as triage takes it)."""
    row = connection.execute(
        select(tickets.c.first_name, customers.c.first_name.label("customer_first_name"))
        .join(decisions, decisions.c.ticket_id == tickets.c.id)
        .outerjoin(customers, customers.c.email == tickets.c.customer_email)
        .where(decisions.c.id == decision_id)
    ).first()
    if row is None:
        return None
    name: str | None = row.first_name or row.customer_first_name
    return name


def decision_of_message(
    connection: Connection, *, source: str, ticket_key: str, message_key: str
) -> int | None:
    """The latest decision taken on this very message of the ticket (the helpdesk's id of
    it), by any earlier delivery or file: else None."""
    found = connection.execute(
        select(decisions.c.id)
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .where(
            tickets.c.source == source,
            tickets.c.ticket_key == ticket_key,
            decisions.c.message_key == message_key,
        )
        .order_by(decisions.c.id.desc())
        .limit(1)
    ).scalar()
    return None if found is None else int(found)
