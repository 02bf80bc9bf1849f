"""Did being generous pay? The outcome figures over the shop's stored decisions, orders
and disputes (`evenhand advise outcomes`, the dashboard's /advice/outcomes page)."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from evenhand.domain.guide import Guide
from evenhand.domain.money import Money
from evenhand.domain.outcomes import (
    DecidedCase,
    FollowUp,
    Interval,
    Outcomes,
    Share,
    Side,
    outcomes,
)
from evenhand.store.clv_data import counted_purchases
from evenhand.store.database import ensure_current
from evenhand.store.outcomes_data import decided_tickets, dispute_openings
from evenhand.store.shop import shop_currency

BANDWIDTH_SHARE = Decimal("0.25")  # of the VIP line, each side of it


def shop_outcomes(
    engine: Engine, guide: Guide, *, now: datetime, bandwidth_share: Decimal = BANDWIDTH_SHARE
) -> tuple[Outcomes, str]:
    """The figures, and the shop's currency."""
    ensure_current(engine)
    with engine.connect() as connection:
        currency = shop_currency(connection) or "XXX"
        cases = _decided_cases(connection, currency)
        bought = _follow_ups(connection, currency)
        disputes: dict[Hashable, list[datetime]] = {}
        for customer, opened in dispute_openings(connection):
            disputes.setdefault(customer, []).append(opened)
    threshold = guide.settings.vip_threshold
    found = outcomes(
        cases, bought, disputes, now,
        threshold=threshold, bandwidth=(threshold * bandwidth_share).quantize(Decimal(1)),
    )  # fmt: skip
    return found, currency


def _decided_cases(connection: Connection, currency: str) -> list[DecidedCase]:
    return [
        DecidedCase(
            row.customer_id, row.created_at, row.tier, row.remedy,
            Money.of_minor(row.ltv_minor, currency).amount, bool(row.threats),
        )
        for row in decided_tickets(connection)
    ]  # fmt: skip


def _follow_ups(connection: Connection, currency: str) -> dict[Hashable, list[FollowUp]]:
    """Each customer's counted orders, with their net amounts."""
    bought: dict[Hashable, list[FollowUp]] = {}
    for customer, at, net in counted_purchases(connection):
        amount = Money.of_minor(net, currency).amount
        bought.setdefault(customer, []).append(FollowUp(customer, at, amount))
    return bought


class IntervalOut(BaseModel):
    n: int
    mean: float
    low: float
    high: float


class GroupOut(BaseModel):
    tier: str
    remedy: str
    window_days: int
    orders: IntervalOut
    net_revenue: IntervalOut


class SideOut(BaseModel):
    orders: IntervalOut
    net_revenue: IntervalOut


class DiscontinuityOut(BaseModel):
    window_days: int
    threshold: Decimal
    bandwidth: Decimal
    below: SideOut
    above: SideOut
    caveat: str
    # net revenue above minus below, Welch's 95 % interval; null under two tickets a side
    net_revenue_difference: IntervalOut | None


class ShareOut(BaseModel):
    customers: int
    disputed_later: int
    share: float
    low: float
    high: float


class ThreatsOut(BaseModel):
    threateners: ShareOut
    no_threat: ShareOut
    caveat: str


class OutcomesOut(BaseModel):
    currency: str
    groups: list[GroupOut]
    discontinuities: list[DiscontinuityOut]
    threats: ThreatsOut


def _interval(found: Interval) -> IntervalOut:
    return IntervalOut(
        n=found.n, mean=round(found.mean, 2), low=round(found.low, 2), high=round(found.high, 2)
    )


def _share(found: Share) -> ShareOut:
    return ShareOut(
        customers=found.customers, disputed_later=found.disputed, share=round(found.share, 4),
        low=round(found.low, 4), high=round(found.high, 4),
    )  # fmt: skip


def _side(found: Side) -> SideOut:
    return SideOut(orders=_interval(found.orders), net_revenue=_interval(found.revenue))


def outcomes_out(found: Outcomes, currency: str) -> OutcomesOut:
    return OutcomesOut(
        currency=currency,
        groups=[
            GroupOut(
                tier=g.tier, remedy=g.remedy, window_days=g.window,
                orders=_interval(g.orders), net_revenue=_interval(g.revenue),
            )
            for g in found.groups
        ],
        discontinuities=[
            DiscontinuityOut(
                window_days=d.window, threshold=d.threshold, bandwidth=d.bandwidth,
                below=_side(d.below), above=_side(d.above),
                caveat=d.caveat,
                net_revenue_difference=_interval(d.difference) if d.difference else None,
            )
            for d in found.discontinuities
        ],
        threats=ThreatsOut(
            threateners=_share(found.threats.threateners),
            no_threat=_share(found.threats.others),
            caveat=found.threats.caveat,
        ),
    )  # fmt: skip
