"""A customer's message told of by a helpdesk webhook: decided (its tags and internal note
owed to the helpdesk), or, when this very message was decided before (Gorgias tells of a
first message by `ticket-created` and `ticket-message-created` both; two Zendesk triggers
may fire on one update), found again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from evenhand.actions.triage import decide_and_store
from evenhand.ingest.ticket_fields import TicketIn
from evenhand.ingest.webhook_payloads import TicketArrived
from evenhand.store.tickets import decision_of_message
from evenhand.store.writebacks import has_writeback, owe_writeback
from evenhand.understand.model import Understanding

if TYPE_CHECKING:
    from evenhand.actions.inbox import Worker

Step = Callable[[Connection, datetime], dict[str, Any]]


def ticket_step(arrived: TicketArrived, reading: Understanding, worker: Worker) -> Step:
    def step(connection: Connection, now: datetime) -> dict[str, Any]:
        ticket = arrived.ticket
        told = _decided_before(connection, ticket)
        if told is not None:  # Gorgias tells of a first message by two events; triggers repeat
            owed = _owe_note(connection, told, arrived, worker, now)
            done = {"decision_id": told, "decided_before": True, "writeback": owed}
            return {"ticket_id": ticket.ticket_id} | done
        report = decide_and_store(
            connection,
            records=[ticket],
            readings=[reading],
            guide=worker.guide,
            settings=worker.settings,
            now=now,
        )
        decided = report.decided[0]
        return {
            "ticket_id": ticket.ticket_id,
            "decision_id": decided.decision_id,
            "remedy": decided.decision.remedy.value,
            "writeback": _owe_note(connection, decided.decision_id, arrived, worker, now),
        }

    return step


def _decided_before(connection: Connection, ticket: TicketIn) -> int | None:
    """The decision already taken on this very message, by the helpdesk's id of it (for a
    Zendesk trigger, the ticket's update time: `zendesk_tickets._message_key`)."""
    if ticket.message_key is None:
        return None
    return decision_of_message(
        connection,
        source=ticket.source,
        ticket_key=ticket.ticket_id,
        message_key=ticket.message_key,
    )


def _owe_note(
    connection: Connection, decision_id: int, arrived: TicketArrived, worker: Worker, now: datetime
) -> bool:
    """Owe the decision's tags and internal note to its helpdesk, once, when configured (a
    decision from a file of the helpdesk's export has none owed yet)."""
    owed = worker.helpdesks.configured(arrived.provider)
    if owed and not has_writeback(connection, decision_id):
        owe_writeback(
            connection,
            decision_id=decision_id,
            provider=arrived.provider,
            ticket_ref=arrived.ticket.ticket_id,
            now=now,
        )
    return owed
