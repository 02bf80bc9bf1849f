"""The predicted CLV's models fitted on the shop's own orders (`evenhand value model`), and
each customer's predicted value when the guide's `ltv_metric` is `predicted_clv`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from evenhand.domain.clv import (
    ClvSettings,
    HoldoutCheck,
    Purchase,
    ValueModel,
    fit,
    histories,
    history_today,
    holdout_check,
    predicted_clv,
)
from evenhand.domain.clv_models import FitError
from evenhand.domain.guide import GuideSettings
from evenhand.domain.money import Money
from evenhand.domain.value import CustomerValue
from evenhand.store.clv_data import counted_orders, counted_purchases
from evenhand.store.database import ensure_current
from evenhand.store.shop import shop_currency

log = logging.getLogger(__name__)
HOLDOUT_DAYS = 180
FEWEST_CALIBRATION_DAYS = 90  # a holdout check needs this much history before its cutoff


@dataclass(frozen=True, slots=True)
class ValueModelReport:
    currency: str
    first_day: date | None
    last_day: date | None
    model: ValueModel | None
    holdout: HoldoutCheck | None
    problem: str  # why there is no fit or no holdout check; "" when both are there


def shop_purchases(connection: Connection) -> tuple[str, list[Purchase]]:
    currency = shop_currency(connection) or "SEK"
    rows = list(counted_purchases(connection))
    return currency, [
        Purchase(customer, created.date(), Money.of_minor(net, currency).amount)
        for customer, created, net in rows
    ]


def value_model_report(engine: Engine, *, holdout_days: int = HOLDOUT_DAYS) -> ValueModelReport:
    ensure_current(engine)
    with engine.connect() as connection:
        currency, purchases = shop_purchases(connection)
    if not purchases:
        return ValueModelReport(currency, None, None, None, None, "the shop has no counted orders")
    first = min(p.day for p in purchases)
    last = max(p.day for p in purchases)
    try:
        model = fit(histories(purchases, last).values())
    except FitError as error:
        return ValueModelReport(currency, first, last, None, None, str(error))
    cutoff = last - timedelta(days=holdout_days)
    if (cutoff - first).days < FEWEST_CALIBRATION_DAYS:
        problem = (
            f"orders span {(last - first).days} day(s): a {holdout_days}-day holdout needs "
            f"{FEWEST_CALIBRATION_DAYS} days of orders before it"
        )
        return ValueModelReport(currency, first, last, model, None, problem)
    try:
        check = holdout_check(purchases, cutoff, last)
    except FitError as error:
        return ValueModelReport(currency, first, last, model, None, f"holdout: {error}")
    return ValueModelReport(currency, first, last, model, check, "")


REFIT_SHARE = 0.01  # the orders grew (or shrank) by more than this: fit again the same day


@dataclass(frozen=True, slots=True)
class _Fitted:
    day: date
    orders: int
    model: ValueModel | None


_FITTED: dict[str, _Fitted] = {}


def fitted_model(connection: Connection, today: date) -> ValueModel | None:
    """The shop's model on all its orders, fitted once a day per database (again the same
    day when the counted orders change by more than 1 %); None (and a warning) when the
    orders cannot carry it, and net revenue stands in."""
    key = str(connection.engine.url)
    orders = counted_orders(connection)
    kept = _FITTED.get(key)
    if kept is not None and kept.day == today and abs(orders - kept.orders) <= REFIT_SHARE * orders:
        return kept.model
    _, purchases = shop_purchases(connection)
    last = max((p.day for p in purchases), default=None)
    try:
        model = None if last is None else fit(histories(purchases, last).values())
    except FitError as error:
        log.warning("predicted_clv: no model (%s); net revenue stands in", error)
        model = None
    _FITTED[key] = _Fitted(today, orders, model)
    return model


def clv_settings(guide: GuideSettings) -> ClvSettings:
    return ClvSettings(guide.clv_horizon_days, guide.clv_discount_rate)


def with_predicted_clv(
    value: CustomerValue, model: ValueModel | None, settings: ClvSettings, today: datetime
) -> CustomerValue:
    """The value figures with the predicted CLV filled in (net revenue without a model)."""
    if value.orders == 0 or value.first_order_at is None or value.last_order_at is None:
        return replace(value, predicted_clv=Money.zero(value.currency))
    if model is None:
        return replace(value, predicted_clv=value.net_revenue)
    history = history_today(
        value.orders,
        value.first_order_at.date(),
        value.last_order_at.date(),
        value.net_revenue.amount,
        today.date(),
    )
    amount = predicted_clv(model, history, settings)
    return replace(value, predicted_clv=Money(amount, value.currency))


class ParametersOut(BaseModel):
    r: float
    alpha: float
    a: float
    b: float
    p: float
    q: float
    gamma: float
    bg_nbd_log_likelihood: float
    gamma_gamma_log_likelihood: float
    customers: int
    repeat_customers: int
    fitted_on: int  # customers the fit read: all, or a sample of a large shop's


class HoldoutOut(BaseModel):
    cutoff: date
    end: date
    customers: int
    predicted_purchases: float
    actual_purchases: int
    error: float
    calibration: ParametersOut


class ValueModelOut(BaseModel):
    currency: str
    unit: str = "day"
    first_order_day: date | None
    last_order_day: date | None
    fit: ParametersOut | None
    holdout: HoldoutOut | None
    problem: str
    expected_spend: Decimal | None


def _parameters(model: ValueModel) -> ParametersOut:
    bg, gg = model.frequency, model.spend
    return ParametersOut(
        r=bg.r,
        alpha=bg.alpha,
        a=bg.a,
        b=bg.b,
        p=gg.p,
        q=gg.q,
        gamma=gg.gamma,
        bg_nbd_log_likelihood=bg.log_likelihood,
        gamma_gamma_log_likelihood=gg.log_likelihood,
        customers=model.customers,
        repeat_customers=model.repeat_customers,
        fitted_on=model.fitted_on,
    )


def value_model_out(report: ValueModelReport) -> ValueModelOut:
    check = report.holdout
    holdout = None
    if check is not None:
        holdout = HoldoutOut(
            cutoff=check.cutoff,
            end=check.end,
            customers=check.customers,
            predicted_purchases=round(check.predicted, 1),
            actual_purchases=check.actual,
            error=round(check.error, 4),
            calibration=_parameters(check.model),
        )
    model = report.model
    spend = None
    if model is not None and model.spend.q > 1:
        mean = model.spend.p * model.spend.gamma / (model.spend.q - 1)
        spend = Decimal(str(mean)).quantize(Decimal("0.01"))
    return ValueModelOut(
        currency=report.currency,
        first_order_day=report.first_day,
        last_order_day=report.last_day,
        fit=_parameters(model) if model else None,
        holdout=holdout,
        problem=report.problem,
        expected_spend=spend,
    )
