"""Who signs in (users, sessions, failed sign-ins) and the audit trail of what was done."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text

from evenhand.store.tables.base import UtcDateTime, metadata

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", Text),
    Column("details", JSON, nullable=False),
)

# The web UI: people who sign in (what they did with decisions: `support.reviews`).
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # A disabled user cannot sign in; a deleted one is gone but for the name on their
    # reviews (the row stays, with no usable password; `user create` gives it back).
    Column("disabled_at", UtcDateTime),
    Column("deleted_at", UtcDateTime),
)

# Signed-in sessions: the cookie carries a random token, the row its SHA-256. Sign-out,
# disabling, deleting, a role or password change delete a user's rows, ending them at once.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Index("ix_sessions_user_id", "user_id"),
)

# Wrong passwords, by the e-mail tried and the client's address, kept for the throttle's
# window: enough of them and sign-in waits (evenhand.domain.sessions.Throttle).
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_sign_in_failures_email", "email", "at"),
    Index("ix_sign_in_failures_client", "client", "at"),
)
