"""Customers' public reviews and the shop's replies posted to the review platforms."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from evenhand.store.tables.base import UtcDateTime, metadata

# Customers' public reviews (Trustpilot, Google Business Profile, Judge.me), matched to a
# customer by e-mail or by the order they name, else left unmatched.
public_reviews = Table(
    "public_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("reviewer", Text),
    Column("reviewer_email", String(320)),
    Column("order_ref", String(64)),
    Column("language", String(8)),
    Column("customer_id", ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("imported_at", UtcDateTime, nullable=False),
    # The shop's public reply as an agent approved it (to post, or posted by copy).
    Column("reply_text", Text),
    Column("replied_by", String(320)),
    Column("replied_at", UtcDateTime),
    # What the reader found: the language, the intent (the tickets' taxonomy), the threat
    # signals' kinds (comma-separated, as `decisions.threats`) and whether the review is
    # tied to a demand ("I'll change this to five stars if ..."); `read_by` names the reader.
    Column("read_language", String(8)),
    Column("intent", String(40)),
    Column("signals", String(96), nullable=False, server_default=""),
    Column("demand", Boolean, nullable=False, server_default=false()),
    Column("read_by", String(80)),
    UniqueConstraint("platform", "external_id", name="uq_public_reviews_platform_external_id"),
    Index("ix_public_reviews_customer_id", "customer_id"),
)

# A public reply's post to the platform's reply API: one per review, its state
# (`posting` while the request is out, `posted`, `failed`, or `copy` where the platform
# has no reply API or no credentials), so a retry never posts twice.
review_posts = Table(
    "review_posts",
    metadata,
    Column("review_id", ForeignKey("public_reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("detail", Text),
    Column("posted_by", String(320)),
    Column("updated_at", UtcDateTime, nullable=False),
)
