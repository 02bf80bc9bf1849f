"""The shop's vocabulary: customers, orders, line items and payment disputes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class DisputeProvider(StrEnum):
    SHOPIFY = "shopify"
    STRIPE = "stripe"


# Dispute statuses in which the bank's process is still running (Shopify and Stripe).
OPEN_DISPUTE_STATUSES = frozenset(
    {"needs_response", "under_review", "warning_needs_response", "warning_under_review"}
)


@dataclass(frozen=True, slots=True)
class LineItem:
    name: str
    sku: str | None
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    unit_cost: Decimal | None = None
    fulfillment_status: str | None = None
    line: int | None = None  # where it came from in its file, when a file


@dataclass(frozen=True, slots=True)
class Order:
    """One order as the shop recorded it. Amounts are in `currency`."""

    name: str
    currency: str
    created_at: datetime
    total: Decimal
    subtotal: Decimal
    shipping: Decimal = Decimal(0)
    taxes: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    outstanding: Decimal = Decimal(0)
    shopify_id: int | None = None
    email: str | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    fulfilled_at: datetime | None = None
    cancelled_at: datetime | None = None
    delivered_at: datetime | None = None  # when the carrier reported it delivered
    test: bool = False
    tags: str = ""
    billing_name: str | None = None
    payment_references: tuple[str, ...] = ()
    updated_at: datetime | None = None  # the source's own update time, when it gives one
    line_items: tuple[LineItem, ...] = ()
    source_digest: str = ""  # content digest of the source record, for idempotent re-import
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ProductCost:
    """What one unit of a product variant costs the shop (Shopify's "Cost per item")."""

    sku: str
    unit_cost: Decimal
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    email: str
    shopify_id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    accepts_email_marketing: bool | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    shopify_total_spent: Decimal | None = None
    shopify_total_orders: int | None = None


@dataclass(frozen=True, slots=True)
class Dispute:
    """A payment dispute (inquiry or chargeback) from Shopify Payments or Stripe."""

    provider: DisputeProvider
    external_id: str
    status: str
    amount: Decimal
    currency: str
    kind: str | None = None  # inquiry | chargeback
    reason: str | None = None
    network_reason_code: str | None = None
    initiated_at: datetime | None = None
    evidence_due_by: datetime | None = None
    observed_at: datetime | None = None  # when the provider reported this state
    order_shopify_id: int | None = None
    order_name: str | None = None
    payment_references: tuple[str, ...] = field(default=())
    line: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DISPUTE_STATUSES
