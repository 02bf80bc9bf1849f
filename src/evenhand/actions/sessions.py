"""Signing in and out of the web UI, and the sessions in between.

A session is a row (`store.sessions`): the cookie carries a random token, the row its
hash. A session ends at sign-out, after `session_idle_minutes` without a request, after
`session_max_hours`, and at once when its user is disabled, deleted, re-roled or
re-passworded (`actions.users`).

Wrong passwords are counted per e-mail and per client address; past the allowance, sign-in
waits (`domain.sessions.Throttle`) and a try before the wait is over is refused unchecked,
with an audit event. A try is counted as wrong before its password is checked, and undone
when it was right, so a burst of tries sent at once is held to the allowance too.
"""

from __future__ import annotations

import math
import secrets
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from evenhand.actions.users import password_matches
from evenhand.domain.sessions import SessionLimits, Throttle
from evenhand.errors import AccessError, EvenhandError
from evenhand.settings import Settings
from evenhand.store import sessions as session_store
from evenhand.store import users as user_store
from evenhand.store.audit import record_event
from evenhand.store.users import User

# A session's last request is written at most this often (not on every page).
TOUCH_EVERY = timedelta(seconds=60)
# Checked against when the e-mail is unknown, so that both cases take as long.
_NOBODY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "="
_EMAIL_LENGTH, _CLIENT_LENGTH = 320, 64


@dataclass(frozen=True, slots=True)
class SignInRules:
    """The session limits and the throttles, from the settings."""

    limits: SessionLimits
    per_account: Throttle
    per_address: Throttle

    @classmethod
    def of(cls, settings: Settings) -> SignInRules:
        def throttle(allowed: int) -> Throttle:
            return Throttle(
                allowed=allowed,
                first_wait=timedelta(seconds=settings.sign_in_first_wait_seconds),
                longest_wait=timedelta(seconds=settings.sign_in_longest_wait_seconds),
                window=timedelta(minutes=settings.sign_in_window_minutes),
            )

        return cls(
            limits=SessionLimits(
                idle=timedelta(minutes=settings.session_idle_minutes),
                absolute=timedelta(hours=settings.session_max_hours),
            ),
            per_account=throttle(settings.sign_in_failures_per_account),
            per_address=throttle(settings.sign_in_failures_per_address),
        )


class SignInThrottledError(EvenhandError):
    """Too many wrong passwords: refused unchecked until `until`."""

    def __init__(self, *, until: datetime, now: datetime) -> None:
        self.until = until
        self.retry_after = max(1, math.ceil((until - now).total_seconds()))
        super().__init__(
            AccessError.THROTTLED,
            "too many wrong passwords for this e-mail or from this address; try again in "
            f"{_duration(self.retry_after)} (after {until:%H:%M:%S} UTC)",
        )


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    token: str  # for the session cookie; only its hash is stored


def sign_in(
    engine: Engine,
    *,
    email: str,
    password: str,
    client: str,
    rules: SignInRules,
    now: datetime,
    lock: AbstractContextManager[object] | None = None,
) -> SignedIn:
    """A new session for the user with this e-mail and password. Refused: a wrong e-mail or
    password (401), a disabled user (403), too many wrong passwords before (429).

    `lock` is held while a try is counted, so that tries from one process are counted one
    after the other."""
    key, client = user_store.normalise_email(email)[:_EMAIL_LENGTH], client[:_CLIENT_LENGTH]
    with lock or nullcontext(), engine.begin() as connection:
        until = _count_attempt(connection, key, client, rules, now)
    if until is not None:
        raise SignInThrottledError(until=until, now=now)
    with engine.connect() as connection:
        user = user_store.find_user(connection, key)
    if not password_matches(password, user.password_hash if user else _NOBODY) or user is None:
        _record(engine, "sign-in failed", key, client, now)
        raise EvenhandError(AccessError.BAD_CREDENTIALS, "wrong e-mail or password")
    if user.disabled:
        _record(engine, "sign-in refused", key, client, now, reason="disabled")
        raise EvenhandError(AccessError.USER_DISABLED, "this user is disabled; ask a manager")
    return _open_session(engine, user, client, rules.limits, now)


def _count_attempt(
    connection: Connection, key: str, client: str, rules: SignInRules, now: datetime
) -> datetime | None:
    """Counts the try as a wrong password (written first, so that SQLite holds its write lock
    while the tries before are read); when it must wait, takes it back and records that."""
    window = max(rules.per_account.window, rules.per_address.window)
    session_store.forget_failures(connection, before=now - window)
    attempt = session_store.add_failure(connection, email=key, client=client, now=now)
    by_email, by_client = session_store.failures_since(
        connection, email=key, client=client, since=now - window, but=attempt
    )
    waits = [
        rules.per_account.wait_until(by_email, now=now),
        rules.per_address.wait_until(by_client, now=now),
    ]
    until = max((wait for wait in waits if wait is not None), default=None)
    if until is not None:
        session_store.forget_failures(connection, attempt=attempt)
        record_event(
            connection,
            at=now,
            action="sign-in throttled",
            subject=key,
            details={"client": client, "until": until.isoformat()},
        )
    return until


def _record(
    engine: Engine, action: str, key: str, client: str, now: datetime, **details: str
) -> None:
    with engine.begin() as connection:
        details |= {"client": client}
        record_event(connection, at=now, action=action, subject=key, details=details)


def _open_session(
    engine: Engine, user: User, client: str, limits: SessionLimits, now: datetime
) -> SignedIn:
    """The session, and the e-mail's wrong passwords forgotten (this try's with them)."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        session_store.forget_failures(connection, email=user.email)
        session_store.end_stale_sessions(
            connection, created_before=now - limits.absolute, seen_before=now - limits.idle
        )
        session_store.add_session(connection, token=token, user_id=user.id, now=now)
        record_event(
            connection, at=now, action="sign-in", subject=user.email, details={"client": client}
        )
    return SignedIn(user, token)


def signed_in_user(
    engine: Engine, token: str, *, limits: SessionLimits, now: datetime
) -> User | None:
    """The user of a live session, or None (no such session, ended, expired, or its user
    disabled or deleted). An expired session is deleted; a live one's last request noted."""
    with engine.connect() as connection:
        found = session_store.find_session(connection, token)
        user = user_store.user_by_id(connection, found.user_id) if found else None
    if found is None:
        return None
    live = limits.live(created_at=found.created_at, last_seen_at=found.last_seen_at, now=now)
    if not live or user is None or user.disabled:
        with engine.begin() as connection:
            session_store.end_session(connection, token)
        return None
    if now - found.last_seen_at >= TOUCH_EVERY:
        with engine.begin() as connection:
            session_store.touch_session(connection, found.id, now=now)
    return user


def sign_out(engine: Engine, token: str, *, now: datetime) -> None:
    """Ends this session (a copy of its cookie opens nothing after)."""
    with engine.begin() as connection:
        user_id = session_store.end_session(connection, token)
        user = user_store.user_by_id(connection, user_id) if user_id is not None else None
        if user is not None:
            record_event(connection, at=now, action="sign-out", subject=user.email, details={})
