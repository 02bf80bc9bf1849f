"""The evidence facts of one ticket: the delivery state and the dispute's scope."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from evenhand.domain.facts import Delivery, DisputeState, OrderMatch
from evenhand.domain.guide import GuideSettings
from evenhand.domain.intents import Intent, SignalKind
from evenhand.domain.ticket_facts import (
    OrderSnapshot,
    TicketContext,
    delivery_of,
    dispute_scope,
    facts_for,
)

TICKET_AT = datetime(2026, 11, 24, 12, tzinfo=UTC)
DAY = timedelta(days=1)
ORDER = OrderSnapshot(
    name="#9677",
    created_at=TICKET_AT - 6 * DAY,
    total=Decimal("249.00"),
    fulfilment_status="unfulfilled",
    fulfilled_at=None,
    subscription=False,
)
SHIPPED = replace(ORDER, fulfilment_status="fulfilled", fulfilled_at=TICKET_AT - 5 * DAY)


@pytest.mark.parametrize(
    ("order", "state"),
    [
        (ORDER, Delivery.NOT_SHIPPED),
        (SHIPPED, Delivery.IN_TRANSIT),
        (replace(SHIPPED, delivered_at=TICKET_AT - 2 * DAY), Delivery.DELIVERED),
        # events after the ticket had not happened when the customer wrote
        (replace(SHIPPED, delivered_at=TICKET_AT + DAY), Delivery.IN_TRANSIT),
        (replace(SHIPPED, fulfilled_at=TICKET_AT + DAY), Delivery.NOT_SHIPPED),
        (replace(ORDER, fulfilment_status="restocked"), None),
    ],
)
def test_the_delivery_state_is_as_it_stood_when_the_ticket_came(
    order: OrderSnapshot, state: Delivery | None
) -> None:
    assert delivery_of(order, TICKET_AT) is state


def _dispute_of(order: OrderSnapshot | None, disputed: frozenset[str], *signals: SignalKind) -> str:
    context = TicketContext(
        intent=Intent.DAMAGED_ITEM,
        confidence=0.9,
        channel="email",
        language="sv",
        created_at=TICKET_AT,
        signals=signals,
    )
    facts = facts_for(
        context, value=None, order=order, settings=GuideSettings(), disputed_orders=disputed
    )
    return facts.dispute.value


def test_a_dispute_belongs_to_its_own_order() -> None:
    assert dispute_scope(SHIPPED, frozenset({"#9677"})) is DisputeState.THIS_ORDER
    assert dispute_scope(SHIPPED, frozenset({"#8227"})) is DisputeState.OTHER_ORDER
    assert dispute_scope(None, frozenset({"#8227"})) is DisputeState.OTHER_ORDER
    assert dispute_scope(SHIPPED, frozenset()) is DisputeState.NONE


def test_a_filed_chargeback_is_claimed_unless_the_dispute_is_on_this_order_already() -> None:
    filed = SignalKind.CHARGEBACK_FILED
    assert _dispute_of(SHIPPED, frozenset(), filed) == "claimed"
    assert _dispute_of(SHIPPED, frozenset({"#8227"}), filed) == "claimed"
    assert _dispute_of(SHIPPED, frozenset({"#9677"}), filed) == "this_order"
    # a threat to file one is not a filing
    assert _dispute_of(SHIPPED, frozenset(), SignalKind.CHARGEBACK_THREAT) == "none"


def test_days_in_transit_and_since_delivery_count_from_the_carriers_events() -> None:
    context = TicketContext(
        intent=Intent.WHERE_IS_MY_ORDER,
        confidence=0.9,
        channel="email",
        language="en",
        created_at=TICKET_AT,
    )
    moving = facts_for(context, value=None, order=SHIPPED, settings=GuideSettings())
    arrived = facts_for(
        context,
        value=None,
        order=replace(SHIPPED, delivered_at=TICKET_AT - 2 * DAY, match=OrderMatch.LATEST),
        settings=GuideSettings(),
    )
    assert (moving.days_in_transit, moving.days_since_delivery) == (5, None)
    assert (arrived.days_in_transit, arrived.days_since_delivery) == (None, 2)
    assert (moving.order_match, arrived.order_match) == (OrderMatch.QUOTED, OrderMatch.LATEST)
