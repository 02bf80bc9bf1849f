"""The dashboard's figures, counted by the database: the latest decision of each ticket
created in a window, grouped by what the dashboard shows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from evenhand.store.decisions import is_latest_decision, kinds_of
from evenhand.store.tables import decisions, reviews, tickets


class utc_day(FunctionElement[str]):  # noqa: N801 (an SQL function, named as one)
    """The UTC calendar day of a `UtcDateTime` column, as YYYY-MM-DD."""

    type = String()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC datetimes as text: 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@dataclass(frozen=True, slots=True)
class Tally:
    """How many latest decisions share these values."""

    day: date
    language: str
    intent: str
    remedy: str
    tier: str
    threats: tuple[str, ...]
    rule_id: str
    overridden: bool
    currency: str
    count: int
    order_value_minor: int  # the sum of their orders' totals, in minor units
    expected_cost_minor: int = 0  # the sum of their remedies' expected costs, minor units
    priced: int = 0  # how many of them have an expected cost (decided since costs are kept)


def newest_ticket_at(connection: Connection) -> datetime | None:
    """When the newest decided ticket was created: where the dashboard's window ends."""
    latest: datetime | None = connection.execute(
        select(func.max(tickets.c.created_at)).join(
            decisions, decisions.c.ticket_id == tickets.c.id
        )
    ).scalar()
    return latest


def tallies(connection: Connection, *, since: datetime | None) -> Iterator[Tally]:
    """The latest decisions of the tickets created since `since` (all, if None), counted by
    day, language, intent, remedy, tier, threats, rule, whether overridden and currency, with
    the sum of their orders' totals."""
    overridden = (
        select(reviews.c.id)
        .where(reviews.c.decision_id == decisions.c.id, reviews.c.action == "override")
        .exists()
    )
    keys = (
        utc_day(tickets.c.created_at).label("day"),
        decisions.c.language,
        decisions.c.intent,
        decisions.c.remedy,
        decisions.c.tier,
        decisions.c.threats,
        decisions.c.rule_id,
        overridden.label("overridden"),
        decisions.c.currency,
    )
    statement = (
        select(
            *keys,
            func.count().label("decided"),
            func.coalesce(func.sum(decisions.c.order_value_minor), 0).label("order_values"),
            func.coalesce(func.sum(decisions.c.expected_cost_minor), 0).label("costs"),
            func.count(decisions.c.expected_cost_minor).label("priced"),
        )
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .where(*_window(since))
        .group_by(*keys)
    )
    for row in connection.execute(statement):
        yield Tally(
            day=date.fromisoformat(row.day),
            language=row.language,
            intent=row.intent,
            remedy=row.remedy,
            tier=row.tier,
            threats=kinds_of(row.threats),
            rule_id=row.rule_id,
            overridden=bool(row.overridden),
            currency=row.currency,
            count=row.decided,
            order_value_minor=int(row.order_values),
            expected_cost_minor=int(row.costs),
            priced=row.priced,
        )


def _window(since: datetime | None) -> list[ColumnElement[bool]]:
    conditions = [is_latest_decision()]
    if since is not None:
        conditions.append(tickets.c.created_at >= since)
    return conditions
