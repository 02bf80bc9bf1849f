"""What the reader found in each public review, and the reviewer's tickets with the threat
signals read in them (the review page shows both side by side)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from evenhand.domain.public_reviews import ReviewReading
from evenhand.store.decisions import is_latest_decision, kinds_of
from evenhand.store.tables import decisions, public_reviews, tickets


def unread_reviews(connection: Connection) -> list[tuple[int, str | None, str]]:
    """(id, title, text) of the reviews no reader has read yet (new, or edited since)."""
    statement = (
        select(public_reviews.c.id, public_reviews.c.title, public_reviews.c.text)
        .where(public_reviews.c.read_by.is_(None))
        .order_by(public_reviews.c.id)
    )
    return [(int(i), title, text) for i, title, text in connection.execute(statement)]


def save_readings(connection: Connection, readings: Mapping[int, ReviewReading]) -> None:
    for review_id, reading in readings.items():
        connection.execute(
            update(public_reviews)
            .where(public_reviews.c.id == review_id)
            .values(
                read_language=reading.language,
                intent=reading.intent,
                signals=",".join(reading.signals),
                demand=reading.demand,
                read_by=reading.reader,
            )
        )


@dataclass(frozen=True, slots=True)
class TicketLink:
    """One of the reviewer's tickets: what it was about and the threats read in it."""

    ticket_id: int
    subject: str | None
    received_at: datetime
    intent: str
    threats: tuple[str, ...]


def tickets_of(connection: Connection, email: str | None) -> list[TicketLink]:
    """The customer's tickets, newest first, each with its latest decision's reading."""
    if not email:
        return []
    statement = (
        select(
            tickets.c.id,
            tickets.c.subject,
            tickets.c.received_at,
            decisions.c.intent,
            decisions.c.threats,
        )
        .join(decisions, decisions.c.ticket_id == tickets.c.id)
        .where(func.lower(tickets.c.customer_email) == email.lower(), is_latest_decision())
        .order_by(tickets.c.received_at.desc(), tickets.c.id.desc())
    )
    return [
        TicketLink(int(i), subject, received, intent, kinds_of(threats))
        for i, subject, received, intent, threats in connection.execute(statement)
    ]
