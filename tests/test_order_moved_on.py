"""A draft is written for the order as it stood when the customer wrote; an agent approves
it later. Once the order has shipped (or been delivered) since, the ticket page says so,
bulk and auto-approve leave the ticket to an agent, and a cancel or a change of an order
not yet shipped is refused: nothing at the shop would be done, and the reply would say it
was. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select

from evenhand.actions.execute import auto_approve, execution_steps_of
from evenhand.actions.reviews import approve_many
from evenhand.domain.execution import SinceWritten, premise_gone, since_written
from evenhand.domain.facts import Delivery
from evenhand.domain.remedies import Remedy
from evenhand.domain.roles import Role
from evenhand.errors import EvenhandError, InputError
from evenhand.store.tables import decisions, reviews
from evenhand.understand.reader import EmbeddedReader
from tests.execution_shop import Shop, shop_harness
from tests.senders import fixture
from tests.sites import AGENT, csrf_of, serve_site

CANCEL_PLEASE = "Hej! Kan ni avbryta order #2101? Jag har ångrat mig.\n\nMaja"


@pytest.fixture
def shop(db_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(db_url, reader, auto_approve_remedies="cancel_unshipped_order")


def order_2101(*, shipped: bool) -> dict[str, object]:
    """Order #2101 as Shopify's orders/create or orders/updated webhook sends it."""
    order: dict[str, object] = json.loads(fixture("shopify_orders_create.json"))
    if not shipped:
        order["fulfillment_status"] = None
        order["fulfillments"] = []
    return order


def asks_to_cancel(shop: Shop) -> int:
    """Maja's order #2101, not sent yet, and her Zendesk ticket asking to cancel it."""
    shop.deliver("shopify", "orders/create", order_2101(shipped=False), "order-2101")
    trigger = json.loads(fixture("zendesk_trigger.json"))
    trigger["ticket"]["description"] = CANCEL_PLEASE
    shop.deliver("zendesk", "ticket.trigger", trigger, "t")
    with shop.engine.connect() as connection:
        return int(connection.execute(select(decisions.c.id)).scalar_one())


def it_ships(shop: Shop) -> None:
    """Shopify's orders/updated: the order is fulfilled."""
    shop.deliver("shopify", "orders/updated", order_2101(shipped=True), "order-2101-sent")


def stored_reviews(shop: Shop) -> int:
    with shop.engine.connect() as connection:
        return len(connection.execute(select(reviews.c.id)).all())


@pytest.mark.parametrize(
    ("then", "now", "moved"),
    [
        (Delivery.NOT_SHIPPED, Delivery.NOT_SHIPPED, None),
        (Delivery.NOT_SHIPPED, Delivery.IN_TRANSIT, SinceWritten.SHIPPED),
        (Delivery.NOT_SHIPPED, Delivery.DELIVERED, SinceWritten.DELIVERED),
        (Delivery.IN_TRANSIT, Delivery.DELIVERED, SinceWritten.DELIVERED),
        (Delivery.IN_TRANSIT, Delivery.IN_TRANSIT, None),
        (Delivery.DELIVERED, Delivery.DELIVERED, None),
        (None, Delivery.IN_TRANSIT, None),  # no order known when the guide decided
        (Delivery.NOT_SHIPPED, None, None),  # restocked: not a shipment
    ],
)
def test_what_counts_as_the_order_moving_on(
    then: Delivery | None, now: Delivery | None, moved: SinceWritten | None
) -> None:
    assert since_written(then, now) is moved


def test_only_a_remedy_for_an_order_not_yet_shipped_loses_its_premise() -> None:
    assert premise_gone(Remedy.CANCEL_UNSHIPPED_ORDER, Delivery.IN_TRANSIT)
    assert premise_gone(Remedy.CHANGE_UNSHIPPED_ORDER, Delivery.DELIVERED)
    assert not premise_gone(Remedy.CANCEL_UNSHIPPED_ORDER, Delivery.NOT_SHIPPED)
    assert not premise_gone(Remedy.REPLACE_OR_REFUND, Delivery.IN_TRANSIT)


