"""The dispute desk's queries: disputes with their order and customer, the records an
evidence pack is drawn from, and the agent's edits to a pack with its sending."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, func, insert, or_, select, update

from evenhand.domain.models import OPEN_DISPUTE_STATUSES
from evenhand.store.tables import (
    customers,
    decisions,
    dispute_evidence,
    disputes,
    orders,
    reviews,
    tickets,
)


@dataclass(frozen=True, slots=True)
class DeskRow:
    """A dispute as the desk lists it."""

    id: int
    provider: str
    external_id: str
    status: str
    kind: str | None
    reason: str | None
    network_reason_code: str | None
    amount_minor: int
    currency: str
    initiated_at: datetime | None
    evidence_due_by: datetime | None
    order_name: str | None
    customer_email: str | None
    customer_name: str | None
    sent_at: datetime | None
    submitted_at: datetime | None

    @classmethod
    def of(cls, row: RowMapping) -> DeskRow:
        names = [row["first_name"], row["last_name"]]
        name = " ".join(part for part in names if part) or row["billing_name"]
        return cls(
            id=row["id"],
            provider=row["provider"],
            external_id=row["external_id"],
            status=row["status"],
            kind=row["kind"],
            reason=row["reason"],
            network_reason_code=row["network_reason_code"],
            amount_minor=row["amount_minor"],
            currency=row["currency"],
            initiated_at=row["initiated_at"],
            evidence_due_by=row["evidence_due_by"],
            order_name=row["order_name"],
            customer_email=row["customer_email"] or row["order_email"],
            customer_name=name or None,
            sent_at=row["sent_at"],
            submitted_at=row["submitted_at"],
        )


def _desk() -> Select[Any]:
    return (
        select(
            disputes,
            orders.c.name.label("order_name"),
            orders.c.email.label("order_email"),
            orders.c.billing_name,
            customers.c.email.label("customer_email"),
            customers.c.first_name,
            customers.c.last_name,
            dispute_evidence.c.sent_at,
            dispute_evidence.c.submitted_at,
        )
        .outerjoin(orders, orders.c.id == disputes.c.order_id)
        .outerjoin(customers, customers.c.id == orders.c.customer_id)
        .outerjoin(dispute_evidence, dispute_evidence.c.dispute_id == disputes.c.id)
    )


def open_dispute_rows(connection: Connection) -> list[DeskRow]:
    """Every dispute the bank has not closed, in no particular order."""
    statement = _desk().where(disputes.c.status.in_(sorted(OPEN_DISPUTE_STATUSES)))
    return [DeskRow.of(row) for row in connection.execute(statement).mappings()]


def desk_row(connection: Connection, dispute_id: int) -> DeskRow | None:
    found = connection.execute(_desk().where(disputes.c.id == dispute_id)).mappings().first()
    return DeskRow.of(found) if found else None


def disputes_by_status(connection: Connection) -> dict[str, tuple[int, int]]:
    """(how many, their amount in minor units) per status."""
    statement = select(
        disputes.c.status, func.count(), func.coalesce(func.sum(disputes.c.amount_minor), 0)
    ).group_by(disputes.c.status)
    return {status: (int(n), int(total)) for status, n, total in connection.execute(statement)}


def disputes_of_order(connection: Connection, order_name: str) -> list[DeskRow]:
    """The disputes of the order of this name (for a ticket about it)."""
    statement = _desk().where(orders.c.name == order_name).order_by(disputes.c.id)
    return [DeskRow.of(row) for row in connection.execute(statement).mappings()]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One message of the customer's and the reply that stands on it, if an agent approved
    one (an unapproved draft was never sent, so it is no evidence). Its subject and order
    are the ticket's latest."""

    ticket_key: str
    created_at: datetime  # when the customer wrote it; with `written_by`, no earlier than it
    channel: str
    order_name: str | None
    subject: str | None
    body: str
    reply_text: str | None
    replied_at: datetime | None
    remedy: str | None
    # Decided before messages were dated (migration 0024): written before the ticket's
    # first dated message, and, for a helpdesk's ticket, after it was opened (`created_at`).
    # A ticket with no dated message gives its latest words, dated when it was opened (from
    # a file: its latest row), as it always did.
    written_by: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Message:
    body: str
    written: datetime | None  # None: not recorded
    decision_ids: list[int]


def exchanges_with(
    connection: Connection, *, email: str | None, customer_id: int | None
) -> list[Exchange]:
    """Every message from the customer that was decided, oldest first, each with its words,
    the time it was written and its approved reply."""
    conditions = []
    if email:
        conditions.append(tickets.c.customer_email == email)
    if customer_id is not None:
        conditions.append(tickets.c.customer_id == customer_id)
    if not conditions:
        return []
    rows = connection.execute(
        select(tickets).where(or_(*conditions)).order_by(tickets.c.created_at, tickets.c.id)
    ).mappings()
    found = [exchange for row in rows for exchange in _exchanges(connection, row)]
    return sorted(found, key=_in_time)  # stable: a ticket's messages keep their order


def _in_time(exchange: Exchange) -> tuple[datetime, bool]:
    return exchange.created_at, exchange.written_by is None


def _exchanges(connection: Connection, ticket: RowMapping) -> list[Exchange]:
    messages = _messages(connection, ticket["id"])
    dated = [message.written for message in messages if message.written is not None]
    if not dated:
        latest = connection.execute(
            select(func.max(decisions.c.id)).where(decisions.c.ticket_id == ticket["id"])
        ).scalar()
        words = _Message(ticket["body"], ticket["created_at"], [] if latest is None else [latest])
        return [_exchange(connection, ticket, words, None)]
    first = min(dated)
    # A helpdesk's ticket keeps when it was opened; a file's, the time of its latest row.
    opened = first if ticket["source"] == "jsonl" else min(ticket["created_at"], first)
    return [
        _exchange(connection, ticket, message, None)
        if message.written is not None
        else _exchange(connection, ticket, replace(message, written=opened), first)
        for message in messages
    ]


