"""People who sign in to the web UI.

A deleted user's row stays (their reviews name them) with `deleted_at` set and no usable
password; every lookup here but `find_any_user` passes over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from evenhand.domain.roles import Role
from evenhand.store.tables import users

NO_PASSWORD = "!"  # the password hash of a deleted user: no password matches it
_COLUMNS = (
    users.c.id,
    users.c.email,
    users.c.role,
    users.c.password_hash,
    users.c.disabled_at,
    users.c.deleted_at,
)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    role: Role
    password_hash: str
    disabled: bool = False
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Person:
    """A user as managers see them on /admin."""

    email: str
    role: str
    created_at: datetime
    disabled: bool


def _user(connection: Connection, *where: Any) -> User | None:
    row = connection.execute(select(*_COLUMNS).where(*where)).first()
    if row is None:
        return None
    return User(
        row.id,
        row.email,
        Role(row.role),
        row.password_hash,
        disabled=row.disabled_at is not None,
        deleted=row.deleted_at is not None,
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_any_user(connection: Connection, email: str) -> User | None:
    """The user with this e-mail, deleted or not."""
    return _user(connection, users.c.email == normalise_email(email))


def find_user(connection: Connection, email: str) -> User | None:
    found = find_any_user(connection, email)
    return None if found is None or found.deleted else found


def user_by_id(connection: Connection, user_id: int) -> User | None:
    return _user(connection, users.c.id == user_id, users.c.deleted_at.is_(None))


def add_user(
    connection: Connection, *, email: str, role: Role, password_hash: str, now: datetime
) -> int:
    statement = insert(users).values(
        email=normalise_email(email), role=role.value, password_hash=password_hash, created_at=now
    )
    new_id: int = connection.execute(statement.returning(users.c.id)).scalar_one()
    return new_id


def renew_user(
    connection: Connection, user_id: int, *, role: Role, password_hash: str, now: datetime
) -> None:
    """A deleted user's row made a new account (same e-mail: their old reviews stay theirs)."""
    change_user(
        connection,
        user_id,
        role=role.value,
        password_hash=password_hash,
        created_at=now,
        disabled_at=None,
        deleted_at=None,
    )


def change_user(connection: Connection, user_id: int, **values: object) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(**values))


def active_managers(connection: Connection) -> int:
    """Managers who can sign in (neither disabled nor deleted), their rows locked for the
    transaction where the database can (PostgreSQL), so two changes cannot both remove one."""
    rows = connection.execute(
        select(users.c.id)
        .where(
            users.c.role == Role.MANAGER.value,
            users.c.disabled_at.is_(None),
            users.c.deleted_at.is_(None),
        )
        .with_for_update()
    )
    return len(rows.all())


def user_count(connection: Connection) -> int:
    return int(
        connection.execute(
            select(func.count()).select_from(users).where(users.c.deleted_at.is_(None))
        ).scalar_one()
    )


def all_users(connection: Connection) -> list[Person]:
    rows = connection.execute(
        select(users.c.email, users.c.role, users.c.created_at, users.c.disabled_at)
        .where(users.c.deleted_at.is_(None))
        .order_by(users.c.email)
    )
    return [
        Person(row.email, row.role, row.created_at, row.disabled_at is not None) for row in rows
    ]
