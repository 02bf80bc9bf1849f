"""The stored decisions a guide replay decides again: each ticket's latest."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, func, select

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
    connection: Connection,
    *,
    since: datetime | None = None,
    batch: int = 5_000,
    facts: Sequence[str] = (),
) -> Iterator[ReplayRow]:
    """Each ticket's latest decision (decided at or after `since`), oldest ticket first;
    with `facts` named, only those of its stored facts (a fact not stored reads as None):
    the database picks them out, and Python parses a short list instead of every fact."""
    picked = _picked_facts(connection, facts)
    statement = (
        select(
            tickets.c.ticket_key,
            decisions.c.facts if picked is None else picked,
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
    for key, found, *rest in result:
        stored = found if picked is None else dict(zip(facts, found, strict=True))
        yield ReplayRow(key, stored, *rest)


def _picked_facts(connection: Connection, names: Sequence[str]) -> ColumnElement[Any] | None:
    """A JSON array of the named facts' values, in order (None: read them all). SQLite's
    json_extract gives an array from two paths up, with JSON's own types kept."""
    if len(names) < 2:
        return None
    if connection.dialect.name == "sqlite":
        paths = [f'$."{name}"' for name in names]
        return func.json_extract(decisions.c.facts, *paths, type_=JSON)
    return func.json_build_array(*(decisions.c.facts[name] for name in names), type_=JSON)
