"""Signed-in sessions (only a SHA-256 of each session's token is kept) and the wrong
passwords the sign-in throttle counts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, or_, select, update

from evenhand.store.tables import sessions, sign_in_failures


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime


def session_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_session(connection: Connection, *, token: str, user_id: int, now: datetime) -> None:
    connection.execute(
        insert(sessions).values(
            token_sha256=session_digest(token), user_id=user_id, created_at=now, last_seen_at=now
        )
    )


def find_session(connection: Connection, token: str) -> SessionRow | None:
    row = connection.execute(
        select(
            sessions.c.id, sessions.c.user_id, sessions.c.created_at, sessions.c.last_seen_at
        ).where(sessions.c.token_sha256 == session_digest(token))
    ).first()
    return None if row is None else SessionRow(*row)


def touch_session(connection: Connection, session_id: int, *, now: datetime) -> None:
    connection.execute(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now))


def end_session(connection: Connection, token: str) -> int | None:
    """Deletes the session with this token; the id of its user, if there was one."""
    user_id: int | None = connection.execute(
        delete(sessions)
        .where(sessions.c.token_sha256 == session_digest(token))
        .returning(sessions.c.user_id)
    ).scalar()
    return user_id


def end_sessions_of(connection: Connection, user_id: int) -> int:
    """Deletes every session of the user; how many there were."""
    return connection.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount


def end_stale_sessions(
    connection: Connection, *, created_before: datetime, seen_before: datetime
) -> int:
    return connection.execute(
        delete(sessions).where(
            or_(sessions.c.created_at < created_before, sessions.c.last_seen_at < seen_before)
        )
    ).rowcount


def add_failure(connection: Connection, *, email: str, client: str, now: datetime) -> int:
    failure_id: int = connection.execute(
        insert(sign_in_failures)
        .values(email=email, client=client, at=now)
        .returning(sign_in_failures.c.id)
    ).scalar_one()
    return failure_id


def failures_since(
    connection: Connection, *, email: str, client: str, since: datetime, but: int
) -> tuple[list[datetime], list[datetime]]:
    """The times of the wrong passwords since `since` (but the one with id `but`): for the
    e-mail, and from the client."""
    table = sign_in_failures
    recent = (table.c.at > since, table.c.id != but)
    by_email = select(table.c.at).where(table.c.email == email, *recent)
    by_client = select(table.c.at).where(table.c.client == client, *recent)
    return (
        list(connection.execute(by_email).scalars()),
        list(connection.execute(by_client).scalars()),
    )


def forget_failures(
    connection: Connection,
    *,
    email: str | None = None,
    attempt: int | None = None,
    before: datetime | None = None,
) -> None:
    """Deletes the wrong passwords of an e-mail (after it signed in), the one with id
    `attempt`, or all older than `before`."""
    table = sign_in_failures
    if email is not None:
        connection.execute(delete(table).where(table.c.email == email))
    if attempt is not None:
        connection.execute(delete(table).where(table.c.id == attempt))
    if before is not None:
        connection.execute(delete(table).where(table.c.at < before))
