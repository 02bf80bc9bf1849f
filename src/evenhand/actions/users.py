"""Users of the web UI: created by `evenhand user create`, signed in with a password.

Passwords are kept as scrypt hashes (a memory-hard KDF from the standard library) with a
random salt each; checking one takes the same time whether the e-mail exists or not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError
from evenhand.store import users as user_store
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current
from evenhand.store.tokens import all_tokens
from evenhand.store.users import User

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10
# Checked against when the e-mail is unknown, so that both cases take as long.
_NOBODY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "="


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    encoded = (base64.b64encode(part).decode() for part in (salt, digest))
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$" + "$".join(encoded)


def password_matches(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    computed = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(computed, base64.b64decode(digest))


def create_user(engine: Engine, *, email: str, role: Role, password: str, now: datetime) -> int:
    ensure_current(engine)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise EvenhandError(
            AccessError.WEAK_PASSWORD, f"a password needs {MIN_PASSWORD_LENGTH} characters or more"
        )
    if "@" not in email:
        raise EvenhandError(AccessError.BAD_CREDENTIALS, f"not an e-mail address: {email!r}")
    with engine.begin() as connection:
        if user_store.find_user(connection, email) is not None:
            raise EvenhandError(AccessError.USER_EXISTS, f"a user {email!r} exists")
        user_id = user_store.add_user(
            connection, email=email, role=role, password_hash=hash_password(password), now=now
        )
        record_event(
            connection, at=now, action="user create", subject=email, details={"role": role.value}
        )
    return user_id


def sign_in(engine: Engine, *, email: str, password: str) -> User:
    with engine.connect() as connection:
        user = user_store.find_user(connection, email)
    stored = user.password_hash if user else _NOBODY
    if not password_matches(password, stored) or user is None:
        raise EvenhandError(AccessError.BAD_CREDENTIALS, "wrong e-mail or password")
    return user


def signed_in_user(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as connection:
        return user_store.user_by_id(connection, user_id)


def people_and_tokens(engine: Engine) -> tuple[list[Any], list[Any]]:
    """Everyone who can sign in, and every API token (live or revoked), for managers."""
    with engine.connect() as connection:
        return user_store.all_users(connection), all_tokens(connection)
