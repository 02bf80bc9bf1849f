"""Support tickets, the decisions taken on them, and what agents and managers did with them:
reviews, intent corrections, the guide and reader in force."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.naming import conv

from evenhand.store.tables.base import UtcDateTime, metadata

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
    # The helpdesk's id of the customer message decided (a Gorgias message's, a Zendesk
    # comment's), when the payload gives one: the same message told again is not decided
    # again (Gorgias tells of a first message by two events).
    Column("message_key", String(128), nullable=True),
    # The customer's words the decision was taken on (the ticket's body then; the ticket
    # keeps only its latest): NULL for decisions taken before it was kept.
    Column("message_body", Text, nullable=True),
    # When the customer wrote those words (the helpdesk's time of the message; a file's row
    # time): NULL for decisions taken before it was kept.
    Column("message_at", UtcDateTime, nullable=True),
    Index("ix_decisions_ticket_id", "ticket_id"),
    Index("ix_decisions_decided_at", "decided_at"),
    # What the dashboard counts, beside the ticket and the id that find a ticket's latest
    # decision: its tally reads this index alone, not the wide rows (signals, facts, reply).
    Index("ix_decisions_tally", *DECISION_TALLY_COLUMNS),
)

# The LLM reader, per decision it was to read (`llm_mode` not off): the tokens the endpoint
# counted, how long it took, the requests sent, and why the built-in reading was kept
# (`fallback`, NULL when the LLM's was used). No text: the message is the decision's.
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

# What people who sign in did with decisions (approve, override). A review never rewrites
# its decision; the latest review of a decision is what stands.
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
