"""The service's own state: API tokens, the webhook inbox, worker heartbeats, and the
helpdesk write-backs owed."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from evenhand.store.tables.base import UtcDateTime, metadata

# The service: API tokens (only their SHA-256 is kept), the durable inbox of webhook
# deliveries (stored raw before they are answered), and the helpdesk write-backs owed.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(16), nullable=False),
    Column("event_key", String(255), nullable=False),
    Column("topic", String(64), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("deliveries", Integer, nullable=False),
    Column("processed_at", UtcDateTime),
    Column("outcome", JSON),
    Column("error", Text),
    # Times a worker took the delivery without finishing it (it died holding it).
    Column("attempts", Integer, nullable=False, server_default="0"),
    # SHA-256 of the body (Shopify): a replay under a new event id is counted, not stored.
    Column("body_sha256", String(64)),
    UniqueConstraint("source", "event_key", name="uq_inbox_source_event_key"),
    Index("ix_inbox_status_id", "status", "id"),
    Index("ix_inbox_replay", "source", "topic", "body_sha256"),
)

# The inbox worker's heartbeat: one row per worker name, written as its loop turns.
worker_heartbeats = Table(
    "worker_heartbeats",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
    Column("stopped_at", UtcDateTime),
)

writebacks = Table(
    "writebacks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False),
    Column("provider", String(16), nullable=False),
    Column("ticket_ref", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("tags_done", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime),
    Column("last_error", Text),
    Index("ix_writebacks_status_next", "status", "next_attempt_at"),
)
