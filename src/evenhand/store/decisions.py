"""Decisions: appended, never rewritten; and the guide versions they were decided under."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from evenhand.store.tables import decisions, guide_versions


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
    """Insert the decisions; returns their ids in the order given."""
    if not rows:
        return []
    statement = insert(decisions).returning(decisions.c.id, sort_by_parameter_order=True)
    return [decision_id for (decision_id,) in connection.execute(statement, list(rows))]
