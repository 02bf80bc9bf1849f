"""The database schema. Money is stored as integer minor units of the shop's currency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.sql.naming import conv
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


shop = Table(
    "shop",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("currency", String(3), nullable=True),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("shopify_id", BigInteger, nullable=True),
    Column("first_name", Text),
    Column("last_name", Text),
    Column("phone", Text),
    Column("accepts_email_marketing", Boolean),
    Column("tags", Text, nullable=False, default=""),
    Column("note", Text),
    Column("shopify_total_spent_minor", BigInteger),
    Column("shopify_total_orders", Integer),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("shopify_id", BigInteger, nullable=True, unique=True),
    Column("customer_id", ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("email", String(320)),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("source_updated_at", UtcDateTime),
    Column("total_minor", BigInteger, nullable=False),
    Column("subtotal_minor", BigInteger, nullable=False),
    Column("shipping_minor", BigInteger, nullable=False),
    Column("taxes_minor", BigInteger, nullable=False),
    Column("refunded_minor", BigInteger, nullable=False),
    Column("outstanding_minor", BigInteger, nullable=False),
    Column("financial_status", String(32)),
    Column("fulfillment_status", String(32)),
    Column("fulfilled_at", UtcDateTime),
    Column("cancelled_at", UtcDateTime),
    Column("delivered_at", UtcDateTime),  # when the carrier reported it delivered
    Column("test", Boolean, nullable=False),
    Column("tags", Text, nullable=False),
    Column("billing_name", Text),
    # What the order contributes to customer value (evenhand.domain.value.order_figures).
    Column("exclusion", String(16)),
    Column("value_gross_minor", BigInteger, nullable=False),
    Column("value_refund_minor", BigInteger, nullable=False),
    Column("cost_known_minor", BigInteger, nullable=False),
    Column("uncosted_minor", BigInteger, nullable=False),
    Column("source_digest", String(32), nullable=False),
    # Covers the one-pass value SQL (evenhand.store.value_sql): it reads only the index.
    Index(
        "ix_orders_customer_value",
        "customer_id",
        "exclusion",
        "created_at",
        "value_gross_minor",
        "value_refund_minor",
        "subtotal_minor",
        "cost_known_minor",
        "uncosted_minor",
    ),
)

line_items = Table(
    "line_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("sku", String(255)),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),
    Column("discount_minor", BigInteger, nullable=False),
    Column("unit_cost_minor", BigInteger),
    Column("fulfillment_status", String(32)),
    Index("ix_line_items_order_id", "order_id"),
)

payment_references = Table(
    "payment_references",
    metadata,
    Column("reference", String(255), primary_key=True),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Index("ix_payment_references_order_id", "order_id"),
)

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

product_costs = Table(
    "product_costs",
    metadata,
    Column("sku", String(255), primary_key=True),
    Column("unit_cost_minor", BigInteger, nullable=False),
)

customer_values = Table(
    "customer_values",
    metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("orders", Integer, nullable=False),
    Column("gross_minor", BigInteger, nullable=False),
    Column("refunds_minor", BigInteger, nullable=False),
    Column("margin_minor", BigInteger, nullable=False),
    Column("first_order_at", UtcDateTime),
    Column("last_order_at", UtcDateTime),
    Column("open_disputes", Integer, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", Text),
    Column("details", JSON, nullable=False),
)

# Support tickets as they arrived (the latest content of each), and the decisions taken on
# them: appended, never rewritten (a re-triage adds a decision).
tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_key", String(128), nullable=False),  # the source's own id of the ticket
    Column("source", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("customer_email", String(320), nullable=False),
    Column("customer_id", ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("first_name", Text),
    Column("subject", Text),
    Column("body", Text, nullable=False),
    Column("order_name", String(64)),
    Column("received_at", UtcDateTime, nullable=False),
    Index("ix_tickets_customer_email", "customer_email"),
    UniqueConstraint("source", "ticket_key", name=conv("uq_tickets_source_ticket_key")),
)

guide_versions = Table(
    "guide_versions",
    metadata,
    Column("version", String(12), primary_key=True),
    Column("source", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("first_used_at", UtcDateTime, nullable=False),
)

DECISION_TALLY_COLUMNS = (
    "ticket_id",
    "id",
    "language",
    "intent",
    "remedy",
    "tier",
    "threats",
    "rule_id",
    "currency",
    "order_value_minor",
    "expected_cost_minor",
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("language", String(8), nullable=False),
    Column("intent", String(40), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("runner_up", String(40), nullable=False),
    Column("runner_up_confidence", Float, nullable=False),
    Column("signals", JSON, nullable=False),
    # The signals' kinds, sorted and comma-separated ("" for none): what the queue filters.
    Column("threats", String(96), nullable=False, server_default=""),
    Column("tier", String(16), nullable=False),
    Column("ltv_minor", BigInteger, nullable=False),
    # The ticket's order total (the order_value fact) in minor units: what the dashboard sums.
    Column("order_value_minor", BigInteger, nullable=True),
    Column("currency", String(3), nullable=False),
    Column("dispute", String(16), nullable=False),
    Column("facts", JSON, nullable=False),
    Column("remedy", String(32), nullable=False),
    Column("rule_id", String(64), nullable=False),
    Column("guide_version", ForeignKey("guide_versions.version"), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("reply_language", String(8), nullable=False),
    Column("reply_text", Text, nullable=False),
    Column("explanation", Text, nullable=False),
    # The remedy's expected cost (minor units), its one-line computation, and the order's
    # costs as priced (evenhand.domain.costs.OrderCosts): NULL before costs were kept.
    Column("expected_cost_minor", BigInteger, nullable=True),
    Column("cost_computation", Text, nullable=True),
    Column("order_costs", JSON, nullable=True),
    # Which reader read the message: "built-in", or "shop:VERSION" (an adopted shop reader).
    Column("reader", String(40), nullable=False, server_default="built-in"),
    Index("ix_decisions_ticket_id", "ticket_id"),
    Index("ix_decisions_decided_at", "decided_at"),
    # What the dashboard counts, beside the ticket and the id that find a ticket's latest
    # decision: its tally reads this index alone, not the wide rows (signals, facts, reply).
    Index("ix_decisions_tally", *DECISION_TALLY_COLUMNS),
)

# The LLM reader, per decision it was to read (`llm_mode` not off): the tokens the endpoint
# counted, how long it took, the requests sent, and why the built-in reading was kept
# (`fallback`, NULL when the LLM's was used). No text: the message is the ticket's.
llm_readings = Table(
    "llm_readings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "decision_id", ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False, unique=True
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("model", String(128), nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("latency_ms", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("fallback", String(32), nullable=True),
    Index("ix_llm_readings_at", "at"),
)

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

# Shopify refunds already counted (refunds/create and the refunds of orders/updated).
refunds_seen = Table(
    "refunds_seen",
    metadata,
    Column("refund_id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_shopify_id", BigInteger, nullable=False),
)

# The web UI: people who sign in, and what they did with decisions (approve, override).
# A review never rewrites its decision; the latest review of a decision is what stands.
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

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("action", String(16), nullable=False),
    Column("remedy", String(32)),
    Column("reason", Text),
    Column("reply_text", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_reviews_decision_id", "decision_id"),
)

# Which guide is in force: the latest adoption (a manager's upload); none, the settings'.
guide_adoptions = Table(
    "guide_adoptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", ForeignKey("guide_versions.version"), nullable=False),
    Column("adopted_by", String(320), nullable=False),
    Column("adopted_at", UtcDateTime, nullable=False),
    # The replay the manager saw before adopting (evenhand.domain.replay.ReplayReport.figures).
    Column("replay", JSON, nullable=True),
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

# Which shop reader reads the messages: the latest adoption (none: the built-in reader),
# with the figures it was adopted on (`evenhand reader learn`'s comparison).
reader_adoptions = Table(
    "reader_adoptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", String(40), nullable=False),  # a shop reader's version, or "built-in"
    Column("adopted_by", String(320), nullable=False),
    Column("adopted_at", UtcDateTime, nullable=False),
    Column("figures", JSON, nullable=False),
)

# Agents' corrections of a decision's intent (what the message is about, not the remedy):
# appended like a review, the latest of a ticket's is what stands; `reader learn` adds them
# to the shop's labelled history.
intent_corrections = Table(
    "intent_corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False),
    Column("intent", String(40), nullable=False),
    Column("note", Text),
    Column("corrected_by", String(320), nullable=False),  # a user's e-mail, or "api:TOKEN"
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_intent_corrections_decision_id", "decision_id"),
)

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
