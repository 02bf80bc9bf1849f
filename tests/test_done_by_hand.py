"""A remedy whose shop step Evenhand cannot carry out (no Shopify order, or a cancelled one)
is approved only when the agent confirms they did it in Shopify by hand: no reply says a
refund was made that nothing made. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select, update

from evenhand.actions.execute import auto_approve, execution_steps_of
from evenhand.actions.reviews import approve_many
from evenhand.domain.roles import Role
from evenhand.errors import EvenhandError, InputError
from evenhand.store.tables import audit_events, decisions, orders, reviews, tickets
from evenhand.understand.reader import EmbeddedReader
from tests.execution_shop import Shop, shop_harness
from tests.senders import fixture
from tests.sites import AGENT, csrf_of, serve_site

WANTS_MONEY_BACK = "Jag vill ha pengarna tillbaka."
NO_ORDER_NOTE = "No Shopify order on this ticket: Evenhand cannot refund it."


@pytest.fixture
def shop(db_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(db_url, reader)


def without_shopify_id(shop: Shop) -> None:
    """Order #2101 as a file import without Shopify ids leaves it."""
    with shop.engine.begin() as connection:
        connection.execute(update(orders).values(shopify_id=None))


def cancelled_at_the_shop(shop: Shop) -> None:
    with shop.engine.begin() as connection:
        connection.execute(update(orders).values(cancelled_at=datetime(2026, 11, 21, tzinfo=UTC)))


def another_ticket(shop: Shop, *, ticket_id: int, asks: str | None = None) -> int:
    """A second ticket of Maja's about order #2101 (`asks` in place of her question)."""
    trigger = json.loads(fixture("zendesk_trigger.json"))
    trigger["ticket"]["id"] = ticket_id
    if asks is not None:
        description = trigger["ticket"]["description"]
        trigger["ticket"]["description"] = description.replace("Vad gör vi nu?", asks)
    shop.deliver("zendesk", "ticket.trigger", trigger, f"t{ticket_id}")
    with shop.engine.connect() as connection:
        return int(
            connection.execute(
                select(decisions.c.id)
                .join(tickets, tickets.c.id == decisions.c.ticket_id)
                .where(tickets.c.ticket_key == str(ticket_id))
            ).scalar_one()
        )


def events(shop: Shop, action: str) -> list[dict[str, Any]]:
    with shop.engine.connect() as connection:
        found = connection.execute(
            select(audit_events.c.details)
            .where(audit_events.c.action == action)
            .order_by(audit_events.c.id)
        )
        return [dict(details) for details in found.scalars()]


def stored_reviews(shop: Shop) -> int:
    with shop.engine.connect() as connection:
        return len(connection.execute(select(reviews.c.id)).all())


def test_an_approval_the_shop_cannot_carry_out_is_refused_until_the_agent_did_it_by_hand(
    shop: Shop,
) -> None:
    # given Maja asks for her money back, on an order imported without its Shopify id
    decision_id = shop.decided(asks=WANTS_MONEY_BACK)
    without_shopify_id(shop)
    # when a manager approves the refund without saying it was done by hand
    with pytest.raises(EvenhandError) as refused:
        shop.approve(decision_id, choice="refund")
    # then it is refused, naming what Evenhand cannot do, and nothing is stored or owed
    assert refused.value.code is InputError.MISSING_VALUE
    assert NO_ORDER_NOTE in refused.value.message
    assert "Refund it in Shopify yourself" in refused.value.message
    assert stored_reviews(shop) == 0 and execution_steps_of(shop.engine, decision_id) == []
    assert events(shop, "decision approve") == []
    # when the manager refunds it in Shopify and approves with 'done by hand'
    shop.approve(decision_id, choice="refund", done_by_hand=True)
    while shop.run():
        pass
    # then the reply goes out once, nothing is asked of the shop, and the ticket is solved
    assert shop.steps(decision_id) == [("send_reply", "done"), ("set_status", "done")]
    assert shop.shopify.calls == [] and shop.shopify.refunds == {}
    ticket = shop.helpdesk.tickets["35436"]
    assert len(ticket["comments"]) == 1 and ticket["status"] == "solved"
    # and the audit says the refund was done by hand, and by whom
    [approval] = events(shop, "decision approve")
    assert approval["done_by_hand"] == ["refund"]
    assert approval["not_at_shop"] == "no_shopify_order"
    assert approval["by"] == "manager@nordhem.example"


def test_an_approval_the_shop_can_carry_out_needs_no_tick(shop: Shop) -> None:
    # given Maja's refund on an order Shopify knows
    decision_id = shop.decided(asks=WANTS_MONEY_BACK)
    # when it is approved as ever, without the tick
    shop.approve(decision_id, choice="refund")
    # then the shop refunds it, and the audit names nothing done by hand
    assert shop.steps(decision_id)[0] == ("refund", "pending")
    [approval] = events(shop, "decision approve")
    assert "done_by_hand" not in approval


