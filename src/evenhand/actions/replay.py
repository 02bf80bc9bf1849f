"""`evenhand guide replay`: the stored tickets decided again under a candidate guide.

Nothing is read again and nothing is stored: the stored facts are decided by the
candidate (`evenhand.domain.replay`) in one read-only transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Connection, Engine

from evenhand.actions.guide import adopt_uploaded_guide, checked_upload
from evenhand.actions.value_model import clv_settings, fitted_model
from evenhand.domain.clv import history_today, predicted_clv
from evenhand.domain.costs import OrderCosts
from evenhand.domain.guide import Guide, Remedy
from evenhand.domain.money import from_minor, minor_exponent
from evenhand.domain.replay import ReplayReport, StoredCase, facts_read, replay
from evenhand.domain.threshold import CustomerPoint, ShopHistory, ThresholdAdvice, advise_threshold
from evenhand.domain.value import LtvMetric
from evenhand.store.database import ensure_current
from evenhand.store.replay_cases import ReplayRow, latest_decisions
from evenhand.store.shop import shop_currency
from evenhand.store.threshold_data import (
    CustomerFigures,
    customer_amounts,
    customer_figures,
    order_span,
    ticket_span,
)


def replay_guide(
    engine: Engine, candidate: Guide, *, since: datetime | None = None
) -> ReplayReport:
    """Every ticket's latest decision (since `since`) decided again under `candidate`."""
    ensure_current(engine)
    with engine.connect() as connection:
        rows = latest_decisions(connection, since=since, facts=facts_read(candidate))
        report = replay(candidate, stored_cases(rows))
        report.currency = shop_currency(connection) or ""
        connection.rollback()
    return report


def replay_upload(engine: Engine, *, text: str, by: str) -> tuple[Guide, ReplayReport]:
    """An uploaded candidate, checked (as an adoption would) and replayed; nothing stored."""
    guide = checked_upload(text, by=by).guide
    return guide, replay_guide(engine, guide)


def adopt_replayed_guide(engine: Engine, *, text: str, by: str, now: datetime) -> ReplayReport:
    """Replay the candidate once more (the figures as they are now) and adopt it, the
    adoption recording the replay's figures."""
    _, report = replay_upload(engine, text=text, by=by)
    adopt_uploaded_guide(engine, text=text, by=by, now=now, replay=report.figures())
    return report


def stored_cases(rows: Iterable[ReplayRow]) -> Iterator[StoredCase]:
    for row in rows:
        yield StoredCase(
            ticket_key=row.ticket_key,
            facts=row.facts,
            remedy=Remedy(row.remedy),
            rule_id=row.rule_id,
            order_costs=None if row.order_costs is None else OrderCosts.from_json(row.order_costs),
        )


def advise_vip_threshold(
    engine: Engine, guide: Guide, *, safety: Decimal, now: datetime | None = None
) -> tuple[ThresholdAdvice, str]:
    """The advisor over the shop's customers and stored decisions; and the currency. With
    `predicted_clv` each customer's metric is predicted as of `now` (their last order's day
    when not given)."""
    ensure_current(engine)
    with engine.connect() as connection:
        currency = shop_currency(connection) or "XXX"
        customers = _customer_points(connection, guide, currency, now)
        history = ShopHistory(
            customers=customers,
            cases=list(stored_cases(latest_decisions(connection, facts=facts_read(guide)))),
            ticket_days=_days(*ticket_span(connection)),
            order_days=_days(*order_span(connection)),
        )
    return advise_threshold(guide, history, safety=safety), currency


def _customer_points(
    connection: Connection, guide: Guide, currency: str, now: datetime | None
) -> list[CustomerPoint]:
    """Each customer with orders: the guide's metric and their gross margin. Net revenue and
    gross margin are read as two integers a customer (a million orders' shop has some
    300,000 customers); only the predicted CLV reads the orders' count and dates."""
    metric = guide.settings.ltv_metric
    amount = _minor_to_amount(currency)
    if metric is LtvMetric.PREDICTED_CLV:
        metric_of = _metric_reader(connection, guide, currency, now)
        return [
            CustomerPoint(metric_of(each), amount(each.margin_minor))
            for each in customer_figures(connection)
        ]
    by_margin = metric is LtvMetric.GROSS_MARGIN
    points = []
    for net, margin in customer_amounts(connection):
        gross_margin = amount(margin)
        points.append(CustomerPoint(gross_margin if by_margin else amount(net), gross_margin))
    return points


def _minor_to_amount(currency: str) -> Callable[[int], Decimal]:
    """`from_minor` for one currency, its exponent looked up once (the same Decimals)."""
    places = -minor_exponent(currency)
    return lambda minor: Decimal(minor).scaleb(places)


def _metric_reader(
    connection: Connection, guide: Guide, currency: str, now: datetime | None
) -> Callable[[CustomerFigures], Decimal]:
    """Each customer's predicted CLV (net revenue while the orders cannot carry a model)."""
    today = (now or datetime.now(UTC)).date()
    model = fitted_model(connection, today)
    settings = clv_settings(guide.settings)

    def predicted(each: CustomerFigures) -> Decimal:
        net = from_minor(each.net_minor, currency)
        if model is None:
            return net
        first, last = each.first_order_at.date(), each.last_order_at.date()
        history = history_today(each.orders, first, last, net, max(today, last))
        return predicted_clv(model, history, settings)

    return predicted


def _days(first: datetime | None, last: datetime | None) -> int:
    return 0 if first is None or last is None else (last - first).days
