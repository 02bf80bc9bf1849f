"""Small statement builders shared by the repositories, portable across SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Table

T = TypeVar("T")
IN_CHUNK = 500  # ids per IN (...) list


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_insert(
    connection: Connection,
    table: Table,
    *,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    skip_conflicts: bool = False,
) -> None:
    """Many rows in one executemany straight through the driver (no per-row processing).

    Values must already be in the driver's terms: see `timestamp_binder`. With
    skip_conflicts, rows that would break a unique key are left out (SQLite and PostgreSQL
    share the ON CONFLICT DO NOTHING syntax).
    """
    if rows:
        marker = _marker(connection)
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join([marker] * len(columns))})"
        )
        if skip_conflicts:
            sql += " ON CONFLICT DO NOTHING"
        connection.exec_driver_sql(sql, list(rows))


def _marker(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def timestamp_binder(connection: Connection) -> Callable[[datetime | None], Any]:
    """How an aware datetime goes to the driver: naive UTC text on SQLite (as SQLAlchemy
    stores it), the aware datetime itself elsewhere."""
    if connection.dialect.name != "sqlite":
        return lambda moment: moment
    return _sqlite_timestamp


def _sqlite_timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
