"""A row a worker takes before calling out (a remedy's step, a helpdesk write-back): one
more try counted and the row kept off other workers until its lease ends, by a conditional
update, so of two workers that saw it due only one takes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Table, update


def take_with_lease(
    connection: Connection,
    table: Table,
    which: ColumnElement[bool],
    *,
    attempts: int,
    lease_until: datetime,
) -> bool:
    """Count try `attempts` and lease the row until `lease_until`, if it is still the row
    `which` names (the one row, still pending) with the tries seen before (`attempts - 1`);
    False if another worker took it."""
    result = connection.execute(
        update(table)
        .where(which, table.c.attempts == attempts - 1)
        .values(attempts=attempts, next_attempt_at=lease_until)
    )
    return result.rowcount == 1
