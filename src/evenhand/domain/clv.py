"""The predicted customer lifetime value (`ltv_metric: predicted_clv`): purchase histories
from a shop's orders, the two models fitted on them (`evenhand.domain.clv_models`), each
customer's expected spend over the guide's horizon discounted at its rate, and the check
that keeps the fit honest: fitted on the orders before a cutoff, its forecast of the
purchases after it beside the purchases that came.

Time is counted in days throughout (CDNOW's published figures are in weeks: `unit_days=7`).
Purchases on the same day are one purchase, their amounts added (as in Fader and Hardie's
CDNOW summaries).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from evenhand.domain.clv_models import (
    BgNbd,
    GammaGamma,
    History,
    expected_purchases,
    expected_spend,
    fit_bg_nbd,
    fit_gamma_gamma,
)

DAYS_A_YEAR = 365.0
MOST_FITTED = 5_000  # customers a fit reads: a large shop's are sampled
ROUGH_FIT = 1_000  # customers of a first, rough fit that the full one starts from
STEP_DAYS = 30  # the CLV sums the expected spend month by month, each discounted
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Purchase:
    customer: Hashable
    day: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ClvSettings:
    """The guide's `clv_horizon_days` and `clv_discount_rate` (a year's rate)."""

    horizon_days: int = 365
    discount_rate: Decimal = Decimal("0.10")


@dataclass(frozen=True, slots=True)
class ValueModel:
    frequency: BgNbd
    spend: GammaGamma
    customers: int
    repeat_customers: int
    unit_days: int = 1
    fitted_on: int = 0  # the customers the fit read: all, or a sample of a large shop


@dataclass(frozen=True, slots=True)
class HoldoutCheck:
    cutoff: date
    end: date
    customers: int  # customers with a first purchase before the cutoff
    predicted: float  # purchases the calibration fit expects between cutoff and end
    actual: int  # purchases made then
    model: ValueModel

    @property
    def error(self) -> float:
        """(predicted - actual) / actual; 0 when there were none."""
        return (self.predicted - self.actual) / self.actual if self.actual else 0.0


def histories(
    purchases: Iterable[Purchase], cutoff: date, *, unit_days: int = 1
) -> dict[Hashable, History]:
    """Each customer's history up to `cutoff` (inclusive), from their purchases."""
    days = _by_day(purchase for purchase in purchases if purchase.day <= cutoff)
    return {customer: _history(spent, cutoff, unit_days) for customer, spent in days.items()}


def _by_day(purchases: Iterable[Purchase]) -> dict[Hashable, dict[date, Decimal]]:
    days: dict[Hashable, dict[date, Decimal]] = {}
    for purchase in purchases:
        spent = days.setdefault(purchase.customer, {})
        spent[purchase.day] = spent.get(purchase.day, Decimal(0)) + purchase.amount
    return days


def _history(spent: Mapping[date, Decimal], cutoff: date, unit_days: int) -> History:
    ordered = sorted(spent)
    first, last = ordered[0], ordered[-1]
    repeats = [spent[day] for day in ordered[1:]]
    average = float(sum(repeats, Decimal(0)) / len(repeats)) if repeats else 0.0
    return History(
        frequency=len(repeats),
        recency=(last - first).days / unit_days,
        age=(cutoff - first).days / unit_days,
        average_spend=average,
    )


def fit(histories: Iterable[History], *, unit_days: int = 1) -> ValueModel:
    """Both models on the same histories (raises `FitError` when they cannot carry them).

    A large shop is fitted on a systematic sample of `MOST_FITTED` histories (sorted, every
    k-th: each purchase count keeps its share), first roughly on `ROUGH_FIT` of them, then
    from there on the whole sample: the likelihood's cost grows with the distinct histories.
    """
    kept = sorted(histories, key=_order)
    sample = _every_kth(kept, MOST_FITTED)
    rough = _every_kth(sample, ROUGH_FIT)
    frequency = fit_bg_nbd(sample, near=fit_bg_nbd(rough) if len(rough) < len(sample) else None)
    spend = fit_gamma_gamma(sample)
    return ValueModel(
        frequency=frequency,
        spend=spend,
        customers=len(kept),
        repeat_customers=sum(1 for history in kept if history.frequency > 0),
        unit_days=unit_days,
        fitted_on=len(sample),
    )


def _order(history: History) -> tuple[int, float, float, float]:
    return (history.frequency, history.recency, history.age, history.average_spend)


def _every_kth(ordered: list[History], most: int) -> list[History]:
    if len(ordered) <= most:
        return ordered
    step = len(ordered) / most
    return [ordered[int(index * step)] for index in range(most)]


def holdout_check(
    purchases: Iterable[Purchase], cutoff: date, end: date, *, unit_days: int = 1
) -> HoldoutCheck:
    """Fitted on the purchases up to `cutoff`; its forecast for (cutoff, end] beside the
    purchase days that came then, for the customers already known at the cutoff."""
    kept = list(purchases)
    before = histories(kept, cutoff, unit_days=unit_days)
    model = fit(before.values(), unit_days=unit_days)
    span = (end - cutoff).days / unit_days
    predicted = sum(expected_purchases(model.frequency, h, span) for h in before.values())
    later = {(p.customer, p.day) for p in kept if cutoff < p.day <= end and p.customer in before}
    return HoldoutCheck(cutoff, end, len(before), predicted, len(later), model)


def predicted_clv(model: ValueModel, history: History, settings: ClvSettings) -> Decimal:
    """The spend expected over the horizon, month by month, each month discounted."""
    spend = expected_spend(model.spend, history)
    total, before, elapsed = 0.0, 0.0, 0
    while elapsed < settings.horizon_days:
        elapsed = min(elapsed + STEP_DAYS, settings.horizon_days)
        bought = expected_purchases(model.frequency, history, elapsed / model.unit_days)
        discount = (1 + float(settings.discount_rate)) ** (elapsed / DAYS_A_YEAR)
        total += (bought - before) * spend / discount
        before = bought
    return Decimal(str(total)).quantize(CENT)


def history_today(
    orders: int, first: date, last: date, net_revenue: Decimal, today: date
) -> History:
    """A customer's history from their stored value figures: `orders - 1` repeat purchases
    and their average order value standing in for the average repeat spend."""
    return History(
        frequency=max(orders - 1, 0),
        recency=(last - first).days,
        age=max((today - first).days, (last - first).days),
        average_spend=float(net_revenue / orders) if orders > 1 else 0.0,
    )
