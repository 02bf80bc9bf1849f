"""The database schema, one `MetaData` for every table, split by area into the modules
beside this one; import the tables from here. Money is stored as integer minor units of
the shop's currency."""

from __future__ import annotations

from evenhand.store.tables.access import audit_events, sessions, sign_in_failures, users
from evenhand.store.tables.base import UtcDateTime, metadata
from evenhand.store.tables.chargebacks import dispute_evidence, disputes
from evenhand.store.tables.commerce import (
    customer_values,
    customers,
    line_items,
    orders,
    payment_references,
    product_costs,
    refunds_seen,
    shop,
)
from evenhand.store.tables.remedies import execution_steps, executions
from evenhand.store.tables.reputation import public_reviews, review_posts
from evenhand.store.tables.service import api_tokens, inbox, worker_heartbeats, writebacks
from evenhand.store.tables.support import (
    DECISION_TALLY_COLUMNS,
    decisions,
    guide_adoptions,
    guide_versions,
    intent_corrections,
    llm_readings,
    reader_adoptions,
    reviews,
    tickets,
)

__all__ = [
    "DECISION_TALLY_COLUMNS",
    "UtcDateTime",
    "api_tokens",
    "audit_events",
    "customer_values",
    "customers",
    "decisions",
    "dispute_evidence",
    "disputes",
    "execution_steps",
    "executions",
    "guide_adoptions",
    "guide_versions",
    "inbox",
    "intent_corrections",
    "line_items",
    "llm_readings",
    "metadata",
    "orders",
    "payment_references",
    "product_costs",
    "public_reviews",
    "reader_adoptions",
    "refunds_seen",
    "review_posts",
    "reviews",
    "sessions",
    "shop",
    "sign_in_failures",
    "tickets",
    "users",
    "worker_heartbeats",
    "writebacks",
]
