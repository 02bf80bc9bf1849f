"""The stored decisions a guide replay decides again: each ticket's latest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from evenhand.store.decisions import is_latest_decision
from evenhand.store.tables import decisions, tickets


@dataclass(frozen=True, slots=True)
class ReplayRow:
    ticket_key: str
    facts: dict[str, Any]
    remedy: str
    rule_id: str
    order_costs: dict[str, str] | None


def latest_decisions(
    connection: Connection, *, since: datetime | None = None, batch: int = 5_000
) -> Iterator[ReplayRow]:
    """Each ticket's latest decision (decided at or after `since`), oldest ticket first."""
    statement = (
        select(
            tickets.c.ticket_key,
            decisions.c.facts,
            decisions.c.remedy,
            decisions.c.rule_id,
            decisions.c.order_costs,
        )
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .where(is_latest_decision())
        .order_by(decisions.c.id)
    )
    if since is not None:
        statement = statement.where(decisions.c.decided_at >= since)
    result = connection.execution_options(yield_per=batch).execute(statement)
    for row in result:
        yield ReplayRow(*row)
