"""Reading customer value: one customer's figures with how they were computed, the top N,
and the full one-pass recompute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from evenhand.actions.value_model import fitted_model, with_predicted_clv
from evenhand.domain.clv import ClvSettings
from evenhand.domain.money import Money
from evenhand.domain.value import CustomerValue, LtvMetric, method_notes
from evenhand.errors import EvenhandError, InputError, LookupFailure
from evenhand.ingest.cells import text_problem
from evenhand.settings import Settings
from evenhand.store import customers as customer_store
from evenhand.store import value_sql
from evenhand.store.audit import record_event
from evenhand.store.customers import CustomerRow
from evenhand.store.database import ensure_current
from evenhand.store.disputes import DisputeRow, disputes_of_customer
from evenhand.store.shop import shop_currency


@dataclass(frozen=True, slots=True)
class CustomerReport:
    email: str
    first_name: str | None
    last_name: str | None
    value: CustomerValue
    ltv_metric: LtvMetric
    disputes: list[DisputeRow]
    method: list[str]


def value_of(row: CustomerRow, currency: str) -> CustomerValue:
    return CustomerValue(
        currency=currency,
        orders=row.orders,
        gross_sales=Money.of_minor(row.gross_minor, currency),
        refunds=Money.of_minor(row.refunds_minor, currency),
        gross_margin=Money.of_minor(row.margin_minor, currency),
        first_order_at=row.first_order_at,
        last_order_at=row.last_order_at,
        open_disputes=row.open_disputes,
    )


def customer_report(engine: Engine, *, email: str, settings: Settings) -> CustomerReport:
    problem = text_problem(email)
    if problem:  # e.g. bytes that are not UTF-8 on the command line
        raise EvenhandError(InputError.BAD_VALUE, f"not an e-mail address: {problem}")
    ensure_current(engine)
    with engine.connect() as connection:
        row = customer_store.find_customer(connection, email)
        if row is None:
            raise EvenhandError(
                LookupFailure.CUSTOMER_NOT_FOUND, f"no customer with e-mail {email}"
            )
        currency = shop_currency(connection) or settings.currency or "XXX"
        disputes = disputes_of_customer(connection, row.id)
        value = value_of(row, currency)
        method = method_notes(settings.margin_rate)
        if settings.ltv_metric is LtvMetric.PREDICTED_CLV:
            today = datetime.now(UTC)
            model = fitted_model(connection, today.date())
            value = with_predicted_clv(value, model, ClvSettings(), today)
            method.append(PREDICTED_NOTE if model else NO_MODEL_NOTE)
    return CustomerReport(
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        value=value,
        ltv_metric=settings.ltv_metric,
        disputes=disputes,
        method=method,
    )


PREDICTED_NOTE = (
    "Predicted CLV: the spend expected over the next 365 days, each month discounted at 10 % "
    "a year (BG/NBD x Gamma-Gamma fitted on the shop's orders: `evenhand value model`; at "
    "triage the guide's clv_horizon_days and clv_discount_rate apply)."
)
NO_MODEL_NOTE = (
    "Predicted CLV: the shop's orders cannot carry the model yet; net revenue stands in."
)


def top_customers(
    engine: Engine, *, limit: int, settings: Settings
) -> tuple[str, list[tuple[CustomerRow, CustomerValue]]]:
    ensure_current(engine)
    with engine.connect() as connection:
        currency = shop_currency(connection) or settings.currency or "XXX"
        rows = customer_store.top_customers(
            connection, limit=limit, by_margin=settings.ltv_metric is LtvMetric.GROSS_MARGIN
        )
    return currency, [(row, value_of(row, currency)) for row in rows]


def recompute_values(engine: Engine, *, settings: Settings, now: datetime) -> None:
    """Every customer's figures again from the stored orders, in one SQL pass."""
    ensure_current(engine)
    with engine.begin() as connection:
        value_sql.recompute_all(connection, margin_rate=settings.margin_rate)
        record_event(
            connection,
            at=now,
            action="recompute_values",
            subject=None,
            details={"margin_rate": str(settings.margin_rate)},
        )
