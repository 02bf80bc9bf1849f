"""What the service does for its callers: API tokens, accepting webhook deliveries, and
reading stored decisions back."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine

from evenhand.actions.schemas import DecisionOut, decision_out
from evenhand.errors import AccessError, EvenhandError, InputError, LookupFailure
from evenhand.ingest.cells import BIG_INTEGER_MAX, shown
from evenhand.store import tokens
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current, retry_while_locked, write_transaction
from evenhand.store.decisions import decision_record
from evenhand.store.inbox import Accepted, accept_delivery

TOKEN_PREFIX = "eh_"


TOKEN_NAME_LIMIT = 128  # the column's


def create_token(engine: Engine, *, name: str, now: datetime) -> str:
    """A new API token; only its SHA-256 is stored, so this is the one time it is seen.
    Its name (who or what uses it) has words, at most 128 characters."""
    name = name.strip()
    if not name:
        raise EvenhandError(InputError.MISSING_VALUE, "name: a token needs a name")
    if len(name) > TOKEN_NAME_LIMIT:
        raise EvenhandError(InputError.BAD_VALUE, f"name: at most {TOKEN_NAME_LIMIT} characters")
    ensure_current(engine)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as connection:
        if tokens.token_name_taken(connection, name):
            raise EvenhandError(AccessError.TOKEN_NAME_TAKEN, f"a token named {name!r} exists")
        tokens.save_token(connection, name=name, token=token, now=now)
        record_event(connection, at=now, action="token create", subject=name, details={})
    return token


def revoke_token(engine: Engine, *, name: str, now: datetime) -> None:
    name = name.strip()  # as it was created
    ensure_current(engine)
    with engine.begin() as connection:
        if not tokens.revoke_token(connection, name=name, now=now):
            raise EvenhandError(AccessError.TOKEN_NOT_FOUND, f"no live token named {name!r}")
        record_event(connection, at=now, action="token revoke", subject=name, details={})


def token_owner(engine: Engine, *, token: str) -> str:
    """The name of the token presented; refused if it is unknown or revoked."""
    with engine.connect() as connection:
        owner = tokens.token_owner(connection, token)
    if owner is None:
        raise EvenhandError(AccessError.BAD_TOKEN, "unknown or revoked API token")
    return owner


def receive_delivery(
    engine: Engine,
    *,
    source: str,
    event_key: str,
    topic: str,
    body: str,
    now: datetime,
    body_sha256: str | None = None,
    replay_since: datetime | None = None,
) -> Accepted:
    """Store a verified delivery raw (or count a repeat: the same event key, or with
    `replay_since` the same topic and body hash since then); the inbox row is its record."""

    def store() -> Accepted:
        with write_transaction(engine) if replay_since else engine.begin() as connection:
            return accept_delivery(
                connection,
                source=source,
                event_key=event_key,
                topic=topic,
                body=body,
                now=now,
                body_sha256=body_sha256,
                replay_since=replay_since,
            )

    return retry_while_locked(store)


def find_decision(engine: Engine, *, decision_id: int) -> DecisionOut:
    """A stored decision, as every edge shows it; refused if there is none."""
    if not 1 <= decision_id <= BIG_INTEGER_MAX:
        raise EvenhandError(LookupFailure.DECISION_NOT_FOUND, f"no decision {shown(decision_id)}")
    with engine.connect() as connection:
        found = decision_record(connection, decision_id)
    if found is None:
        raise EvenhandError(LookupFailure.DECISION_NOT_FOUND, f"no decision {decision_id}")
    return decision_out(found)
