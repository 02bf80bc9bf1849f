"""A draft is written for the order as the shop's data showed it when the ticket was
decided; an agent approves it later. Once the order has shipped (or its parcel been
delivered) since, the ticket page says so; bulk and auto-approve leave a draft written for
an order not yet shipped, or about a parcel on its way, to an agent; and a cancel of an
order that is no longer unfulfilled is refused: nothing at the shop would be cancelled,
and the reply would say it was. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import func, select

from evenhand.actions.execute import auto_approve, execution_steps_of
from evenhand.actions.reviews import BulkApproval, approve_many, ticket_page
from evenhand.domain.execution import SinceWritten, holds_back, premise_gone, since_written
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


def order_2101(*, shipped: bool, parcel: str = "in_transit") -> dict[str, Any]:
    """Order #2101 as Shopify's orders/create or orders/updated webhook sends it: not
    shipped, or shipped with its parcel `in_transit` or `delivered` (on 23 November)."""
    order: dict[str, Any] = json.loads(fixture("shopify_orders_create.json"))
    if not shipped:
        order["fulfillment_status"] = None
        order["fulfillments"] = []
        return order
    [fulfilment] = order["fulfillments"]
    fulfilment["shipment_status"] = parcel
    fulfilment["updated_at"] = "2026-11-23T10:00:00+01:00"
    return order


def asks_to_cancel(shop: Shop) -> int:
    """Maja's order #2101, not sent yet, and her Zendesk ticket asking to cancel it."""
    shop.deliver("shopify", "orders/create", order_2101(shipped=False), "order-2101")
    trigger = json.loads(fixture("zendesk_trigger.json"))
    trigger["ticket"]["description"] = CANCEL_PLEASE
    shop.deliver("zendesk", "ticket.trigger", trigger, "t")
    with shop.engine.connect() as connection:
        return int(connection.execute(select(decisions.c.id)).scalar_one())


def it_ships(shop: Shop, *, parcel: str = "in_transit") -> None:
    """Shopify's orders/updated: the order is fulfilled, its parcel as `parcel` says."""
    order = order_2101(shipped=True, parcel=parcel)
    shop.deliver("shopify", "orders/updated", order, f"order-2101-{parcel}")


def in_bulk(shop: Shop, decision_id: int) -> BulkApproval:
    """The ticket approved with **Approve selected**, by a manager."""
    return approve_many(
        shop.engine,
        decision_ids=[decision_id],
        user=shop.user(Role.MANAGER),
        now=shop.clock(),
        settings=shop.worker.settings,
    )


def stored_reviews(shop: Shop) -> int:
    with shop.engine.connect() as connection:
        return len(connection.execute(select(reviews.c.id)).all())


