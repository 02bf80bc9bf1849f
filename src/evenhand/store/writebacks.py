"""Write-backs owed to the helpdesk: a decided helpdesk ticket gets its tags and a note.

A write-back is owed in the same transaction as the decision, then sent by the worker;
whatever the helpdesk answers is kept here (attempts, the next try, the last error).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update

from evenhand.store.leases import take_with_lease
from evenhand.store.tables import decisions, writebacks


class WritebackStatus(StrEnum):
    PENDING = "pending"  # owed, or waiting for its next try
    DONE = "done"
    FAILED = "failed"  # gave up (refused, or too many tries); `evenhand inbox retry` requeues
    CANCELLED = "cancelled"  # not sent: the customer's data was erased first (never requeued)


@dataclass(frozen=True, slots=True)
class Writeback:
    id: int
    decision_id: int
    provider: str
    ticket_ref: str
    tags_done: bool
    attempts: int
    tags: list[str]
    remedy: str
    rule_id: str
    guide_version: str
    explanation: str
    reply_text: str


def owe_writeback(
    connection: Connection, *, decision_id: int, provider: str, ticket_ref: str, now: datetime
) -> None:
    connection.execute(
        insert(writebacks).values(
            decision_id=decision_id,
            provider=provider,
            ticket_ref=ticket_ref,
            status=WritebackStatus.PENDING.value,
            tags_done=False,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def due_writebacks(connection: Connection, *, now: datetime, limit: int) -> list[Writeback]:
    rows = connection.execute(
        select(
            writebacks.c.id,
            writebacks.c.decision_id,
            writebacks.c.provider,
            writebacks.c.ticket_ref,
            writebacks.c.tags_done,
            writebacks.c.attempts,
            decisions.c.tags,
            decisions.c.remedy,
            decisions.c.rule_id,
            decisions.c.guide_version,
            decisions.c.explanation,
            decisions.c.reply_text,
        )
        .join(decisions, decisions.c.id == writebacks.c.decision_id)
        .where(
            writebacks.c.status == WritebackStatus.PENDING.value,
            writebacks.c.next_attempt_at <= now,
        )
        .order_by(writebacks.c.next_attempt_at, writebacks.c.id)
        .limit(limit)
    )
    return [Writeback(**row._mapping) for row in rows]


def next_writeback_at(connection: Connection) -> datetime | None:
    """When the earliest pending write-back is due."""
    found: datetime | None = connection.execute(
        select(func.min(writebacks.c.next_attempt_at)).where(
            writebacks.c.status == WritebackStatus.PENDING.value
        )
    ).scalar()
    return found


def claim_writeback(
    connection: Connection, writeback_id: int, *, attempts: int, lease_until: datetime
) -> bool:
    """Count a try before the helpdesk is called, and keep other workers off the write-back
    until `lease_until` (a worker killed mid-call is retried then, and its successor looks
    for the note first); False if another worker took it."""
    which = (writebacks.c.id == writeback_id) & (
        writebacks.c.status == WritebackStatus.PENDING.value
    )
    return take_with_lease(
        connection, writebacks, which, attempts=attempts, lease_until=lease_until
    )


def record_attempt(
    connection: Connection,
    writeback_id: int,
    *,
    status: WritebackStatus,
    tags_done: bool,
    attempts: int,
    next_attempt_at: datetime,
    error: str | None,
    now: datetime,
) -> bool:
    """Keep the outcome of the try `attempts` claimed; False (nothing kept) when the
    write-back moved on meanwhile: cancelled by an erasure, or claimed again by another
    worker after this one's lease ran out. Done is kept over either (the note reached the
    helpdesk, so the record says so), never over done."""
    which = (
        writebacks.c.status != WritebackStatus.DONE.value
        if status is WritebackStatus.DONE
        else (writebacks.c.status == WritebackStatus.PENDING.value)
        & (writebacks.c.attempts == attempts)
    )
    result = connection.execute(
        update(writebacks)
        .where(writebacks.c.id == writeback_id, which)
        .values(
            status=status.value,
            tags_done=tags_done,
            attempts=case(
                (writebacks.c.attempts > attempts, writebacks.c.attempts), else_=attempts
            ),
            next_attempt_at=next_attempt_at,
            last_error=error,
            done_at=now if status is WritebackStatus.DONE else None,
        )
    )
    return result.rowcount == 1


def writeback_counts(connection: Connection) -> Counter[tuple[str, str]]:
    rows = connection.execute(
        select(writebacks.c.provider, writebacks.c.status, func.count()).group_by(
            writebacks.c.provider, writebacks.c.status
        )
    )
    return Counter({(provider, status): count for provider, status, count in rows})


def troubled_writebacks(connection: Connection, *, limit: int = 20) -> Sequence[Any]:
    """Write-backs that failed, or are waiting after a failed try, latest first."""
    return connection.execute(
        select(
            writebacks.c.id,
            writebacks.c.provider,
            writebacks.c.ticket_ref,
            writebacks.c.status,
            writebacks.c.attempts,
            writebacks.c.next_attempt_at,
            writebacks.c.last_error,
        )
        .where(writebacks.c.status != WritebackStatus.DONE.value, writebacks.c.attempts > 0)
        .order_by(writebacks.c.id.desc())
        .limit(limit)
    ).all()


def requeue_failed(connection: Connection, *, now: datetime) -> int:
    result = connection.execute(
        update(writebacks)
        .where(writebacks.c.status == WritebackStatus.FAILED.value)
        .values(status=WritebackStatus.PENDING.value, attempts=0, next_attempt_at=now)
    )
    return result.rowcount


def has_writeback(connection: Connection, decision_id: int) -> bool:
    """Whether a write-back was ever owed for the decision (whatever became of it)."""
    found = connection.execute(
        select(writebacks.c.id).where(writebacks.c.decision_id == decision_id).limit(1)
    ).first()
    return found is not None
