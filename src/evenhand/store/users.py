"""People who sign in to the web UI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from evenhand.domain.roles import Role
from evenhand.store.tables import users


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    role: Role
    password_hash: str


def find_user(connection: Connection, email: str) -> User | None:
    row = connection.execute(
        select(users.c.id, users.c.email, users.c.role, users.c.password_hash).where(
            users.c.email == email.strip().lower()
        )
    ).first()
    return None if row is None else User(row.id, row.email, Role(row.role), row.password_hash)


def user_by_id(connection: Connection, user_id: int) -> User | None:
    row = connection.execute(
        select(users.c.id, users.c.email, users.c.role, users.c.password_hash).where(
            users.c.id == user_id
        )
    ).first()
    return None if row is None else User(row.id, row.email, Role(row.role), row.password_hash)


def add_user(
    connection: Connection, *, email: str, role: Role, password_hash: str, now: datetime
) -> int:
    statement = insert(users).values(
        email=email.strip().lower(), role=role.value, password_hash=password_hash, created_at=now
    )
    new_id: int = connection.execute(statement.returning(users.c.id)).scalar_one()
    return new_id


def user_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(users)).scalar_one())


def all_users(connection: Connection) -> list[tuple[str, str, datetime]]:
    rows = connection.execute(
        select(users.c.email, users.c.role, users.c.created_at).order_by(users.c.email)
    )
    return [(email, role, created) for email, role, created in rows]