def test_the_ticket_page_warns_and_refuses_without_the_tick(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given Maja's refund on an order already cancelled in Shopify
    decision_id = shop.decided(asks=WANTS_MONEY_BACK)
    cancelled_at_the_shop(shop)
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        path = f"/tickets/{decision_id}"
        # when the agent opens the ticket
        page = LexborHTMLParser(agent.get(path).text)
        # then beside the approve controls: what Evenhand will not do, and the tick
        warning = page.css_first("form[action$='/review'] #by-hand")
        assert warning is not None and "hidden" not in warning.attributes
        said = warning.text(separator=" ", strip=True)
        assert "The order is cancelled in Shopify: Evenhand cannot refund it." in said
        assert page.css_first("input#done-by-hand[name=done_by_hand]") is not None
        # when the agent approves (the keys send the same form) without ticking it
        refused = agent.post(f"{path}/review", data={"csrf": csrf_of(agent, path)})
        # then the page says why, and nothing is stored, owed or sent
        assert refused.status_code == 422
        error = LexborHTMLParser(refused.text).css_first("p.error")
        assert error is not None and "Evenhand cannot refund it" in error.text()
        assert stored_reviews(shop) == 0 and execution_steps_of(shop.engine, decision_id) == []
        # when the agent ticks 'done by hand'
        ticked = {"csrf": csrf_of(agent, path), "done_by_hand": "yes"}
        assert agent.post(f"{path}/review", data=ticked).status_code == 303
        # then it is approved, by the agent, and only the reply is owed
        assert shop.steps(decision_id) == [("send_reply", "pending"), ("set_status", "pending")]
        [approval] = events(shop, "decision approve")
        assert approval["by"] == AGENT and approval["done_by_hand"] == ["refund"]
        assert approval["not_at_shop"] == "order_cancelled"
        # and the ticket's history says so, and no warning is left beside the buttons
        page = LexborHTMLParser(agent.get(path).text)
        history = page.css_first("section[aria-labelledby=h-reviews]")
        assert history is not None
        assert f"{AGENT}: approve (refund), refund done by hand in Shopify" in history.text()
        assert page.css_first("#by-hand") is None


def test_bulk_approve_skips_a_ticket_the_shop_cannot_carry_out_and_says_so(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given two of Maja's tickets about an order without its Shopify id: one asks for her
    # money back, the other only what now (the reply asks her, nothing at the shop)
    refund = shop.decided(asks=WANTS_MONEY_BACK)
    asking = another_ticket(shop, ticket_id=35437)
    without_shopify_id(shop)
    # when both are approved in bulk
    done = approve_many(
        shop.engine,
        decision_ids=[refund, asking],
        user=shop.user(Role.MANAGER),
        now=shop.clock(),
        settings=shop.worker.settings,
    )
    # then the refund is skipped, saying why, and the question approved
    assert done.approved == [asking]
    assert list(done.skipped) == [refund] and NO_ORDER_NOTE in done.skipped[refund]
    assert execution_steps_of(shop.engine, refund) == []
    assert shop.steps(asking) == [("send_reply", "pending"), ("await_customer", "pending")]
    [bulk] = events(shop, "decisions approved")
    assert bulk["count"] == 1 and bulk["skipped"] == [refund]
    # and on the queue page the skipped one is named, with its page
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        form = {"csrf": csrf_of(agent, "/queue"), "decision": [str(refund)], "back": "/queue"}
        answer = agent.post("/queue/approve", data=form)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/queue?skipped={refund}"
        note = LexborHTMLParser(agent.get(answer.headers["location"]).text).css_first("#skipped")
        assert note is not None and "Not approved: 1 ticket(s)." in note.text()
        assert note.css_first(f"a[href='/tickets/{refund}']") is not None
    assert execution_steps_of(shop.engine, refund) == []


@pytest.fixture
def auto(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(sqlite_url, reader, auto_approve_remedies="replace_or_refund")


def test_auto_approve_leaves_a_shop_step_it_cannot_carry_out_to_an_agent(auto: Shop) -> None:
    # given Maja asks for her money back on an order without its Shopify id, and her
    # remedy marked auto-approve
    decision_id = auto.decided(asks=WANTS_MONEY_BACK)
    without_shopify_id(auto)
    # when auto-approve runs, then it carries nothing out: an agent does it by hand
    assert auto_approve(auto.engine, settings=auto.worker.settings, now=auto.clock()) == 0
    assert execution_steps_of(auto.engine, decision_id) == []


def test_a_change_to_an_order_is_approved_only_once_the_agent_made_it_in_shopify(
    shop: Shop,
) -> None:
    # given Maja's ticket, and a manager who gives it the remedy 'change the unshipped order'
    decision_id = shop.decided()
    # when it is approved without the tick
    with pytest.raises(EvenhandError) as refused:
        shop.approve(decision_id, remedy="change_unshipped_order", choice=None)
    # then it is refused: Evenhand does not edit orders, the agent does it in Shopify
    assert refused.value.code is InputError.MISSING_VALUE
    assert "A change to the order" in refused.value.message
    assert "Evenhand cannot edit an order" in refused.value.message
    assert "Edit the order as the customer asked" in refused.value.message
    assert stored_reviews(shop) == 0 and execution_steps_of(shop.engine, decision_id) == []
    # when the agent has edited the order and ticks 'done by hand'
    shop.approve(decision_id, remedy="change_unshipped_order", choice=None, done_by_hand=True)
    while shop.run():
        pass
    # then only the reply and the status go out, nothing is asked of the shop
    assert shop.steps(decision_id) == [("send_reply", "done"), ("set_status", "done")]
    assert shop.shopify.calls == []
    # and the audit says the change was made by hand
    [override] = events(shop, "decision override")
    assert override["done_by_hand"] == ["change_order"]
    assert override["not_at_shop"] == "order_edit"


def test_auto_approve_leaves_a_change_to_an_order_to_an_agent(shop: Shop) -> None:
    # given the guide gives Maja's ticket 'change the unshipped order', marked auto-approve
    decision_id = shop.decided()
    with shop.engine.begin() as connection:
        connection.execute(
            update(decisions)
            .where(decisions.c.id == decision_id)
            .values(remedy="change_unshipped_order")
        )
    settings = shop.worker.settings.model_copy(
        update={"auto_approve_remedies": "change_unshipped_order"}
    )
    # when auto-approve runs, then it leaves it for an agent
    assert auto_approve(shop.engine, settings=settings, now=shop.clock()) == 0
    assert execution_steps_of(shop.engine, decision_id) == []


def test_overriding_to_a_change_to_the_order_shows_its_tick_and_needs_it(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given Maja's ticket, whose drafted remedy Evenhand carries out itself
    decision_id = shop.decided()
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        path = f"/tickets/{decision_id}"
        # when the agent opens it, then the warning for a change to the order is on the
        # page, hidden until that remedy is picked (the page's script shows it)
        page = LexborHTMLParser(agent.get(path).text)
        box = page.css_first("form[action$='/review'] #by-hand")
        assert box is not None and "hidden" in box.attributes
        note = box.css_first("[data-by-hand-for='change_unshipped_order']")
        assert note is not None and "Evenhand cannot edit an order" in note.text()
        # when the agent overrides to it without the tick, then it is refused, and the
        # page shows the warning for the remedy picked
        form = {"remedy": "change_unshipped_order", "reason": "she asked for another colour"}
        refused = agent.post(f"{path}/review", data={**form, "csrf": csrf_of(agent, path)})
        assert refused.status_code == 422
        shown = LexborHTMLParser(refused.text).css_first("#by-hand")
        assert shown is not None and "hidden" not in shown.attributes
        assert stored_reviews(shop) == 0
        # when the agent made the change in Shopify and ticks it, then it is saved
        ticked = {**form, "csrf": csrf_of(agent, path), "done_by_hand": "yes"}
        answer = agent.post(f"{path}/review", data=ticked)
        assert answer.status_code == 303
        # and the page it comes back to says the review is saved, and where its steps are
        saved = LexborHTMLParser(agent.get(answer.headers["location"]).text).css_first("#saved")
        assert saved is not None and "Your review is saved" in saved.text()
        assert saved.css_first("a[href='#h-steps']") is not None
        [override] = events(shop, "decision override")
        assert override["done_by_hand"] == ["change_order"] and override["by"] == AGENT


def test_once_carried_out_a_ticket_cannot_be_overridden_to_another_remedy(shop: Shop) -> None:
    # given Maja's refund, approved and so owed to the shop
    decision_id = shop.decided(asks=WANTS_MONEY_BACK)
    shop.approve(decision_id, choice="refund")
    # when a manager overrides it to another remedy afterwards
    with pytest.raises(EvenhandError) as refused:
        shop.approve(decision_id, remedy="reship_free", choice=None)
    # then it is refused, saying what was carried out: the review would say a remedy was
    # given that nothing gives
    assert refused.value.code is InputError.CONFLICTING_VALUE
    assert "already carried out as replace_or_refund" in refused.value.message
    assert stored_reviews(shop) == 1 and len(events(shop, "decision override")) == 0
    # and approving it again, as it stands, is still recorded (it carries nothing out again)
    shop.approve(decision_id, choice="refund")
    assert stored_reviews(shop) == 2
    assert [kind for kind, _ in shop.steps(decision_id)].count("refund") == 1


def test_once_carried_out_as_a_question_its_choice_cannot_be_changed(shop: Shop) -> None:
    # given Maja's broken mug approved as the reply that asks her what she wants
    decision_id = shop.decided()
    shop.approve(decision_id, choice="ask")
    # when an agent approves it again with a refund
    with pytest.raises(EvenhandError) as refused:
        shop.approve(decision_id, choice="refund")
    # then it is refused (nothing would refund her): her answer is a new message
    assert refused.value.code is InputError.CONFLICTING_VALUE
    assert "already carried out as replace_or_refund (ask)" in refused.value.message
    assert "refund" not in [kind for kind, _ in shop.steps(decision_id)]
