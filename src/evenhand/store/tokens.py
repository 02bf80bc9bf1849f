"""API tokens: only a SHA-256 of each is kept (tokens are long random strings, so a plain
hash is enough: nobody can guess one to test against it)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from evenhand.store.tables import api_tokens


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_name_taken(connection: Connection, name: str) -> bool:
    found = connection.execute(select(api_tokens.c.id).where(api_tokens.c.name == name)).first()
    return found is not None


def save_token(connection: Connection, *, name: str, token: str, now: datetime) -> None:
    connection.execute(
        insert(api_tokens).values(name=name, token_sha256=token_digest(token), created_at=now)
    )


def token_owner(connection: Connection, token: str) -> str | None:
    """The name of the live token with this value, if there is one."""
    return connection.execute(
        select(api_tokens.c.name).where(
            api_tokens.c.token_sha256 == token_digest(token), api_tokens.c.revoked_at.is_(None)
        )
    ).scalar()


def revoke_token(connection: Connection, *, name: str, now: datetime) -> bool:
    result = connection.execute(
        update(api_tokens)
        .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount > 0


def all_tokens(connection: Connection) -> list[tuple[str, datetime, datetime | None]]:
    rows = connection.execute(
        select(api_tokens.c.name, api_tokens.c.created_at, api_tokens.c.revoked_at).order_by(
            api_tokens.c.name
        )
    )
    return [(name, created, revoked) for name, created, revoked in rows]
