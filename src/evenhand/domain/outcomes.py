"""Did being generous pay? What customers did after their tickets were decided:

- per tier x remedy, the orders and net revenue in the 90 and 180 days after the ticket,
  for tickets at least that old, each mean with a 95 % t-interval;
- a regression-discontinuity view: customers just below and just above the VIP line (the
  same kind of customer, given different remedies) and the same follow-up figures, with the
  sample sizes and a caveat when they are too small to compare;
- after threats: the share of customers who threatened and later filed a bank dispute,
  against the same share among customers who made no threat.

Pure and deterministic: `now` is passed in; intervals are computed, not resampled.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

WINDOWS = (90, 180)
FEWEST_PER_SIDE = 30  # below this a comparison is shown with a caveat
Z95 = 1.959964
# Student's t, two-sided 95 %, for 1 to 30 degrees of freedom.
T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DecidedCase:
    """A ticket's latest decision, with its customer."""

    customer: Hashable
    at: datetime  # when the ticket came in
    tier: str
    remedy: str
    ltv: Decimal  # the guide's metric when it was decided
    threatened: bool


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What a customer bought after a ticket: counted orders and their net amounts."""

    customer: Hashable
    at: datetime
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Interval:
    n: int
    mean: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    tier: str
    remedy: str
    window: int
    orders: Interval
    revenue: Interval


@dataclass(frozen=True, slots=True)
class Side:
    orders: Interval
    revenue: Interval
    revenues: tuple[float, ...] = ()  # each ticket's, for the difference across the line


@dataclass(frozen=True, slots=True)
class Discontinuity:
    window: int
    threshold: Decimal
    bandwidth: Decimal
    below: Side
    above: Side
    caveat: str  # "" when both sides have enough tickets
    # Net revenue above minus below, with Welch's 95 % interval (None under two a side).
    difference: Interval | None = None


@dataclass(frozen=True, slots=True)
class Share:
    customers: int
    disputed: int
    low: float
    high: float

    @property
    def share(self) -> float:
        return self.disputed / self.customers if self.customers else 0.0


@dataclass(frozen=True, slots=True)
class ThreatOutcome:
    threateners: Share
    others: Share
    caveat: str


@dataclass(frozen=True, slots=True)
class Outcomes:
    groups: list[GroupOutcome]
    discontinuities: list[Discontinuity]
    threats: ThreatOutcome


def t_critical(degrees: int) -> float:
    """Two-sided 95 % Student's t; past 30 degrees, Cornish-Fisher's first term."""
    if degrees <= len(T95):
        return T95[max(degrees, 1) - 1]
    return Z95 + (Z95**3 + Z95) / (4 * degrees)


def mean_interval(values: Sequence[float], *, floor: float | None = None) -> Interval:
    """The mean and its 95 % t-interval (the mean alone for fewer than two values); values
    never below `floor` have a mean never below it either, and the interval stops there."""
    n = len(values)
    if n == 0:
        return Interval(0, 0.0, 0.0, 0.0)
    mean = math.fsum(values) / n
    if n == 1:
        return Interval(1, mean, mean, mean)
    variance = math.fsum((value - mean) ** 2 for value in values) / (n - 1)
    half = t_critical(n - 1) * math.sqrt(variance / n)
    low = mean - half if floor is None else max(mean - half, floor)
    return Interval(n, mean, low, mean + half)


def difference_interval(above: Sequence[float], below: Sequence[float]) -> Interval | None:
    """mean(above) - mean(below) and Welch's 95 % interval (degrees of freedom by
    Welch-Satterthwaite, rounded down: the wider interval)."""
    if len(above) < 2 or len(below) < 2:
        return None
    middle = math.fsum(above) / len(above) - math.fsum(below) / len(below)
    spread = [_variance(values) / len(values) for values in (above, below)]
    se_squared = spread[0] + spread[1]
    count = len(above) + len(below)
    if se_squared == 0:
        return Interval(count, middle, middle, middle)
    shares = spread[0] ** 2 / (len(above) - 1) + spread[1] ** 2 / (len(below) - 1)
    half = t_critical(int(se_squared**2 / shares)) * math.sqrt(se_squared)
    return Interval(count, middle, middle - half, middle + half)


def _variance(values: Sequence[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum((value - mean) ** 2 for value in values) / (len(values) - 1)


def wilson(hits: int, n: int) -> tuple[float, float]:
    """Wilson's 95 % interval of a share."""
    if n == 0:
        return 0.0, 0.0
    share = hits / n
    middle = (share + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(share * (1 - share) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return max(middle - half, 0.0), min(middle + half, 1.0)


def follow_up(
    case: DecidedCase, bought: Mapping[Hashable, Sequence[FollowUp]], window: int
) -> tuple[int, Decimal]:
    """Orders and net revenue in the `window` days after the ticket (the ticket's moment
    excluded, the window's end included)."""
    end = case.at + timedelta(days=window)
    after = [p for p in bought.get(case.customer, ()) if case.at < p.at <= end]
    return len(after), sum((p.amount for p in after), Decimal(0))


def _side(
    cases: Sequence[DecidedCase], bought: Mapping[Hashable, Sequence[FollowUp]], window: int
) -> Side:
    figures = [follow_up(case, bought, window) for case in cases]
    revenues = tuple(float(revenue) for _, revenue in figures)
    return Side(  # a customer's orders and net revenue (gross less refunds) are never < 0
        orders=mean_interval([float(orders) for orders, _ in figures], floor=0.0),
        revenue=mean_interval(revenues, floor=0.0),
        revenues=revenues,
    )


def group_outcomes(
    cases: Sequence[DecidedCase],
    bought: Mapping[Hashable, Sequence[FollowUp]],
    now: datetime,
) -> list[GroupOutcome]:
    found = []
    for window in WINDOWS:
        old = [case for case in cases if case.at + timedelta(days=window) <= now]
        groups: dict[tuple[str, str], list[DecidedCase]] = {}
        for case in old:
            groups.setdefault((case.tier, case.remedy), []).append(case)
        for (tier, remedy), members in sorted(groups.items()):
            side = _side(members, bought, window)
            found.append(GroupOutcome(tier, remedy, window, side.orders, side.revenue))
    return found


def discontinuities(
    cases: Sequence[DecidedCase],
    bought: Mapping[Hashable, Sequence[FollowUp]],
    now: datetime,
    *,
    threshold: Decimal,
    bandwidth: Decimal,
) -> list[Discontinuity]:
    """Tickets from customers within `bandwidth` below the line and up to it above."""
    found = []
    for window in WINDOWS:
        old = [case for case in cases if case.at + timedelta(days=window) <= now]
        below = [c for c in old if threshold - bandwidth <= c.ltv < threshold]
        above = [c for c in old if threshold <= c.ltv <= threshold + bandwidth]
        caveat = _too_few("tickets", len(below), len(above))
        under, over = _side(below, bought, window), _side(above, bought, window)
        difference = difference_interval(over.revenues, under.revenues)
        found.append(Discontinuity(window, threshold, bandwidth, under, over, caveat, difference))
    return found


def _too_few(what: str, first: int, second: int) -> str:
    if min(first, second) >= FEWEST_PER_SIDE:
        return ""
    return (
        f"too few {what} to compare ({first} and {second}; at least {FEWEST_PER_SIDE} each): "
        "the figures are shown, not a conclusion"
    )


def threat_outcome(
    cases: Sequence[DecidedCase], disputes: Mapping[Hashable, Sequence[datetime]]
) -> ThreatOutcome:
    """Customers who threatened (from their first threatening ticket) and customers who never
    did (from their first ticket): the share who filed a dispute afterwards."""
    since: dict[Hashable, tuple[bool, datetime]] = {}
    for case in sorted(cases, key=lambda c: c.at):
        seen = since.get(case.customer)
        if seen is None or (case.threatened and not seen[0]):
            since[case.customer] = (case.threatened, case.at)
    groups: dict[bool, list[bool]] = {True: [], False: []}
    for customer, (threatened, start) in since.items():
        later = any(at > start for at in disputes.get(customer, ()))
        groups[threatened].append(later)
    threateners, others = (_share(groups[flag]) for flag in (True, False))
    caveat = _too_few("customers", threateners.customers, others.customers)
    return ThreatOutcome(threateners, others, caveat)


def _share(later: Sequence[bool]) -> Share:
    hits = sum(later)
    low, high = wilson(hits, len(later))
    return Share(len(later), hits, low, high)


def outcomes(
    cases: Sequence[DecidedCase],
    bought: Mapping[Hashable, Sequence[FollowUp]],
    disputes: Mapping[Hashable, Sequence[datetime]],
    now: datetime,
    *,
    threshold: Decimal,
    bandwidth: Decimal,
) -> Outcomes:
    return Outcomes(
        groups=group_outcomes(cases, bought, now),
        discontinuities=discontinuities(
            cases, bought, now, threshold=threshold, bandwidth=bandwidth
        ),
        threats=threat_outcome(cases, disputes),
    )
