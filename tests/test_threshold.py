"""Where the VIP line should be: the advisor's figures and recommendation, by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from evenhand.actions.guide import default_guide_text
from evenhand.actions.replay import advise_vip_threshold, stored_cases
from evenhand.actions.schemas import threshold_advice_out
from evenhand.domain.costs import OrderCosts
from evenhand.domain.guide import Guide
from evenhand.domain.remedies import Remedy
from evenhand.domain.replay import StoredCase, replay
from evenhand.domain.threshold import (
    CustomerPoint,
    ShopHistory,
    advise_threshold,
    candidate_thresholds,
)
from evenhand.domain.value import LtvMetric
from evenhand.ingest.guide_file import parse_guide
from evenhand.store.decisions import is_latest_decision
from evenhand.store.replay_cases import latest_decisions
from evenhand.store.tables import customer_values, decisions
from evenhand.store.threshold_data import ticket_span

GUIDE = parse_guide(default_guide_text(), source="default")  # VIP from 5,000 net revenue
# An order whose goods cost 500 x (1 - 0.40) = 300: a free reship costs 300 + 59 shipping +
# 8 min at 300/h (40) = 399, a paid reship offered 6 min (30): 369 more for a VIP.
ORDER = OrderCosts(Decimal(500), Decimal(500), Decimal(0), Decimal(500))


def _wrong_address(number: int, net_revenue: int) -> StoredCase:
    facts = {
        "intent": "wrong_address",
        "customer": "known",
        "dispute": "none",
        "order_match": "quoted",  # the order the ticket is about was found
        "net_revenue": str(net_revenue),
        "order_value": "500",
    }
    return StoredCase(f"t-{number}", facts, Remedy.OFFER_PAID_RESHIP, "wrong-address", ORDER)


def _shop(customers: int = 30) -> ShopHistory:
    # 20 customers worth 1,000 (margin 400 each), 10 worth 6,000 (margin 5,000 each); of 60
    # wrong-address tickets over 73 days (a fifth of a year), 50 from the first, 10 the second
    low = [CustomerPoint(Decimal(1000), Decimal(400))] * 20
    high = [CustomerPoint(Decimal(6000), Decimal(5000))] * 10
    cases = [_wrong_address(n, 1000) for n in range(50)]
    cases += [_wrong_address(n, 6000) for n in range(50, 60)]
    return ShopHistory((low + high)[:customers], cases, ticket_days=73, order_days=365)


def test_the_candidates_are_the_customers_percentiles_and_the_current_line() -> None:
    metrics = [Decimal(1000)] * 20 + [Decimal(6000)] * 10
    assert candidate_thresholds(metrics, Decimal(5000)) == [1000, 5000, 6000]


def test_the_lowest_line_whose_vips_margin_covers_their_concessions_twice_is_recommended() -> None:
    advice = advise_threshold(GUIDE, _shop(), safety=Decimal(2))
    by_line = {option.threshold: option for option in advice.options}
    # VIP from 1,000: everyone; 60 tickets x 369 x 5 = 110,700 a year against a margin of
    # 20 x 400 + 10 x 5,000 = 58,000: not covered
    low = by_line[Decimal(1000)]
    assert (low.vip_customers, low.vip_tickets) == (30, 60)
    assert (low.extra_cost_a_year, low.vip_margin_a_year) == (Decimal(110_700), Decimal(58_000))
    assert not low.covers(Decimal(2)) and low.margin_after_concessions == Decimal(-52_700)
    # VIP from 5,000: 10 customers, 10 tickets x 369 x 5 = 18,450 a year; 50,000 >= 2 x 18,450
    line = by_line[Decimal(5000)]
    assert (line.vip_customers, line.vip_tickets) == (10, 10)
    assert (line.extra_cost_a_year, line.vip_margin_a_year) == (Decimal(18_450), Decimal(50_000))
    assert advice.recommended == line and advice.too_thin == ""


def test_thin_data_recommend_nothing_and_say_why() -> None:
    advice = advise_threshold(GUIDE, _shop(customers=29), safety=Decimal(2))
    assert advice.recommended is None
    assert advice.too_thin == "only 29 customer(s) with orders (at least 30)"
    assert advice.options  # the figures are still shown


def test_thin_data_say_every_reason_and_that_a_few_days_are_scaled_to_a_year() -> None:
    # Given 29 customers and their tickets over two days only
    history = _shop(customers=29)
    history = ShopHistory(history.customers, history.cases[:20], ticket_days=2, order_days=365)
    advice = advise_threshold(GUIDE, history, safety=Decimal(2))
    # Then each reason is said, the days' scaling too
    reasons = advice.too_thin.split("; ")
    assert reasons[0] == "only 29 customer(s) with orders (at least 30)"
    assert reasons[1].startswith("only 20 decided ticket(s)")
    assert "tickets over 2 day(s) only" in reasons[2] and "scaled up" in reasons[2]


@pytest.mark.usefixtures("demo_inbox_decided")
def test_the_advisor_reads_the_shops_customers_and_stored_decisions(engine: Engine) -> None:
    # Given the demo inbox decided under VIP from 5,000 SEK
    with engine.connect() as connection:
        vip_tickets = connection.execute(
            select(func.count()).where(is_latest_decision(), decisions.c.tier == "vip")
        ).scalar_one()
    # When the advisor runs
    advice, currency = advise_vip_threshold(engine, GUIDE, safety=Decimal(2))
    # Then the line in force is a candidate, with as many VIP tickets as were decided VIP,
    # and a lower line never has fewer VIP customers or tickets
    current = next(o for o in advice.options if o.threshold == Decimal(5000))
    assert currency == "SEK" and current.vip_tickets == vip_tickets
    counts = [(o.vip_customers, o.vip_tickets) for o in advice.options]
    assert counts == sorted(counts, reverse=True)
    rendered = threshold_advice_out(advice, currency=currency, metric=LtvMetric.NET_REVENUE)
    assert rendered.options[0].covered == advice.options[0].covers(Decimal(2))
    # and each line's figures are those of a full replay of the stored decisions at it
    with engine.connect() as connection:
        cases = list(stored_cases(latest_decisions(connection)))
    nobody = replay(_at(GUIDE, Decimal("Infinity")), cases).new_cost
    for option in advice.options:
        report = replay(_at(GUIDE, option.threshold), cases)
        assert option.vip_tickets == report.tickets_by_tier.get("vip", 0)
        days = advice_days(engine)
        extra = (report.new_cost - nobody) * 365 / max(days, 1)
        assert option.extra_cost_a_year == extra.quantize(Decimal("0.01"))


@pytest.mark.usefixtures("demo_inbox_decided")
def test_the_advisor_counts_vips_by_the_guides_metric(engine: Engine) -> None:
    # Given the demo shop's customers' figures as stored
    with engine.connect() as connection:
        figures = connection.execute(
            select(
                customer_values.c.gross_minor - customer_values.c.refunds_minor,
                customer_values.c.margin_minor,
            ).where(customer_values.c.orders > 0)
        ).all()
    by_margin = replace(GUIDE, settings=replace(GUIDE.settings, ltv_metric=LtvMetric.GROSS_MARGIN))
    # When the advisor runs under net revenue and under gross margin
    for guide, column in ((GUIDE, 0), (by_margin, 1)):
        advice, _ = advise_vip_threshold(engine, guide, safety=Decimal(2))
        # Then each line's VIP customers are those whose figure of that metric reaches it
        for option in advice.options:
            line = int(option.threshold * 100)  # in öre
            assert option.vip_customers == sum(row[column] >= line for row in figures)


def _at(guide: Guide, line: Decimal) -> Guide:
    return replace(guide, settings=replace(guide.settings, vip_threshold=line))


def advice_days(engine: Engine) -> int:
    with engine.connect() as connection:
        first, last = ticket_span(connection)
    assert first is not None and last is not None
    return (last - first).days
