"""Customer lifetime value: which orders count and what each contributes.

The per-order figures are decided here, once, when an order is imported; the store sums
them per customer in one SQL pass (see `evenhand.store.value_sql`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from evenhand.domain.models import Order
from evenhand.domain.money import Money, to_minor

# Financial statuses whose money has not been (and may never be) taken.
UNPAID_STATUSES = frozenset({"pending", "authorized", "voided", "expired"})
TEST_GATEWAYS = ("bogus", "for testing")


class LtvMetric(StrEnum):
    NET_REVENUE = "net_revenue"
    GROSS_MARGIN = "gross_margin"
    PREDICTED_CLV = "predicted_clv"  # BG/NBD x Gamma-Gamma (evenhand.domain.clv)


class Exclusion(StrEnum):
    CANCELLED = "cancelled"
    TEST = "test"
    UNPAID = "unpaid"


@dataclass(frozen=True, slots=True)
class OrderFigures:
    """What one order contributes to its customer's value, in minor units."""

    exclusion: Exclusion | None
    gross: int
    refunded: int
    cost_known: int
    uncosted: int

    @property
    def counts(self) -> bool:
        return self.exclusion is None


def exclusion_of(order: Order) -> Exclusion | None:
    """Why an order does not count towards value, or None when it does."""
    if order.cancelled_at is not None:
        return Exclusion.CANCELLED
    if order.test:
        return Exclusion.TEST
    if (order.financial_status or "paid") in UNPAID_STATUSES:
        return Exclusion.UNPAID
    return None


def is_test_gateway(payment_method: str) -> bool:
    """Shopify's test gateway ("Bogus Gateway", "(for testing) Bogus Gateway")."""
    lowered = payment_method.lower()
    return TEST_GATEWAYS[0] in lowered or TEST_GATEWAYS[1] in lowered


def order_figures(order: Order) -> OrderFigures:
    currency = order.currency
    paid = order.total - max(order.outstanding, Decimal(0))
    refunded = order.refunded
    if order.financial_status == "refunded" and refunded == 0:
        refunded = paid  # a refunded order whose export left the amount blank
    cost_known = Decimal(0)
    uncosted = Decimal(0)
    for item in order.line_items:
        if item.unit_cost is None:
            uncosted += item.unit_price * item.quantity - item.discount
        else:
            cost_known += item.unit_cost * item.quantity
    return OrderFigures(
        exclusion=exclusion_of(order),
        gross=to_minor(paid, currency),
        refunded=to_minor(min(refunded, paid), currency),
        cost_known=to_minor(cost_known, currency),
        uncosted=to_minor(max(uncosted, Decimal(0)), currency),
    )


@dataclass(frozen=True, slots=True)
class CustomerValue:
    """A customer's value figures, as stored and kept current by every import."""

    currency: str
    orders: int
    gross_sales: Money
    refunds: Money
    gross_margin: Money
    first_order_at: datetime | None
    last_order_at: datetime | None
    open_disputes: int
    # The spend expected over the guide's horizon, discounted; filled in only where the
    # guide's metric is `predicted_clv` (evenhand.actions.value_model).
    predicted_clv: Money | None = None

    @property
    def net_revenue(self) -> Money:
        return self.gross_sales - self.refunds

    @property
    def average_order_value(self) -> Money:
        if self.orders == 0:
            return Money.zero(self.currency)
        average = (self.gross_sales.amount / self.orders).quantize(self.gross_sales.amount)
        return Money(average, self.currency)

    def ltv(self, metric: LtvMetric) -> Money:
        if metric is LtvMetric.GROSS_MARGIN:
            return self.gross_margin
        if metric is LtvMetric.PREDICTED_CLV and self.predicted_clv is not None:
            return self.predicted_clv
        return self.net_revenue


def method_notes(margin_rate: Decimal) -> list[str]:
    """How the figures are computed, in words a support lead can check."""
    percent = format((margin_rate * 100).normalize(), "f")
    return [
        "Counted orders: not cancelled, not test orders (test flag or Shopify's Bogus "
        "gateway), and paid (financial status other than pending, authorized, voided, expired).",
        "Gross sales: each counted order's Total (shipping and tax included), less any "
        "outstanding balance.",
        "Refunds: the orders' Refunded Amount (a 'refunded' order with no amount counts "
        "as fully refunded); net revenue = gross sales - refunds.",
        "Gross margin: merchandise subtotal minus line-item cost where known (the product's "
        f"Cost per item, by SKU), else minus (100% - {percent}%) of the line's price, scaled by "
        "the share of the order not refunded.",
        "Open disputes: linked disputes whose status is needs_response, under_review, "
        "warning_needs_response or warning_under_review.",
    ]
