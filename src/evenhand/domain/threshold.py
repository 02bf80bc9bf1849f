"""Where the VIP line should be: for candidate thresholds of the guide's LTV metric, how
many customers and tickets would be VIP, what the VIP remedies would cost a year more than
giving everyone the standard ones (the stored tickets replayed, at the shop's observed
ticket rate), and whether the VIPs' gross margin covers that with a safety factor.

The recommendation is the lowest candidate whose VIPs' yearly gross margin is at least
`safety` times their yearly extra concessions; none when the data are too thin.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from evenhand.domain.guide import Guide
from evenhand.domain.replay import StoredCase, tiered_costs

DAYS_A_YEAR = Decimal(365)
PERCENTILES = (50, 60, 70, 80, 90, 95, 98, 99)
# Below these the advisor says the data are too thin to recommend anything.
FEWEST_CUSTOMERS = 30
FEWEST_TICKETS = 50
FEWEST_TICKET_DAYS = 28


@dataclass(frozen=True, slots=True)
class CustomerPoint:
    """A customer with counted orders: the guide's metric and their gross margin."""

    metric: Decimal
    gross_margin: Decimal


@dataclass(frozen=True, slots=True)
class ShopHistory:
    customers: Sequence[CustomerPoint]
    cases: Sequence[StoredCase]  # each ticket's latest decision
    ticket_days: int  # days from the first ticket to the last
    order_days: int  # days from the first order to the last


@dataclass(frozen=True, slots=True)
class ThresholdOption:
    threshold: Decimal
    vip_customers: int
    vip_tickets: int
    extra_cost_a_year: Decimal  # the VIP remedies' cost above the standard ones, a year
    vip_margin_a_year: Decimal  # the VIPs' gross margin, a year

    @property
    def margin_after_concessions(self) -> Decimal:
        return self.vip_margin_a_year - self.extra_cost_a_year

    def covers(self, safety: Decimal) -> bool:
        return self.vip_margin_a_year >= safety * self.extra_cost_a_year


@dataclass(frozen=True, slots=True)
class ThresholdAdvice:
    options: list[ThresholdOption]
    safety: Decimal
    recommended: ThresholdOption | None
    too_thin: str  # why nothing is recommended; "" when the data suffice


def candidate_thresholds(metrics: Sequence[Decimal], current: Decimal) -> list[Decimal]:
    """The current threshold and the customers' metric at each of `PERCENTILES`."""
    ordered = sorted(metrics)
    found = {current}
    for percentile in PERCENTILES if ordered else ():
        found.add(ordered[min(len(ordered) - 1, len(ordered) * percentile // 100)])
    return sorted(value for value in found if value > 0)


def thin_data(history: ShopHistory) -> str:
    """Every reason the shop's data are too thin to recommend a threshold, or "" (a year's
    figures from a few days of tickets are a guess, whatever the other counts say)."""
    reasons = []
    if len(history.customers) < FEWEST_CUSTOMERS:
        reasons.append(
            f"only {len(history.customers)} customer(s) with orders (at least {FEWEST_CUSTOMERS})"
        )
    if len(history.cases) < FEWEST_TICKETS:
        reasons.append(f"only {len(history.cases)} decided ticket(s) (at least {FEWEST_TICKETS})")
    if history.ticket_days < FEWEST_TICKET_DAYS:
        reasons.append(
            f"tickets over {history.ticket_days} day(s) only (at least {FEWEST_TICKET_DAYS}), "
            "so a year's costs are scaled up from those days"
        )
    return "; ".join(reasons)


def advise_threshold(guide: Guide, history: ShopHistory, *, safety: Decimal) -> ThresholdAdvice:
    metrics = [customer.metric for customer in history.customers]
    lines = _Lines(guide, history)
    options = [
        lines.option(threshold)
        for threshold in candidate_thresholds(metrics, guide.settings.vip_threshold)
    ]
    too_thin = thin_data(history)
    covering = [option for option in options if option.covers(safety)]
    recommended = None if too_thin or not covering else covering[0]
    return ThresholdAdvice(options, safety, recommended, too_thin)


class _Lines:
    """Every candidate line priced from one pass over the cases: each case is decided once
    as standard and once as VIP (`tiered_costs`), then cases and customers are sorted by
    their metric, so a line's VIPs are a suffix and its figures prefix and suffix sums."""

    def __init__(self, guide: Guide, history: ShopHistory) -> None:
        self.history = history
        cases = sorted(tiered_costs(guide, history.cases), key=lambda case: case.ltv)
        self.case_ltvs = [case.ltv for case in cases]
        self.standard_before = _running([case.standard for case in cases])
        self.vip_from = _running([case.vip for case in reversed(cases)])[::-1]
        customers = sorted(history.customers, key=lambda customer: customer.metric)
        self.customer_metrics = [customer.metric for customer in customers]
        self.margin_from = _running([c.gross_margin for c in reversed(customers)])[::-1]
        self.baseline = self.standard_before[-1]

    def option(self, threshold: Decimal) -> ThresholdOption:
        first_vip = bisect_left(self.case_ltvs, threshold)
        cost = self.standard_before[first_vip] + self.vip_from[first_vip]
        first_customer = bisect_left(self.customer_metrics, threshold)
        return ThresholdOption(
            threshold=threshold,
            vip_customers=len(self.customer_metrics) - first_customer,
            vip_tickets=len(self.case_ltvs) - first_vip,
            extra_cost_a_year=_a_year(cost - self.baseline, self.history.ticket_days),
            vip_margin_a_year=_a_year(self.margin_from[first_customer], self.history.order_days),
        )


def _running(amounts: Sequence[Decimal]) -> list[Decimal]:
    """Running totals, starting from 0: element i is the sum of the first i amounts."""
    totals = [Decimal(0)]
    for amount in amounts:
        totals.append(totals[-1] + amount)
    return totals


def _a_year(amount: Decimal, days: int) -> Decimal:
    return (amount * DAYS_A_YEAR / max(days, 1)).quantize(Decimal("0.01"))
