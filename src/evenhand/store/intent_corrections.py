"""Agents' corrections of decisions' intents: appended, the latest of a message's stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, insert, or_, select

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
    """Each corrected message once, with its latest correction: oldest ticket first, a
    ticket's messages in the order they were decided (erased words are no message to learn
    from).

    A decision keeps the words it was taken on (`decisions.message_body`), and its
    corrections are learnt with them. A decision taken before they were kept has only its
    ticket's latest words: its correction counts only while no later decision of the ticket
    was taken on another message, or on one it cannot tell is the same (no helpdesk id,
    `decisions.message_key`); else the words may be the customer's next message (a 'thanks!'
    would be learnt under the old intent). The same message decided again by its id keeps
    its corrections."""
    rows = connection.execute(_corrections_with_their_words())
    latest: dict[tuple[int, str | None, str], tuple[str, str, int]] = {}
    for ticket_id, key, subject, body, intent, decision_id in rows:
        first = latest.get((ticket_id, subject, body), (key, intent, decision_id))[2]
        latest[(ticket_id, subject, body)] = (key, intent, first)
    ordered = sorted(latest.items(), key=lambda item: (item[0][0], item[1][2]))
    return [
        CorrectedMessage(key, subject, body, intent)
        for (_, subject, body), (key, intent, _) in ordered
    ]


def _corrections_with_their_words() -> Select[Any]:
    """Every correction that may be learnt, oldest first: (ticket id, key, subject, words,
    intent, decision id). A decision's own words, else (before they were kept) the ticket's
    while no later decision was taken on another message; never erased words."""
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
    words = func.coalesce(corrected.c.message_body, tickets.c.body)
    return (
        select(
            tickets.c.id,
            tickets.c.ticket_key,
            tickets.c.subject,
            words,
            intent_corrections.c.intent,
            corrected.c.id,
        )
        .select_from(intent_corrections)
        .join(corrected, corrected.c.id == intent_corrections.c.decision_id)
        .join(tickets, tickets.c.id == corrected.c.ticket_id)
        .where(or_(corrected.c.message_body.is_not(None), ~superseded), words != "")
        .order_by(intent_corrections.c.id)
    )
