"""Agents' corrections of decisions' intents: appended, the latest of a ticket's stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, select

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
    """Each corrected ticket once, with its latest correction still about the message the
    ticket holds, oldest ticket first. A ticket holds its latest message's words alone: a
    correction of a decision the ticket has a later decision after, on another message or
    on one it cannot tell is the same (no helpdesk id, `decisions.message_key`), was about
    words the ticket may no longer hold, and is left out (a 'thanks!' would be learnt under
    the old intent). The same message decided again by its id keeps its corrections."""
    corrected, later = decisions.alias("corrected"), decisions.alias("later")
    same_message = and_(
        later.c.message_key.is_not(None),
        corrected.c.message_key.is_not(None),
        later.c.message_key == corrected.c.message_key,
    )
    superseded = exists().where(
        later.c.ticket_id == corrected.c.ticket_id,
        later.c.id > corrected.c.id,
        ~same_message,
    )
    latest = (
        select(func.max(intent_corrections.c.id).label("id"))
        .join(corrected, corrected.c.id == intent_corrections.c.decision_id)
        .where(~superseded)
        .group_by(corrected.c.ticket_id)
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
