"""Which shop reader reads the messages: adoptions appended, the latest in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from evenhand.store.tables import reader_adoptions


def adopt_reader(
    connection: Connection, *, version: str, by: str, figures: dict[str, Any], now: datetime
) -> None:
    connection.execute(
        insert(reader_adoptions).values(
            version=version, adopted_by=by, adopted_at=now, figures=figures
        )
    )


def adopted_reader(connection: Connection) -> str | None:
    """The version adopted last ("built-in" when the built-in reader was), if any was."""
    version: str | None = connection.execute(
        select(reader_adoptions.c.version).order_by(reader_adoptions.c.id.desc()).limit(1)
    ).scalar()
    return version


def reader_history(connection: Connection) -> list[dict[str, Any]]:
    """Every adoption, newest first, with the figures it was adopted on."""
    rows = connection.execute(
        select(reader_adoptions).order_by(reader_adoptions.c.id.desc())
    ).mappings()
    return [dict(row) for row in rows]
