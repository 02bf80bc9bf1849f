"""Decisions: appended, never rewritten; and the guide versions they were decided under."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, select

from evenhand.domain.money import Money
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


def threat_kinds(signals: Sequence[Mapping[str, Any]]) -> str:
    """The `threats` column: the signals' kinds, sorted and comma-separated ("" for none)."""
    return ",".join(sorted({signal["kind"] for signal in signals}))


def kinds_of(threats: str) -> tuple[str, ...]:
    """The signal kinds a `threats` column holds (see `threat_kinds`)."""
    return tuple(threats.split(",")) if threats else ()


def decision_record(connection: Connection, decision_id: int) -> dict[str, Any] | None:
    """A stored decision as JSON (the shape of `evenhand triage --json`, plus when)."""
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
    return {
        "decision_id": row["id"],
        "ticket_id": row["ticket_key"],
        "decided_at": row["decided_at"].isoformat(),
        "language": row["language"],
        "intent": row["intent"],
        "confidence": round(row["confidence"], 4),
        "runner_up": row["runner_up"],
        "signals": row["signals"],
        "customer_email": row["customer_email"],
        "order_name": row["order_name"],
        "tier": row["tier"],
        "ltv": {
            "metric_value": str(Money.of_minor(row["ltv_minor"], row["currency"]).amount),
            "currency": row["currency"],
        },
        "dispute": row["dispute"],
        "facts": row["facts"],
        "remedy": row["remedy"],
        "rule": row["rule_id"],
        "guide_version": row["guide_version"],
        "tags": row["tags"],
        "reply": {"language": row["reply_language"], "text": row["reply_text"]},
        "explanation": row["explanation"],
    }


def adopt_guide(connection: Connection, *, version: str, by: str, now: datetime) -> None:
    connection.execute(
        insert(guide_adoptions).values(version=version, adopted_by=by, adopted_at=now)
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
