"""Did being generous pay? The outcome figures on a fixture shop whose follow-up orders,
disputes and threats are known, each figure computed by hand in the comments."""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from evenhand.actions.guide import default_guide_text
from evenhand.actions.outcomes import outcomes_out, shop_outcomes
from evenhand.cli import app
from evenhand.domain.outcomes import (
    DecidedCase,
    FollowUp,
    difference_interval,
    discontinuities,
    follow_up,
    group_outcomes,
    mean_interval,
    t_critical,
    threat_outcome,
    wilson,
)
from evenhand.ingest.guide_file import parse_guide
from evenhand.store.tables import (
    customers,
    decisions,
    disputes,
    guide_versions,
    orders,
    reviews,
    shop,
    tickets,
    users,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
GUIDE = parse_guide(default_guide_text(), source="default")  # VIP from 5,000


def _at(days_ago: int) -> datetime:
    return NOW - timedelta(days=days_ago)


# Customer 1 (VIP, reshipped free) got a ticket 200 days ago and bought 3 times after it:
# 20 days (300), 100 days (500) and 190 days (1,000) after; one order the day before it.
# Customer 2 (standard, offered a paid reship) got a ticket 200 days ago, bought once 50
# days after (200). Customer 3 (standard, paid reship) 100 days ago, bought 95 days after
# (too late for 90 days; not old enough for 180). Customer 4 (VIP) 30 days ago: too recent.
CASES = [
    DecidedCase(1, _at(200), "vip", "reship_free", Decimal(5200), threatened=True),
    DecidedCase(2, _at(200), "standard", "offer_paid_reship", Decimal(4900), threatened=False),
    DecidedCase(3, _at(100), "standard", "offer_paid_reship", Decimal(4000), threatened=True),
    DecidedCase(4, _at(30), "vip", "reship_free", Decimal(9000), threatened=False),
]
BOUGHT: dict[Hashable, list[FollowUp]] = {
    1: [
        FollowUp(1, _at(201), Decimal(999)),
        FollowUp(1, _at(180), Decimal(300)),
        FollowUp(1, _at(100), Decimal(500)),
        FollowUp(1, _at(10), Decimal(1000)),
    ],
    2: [FollowUp(2, _at(150), Decimal(200))],
    3: [FollowUp(3, _at(5), Decimal(700))],
}


def test_follow_up_counts_the_orders_after_the_ticket_within_the_window() -> None:
    assert follow_up(CASES[0], BOUGHT, 90) == (1, Decimal(300))
    assert follow_up(CASES[0], BOUGHT, 180) == (2, Decimal(800))
    assert follow_up(CASES[2], BOUGHT, 90) == (0, Decimal(0))  # 95 days after: outside


def test_groups_by_tier_and_remedy_for_tickets_old_enough() -> None:
    found = {(g.window, g.tier, g.remedy): g for g in group_outcomes(CASES, BOUGHT, NOW)}
    # 90 days: tickets 200 and 100 days old; customer 4's (30 days) is not old enough
    standard_90 = found[(90, "standard", "offer_paid_reship")]
    assert standard_90.orders.n == 2
    assert standard_90.orders.mean == pytest.approx(0.5)  # customer 2: 1, customer 3: 0
    assert standard_90.revenue.mean == pytest.approx(100.0)  # (200 + 0) / 2
    # two values 200 and 0: sd = 141.42, se = 100, t(1) = 12.706 -> 100 +- 1,270.6, and
    # a mean of what is never negative (net revenue, orders) is not either: from 0
    assert (standard_90.revenue.low, standard_90.revenue.high) == pytest.approx((0.0, 1370.6))
    assert (standard_90.orders.low, standard_90.orders.mean) == (0.0, 0.5)
    vip_90 = found[(90, "vip", "reship_free")]
    assert (vip_90.orders.n, vip_90.orders.mean, vip_90.revenue.mean) == (1, 1.0, 300.0)
    # 180 days: only the tickets 200 days old
    assert found[(180, "vip", "reship_free")].revenue.mean == 800.0
    assert found[(180, "standard", "offer_paid_reship")].orders.n == 1
    assert len(found) == 4


def test_the_discontinuity_compares_just_below_and_just_above_the_line() -> None:
    cuts = discontinuities(CASES, BOUGHT, NOW, threshold=Decimal(5000), bandwidth=Decimal(1000))
    ninety, one_eighty = cuts
    # within 4,000..5,000 below: customers 2 (4,900) and 3 (4,000); above 5,000..6,000: 1
    assert (ninety.below.orders.n, ninety.above.orders.n) == (2, 1)
    assert ninety.above.revenue.mean == 300.0
    assert (one_eighty.below.orders.n, one_eighty.above.orders.n) == (1, 1)
    assert "too few tickets to compare (1 and 1; at least 30 each)" in one_eighty.caveat


def test_threateners_who_later_disputed_against_customers_who_made_no_threat() -> None:
    # customer 1 threatened and disputed 10 days after; customer 3 threatened, disputed
    # before the ticket only; customer 2 made no threat and disputed after; 4 did not
    opened: dict[Hashable, list[datetime]] = {1: [_at(190)], 3: [_at(300)], 2: [_at(20)]}
    found = threat_outcome(CASES, opened)
    assert (found.threateners.customers, found.threateners.disputed) == (2, 1)
    assert (found.others.customers, found.others.disputed) == (2, 1)
    assert found.threateners.share == 0.5
    assert found.caveat.startswith("too few customers to compare (2 and 2")


def test_a_customer_counts_as_a_threatener_from_the_first_threat_on() -> None:
    calm_then_threat = [
        DecidedCase(7, _at(100), "standard", "x", Decimal(0), threatened=False),
        DecidedCase(7, _at(50), "standard", "x", Decimal(0), threatened=True),
    ]
    # a dispute between the calm ticket and the threat is not one filed after the threat
    found = threat_outcome(calm_then_threat, {7: [_at(70)]})
    assert (found.threateners.customers, found.threateners.disputed) == (1, 0)
    assert found.others.customers == 0


def test_the_difference_across_the_line_has_welchs_interval() -> None:
    # above 4, 6, 8 (mean 6, variance 4), below 1, 2, 3 (mean 2, variance 1): 4 apart,
    # se = sqrt(4/3 + 1/3) = 1.2910, df = (5/3)^2 / ((4/3)^2/2 + (1/3)^2/2) = 2.94 -> 2,
    # t(2) = 4.303: 4 +- 5.555
    found = difference_interval([4.0, 6.0, 8.0], [1.0, 2.0, 3.0])
    assert found is not None and found.n == 6 and found.mean == 4.0
    assert (found.low, found.high) == pytest.approx((4 - 5.5553, 4 + 5.5553), abs=0.001)
    assert difference_interval([1.0], [1.0, 2.0]) is None  # under two a side


def test_the_discontinuity_reports_the_difference_when_both_sides_have_two() -> None:
    cases = [
        DecidedCase(n, _at(200), "vip" if ltv >= 5000 else "standard", "r", Decimal(ltv), False)
        for n, ltv in ((1, 4500), (2, 4600), (3, 5100), (4, 5200))
    ]
    bought: dict[Hashable, list[FollowUp]] = {
        n: [FollowUp(n, _at(150), Decimal(amount))]
        for n, amount in ((1, 100), (2, 300), (3, 400), (4, 800))
    }
    cut = discontinuities(cases, bought, NOW, threshold=Decimal(5000), bandwidth=Decimal(1000))
    # 90 days: above 400, 800 (mean 600), below 100, 300 (mean 200): 400 apart,
    # se = sqrt(80,000/2 + 20,000/2) = 223.6, df = 50,000^2 / (40,000^2 + 10,000^2) = 1.47 -> 1
    difference = cut[0].difference
    assert difference is not None and difference.mean == 400.0
    assert difference.high - 400 == pytest.approx(12.706 * 223.607, abs=0.01)


def test_intervals_by_hand() -> None:
    assert t_critical(1) == 12.706 and t_critical(30) == 2.042
    assert t_critical(120) == pytest.approx(1.980, abs=0.001)  # the table's 1.980
    interval = mean_interval([2.0, 4.0, 6.0])  # mean 4, sd 2, se 1.1547, t(2) 4.303
    assert (interval.low, interval.high) == pytest.approx((4 - 4.969, 4 + 4.969), abs=0.001)
    assert mean_interval([2.0, 4.0, 6.0], floor=0.0).low == 0.0  # where the values stop
    low, high = wilson(1, 2)
    assert (low, high) == pytest.approx((0.0945, 0.9055), abs=0.0001)


def _order(number: int, customer: int, at: datetime, minor: int) -> dict[str, Any]:
    return {
        "id": number - 1000, "name": f"#{number}", "customer_id": customer, "currency": "SEK",
        "created_at": at,
        "total_minor": minor, "subtotal_minor": minor, "shipping_minor": 0, "taxes_minor": 0,
        "refunded_minor": 0, "outstanding_minor": 0, "test": False, "tags": "",
        "value_gross_minor": minor, "value_refund_minor": 0, "cost_known_minor": 0,
        "uncosted_minor": minor, "source_digest": f"d{number}",
    }  # fmt: skip


def _decision(ticket: int, case: DecidedCase) -> dict[str, Any]:
    return {
        "ticket_id": ticket, "decided_at": case.at, "language": "sv", "intent": "wrong_address",
        "confidence": 0.9, "runner_up": "other", "runner_up_confidence": 0.1, "signals": [],
        "threats": "review_threat" if case.threatened else "", "tier": case.tier,
        "ltv_minor": int(case.ltv * 100), "currency": "SEK", "dispute": "none", "facts": {},
        "remedy": case.remedy, "rule_id": "r", "guide_version": "v1", "tags": [],
        "reply_language": "sv", "reply_text": "", "explanation": "",
    }  # fmt: skip


def _store_the_fixture(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(shop).values(id=1, currency="SEK"))
        connection.execute(
            insert(customers),
            [{"id": n, "email": f"c{n}@example.se", "tags": ""} for n in (1, 2, 3, 4)],
        )
        number = 1000
        rows = []
        for customer, bought in BOUGHT.items():
            assert isinstance(customer, int)
            for each in bought:
                number += 1
                rows.append(_order(number, customer, each.at, int(each.amount * 100)))
        connection.execute(insert(orders), rows)
        connection.execute(
            insert(guide_versions).values(version="v1", source="t", text="", first_used_at=NOW)
        )
        for ticket, case in enumerate(CASES, start=1):
            connection.execute(
                insert(tickets).values(
                    id=ticket, ticket_key=f"t{ticket}", source="file", created_at=case.at,
                    channel="email", customer_email=f"c{case.customer}@example.se",
                    customer_id=case.customer, body="", received_at=case.at,
                )
            )  # fmt: skip
            connection.execute(insert(decisions).values(**_decision(ticket, case)))
        connection.execute(
            insert(disputes).values(
                provider="stripe", external_id="du_1", order_id=2, status="needs_response",
                amount_minor=30000, currency="SEK", initiated_at=_at(190),
                link_payment_references="",
            )
        )  # fmt: skip


def test_the_figures_from_a_stored_shop(engine: Engine) -> None:
    # given: the fixture stored (order 2, #1002, is customer 1's, 180 days ago; its dispute
    # was opened 190 days ago, after customer 1's threat 200 days ago)
    _store_the_fixture(engine)
    # when: the outcome figures are read from the store
    found, currency = shop_outcomes(engine, GUIDE, now=NOW, bandwidth_share=Decimal("0.2"))
    shown = outcomes_out(found, currency)
    # then: they are the hand-computed ones
    groups = {(g.window_days, g.tier, g.remedy): g for g in shown.groups}
    assert groups[(180, "vip", "reship_free")].net_revenue.mean == 800.0
    assert groups[(90, "standard", "offer_paid_reship")].net_revenue.mean == 100.0
    cut = shown.discontinuities[0]
    assert (cut.bandwidth, cut.below.orders.n, cut.above.orders.n) == (Decimal(1000), 2, 1)
    assert (shown.threats.threateners.customers, shown.threats.threateners.disputed_later) == (2, 1)
    assert (shown.threats.no_threat.customers, shown.threats.no_threat.disputed_later) == (2, 0)


def test_advise_outcomes_json(engine: Engine, db_url: str) -> None:
    _store_the_fixture(engine)
    result = CliRunner().invoke(app, ["advise", "outcomes", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["currency"] == "SEK"
    assert {g["window_days"] for g in shown["groups"]} == {90, 180}
    text = CliRunner().invoke(app, ["advise", "outcomes", "--db", db_url])
    assert "Disputes filed afterwards: 1 of 2 customer(s) who threatened" in text.output


def test_an_agents_override_is_the_remedy_the_customer_was_given(engine: Engine) -> None:
    # given: the fixture, and customer 3's decision (a paid reship) overridden to a free
    # reship; an approval of customer 2's changes nothing
    _store_the_fixture(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(users).values(
                id=1, email="lead@example.se", role="manager", password_hash="x", created_at=NOW
            )
        )
        for decision, action, remedy in ((3, "override", "reship_free"), (2, "approve", None)):
            connection.execute(
                insert(reviews).values(
                    decision_id=decision, user_id=1, action=action, remedy=remedy,
                    reason="photo" if remedy else None, created_at=NOW,
                )
            )  # fmt: skip
    # when: the figures are read
    found, _ = shop_outcomes(engine, GUIDE, now=NOW)
    # then: customer 3's ticket counts under the remedy given, customer 2's under the guide's
    groups = {(g.window, g.tier, g.remedy): g.orders.n for g in found.groups}
    assert groups[(90, "standard", "reship_free")] == 1
    assert groups[(90, "standard", "offer_paid_reship")] == 1
