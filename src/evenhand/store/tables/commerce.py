"""The shop, its customers and their orders: what the shop's records say, and the value
each customer is worth. Money is stored as integer minor units of the shop's currency."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from evenhand.store.tables.base import UtcDateTime, metadata

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

# Shopify refunds already counted (refunds/create and the refunds of orders/updated).
refunds_seen = Table(
    "refunds_seen",
    metadata,
    Column("refund_id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_shopify_id", BigInteger, nullable=False),
)
