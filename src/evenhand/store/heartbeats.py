"""The inbox worker's heartbeat: its row is written as its loop turns, so the service and
`evenhand inbox status` can tell whether a worker is alive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from evenhand.store.tables import worker_heartbeats


@dataclass(frozen=True, slots=True)
class Heartbeat:
    name: str
    pid: int
    host: str
    started_at: datetime
    seen_at: datetime
    stopped_at: datetime | None


def beat(
    connection: Connection, *, name: str, pid: int, host: str, started_at: datetime, now: datetime
) -> None:
    """The worker `name` is alive now (its row is created or refreshed)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    values = {"pid": pid, "host": host[:255], "started_at": started_at, "seen_at": now}
    connection.execute(
        dialect.insert(worker_heartbeats)
        .values(name=name, stopped_at=None, **values)
        .on_conflict_do_update(
            index_elements=[worker_heartbeats.c.name], set_=values | {"stopped_at": None}
        )
    )


def stopped(connection: Connection, *, name: str, pid: int, host: str, now: datetime) -> None:
    """The worker `name` stopped cleanly (only if the row is still its own: its pid on its
    host, since two containers' workers may both be pid 1)."""
    connection.execute(
        update(worker_heartbeats)
        .where(
            worker_heartbeats.c.name == name,
            worker_heartbeats.c.pid == pid,
            worker_heartbeats.c.host == host[:255],
        )
        .values(stopped_at=now, seen_at=now)
    )


def last_heartbeat(connection: Connection, *, name: str) -> Heartbeat | None:
    row = connection.execute(
        select(
            worker_heartbeats.c.name,
            worker_heartbeats.c.pid,
            worker_heartbeats.c.host,
            worker_heartbeats.c.started_at,
            worker_heartbeats.c.seen_at,
            worker_heartbeats.c.stopped_at,
        ).where(worker_heartbeats.c.name == name)
    ).one_or_none()
    return None if row is None else Heartbeat(*row)
