"""The manager's dashboard, counted by the database over a window of days, on SQLite and
PostgreSQL: checked against the same figures counted in Python from the stored rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, func, select

from evenhand.actions.dashboard import COSTLY, dashboard, window_days
from evenhand.actions.reviews import review_decision
from evenhand.actions.users import create_user
from evenhand.domain.money import from_minor
from evenhand.domain.roles import Role
from evenhand.errors import EvenhandError, InputError
from evenhand.store.database import alembic_config
from evenhand.store.tables import decisions, tickets
from evenhand.store.users import find_user
from evenhand.web.charts import stacked_columns
from tests.conftest import DEMO_TICKETS, NOW


@dataclass(frozen=True, slots=True)
class Latest:
    """A ticket's latest decision, as stored."""

    id: int
    created_at: datetime
    values: dict[str, Any]


def _latest(engine: Engine) -> list[Latest]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(decisions, tickets.c.created_at)
            .join(tickets, tickets.c.id == decisions.c.ticket_id)
            .order_by(decisions.c.id)
        ).mappings()
        by_ticket = {
            row["ticket_id"]: Latest(row["id"], row["created_at"], dict(row)) for row in rows
        }
    return list(by_ticket.values())


def _expected(latest: list[Latest], *, overridden: set[int]) -> dict[str, Any]:
    """The dashboard's figures, counted one decision at a time from the stored JSON."""
    by_day: dict[date, Counter[str]] = defaultdict(Counter)
    at_stake: dict[str, Decimal] = defaultdict(Decimal)
    threats: Counter[str] = Counter()
    costs: dict[str, dict[Any, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for each in latest:
        _add_cost(costs, each)
        by_day[each.created_at.date()][each.values["language"]] += 1
        threats.update({signal["kind"] for signal in each.values["signals"]})
        value = each.values["facts"].get("order_value")
        if each.values["remedy"] in COSTLY and value:
            at_stake[each.values["remedy"]] += Decimal(value)
    return {
        "tickets": len(latest),
        "by_day_language": dict(by_day),
        "intents": Counter(each.values["intent"] for each in latest),
        "remedies": Counter(each.values["remedy"] for each in latest),
        "vip": sum(each.values["tier"] == "vip" for each in latest),
        "threats": threats,
        "threatened_tickets": sum(bool(each.values["signals"]) for each in latest),
        "at_stake": dict(at_stake),
        "costs": {name: dict(values) for name, values in costs.items()},
        "decided_by_rule": Counter(each.values["rule_id"] for each in latest),
        "overridden_by_rule": Counter(
            each.values["rule_id"] for each in latest if each.id in overridden
        ),
    }


def _add_cost(costs: dict[str, dict[Any, Decimal]], each: Latest) -> None:
    """One decision's expected cost, added by remedy, rule, tier and week (from Monday)."""
    minor = each.values["expected_cost_minor"]
    if minor is None:
        return
    cost = from_minor(minor, each.values["currency"])
    day = each.created_at.date()
    costs["remedy"][each.values["remedy"]] += cost
    costs["rule"][each.values["rule_id"]] += cost
    costs["tier"][each.values["tier"]] += cost
    costs["week"][day - timedelta(days=day.weekday())] += cost


def _figures(engine: Engine, days: int | None) -> dict[str, Any]:
    board = dashboard(engine, days=days)
    return {
        "tickets": board.tickets,
        "by_day_language": dict(board.by_day_language),
        "intents": board.intents,
        "remedies": board.remedies,
        "vip": board.vip,
        "threats": board.threats,
        "threatened_tickets": board.threatened_tickets,
        "at_stake": dict(board.at_stake),
        "costs": {
            name: dict(values)
            for name, values in (
                ("remedy", board.costs.by_remedy),
                ("rule", board.costs.by_rule),
                ("tier", board.costs.by_tier),
                ("week", board.costs.by_week),
            )
            if values
        },
        "decided_by_rule": board.decided_by_rule,
        "overridden_by_rule": +board.overridden_by_rule,
    }


def _override_the_first(engine: Engine, latest: list[Latest]) -> int:
    create_user(engine, email="lead@nordhem.example", role=Role.MANAGER, password="x" * 16, now=NOW)
    with engine.connect() as connection:
        manager = find_user(connection, "lead@nordhem.example")
    assert manager is not None
    decision_id = latest[0].id
    review_decision(
        engine,
        decision_id=decision_id,
        user=manager,
        remedy="human_review",
        reason="photo shows wear",
        reply_text=None,
        now=NOW,
    )
    return decision_id


def test_all_time_counts_every_tickets_latest_decision(
    engine: Engine, demo_inbox_decided: None
) -> None:
    # given: the triaged demo tickets (some decided twice), one decision overridden
    latest = _latest(engine)
    overridden = {_override_the_first(engine, latest)}
    # when: the dashboard counts all time
    figures = _figures(engine, None)
    # then: its figures are those counted row by row, each ticket once
    assert figures == _expected(latest, overridden=overridden)
    assert figures["tickets"] == DEMO_TICKETS and figures["threatened_tickets"] > 0
    assert sum(figures["at_stake"].values()) > 0
    assert figures["costs"]["tier"].keys() == {"vip", "standard"}
    assert sum(figures["costs"]["week"].values()) == sum(figures["costs"]["remedy"].values()) > 0


@pytest.mark.parametrize("days", [7, 30])
def test_a_window_counts_the_tickets_of_its_days_up_to_the_newest(
    engine: Engine, demo_inbox_decided: None, days: int
) -> None:
    # given: the triaged demo tickets, created over several weeks
    latest = _latest(engine)
    newest = max(each.created_at for each in latest)
    inside = [each for each in latest if each.created_at >= newest - timedelta(days=days)]
    # when: the dashboard counts the last `days` days
    board = dashboard(engine, days=days)
    # then: only the tickets created in them count, and it says which days those are
    assert _figures(engine, days) == _expected(inside, overridden=set())
    assert 0 < board.tickets < len(latest) if days == 7 else board.tickets == len(inside)
    assert (board.since, board.until) == ((newest - timedelta(days=days)).date(), newest.date())


def test_an_empty_shop_has_an_empty_dashboard(engine: Engine) -> None:
    board = dashboard(engine, days=30)
    assert (board.tickets, board.since, board.until) == (0, None, None)


def test_the_window_is_one_the_dashboard_offers() -> None:
    assert [window_days(text) for text in ("7", "30", "90", "365", "all")] == [
        7,
        30,
        90,
        365,
        None,
    ]
    with pytest.raises(EvenhandError) as refused:
        window_days("12")
    assert refused.value.code is InputError.BAD_VALUE
    assert "'12' is not one of 7, 30, 90, 365, all" in str(refused.value)


def test_the_migration_fills_the_order_values_of_decisions_already_stored(
    engine: Engine, demo_inbox_decided: None
) -> None:
    # given: the decisions stored before the dashboard summed order values in the database
    config = alembic_config(engine)
    command.downgrade(config, "0007")
    # when: the database is migrated
    command.upgrade(config, "head")
    # then: the value at stake is the sum of the order values in the decisions' facts
    assert _figures(engine, None) == _expected(_latest(engine), overridden=set())
    with engine.connect() as connection:
        filled = connection.execute(
            select(func.count()).where(decisions.c.order_value_minor.is_not(None))
        ).scalar_one()
    assert filled > 0


def test_a_day_without_tickets_is_an_empty_column_of_the_chart() -> None:
    # given: tickets on the 14th and the 17th only
    by_day = {date(2026, 11, 14): {"sv": 2}, date(2026, 11, 17): {"en": 1}}
    # when: they are charted on their own, and over a window from the 10th to the 20th
    alone = stacked_columns(by_day, ["sv", "en"])
    window = stacked_columns(
        by_day, ["sv", "en"], first=date(2026, 11, 10), last=date(2026, 11, 20)
    )
    # then: every day has its column, the days between empty ones
    assert [column.day.day for column in alone] == [14, 15, 16, 17]
    assert [sum(part[1] for part in column.parts) for column in alone] == [2, 0, 0, 1]
    assert [column.day.day for column in window] == list(range(10, 21))
    assert stacked_columns({}, ["sv"]) == []
