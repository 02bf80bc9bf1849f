"""The inbox worker's heartbeat and what the service tells of it: alive or not, and how
long the oldest pending delivery has waited (`/healthz`, `evenhand inbox status`)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from evenhand.store import heartbeats
from evenhand.store.database import write_transaction
from evenhand.store.inbox import oldest_pending_at

WORKER_NAME = "inbox"
HEARTBEAT_SECONDS = 5.0  # a live worker writes its heartbeat this often, at most
# Another worker whose heartbeat is this recent is running now (it beats every 5 s or so).
ANOTHER_ALIVE = timedelta(seconds=3 * HEARTBEAT_SECONDS)

log = logging.getLogger(__name__)


class Pulse:
    """Writes the worker's heartbeat, at most every `HEARTBEAT_SECONDS`."""

    def __init__(self, engine: Engine, *, started_at: datetime) -> None:
        self.engine = engine
        self.started_at = started_at
        self.pid = os.getpid()
        self.host = socket.gethostname()
        self.last = float("-inf")
        self.warned: set[tuple[int, str]] = set()  # the other workers warned of

    def beat(self, now: Callable[[], datetime]) -> None:
        """Write the heartbeat; warn (once per other worker) when the row was another live
        worker's: two workers on one database each read every message (nothing takes effect
        twice, but the work is done twice and the arrival order is no longer one queue's)."""
        if time.monotonic() - self.last < HEARTBEAT_SECONDS:
            return
        with write_transaction(self.engine) as connection:
            before = heartbeats.last_heartbeat(connection, name=WORKER_NAME)
            heartbeats.beat(
                connection,
                name=WORKER_NAME,
                pid=self.pid,
                host=self.host,
                started_at=self.started_at,
                now=now(),
            )
        self.last = time.monotonic()
        self._warn_of(before, now())

    def _warn_of(self, before: heartbeats.Heartbeat | None, now: datetime) -> None:
        if before is None or (before.pid, before.host) in {(self.pid, self.host), *self.warned}:
            return
        if before.stopped_at is not None or now - before.seen_at > ANOTHER_ALIVE:
            return
        if before.seen_at < self.started_at:  # a predecessor's (`serve` restarts a dead one)
            return
        self.warned.add((before.pid, before.host))
        log.warning(
            "another inbox worker (pid %s on %s) beat %.0f s ago on this database: run one "
            "worker per database (`evenhand serve --no-worker` beside `evenhand worker`)",
            before.pid,
            before.host,
            (now - before.seen_at).total_seconds(),
        )

    def stop(self, now: Callable[[], datetime]) -> None:
        with contextlib.suppress(OperationalError), write_transaction(self.engine) as connection:
            # the database away: the heartbeat goes silent instead
            heartbeats.stopped(
                connection, name=WORKER_NAME, pid=self.pid, host=self.host, now=now()
            )


@dataclass(frozen=True, slots=True)
class WorkerHealth:
    """What the service tells of its worker and its inbox."""

    worker_alive: bool
    worker_pid: int | None
    worker_seen_seconds: float | None  # since its last heartbeat; None: never seen
    oldest_pending_seconds: float | None  # None: nothing is pending

    def stale(self, *, limit_seconds: int) -> bool:
        """The oldest pending delivery has waited longer than `limit_seconds`."""
        return (self.oldest_pending_seconds or 0) > limit_seconds


def worker_health(engine: Engine, *, now: datetime, silent_seconds: int) -> WorkerHealth:
    with engine.connect() as connection:
        heartbeat = heartbeats.last_heartbeat(connection, name=WORKER_NAME)
        oldest = oldest_pending_at(connection)
    seen = None if heartbeat is None else (now - heartbeat.seen_at).total_seconds()
    alive = (
        heartbeat is not None
        and heartbeat.stopped_at is None
        and seen is not None
        and seen <= silent_seconds
    )
    return WorkerHealth(
        worker_alive=alive,
        worker_pid=None if heartbeat is None else heartbeat.pid,
        worker_seen_seconds=seen,
        oldest_pending_seconds=None if oldest is None else max(0.0, (now - oldest).total_seconds()),
    )
