"""Erasing every person's data at once (Shopify's shop/redact, sent 48 hours after a shop
uninstalls the app): what `privacy` does for one person, for everyone, a table at a time.

Staff accounts (`users`) are not the shop's customers and stay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    String,
    bindparam,
    cast,
    delete,
    func,
    literal,
    select,
    update,
)

from evenhand.store.executions import erase_executions
from evenhand.store.privacy import (
    REDACTED_BODY,
    cancel_writebacks,
    erase_decisions,
    erase_review_events,
    placeholder_email,
    ticket_placeholder,
)
from evenhand.store.scrubbing import scrub_table
from evenhand.store.statements import chunked
from evenhand.store.tables import (
    customers,
    dispute_evidence,
    inbox,
    intent_corrections,
    orders,
    public_reviews,
    review_posts,
    reviews,
    tickets,
    writebacks,
)
from evenhand.store.ticket_search import compact_search
from evenhand.store.traces import REDACTED
from evenhand.store.writebacks import WritebackStatus


def redact_shop(connection: Connection) -> dict[str, int]:
    """Erase every customer's personal data; returns how many rows of each kind changed."""
    counts = _redact_shop(connection)
    compact_search(connection)  # no erased word left in the full-text index
    return counts


def _redact_shop(connection: Connection) -> dict[str, int]:
    return {
        "tickets": _erase_tickets(connection),  # first: a ticket takes its sender's placeholder
        "customers": connection.execute(
            update(customers).values(
                email=_placeholder(customers.c.id),
                first_name=None,
                last_name=None,
                phone=None,
                note=None,
                tags="",
            )
        ).rowcount,
        "orders": connection.execute(
            update(orders)
            .where(orders.c.email.is_not(None) | orders.c.billing_name.is_not(None))
            .values(email=None, billing_name=None)
        ).rowcount,
        "decisions": erase_decisions(connection, None),
        "reviews": connection.execute(
            update(reviews).values(reason=None, reply_text=None)
        ).rowcount,
        "intent_corrections": connection.execute(
            update(intent_corrections).values(note=None)
        ).rowcount,
        "audit_events": erase_review_events(connection, None),
        "writebacks": _erase_writebacks(connection),
        "executions": erase_executions(connection, None),
        "deliveries": _erase_deliveries(connection),
        "dispute_evidence": connection.execute(update(dispute_evidence).values(fields={})).rowcount,
        "review_posts": connection.execute(delete(review_posts)).rowcount,
        "public_reviews": connection.execute(delete(public_reviews)).rowcount,
    }


def _placeholder(customer_id: Any) -> Any:
    """`placeholder_email` in SQL."""
    return literal("redacted-") + cast(customer_id, String) + literal("@redacted.invalid")


def _erase_tickets(connection: Connection) -> int:
    """A customer's tickets take their placeholder; the tickets of an address with no
    customer row, the placeholder of its first ticket."""
    changed = connection.execute(
        update(tickets)
        .where(tickets.c.customer_id.is_not(None))
        .values(
            customer_email=_placeholder(tickets.c.customer_id),
            first_name=None,
            subject=None,
            body="",
        )
    ).rowcount
    senders = connection.execute(
        select(tickets.c.customer_email, func.min(tickets.c.id))
        .where(tickets.c.customer_id.is_(None))
        .group_by(tickets.c.customer_email)
    ).all()
    rows = [
        {"b_email": email, "b_placeholder": _sender_placeholder(connection, email, first)}
        for email, first in senders
    ]
    statement = (
        update(tickets)
        .where(tickets.c.customer_id.is_(None), tickets.c.customer_email == bindparam("b_email"))
        .values(customer_email=bindparam("b_placeholder"), first_name=None, subject=None, body="")
    )
    for part in chunked(rows):
        changed += connection.execute(statement, list(part)).rowcount
    return changed


def _sender_placeholder(connection: Connection, email: str, first_ticket: int) -> str:
    customer_id = connection.execute(
        select(customers.c.id).where(customers.c.email == email)
    ).scalar()
    return (
        ticket_placeholder(first_ticket) if customer_id is None else placeholder_email(customer_id)
    )


def _erase_writebacks(connection: Connection) -> int:
    cancelled = cancel_writebacks(connection, None)
    connection.execute(
        update(writebacks)
        .where(writebacks.c.status != WritebackStatus.CANCELLED.value)
        .values(last_error=None)
    )
    return cancelled


def _erase_deliveries(connection: Connection) -> int:
    """Every raw body; the reasons deliveries failed for; the addresses in the outcomes
    of data requests."""
    changed = connection.execute(
        update(inbox)
        .where(inbox.c.body != REDACTED_BODY)
        .values(body=REDACTED_BODY, body_sha256=None)
    ).rowcount
    connection.execute(update(inbox).where(inbox.c.error.is_not(None)).values(error=REDACTED))
    scrub_table(connection, inbox, ("outcome",), _anonymous_outcome)
    return changed


def _anonymous_outcome(row: dict[str, Any]) -> dict[str, Any]:
    outcome = row["outcome"]
    request = outcome.get("data_request") if isinstance(outcome, dict) else None
    if not isinstance(request, dict):
        return row
    held = [{**each, "email": REDACTED} for each in request.get("customers", [])]
    return {"outcome": {**outcome, "data_request": {**request, "customers": held}}}
