"""Agents' corrections of decisions' intents: appended, the latest of a ticket's stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from evenhand.store.tables import decisions, intent_corrections, tickets


@dataclass(frozen=True, slots=True)
class CorrectedMessage:
    """A ticket's message with the intent an agent last said it is about."""

    ticket_key: str
    subject: str | None
    body: str
    intent: str


def add_correction(connection: Connection, **values: Any) -> int:
    correction_id: int = connection.execute(
        insert(intent_corrections).values(**values).returning(intent_corrections.c.id)
    ).scalar_one()
    return correction_id


def corrections_of(connection: Connection, decision_id: int) -> list[dict[str, Any]]:
    """A decision's corrections, oldest first."""
    rows = connection.execute(
        select(intent_corrections)
        .where(intent_corrections.c.decision_id == decision_id)
        .order_by(intent_corrections.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def corrected_messages(connection: Connection) -> list[CorrectedMessage]:
    """Each corrected ticket once, with its latest correction, oldest ticket first. Only a
    correction of the ticket's latest decision counts: a ticket holds the text of its
    latest message alone, and a correction of an earlier one was about words it no longer
    holds (a new message, even a 'thanks!', would be learnt under the old intent)."""
    newest = (
        select(func.max(decisions.c.id).label("id"))
        .group_by(decisions.c.ticket_id)
        .subquery("newest")
    )
    latest = (
        select(func.max(intent_corrections.c.id).label("id"))
        .join(newest, newest.c.id == intent_corrections.c.decision_id)
        .group_by(intent_corrections.c.decision_id)
        .subquery("latest")
    )
    rows = connection.execute(
        select(tickets.c.ticket_key, tickets.c.subject, tickets.c.body, intent_corrections.c.intent)
        .select_from(latest)
        .join(intent_corrections, intent_corrections.c.id == latest.c.id)
        .join(decisions, decisions.c.id == intent_corrections.c.decision_id)
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .order_by(tickets.c.id)
    )
    return [CorrectedMessage(*row) for row in rows]