def _messages(connection: Connection, ticket_id: int) -> list[_Message]:
    """The ticket's decided messages with their words: one per helpdesk id of a message and
    its words, else per time and words (a message decided again, by a new guide or a second
    event, is one; so is one known by two ids at one time in the same words); its words the
    latest decision's, its time the earliest recorded."""
    taken = connection.execute(
        select(decisions.c.id, decisions.c.message_key, decisions.c.message_at)
        .add_columns(decisions.c.message_body)
        .where(decisions.c.ticket_id == ticket_id, decisions.c.message_body.is_not(None))
        .order_by(decisions.c.id)
    ).all()
    grouped: dict[tuple[object, ...], list[Any]] = {}
    for row in taken:
        known = row.message_key or row.message_at
        grouped.setdefault((known, row.message_body), []).append(row)
    merged: dict[tuple[object, ...], list[Any]] = {}
    for rows in grouped.values():
        at = min((r.message_at for r in rows if r.message_at is not None), default=None)
        key = (at, rows[-1].message_body) if at is not None else (id(rows),)
        merged.setdefault(key, []).extend(rows)
    return [
        _Message(
            max(rows, key=_decision_id).message_body,
            min((r.message_at for r in rows if r.message_at is not None), default=None),
            sorted(r.id for r in rows),
        )
        for rows in merged.values()
    ]


def _decision_id(row: Any) -> int:
    return int(row.id)


def _exchange(
    connection: Connection, ticket: RowMapping, message: _Message, written_by: datetime | None
) -> Exchange:
    """The message with the reply an agent approved last on a decision taken on it."""
    stands = connection.execute(
        select(
            decisions.c.reply_text,
            decisions.c.remedy,
            reviews.c.reply_text.label("approved_text"),
            reviews.c.remedy.label("approved_remedy"),
            reviews.c.created_at,
        )
        .join(reviews, reviews.c.decision_id == decisions.c.id)
        .where(decisions.c.id.in_(message.decision_ids))
        .order_by(reviews.c.id.desc())
        .limit(1)
    ).first()
    assert message.written is not None  # dated by `_exchanges`
    return Exchange(
        ticket_key=ticket["ticket_key"],
        created_at=message.written,
        channel=ticket["channel"],
        order_name=ticket["order_name"],
        subject=ticket["subject"],
        body=message.body,
        reply_text=(stands.approved_text or stands.reply_text) if stands else None,
        replied_at=stands.created_at if stands else None,
        remedy=(stands.approved_remedy or stands.remedy) if stands else None,
        written_by=written_by,
    )


def order_ids_disputed(connection: Connection) -> set[int]:
    found = select(disputes.c.order_id).where(disputes.c.order_id.is_not(None)).distinct()
    return {order_id for (order_id,) in connection.execute(found)}


def customer_of_dispute(connection: Connection, dispute_id: int) -> int | None:
    found: int | None = connection.execute(
        select(orders.c.customer_id)
        .join(disputes, disputes.c.order_id == orders.c.id)
        .where(disputes.c.id == dispute_id)
    ).scalar()
    return found


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    fields: dict[str, str]
    edited_by: str | None
    edited_at: datetime | None
    sent_by: str | None
    sent_at: datetime | None
    submitted_by: str | None
    submitted_at: datetime | None


def evidence_row(connection: Connection, dispute_id: int) -> EvidenceRow | None:
    found = (
        connection.execute(
            select(dispute_evidence).where(dispute_evidence.c.dispute_id == dispute_id)
        )
        .mappings()
        .first()
    )
    if found is None:
        return None
    values = {key: found[key] for key in found if key != "dispute_id"}
    values["fields"] = {str(k): str(v) for k, v in (found["fields"] or {}).items()}
    return EvidenceRow(**values)


def save_evidence_row(connection: Connection, dispute_id: int, values: Mapping[str, Any]) -> None:
    """Insert or update the pack's row with these columns."""
    exists = connection.execute(
        select(dispute_evidence.c.dispute_id).where(dispute_evidence.c.dispute_id == dispute_id)
    ).first()
    if exists:
        connection.execute(
            update(dispute_evidence)
            .where(dispute_evidence.c.dispute_id == dispute_id)
            .values(dict(values))
        )
    else:
        connection.execute(
            insert(dispute_evidence).values({"fields": {}, **values, "dispute_id": dispute_id})
        )


@dataclass(frozen=True, slots=True)
class PastOrder:
    id: int
    name: str
    created_at: datetime
    total_minor: int
    refunded_minor: int
    currency: str
    financial_status: str | None
    fulfilled_at: datetime | None
    cancelled_at: datetime | None


def order_history(connection: Connection, customer_id: int) -> list[PastOrder]:
    """The customer's orders, oldest first, with what was refunded on each."""
    statement = (
        select(
            orders.c.id,
            orders.c.name,
            orders.c.created_at,
            orders.c.total_minor,
            orders.c.refunded_minor,
            orders.c.currency,
            orders.c.financial_status,
            orders.c.fulfilled_at,
            orders.c.cancelled_at,
        )
        .where(orders.c.customer_id == customer_id)
        .order_by(orders.c.created_at, orders.c.name)
    )
    return [PastOrder(*row) for row in connection.execute(statement)]
