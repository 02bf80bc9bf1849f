"""Decisions: appended, never rewritten; and the guide versions they were decided under."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, func, insert, select

from evenhand.store.tables import decisions, guide_adoptions, guide_versions, tickets


def ensure_guide_version(
    connection: Connection, *, version: str, source: str, text: str, now: datetime
) -> None:
    known = connection.execute(
        select(guide_versions.c.version).where(guide_versions.c.version == version)
    ).first()
    if known is None:
        connection.execute(
            insert(guide_versions).values(
                version=version, source=source, text=text, first_used_at=now
            )
        )


def append_decisions(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert the decisions (with their signals' kinds as `threats`, which the queue filters
    on); returns their ids in the order given."""
    if not rows:
        return []
    statement = insert(decisions).returning(decisions.c.id, sort_by_parameter_order=True)
    values = [{**row, "threats": threat_kinds(row["signals"])} for row in rows]
    return [decision_id for (decision_id,) in connection.execute(statement, values)]


def is_latest_decision() -> ColumnElement[bool]:
    """True of a ticket's latest decision: no decision of the same ticket is newer."""
    newer = decisions.alias("newer")
    superseded = select(newer.c.id).where(
        newer.c.ticket_id == decisions.c.ticket_id, newer.c.id > decisions.c.id
    )
    return ~superseded.exists()


def newer_decision(connection: Connection, decision_id: int) -> int | None:
    """The ticket's latest decision when it is newer than this one (the customer wrote
    again, or the ticket was decided again), else None."""
    this = decisions.alias("this")
    found = connection.execute(
        select(func.max(decisions.c.id))
        .join(this, this.c.ticket_id == decisions.c.ticket_id)
        .where(this.c.id == decision_id, decisions.c.id > this.c.id)
    ).scalar()
    return None if found is None else int(found)


def threat_kinds(signals: Sequence[Mapping[str, Any]]) -> str:
    """The `threats` column: the signals' kinds, sorted and comma-separated ("" for none)."""
    return ",".join(sorted({signal["kind"] for signal in signals}))


def kinds_of(threats: str) -> tuple[str, ...]:
    """The signal kinds a `threats` column holds (see `threat_kinds`)."""
    return tuple(threats.split(",")) if threats else ()


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """A decision as the database holds it, with the ticket it decided: what the one
    decision serializer (`evenhand.actions.schemas.decision_out`) reads."""

    decision_id: int
    ticket_key: str
    customer_email: str
    order_name: str | None
    decided_at: datetime
    language: str
    intent: str
    confidence: float
    runner_up: str
    signals: list[dict[str, Any]]
    tier: str
    ltv_minor: int
    currency: str
    dispute: str
    facts: dict[str, Any]
    remedy: str
    rule_id: str
    guide_version: str
    tags: list[str]
    reply_language: str
    reply_text: str
    explanation: str
    expected_cost_minor: int | None = None  # NULL for decisions before costs were kept
    cost_computation: str | None = None
    reader: str = "built-in"  # which reader read the message ("shop:VERSION" for a shop's)


def stored_decision(
    row: Mapping[str, Any] | RowMapping,
    *,
    decision_id: int,
    ticket_key: str,
    customer_email: str,
    order_name: str | None,
) -> StoredDecision:
    """A `decisions` row (as appended, or as read back) and its ticket's keys, typed."""
    return StoredDecision(
        decision_id=decision_id,
        ticket_key=ticket_key,
        customer_email=customer_email,
        order_name=order_name,
        **{name: row[name] for name in _DECISION_COLUMNS},
        expected_cost_minor=row.get("expected_cost_minor"),
        cost_computation=row.get("cost_computation"),
        reader=row.get("reader") or "built-in",
    )


_DECISION_COLUMNS = (
    "decided_at",
    "language",
    "intent",
    "confidence",
    "runner_up",
    "signals",
    "tier",
    "ltv_minor",
    "currency",
    "dispute",
    "facts",
    "remedy",
    "rule_id",
    "guide_version",
    "tags",
    "reply_language",
    "reply_text",
    "explanation",
)


def decision_record(connection: Connection, decision_id: int) -> StoredDecision | None:
    """A stored decision and its ticket's keys, or None."""
    row = (
        connection.execute(
            select(decisions, tickets.c.ticket_key, tickets.c.customer_email, tickets.c.order_name)
            .join(tickets, tickets.c.id == decisions.c.ticket_id)
            .where(decisions.c.id == decision_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return stored_decision(
        row,
        decision_id=row["id"],
        ticket_key=row["ticket_key"],
        customer_email=row["customer_email"],
        order_name=row["order_name"],
    )


def adopt_guide(
    connection: Connection,
    *,
    version: str,
    by: str,
    now: datetime,
    replay: Mapping[str, Any] | None = None,
) -> None:
    connection.execute(
        insert(guide_adoptions).values(
            version=version, adopted_by=by, adopted_at=now, replay=replay
        )
    )


def adopted_guide(connection: Connection) -> tuple[str, str, str] | None:
    """(version, text, source) of the guide adopted last, if any was."""
    row = connection.execute(
        select(guide_versions.c.version, guide_versions.c.text, guide_versions.c.source)
        .join(guide_adoptions, guide_adoptions.c.version == guide_versions.c.version)
        .order_by(guide_adoptions.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.version, row.text, row.source)


def adopted_version(connection: Connection) -> str | None:
    version: str | None = connection.execute(
        select(guide_adoptions.c.version).order_by(guide_adoptions.c.id.desc()).limit(1)
    ).scalar()
    return version


def guide_history(connection: Connection) -> list[dict[str, Any]]:
    """Every guide version decisions were taken under or a manager adopted, newest first."""
    rows = connection.execute(
        select(
            guide_versions.c.version,
            guide_versions.c.source,
            guide_versions.c.first_used_at,
            guide_versions.c.text,
        ).order_by(guide_versions.c.first_used_at.desc())
    ).mappings()
    return [dict(row) for row in rows]