def test_a_cancel_drafted_before_the_order_shipped_is_refused_once_it_has(shop: Shop) -> None:
    # given Maja asks to cancel order #2101 before it ships, and the guide drafts the cancel
    decision_id = asks_to_cancel(shop)
    with shop.engine.connect() as connection:
        remedy = connection.execute(select(decisions.c.remedy)).scalar_one()
    assert remedy == "cancel_unshipped_order"
    # when Shopify says the order has shipped, and then a manager approves the draft
    it_ships(shop)
    with pytest.raises(EvenhandError) as refused:
        shop.approve(decision_id, choice=None)
    # then it is refused, saying why and what to do, and nothing is stored, owed or sent
    assert refused.value.code is InputError.CONFLICTING_VALUE
    assert "order #2101 has shipped since the customer wrote" in refused.value.message.lower()
    assert "can no longer be cancelled" in refused.value.message
    assert stored_reviews(shop) == 0 and execution_steps_of(shop.engine, decision_id) == []
    # and auto-approve, which would carry it out, leaves it to an agent
    assert auto_approve(shop.engine, settings=shop.worker.settings, now=shop.clock()) == 0
    # when the manager overrides it to the return policy instead (the parcel is on its way)
    shop.approve(decision_id, remedy="standard_return", choice=None)
    # then that is approved: only the reply and the status go out
    assert shop.steps(decision_id) == [("send_reply", "pending"), ("set_status", "pending")]


def test_before_the_order_ships_the_cancel_is_approved_as_drafted(shop: Shop) -> None:
    # given Maja's cancel, drafted while the order has not shipped and still has not
    decision_id = asks_to_cancel(shop)
    # when a manager approves it, then Shopify is asked to cancel it
    shop.approve(decision_id, choice=None)
    assert shop.steps(decision_id)[0] == ("cancel_order", "pending")


def test_bulk_approve_leaves_a_draft_whose_order_moved_on_and_says_why(shop: Shop) -> None:
    # given Maja's cancel, and her order shipped since
    decision_id = asks_to_cancel(shop)
    it_ships(shop)
    # when it is approved in bulk
    done = approve_many(
        shop.engine,
        decision_ids=[decision_id],
        user=shop.user(Role.MANAGER),
        now=shop.clock(),
        settings=shop.worker.settings,
    )
    # then it is skipped, naming the order and what happened to it
    assert done.approved == [] and list(done.skipped) == [decision_id]
    assert "Order #2101 has shipped since the customer wrote" in done.skipped[decision_id]
    assert execution_steps_of(shop.engine, decision_id) == []


def test_the_ticket_page_says_the_order_moved_on_since_the_draft(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given Maja's cancel
    decision_id = asks_to_cancel(shop)
    path = f"/tickets/{decision_id}"
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        # (before it ships, the page says nothing of it)
        assert LexborHTMLParser(agent.get(path).text).css_first("#order-moved") is None
        it_ships(shop)
        # when the agent opens the ticket
        page = LexborHTMLParser(agent.get(path).text)
        # then the page says the order moved on, before the agent reads the draft
        moved = page.css_first("#order-moved")
        assert moved is not None
        said = moved.text(separator=" ", strip=True)
        assert "Order #2101 has shipped since the customer wrote" in said
        assert "Check the reply against the order as it is now" in said
        # when the agent approves the draft anyway
        refused = agent.post(f"{path}/review", data={"csrf": csrf_of(agent, path)})
        # then the page refuses it, saying why
        assert refused.status_code == 422
        error = LexborHTMLParser(refused.text).css_first("p.error")
        assert error is not None and "can no longer be cancelled" in error.text()
        assert stored_reviews(shop) == 0
