"""The durable inbox: every accepted webhook delivery, raw, before it is answered.

A delivery is keyed by its sender's event id: a retry of the same event only counts one
more delivery, it is never stored or processed twice. The worker takes pending deliveries
in the order they arrived and marks each done (or failed, with the reason) in the same
transaction as its effects, so a crash either keeps all of a delivery's work or none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite

from evenhand.store.tables import inbox


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # the payload cannot be processed; kept with the reason
    SET_ASIDE = "set_aside"  # a worker died holding it, too often; `inbox retry --set-aside`


@dataclass(frozen=True, slots=True)
class Accepted:
    delivery_id: int
    duplicate: bool


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    source: str
    event_key: str
    topic: str
    received_at: datetime
    body: str
    attempts: int = 0  # times a worker took it and died before finishing it


def accept_delivery(
    connection: Connection,
    *,
    source: str,
    event_key: str,
    topic: str,
    body: str,
    now: datetime,
    body_sha256: str | None = None,
    replay_since: datetime | None = None,
) -> Accepted:
    """Store the delivery, or count a repeat of one already stored (same source and key;
    with `replay_since`, also the same topic and body hash received since then)."""
    if body_sha256 is not None and replay_since is not None:
        replayed = _replayed(connection, source, topic, body_sha256, replay_since)
        if replayed is not None:
            return replayed
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(inbox)
        .values(
            source=source,
            event_key=event_key,
            topic=topic,
            received_at=now,
            body=body,
            status=DeliveryStatus.PENDING.value,
            deliveries=1,
            body_sha256=body_sha256,
        )
        .on_conflict_do_update(
            index_elements=[inbox.c.source, inbox.c.event_key],
            set_={"deliveries": literal_column("inbox.deliveries") + 1},
        )
        .returning(inbox.c.id, inbox.c.deliveries)
    )
    delivery_id, deliveries = connection.execute(statement).one()
    return Accepted(delivery_id=delivery_id, duplicate=deliveries > 1)


def _replayed(
    connection: Connection, source: str, topic: str, body_sha256: str, since: datetime
) -> Accepted | None:
    """The earlier delivery of this very body, counted once more; None if there is none."""
    earlier = connection.execute(
        select(inbox.c.id)
        .where(
            inbox.c.source == source,
            inbox.c.topic == topic,
            inbox.c.body_sha256 == body_sha256,
            inbox.c.received_at >= since,
        )
        .order_by(inbox.c.id)
        .limit(1)
    ).scalar()
    if earlier is None:
        return None
    connection.execute(
        update(inbox).where(inbox.c.id == earlier).values(deliveries=inbox.c.deliveries + 1)
    )
    return Accepted(delivery_id=earlier, duplicate=True)


def pending_deliveries(connection: Connection, *, limit: int) -> list[Delivery]:
    """The oldest pending deliveries, in the order they arrived."""
    rows = connection.execute(
        select(
            inbox.c.id,
            inbox.c.source,
            inbox.c.event_key,
            inbox.c.topic,
            inbox.c.received_at,
            inbox.c.body,
            inbox.c.attempts,
        )
        .where(inbox.c.status == DeliveryStatus.PENDING.value)
        .order_by(inbox.c.id)
        .limit(limit)
    )
    return [Delivery(*row) for row in rows]


def still_pending(connection: Connection, delivery_id: int) -> bool:
    """Whether the delivery is still pending, its row held to the end of the transaction
    (`FOR UPDATE` on PostgreSQL; SQLite's write transaction holds the whole database). A
    second worker that took the same delivery waits here for the first one's commit and then
    finds it done, so no delivery takes effect twice."""
    status = connection.execute(
        select(inbox.c.status).where(inbox.c.id == delivery_id).with_for_update()
    ).scalar()
    return status == DeliveryStatus.PENDING.value


def finish_delivery(
    connection: Connection,
    delivery_id: int,
    *,
    outcome: dict[str, Any] | None,
    error: str | None,
    now: datetime,
) -> bool:
    """Mark a pending delivery done (with what it did) or failed (with why); False when it
    was not pending any more (another worker finished it)."""
    status = DeliveryStatus.FAILED if error else DeliveryStatus.DONE
    result = connection.execute(
        update(inbox)
        .where(inbox.c.id == delivery_id, inbox.c.status == DeliveryStatus.PENDING.value)
        .values(status=status.value, processed_at=now, outcome=outcome, error=error)
    )
    return result.rowcount == 1


def delivery_counts(connection: Connection) -> Counter[tuple[str, str]]:
    """(source, status) -> deliveries stored; repeats of a stored event are not counted."""
    rows = connection.execute(
        select(inbox.c.source, inbox.c.status, func.count()).group_by(
            inbox.c.source, inbox.c.status
        )
    )
    return Counter({(source, status): count for source, status, count in rows})


def repeated_deliveries(connection: Connection) -> int:
    """How many deliveries were repeats of an event already stored (provider retries)."""
    total = connection.execute(select(func.sum(inbox.c.deliveries - 1))).scalar()
    return int(total or 0)


def failed_deliveries(connection: Connection, *, limit: int = 20) -> Sequence[Any]:
    return connection.execute(
        select(
            inbox.c.id,
            inbox.c.source,
            inbox.c.topic,
            inbox.c.event_key,
            inbox.c.status,
            inbox.c.error,
        )
        .where(inbox.c.status.in_([DeliveryStatus.FAILED.value, DeliveryStatus.SET_ASIDE.value]))
        .order_by(inbox.c.id.desc())
        .limit(limit)
    ).all()


def requeue_failed_deliveries(connection: Connection, *, set_aside: bool = False) -> int:
    """Failed deliveries (and, with `set_aside`, those set aside) back to pending."""
    statuses = [DeliveryStatus.FAILED.value]
    if set_aside:
        statuses.append(DeliveryStatus.SET_ASIDE.value)
    result = connection.execute(
        update(inbox)
        .where(inbox.c.status.in_(statuses))
        .values(status=DeliveryStatus.PENDING.value, error=None, processed_at=None, attempts=0)
    )
    return result.rowcount


def claim_deliveries(connection: Connection, ids: Sequence[int]) -> None:
    """Count one more attempt on each delivery a worker takes: if it dies holding them, the
    count stays (its transaction commits before the work starts)."""
    connection.execute(
        update(inbox)
        .where(inbox.c.id.in_(ids), inbox.c.status == DeliveryStatus.PENDING.value)
        .values(attempts=inbox.c.attempts + 1)
    )


def release_deliveries(connection: Connection, ids: Sequence[int]) -> None:
    """Take back the attempt of deliveries left pending for a reason that is not theirs (a
    helpdesk that did not answer, a database that went away)."""
    connection.execute(
        update(inbox)
        .where(
            inbox.c.id.in_(ids),
            inbox.c.status == DeliveryStatus.PENDING.value,
            inbox.c.attempts > 0,
        )
        .values(attempts=inbox.c.attempts - 1)
    )


def set_aside(connection: Connection, delivery_id: int, *, attempts: int, now: datetime) -> bool:
    """A pending delivery a worker died holding `attempts` times: set aside, with why; False
    when it was not pending any more."""
    result = connection.execute(
        update(inbox)
        .where(inbox.c.id == delivery_id, inbox.c.status == DeliveryStatus.PENDING.value)
        .values(
            status=DeliveryStatus.SET_ASIDE.value,
            processed_at=now,
            error=f"took the worker down {attempts} times; set aside",
        )
    )
    return result.rowcount == 1


def oldest_pending_at(connection: Connection) -> datetime | None:
    """When the oldest delivery still pending arrived (None: nothing is pending)."""
    first = (
        select(func.min(inbox.c.id))
        .where(inbox.c.status == DeliveryStatus.PENDING.value)
        .scalar_subquery()
    )
    received: datetime | None = connection.execute(
        select(inbox.c.received_at).where(inbox.c.id == first)
    ).scalar()
    return received