@pytest.mark.parametrize(
    ("then", "now", "moved"),
    [
        (Delivery.NOT_SHIPPED, Delivery.NOT_SHIPPED, None),
        (Delivery.NOT_SHIPPED, Delivery.IN_TRANSIT, SinceWritten.SHIPPED),
        (Delivery.NOT_SHIPPED, Delivery.DELIVERED, SinceWritten.SHIPPED),
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


def test_only_a_cancel_loses_its_premise_and_only_while_the_order_is_not_cancelled() -> None:
    assert premise_gone(Remedy.CANCEL_UNSHIPPED_ORDER, unfulfilled=False, cancelled=False)
    assert not premise_gone(Remedy.CANCEL_UNSHIPPED_ORDER, unfulfilled=True, cancelled=False)
    assert not premise_gone(Remedy.CANCEL_UNSHIPPED_ORDER, unfulfilled=False, cancelled=True)
    assert not premise_gone(Remedy.CHANGE_UNSHIPPED_ORDER, unfulfilled=False, cancelled=False)
    assert not premise_gone(Remedy.REPLACE_OR_REFUND, unfulfilled=False, cancelled=False)


def test_a_draft_is_held_back_when_written_for_an_unshipped_order_or_a_parcel_on_its_way() -> None:
    assert holds_back(Remedy.REPLACE_OR_REFUND, SinceWritten.SHIPPED)
    assert holds_back(Remedy.SEND_TRACKING_STATUS, SinceWritten.DELIVERED)
    assert holds_back(Remedy.CARRIER_INVESTIGATION, SinceWritten.DELIVERED)
    assert not holds_back(Remedy.REPLACE_OR_REFUND, SinceWritten.DELIVERED)
    assert not holds_back(Remedy.SEND_TRACKING_STATUS, None)


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
    assert refused.value.message.startswith(
        "remedy: Order #2101 has shipped (the draft was written when it had not), so it can "
        "no longer be cancelled"
    )
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
    done = in_bulk(shop, decision_id)
    # then it is skipped, naming the order and what happened to it
    assert done.approved == [] and list(done.skipped) == [decision_id]
    assert done.skipped[decision_id].startswith("Order #2101 has shipped (the draft was")
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
        assert "Order #2101 shows as shipped now; the draft was written when it had not." in said
        assert "Check the reply against the order as it is now" in said
        assert "so it can no longer be cancelled" in said
        # when the agent approves the draft anyway
        refused = agent.post(f"{path}/review", data={"csrf": csrf_of(agent, path)})
        # then the page refuses it, saying why
        assert refused.status_code == 422
        error = LexborHTMLParser(refused.text).css_first("p.error")
        assert error is not None and "can no longer be cancelled" in error.text()
        assert stored_reviews(shop) == 0


def decided_with_parcel(shop: Shop, *, parcel: str, asks: str | None = None) -> int:
    """Order #2101 shipped with its parcel as `parcel` says, then Maja's Zendesk ticket
    about it (her broken mug, or `asks` in place of her whole message), decided."""
    shop.deliver("shopify", "orders/create", order_2101(shipped=True, parcel=parcel), "o")
    trigger = json.loads(fixture("zendesk_trigger.json"))
    if asks is not None:
        trigger["ticket"]["description"] = asks
    shop.deliver("zendesk", "ticket.trigger", trigger, "t")
    with shop.engine.connect() as connection:
        return int(connection.execute(select(decisions.c.id)).scalar_one())


def remedy_of(shop: Shop, decision_id: int) -> str:
    with shop.engine.connect() as connection:
        found = select(decisions.c.remedy).where(decisions.c.id == decision_id)
        return str(connection.execute(found).scalar_one())


def test_a_parcel_delivered_after_a_draft_about_a_broken_item_holds_nothing_back(
    shop: Shop,
) -> None:
    # given Maja's broken mug, decided while its parcel was on its way
    decision_id = decided_with_parcel(shop, parcel="in_transit")
    assert remedy_of(shop, decision_id) == "replace_or_refund"
    # when the carrier says it was delivered, and the queue's tickets are approved in bulk
    it_ships(shop, parcel="delivered")
    # then it is approved as drafted: a parcel delivered is the normal course
    assert in_bulk(shop, decision_id).approved == [decision_id]


def test_a_reply_about_a_parcel_on_its_way_is_left_to_an_agent_once_it_is_delivered(
    db_url: str, reader: EmbeddedReader
) -> None:
    for shop in shop_harness(
        db_url, reader, auto_approve_remedies="send_tracking_status,carrier_investigation"
    ):
        # given Maja asks where her parcel is while it is on its way
        asks = "Hej! Var är mitt paket? Order #2101 har inte kommit än.\n\nMaja"
        decision_id = decided_with_parcel(shop, parcel="in_transit", asks=asks)
        assert remedy_of(shop, decision_id) in {"send_tracking_status", "carrier_investigation"}
        # when the carrier says it was delivered
        it_ships(shop, parcel="delivered")
        # then auto-approve leaves it to an agent, and so does a bulk approval, saying why
        assert auto_approve(shop.engine, settings=shop.worker.settings, now=shop.clock()) == 0
        done = in_bulk(shop, decision_id)
        assert done.approved == []
        assert (
            "Order #2101 shows as delivered now (the carrier says so)"
            in (done.skipped[decision_id])
        )


def test_a_cancel_of_an_order_shipped_before_the_draft_is_refused_too(shop: Shop) -> None:
    # given Maja's broken mug on an order shipped before she wrote
    decision_id = decided_with_parcel(shop, parcel="in_transit")
    # when a manager overrides it to cancelling the unshipped order
    with pytest.raises(EvenhandError) as refused:
        shop.approve(decision_id, remedy="cancel_unshipped_order", choice=None)
    # then it is refused: nothing would be cancelled (and the order did not move on since)
    assert refused.value.message.startswith(
        "remedy: Order #2101 has shipped, so it can no longer be cancelled"
    )
    assert stored_reviews(shop) == 0


def test_a_cancel_of_a_partly_shipped_order_is_refused(shop: Shop) -> None:
    # given Maja's cancel, and her order then partly shipped
    decision_id = asks_to_cancel(shop)
    partly = order_2101(shipped=True) | {"fulfillment_status": "partial"}
    shop.deliver("shopify", "orders/updated", partly, "order-2101-partial")
    # when a manager approves the cancel, then it is refused
    with pytest.raises(EvenhandError) as refused:
        shop.approve(decision_id, choice=None)
    assert "Order #2101 has partly shipped" in refused.value.message


def test_a_number_quoted_of_another_customers_order_is_never_acted_on(shop: Shop) -> None:
    # given order #2101 is someone else's, and Maja quotes it asking for her money back
    stranger = order_2101(shipped=True)
    stranger["email"] = "someone.else@example.se"
    stranger["customer"] = stranger["customer"] | {"id": 7300000000999, "email": stranger["email"]}
    shop.deliver("shopify", "orders/create", stranger, "o")
    trigger = json.loads(fixture("zendesk_trigger.json"))
    trigger["ticket"]["description"] = "Hej! Jag vill ha pengarna tillbaka för order #2101."
    shop.deliver("zendesk", "ticket.trigger", trigger, "t")
    with shop.engine.connect() as connection:
        decision_id = int(connection.execute(select(decisions.c.id)).scalar_one())
    # when a manager overrides it to a refund, even having ticked 'done by hand'
    with pytest.raises(EvenhandError) as refused:
        shop.approve(decision_id, remedy="replace_or_refund", choice="refund", done_by_hand=True)
    # then it is refused: no one refunds another customer's order, and nothing is owed
    assert refused.value.code is InputError.CONFLICTING_VALUE
    assert "The order this ticket names is another customer's" in refused.value.message
    assert "and no one should" in refused.value.message
    assert stored_reviews(shop) == 0 and execution_steps_of(shop.engine, decision_id) == []
    while shop.run():
        pass
    assert shop.shopify.refunds == {} and shop.shopify.cancels == []
    # and a change to that order is refused the same way
    with pytest.raises(EvenhandError) as changed:
        shop.approve(decision_id, remedy="change_unshipped_order", done_by_hand=True)
    assert "another customer's" in changed.value.message
    # and the ticket page shows no order as hers, and says whose the number is
    page = ticket_page(shop.engine, decision_id=decision_id, settings=shop.worker.settings)
    assert page.order is None and page.order_elsewhere


def test_an_order_linked_to_no_customer_is_left_to_the_agents_hands(shop: Shop) -> None:
    # given order #2101 imported without an e-mail (so linked to no customer), and Maja
    # quoting it, asking for her money back
    unlinked = order_2101(shipped=True) | {"email": None, "customer": None}
    shop.deliver("shopify", "orders/create", unlinked, "o")
    trigger = json.loads(fixture("zendesk_trigger.json"))
    trigger["ticket"]["description"] = "Hej! Jag vill ha pengarna tillbaka för order #2101."
    shop.deliver("zendesk", "ticket.trigger", trigger, "t")
    with shop.engine.connect() as connection:
        decision_id = int(connection.execute(select(decisions.c.id)).scalar_one())
    # when a manager refunds it in Shopify and approves a refund with 'done by hand'
    shop.approve(decision_id, remedy="replace_or_refund", choice="refund", done_by_hand=True)
    # then it is approved (it may be hers): the reply alone is owed, nothing at the shop
    assert [kind for kind, _ in shop.steps(decision_id)] == ["send_reply", "set_status"]
    page = ticket_page(shop.engine, decision_id=decision_id, settings=shop.worker.settings)
    assert not page.order_elsewhere


def test_an_older_decision_of_a_ticket_its_customer_wrote_again_on_is_not_approved(
    shop: Shop,
) -> None:
    # given Maja's broken mug, decided, and then her second message on the same ticket
    older = shop.decided()
    trigger = json.loads(fixture("zendesk_trigger.json"))
    trigger["ticket"]["description"] = "Hej igen! Jag vill hellre ha en ny mugg, tack.\n\nMaja"
    trigger["ticket"]["updated_at"] = "2026-11-22T10:00:00Z"  # her comment updates it
    shop.deliver("zendesk", "ticket.trigger", trigger, "t2")
    with shop.engine.connect() as connection:
        newer = int(connection.execute(select(func.max(decisions.c.id))).scalar_one())
    assert newer != older
    # when a manager approves the older decision (a page opened before she wrote again)
    with pytest.raises(EvenhandError) as refused:
        shop.approve(older)
    # then it is refused, naming the newer one, and nothing is stored or owed
    assert refused.value.code is InputError.CONFLICTING_VALUE
    assert f"This ticket has a newer decision ({newer})" in refused.value.message
    assert stored_reviews(shop) == 0 and execution_steps_of(shop.engine, older) == []
    # and a bulk approval skips it, saying the same
    done = in_bulk(shop, older)
    assert done.approved == [] and f"newer decision ({newer})" in done.skipped[older]
    # and the older decision's page says so, pointing to the newer one
    page = ticket_page(shop.engine, decision_id=older, settings=shop.worker.settings)
    assert page.newer == newer
    # and shows the words it was taken on, not her second message (which the newer shows)
    assert "sönder" in page.body and "Hej igen" not in page.body
    newest = ticket_page(shop.engine, decision_id=newer, settings=shop.worker.settings)
    assert "Hej igen" in newest.body
    # and the newer decision is approved as ever
    shop.approve(newer)
    assert execution_steps_of(shop.engine, newer) != []
