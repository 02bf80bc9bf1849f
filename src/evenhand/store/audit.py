"""The audit trail: one event per action, appended, never rewritten."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from evenhand.store.tables import audit_events


def record_event(
    connection: Connection,
    *,
    at: datetime,
    action: str,
    subject: str | None,
    details: dict[str, Any],
) -> None:
    connection.execute(
        insert(audit_events).values(at=at, action=action, subject=subject, details=details)
    )
