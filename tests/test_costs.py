"""The cost of a remedy: the cost model as data, each default remedy priced by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from evenhand.actions.guide import default_guide_text
from evenhand.actions.schemas import decision_out
from evenhand.domain.costs import DEFAULT_HANDLING_MINUTES, CostModel, OrderCosts, remedy_cost
from evenhand.domain.facts import Facts
from evenhand.domain.intents import Intent
from evenhand.domain.remedies import Remedy
from evenhand.ingest.guide_file import parse_guide
from evenhand.ingest.guide_problems import GuideRefusedError
from evenhand.store.tables import decisions, tickets
from evenhand.understand.reader import EmbeddedReader
from tests.test_triage import TICKETS, a_shop, by_id, triaged

# A fixture order: 500 paid (441 of merchandise, 59 of shipping); one line costed at 120 by
# the products export, one line of 200 without a cost, so 200 x (1 - 0.40) = 120 at the
# default margin: the goods cost the shop 240.
ORDER = OrderCosts(
    total=Decimal(500), merchandise=Decimal(441), cost_known=Decimal(120), uncosted=Decimal(200)
)
FACTS = Facts(intent=Intent.OTHER, order_value=Decimal(500))

# By hand, with the defaults: 300/h is 5 a minute; a refund of 441 costs 441 x 1.029.
BY_HAND = {
    # 60 % of 500 lost + the chargeback fee 150 + 20 min
    Remedy.ROUTE_TO_DISPUTE: Decimal("550.00"),
    # half replaced (240 + 59) / 2 = 149.50, half refunded 453.789 / 2 = 226.8945, 8 min 40
    Remedy.REPLACE_OR_REFUND: Decimal("416.39"),
    # goods 240 + shipping 59 + 8 min 40
    Remedy.RESHIP_FREE: Decimal("339.00"),
    Remedy.OFFER_PAID_RESHIP: Decimal("30.00"),
    Remedy.CARRIER_INVESTIGATION: Decimal("50.00"),
    # 500 x 1.029 = 514.50 + 5 min 25
    Remedy.REFUND_RENEWAL: Decimal("539.50"),
    Remedy.EXPLAIN_AND_CANCEL: Decimal("20.00"),
    # 453.789 refunded, the customer pays the label, 240 x 0.7 = 168 resold back, 6 min 30
    Remedy.STANDARD_RETURN: Decimal("315.79"),
    Remedy.SEND_TRACKING_STATUS: Decimal("15.00"),
    Remedy.CANCEL_SUBSCRIPTION: Decimal("15.00"),
    Remedy.PAUSE_SUBSCRIPTION: Decimal("15.00"),  # 3 minutes at 300 an hour, as a cancel
    # the rest of an inbox: the agent's time alone (4, 5, 10, 3 and 4 min)
    Remedy.CANCEL_UNSHIPPED_ORDER: Decimal("20.00"),
    Remedy.CHANGE_UNSHIPPED_ORDER: Decimal("25.00"),
    Remedy.COMPLAINT_CLAIM: Decimal("50.00"),
    Remedy.REFUND_STATUS_REPLY: Decimal("15.00"),
    Remedy.ANSWER_QUESTION: Decimal("20.00"),
    Remedy.HUMAN_REVIEW: Decimal("60.00"),
}


@pytest.mark.parametrize("remedy", list(Remedy))
def test_each_default_remedy_costs_what_a_hand_count_says(remedy: Remedy) -> None:
    # Given the fixture order and the default cost model
    # When the remedy is priced
    cost = remedy_cost(remedy, facts=FACTS, order=ORDER, model=CostModel())
    # Then it is the amount worked out by hand, and the line names the agent's time
    assert cost.amount == BY_HAND[remedy]
    assert "min handling at 300/h" in cost.computation


def test_a_return_the_shop_pays_for_adds_the_label() -> None:
    cost = remedy_cost(
        Remedy.STANDARD_RETURN, facts=FACTS, order=ORDER, model=CostModel(), shop_pays_returns=True
    )
    assert cost.amount == BY_HAND[Remedy.STANDARD_RETURN] + 59
    assert "return shipping 59.00" in cost.computation


def test_without_an_order_only_time_and_the_dispute_are_priced() -> None:
    facts = Facts(intent=Intent.OTHER)
    reship = remedy_cost(Remedy.RESHIP_FREE, facts=facts, order=None, model=CostModel())
    dispute = remedy_cost(Remedy.ROUTE_TO_DISPUTE, facts=facts, order=None, model=CostModel())
    assert reship.amount == Decimal("40.00") and reship.computation.startswith("no order known")
    assert dispute.amount == Decimal("250.00")  # the fee 150 and 20 minutes


def test_every_known_cost_line_is_priced_at_cost() -> None:
    # Given an order whose every line has a Cost per item
    costed = OrderCosts(
        total=Decimal(300), merchandise=Decimal(300), cost_known=Decimal(90), uncosted=Decimal(0)
    )
    # Then a reship costs those 90, whatever the margin setting
    for margin in (Decimal("0.1"), Decimal("0.9")):
        model = CostModel(margin_rate=margin, hourly_cost=Decimal(0))
        cost = remedy_cost(Remedy.RESHIP_FREE, facts=FACTS, order=costed, model=model)
        assert cost.amount == Decimal(90 + 59)


def _guide_text(costs: str) -> str:
    return default_guide_text().rstrip("\n") + "\n" + costs


def test_the_guide_sets_the_cost_model() -> None:
    # Given a guide with a costs section
    guide = parse_guide(
        _guide_text(
            "costs:\n  outbound_shipping: 79\n  hourly_cost: 420\n"
            "  handling_minutes:\n    reship_free: 15\n"
        ),
        source="g.yaml",
    )
    # Then its values replace the defaults and the rest stay
    assert guide.costs.outbound_shipping == 79 and guide.costs.hourly_cost == 420
    assert guide.costs.minutes(Remedy.RESHIP_FREE) == 15
    assert guide.costs.minutes(Remedy.HUMAN_REVIEW) == 12
    assert guide.costs.chargeback_fee == CostModel().chargeback_fee


def test_a_bad_cost_is_named_with_its_line() -> None:
    text = _guide_text("costs:\n  resale_share: 1.5\n  postage: 3\n")
    lines = text.splitlines()
    with pytest.raises(GuideRefusedError) as refused:
        parse_guide(text, source="g.yaml")
    found = {(problem.line, problem.field) for problem in refused.value.problems}
    assert (lines.index("  resale_share: 1.5") + 1, "costs.resale_share") in found
    assert (lines.index("  postage: 3") + 1, "costs.postage") in found


def test_a_triaged_decision_stores_its_cost_and_says_it(
    engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    # Given the triage shop: #2002 is 2,400 SEK of one line without a Cost per item
    settings = a_shop(engine, db_url)
    # When the VIP's undelivered parcel is decided (reship_free)
    report = triaged(engine, settings, TICKETS, reader=reader)
    with engine.connect() as connection:
        row = (
            connection.execute(
                select(decisions)
                .join(tickets, tickets.c.id == decisions.c.ticket_id)
                .where(tickets.c.ticket_key == "t-1")
            )
            .mappings()
            .one()
        )
    # Then the cost is 2,400 x 0.6 + 59 + 8 min at 300/h = 1,539.00, stored and explained
    assert row["remedy"] == "reship_free" and row["expected_cost_minor"] == 153_900
    assert row["order_costs"]["uncosted"] == "2400.00"
    assert "Expected cost 1,539.00 SEK: goods at cost 1,440.00" in row["explanation"]
    # and the decision as every edge shows it carries the cost and its computation
    shown = decision_out(by_id(report)["t-1"].stored).expected_cost
    assert shown is not None and (shown.amount, shown.currency) == (Decimal("1539.00"), "SEK")
    assert shown.computation.startswith("goods at cost 1,440.00 + outbound shipping 59.00")


def test_every_remedy_has_its_handling_time() -> None:
    # given: every remedy a guide can give
    # then: the cost model knows how long an agent spends on each (no remedy left unpriced)

    assert set(DEFAULT_HANDLING_MINUTES) == set(Remedy)
