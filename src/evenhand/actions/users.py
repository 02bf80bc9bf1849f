"""Users of the web UI: created, disabled, enabled, deleted, re-roled and re-passworded by
`evenhand user ...` or a manager on /admin; each change one transaction and one audit event.

Disabling, deleting, a role change and a password change end the user's sessions at once.
Nobody can disable, delete or demote the last active manager. A deleted user's row stays,
without a usable password, because their reviews name them; `create` gives it back.

Passwords are kept as scrypt hashes (a memory-hard KDF from the standard library) with a
random salt each; checking one takes the same time whether the e-mail exists or not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError, InputError, LookupFailure
from evenhand.store import users as user_store
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current
from evenhand.store.sessions import end_sessions_of
from evenhand.store.tokens import all_tokens
from evenhand.store.users import NO_PASSWORD, User

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # scrypt reads all of it; a longer one is no stronger


def _utf8(password: str) -> bytes:
    return password.encode("utf-8", errors="surrogatepass")  # a lone surrogate is no error


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_utf8(password), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    encoded = (base64.b64encode(part).decode() for part in (salt, digest))
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$" + "$".join(encoded)


def password_matches(password: str, stored: str) -> bool:
    if stored == NO_PASSWORD or len(password) > MAX_PASSWORD_LENGTH:
        return False
    _, n, r, p, salt, digest = stored.split("$")
    computed = hashlib.scrypt(
        _utf8(password),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
    )
    return hmac.compare_digest(computed, base64.b64decode(digest))


EMAIL_LIMIT = 320  # the column's, and the longest address the standards allow


def _check_email(email: str) -> None:
    """A user's e-mail: one @ with words on both sides, no space within, at most 320
    characters (spaces around it are dropped, as the store drops them)."""
    email = email.strip()
    local, at, domain = email.partition("@")
    if not (at and local and domain) or "@" in domain or any(c.isspace() for c in email):
        raise EvenhandError(InputError.BAD_VALUE, f"email: not an e-mail address: {email!r}")
    if len(email) > EMAIL_LIMIT:
        raise EvenhandError(InputError.BAD_VALUE, f"email: at most {EMAIL_LIMIT} characters")


def _checked_password(password: str) -> str:
    if not password.strip():
        raise EvenhandError(AccessError.WEAK_PASSWORD, "a password of spaces only is no password")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise EvenhandError(
            AccessError.WEAK_PASSWORD,
            f"a password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
        )
    return hash_password(password)


def create_user(engine: Engine, *, email: str, role: Role, password: str, now: datetime) -> int:
    """A new user; a deleted user's e-mail gets its row back (their old reviews with it)."""
    ensure_current(engine)
    password_hash = _checked_password(password)
    _check_email(email)
    with engine.begin() as connection:
        found = user_store.find_any_user(connection, email)
        if found is not None and not found.deleted:
            raise EvenhandError(AccessError.USER_EXISTS, f"a user {email!r} exists")
        if found is None:
            user_id = user_store.add_user(
                connection, email=email, role=role, password_hash=password_hash, now=now
            )
        else:
            user_id = found.id
            user_store.renew_user(
                connection, user_id, role=role, password_hash=password_hash, now=now
            )
        details = {"role": role.value} | ({"was_deleted": True} if found else {})
        record_event(connection, at=now, action="user create", subject=email, details=details)
    return user_id


def _change(
    engine: Engine,
    *,
    email: str,
    action: str,
    by: str,
    now: datetime,
    change: Callable[[Connection, User], dict[str, Any] | None],
) -> bool:
    """One change to a user, in one transaction: `change` writes it and returns the audit
    event's details (None: nothing to change, no event); their sessions end; the last
    active manager must remain one."""
    ensure_current(engine)
    with engine.begin() as connection:
        user = user_store.find_user(connection, email)
        if user is None:
            raise EvenhandError(LookupFailure.USER_NOT_FOUND, f"no user {email!r}")
        details = change(connection, user)  # written first: SQLite holds its write lock
        if details is None:
            return False
        _keep_a_manager(connection, user)
        ended = end_sessions_of(connection, user.id)
        details |= {"by": by, "sessions_ended": ended}
        record_event(connection, at=now, action=action, subject=user.email, details=details)
    return True


def _keep_a_manager(connection: Connection, user: User) -> None:
    if (
        user.role is Role.MANAGER
        and not user.disabled
        and user_store.active_managers(connection) == 0
    ):
        raise EvenhandError(
            AccessError.LAST_MANAGER,
            f"{user.email} is the last active manager; make another user a manager first",
        )


def disable_user(engine: Engine, *, email: str, by: str, now: datetime) -> bool:
    """Disables the user (they cannot sign in); False when they already were."""

    def change(connection: Connection, user: User) -> dict[str, Any] | None:
        if user.disabled:
            return None
        user_store.change_user(connection, user.id, disabled_at=now)
        return {}

    return _change(engine, email=email, action="user disable", by=by, now=now, change=change)


def enable_user(engine: Engine, *, email: str, by: str, now: datetime) -> bool:
    """Lets a disabled user sign in again; False when they were not disabled."""

    def change(connection: Connection, user: User) -> dict[str, Any] | None:
        if not user.disabled:
            return None
        user_store.change_user(connection, user.id, disabled_at=None)
        return {}

    return _change(engine, email=email, action="user enable", by=by, now=now, change=change)


def delete_user(engine: Engine, *, email: str, by: str, now: datetime) -> bool:
    """Deletes the user: they cannot sign in, are no longer listed, and their password hash
    is gone; their reviews still name them."""

    def change(connection: Connection, user: User) -> dict[str, Any] | None:
        user_store.change_user(
            connection, user.id, deleted_at=now, disabled_at=None, password_hash=NO_PASSWORD
        )
        return {"role": user.role.value}

    return _change(engine, email=email, action="user delete", by=by, now=now, change=change)


def set_role(engine: Engine, *, email: str, role: Role, by: str, now: datetime) -> bool:
    """Gives the user another role; False when they had it."""

    def change(connection: Connection, user: User) -> dict[str, Any] | None:
        if user.role is role:
            return None
        user_store.change_user(connection, user.id, role=role.value)
        return {"from": user.role.value, "to": role.value}

    return _change(engine, email=email, action="user set-role", by=by, now=now, change=change)


def set_password(engine: Engine, *, email: str, password: str, by: str, now: datetime) -> bool:
    """Gives the user a new password (checked like a new user's)."""
    password_hash = _checked_password(password)

    def change(connection: Connection, user: User) -> dict[str, Any] | None:
        user_store.change_user(connection, user.id, password_hash=password_hash)
        return {}

    return _change(engine, email=email, action="user set-password", by=by, now=now, change=change)


def people_and_tokens(engine: Engine) -> tuple[list[Any], list[Any]]:
    """Everyone who can sign in, and every API token (live or revoked), for managers."""
    with engine.connect() as connection:
        return user_store.all_users(connection), all_tokens(connection)
