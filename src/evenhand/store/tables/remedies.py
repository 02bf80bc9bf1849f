"""Approved remedies carried out, step by step, each step with its idempotency key."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from evenhand.store.tables.base import UtcDateTime, metadata

# Approved remedies carried out: an execution per approval, its steps in order, each with
# the idempotency key its provider gets and a state (pending, done, failed).
executions = Table(
    "executions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False),
    Column("review_id", ForeignKey("reviews.id", ondelete="SET NULL"), nullable=True),
    Column("remedy", String(32), nullable=False),
    Column("approved_by", String(320), nullable=False),  # a user's e-mail, or "auto-approve"
    Column("order_shopify_id", BigInteger),
    Column("customer_shopify_id", BigInteger),
    Column("provider", String(16)),  # the helpdesk the ticket came from, if any
    Column("ticket_ref", String(128)),
    Column("reply_text", Text, nullable=False),
    Column("money_minor", BigInteger, nullable=False),  # what it gives away
    Column("currency", String(3)),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_executions_decision_id", "decision_id"),
    Index("ix_executions_created_at", "created_at"),
)

execution_steps = Table(
    "execution_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("execution_id", ForeignKey("executions.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("result", JSON),
    Column("last_error", Text),
    Column("done_at", UtcDateTime),
    Index("ix_execution_steps_state_next", "state", "next_attempt_at"),
    Index("ix_execution_steps_execution", "execution_id", "position"),
)
