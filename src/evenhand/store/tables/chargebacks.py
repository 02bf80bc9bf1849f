"""Disputes (chargebacks) as the payment providers report them, and the dispute desk's edits."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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

disputes = Table(
    "disputes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider", String(16), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("order_id", ForeignKey("orders.id", ondelete="SET NULL"), nullable=True),
    Column("status", String(32), nullable=False),
    Column("kind", String(32)),
    Column("reason", String(64)),
    Column("network_reason_code", String(16)),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("initiated_at", UtcDateTime),
    Column("evidence_due_by", UtcDateTime),
    Column("observed_at", UtcDateTime),
    Column("link_order_shopify_id", BigInteger),
    Column("link_order_name", String(64)),
    Column("link_payment_references", Text, nullable=False, default=""),
    UniqueConstraint("provider", "external_id", name="uq_disputes_provider_external_id"),
    Index("ix_disputes_order_id", "order_id"),
)

# The dispute desk: what an agent changed in a dispute's evidence pack (the rest is drafted
# afresh from the records), and when it was sent to the provider and submitted to the bank.
dispute_evidence = Table(
    "dispute_evidence",
    metadata,
    Column("dispute_id", ForeignKey("disputes.id", ondelete="CASCADE"), primary_key=True),
    Column("fields", JSON, nullable=False),
    Column("edited_by", String(320)),
    Column("edited_at", UtcDateTime),
    Column("sent_by", String(320)),
    Column("sent_at", UtcDateTime),
    Column("submitted_by", String(320)),
    Column("submitted_at", UtcDateTime),
)
