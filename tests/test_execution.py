"""Approve = carried out, against local servers speaking Shopify's Admin GraphQL API and
Zendesk's ticket API: each remedy's steps done exactly once, through crashes, refusals
(userErrors), 429 Retry-After, the cost throttle and 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select

from evenhand.actions.execute import (
    AUTO_APPROVER,
    auto_approve,
    execution_steps_of,
)
from evenhand.actions.inbox import drain
from evenhand.actions.reviews import approve_many
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError
from evenhand.store.tables import audit_events, decisions, reviews
from evenhand.understand.reader import EmbeddedReader
from tests.execution_shop import (
    CUSTOMER_GID,
    ORDER_GID,
    SHOPIFY_TOKEN,
    Shop,
    killed_after_the_call,
    shop_harness,
)
from tests.senders import fixture
from tests.shop_server import FakeRecharge, recharge_server
from tests.sites import AGENT, LEAD, csrf_of, serve_site


@pytest.fixture
def shop(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(sqlite_url, reader)


def test_an_approved_refund_is_made_once_then_the_reply_goes_out_and_the_ticket_is_solved(
    shop: Shop,
) -> None:
    # given Maja's broken mug, decided replace_or_refund on a fulfilled order
    decision_id = shop.decided()
    # when a manager approves it with a refund (her answer) and the worker runs twice
    shop.approve(decision_id, choice="refund")
    assert shop.steps(decision_id) == [
        ("refund", "pending"), ("send_reply", "pending"), ("set_status", "pending")
    ]  # fmt: skip
    while shop.run():
        pass
    assert shop.run() == 0
    # then one refund of the order's total against its capture, with the shop's choices
    [refund] = shop.shopify.refunds.values()
    assert refund["orderId"] == ORDER_GID and refund["notify"] is True
    assert refund["transactions"] == [
        {"orderId": ORDER_GID, "parentId": "gid://shopify/OrderTransaction/2",
         "gateway": "shopify_payments", "kind": "REFUND", "amount": "1247.00"}
    ]  # fmt: skip
    assert "refundLineItems" not in refund  # no restock unless the settings say so
    # and one public reply, redrafted for the refund (the money on its way back, nothing to
    # send back), not the draft that asks her to choose; then the ticket solved
    ticket = shop.helpdesk.tickets["35436"]
    asking, sent = _drafted_and_approved(shop)
    assert ticket["comments"] == [{"body": sent, "public": True}]
    assert "på väg tillbaka" in sent and "inte skicka tillbaka" in sent and "Maja" in sent
    assert "Vill du att vi skickar en ny vara" in asking and sent != asking
    assert ticket["status"] == "solved"
    assert shop.steps(decision_id) == [
        ("refund", "done"), ("send_reply", "done"), ("set_status", "done")
    ]  # fmt: skip
    # and the audit trail holds the start and each step, with its key
    with shop.engine.connect() as connection:
        events = connection.execute(
            select(audit_events.c.action, audit_events.c.details).order_by(audit_events.c.id)
        ).all()
    carried = [(action, details.get("step")) for action, details in events if "execution" in action]
    assert carried == [
        ("execution started", None),
        ("execution step done", "refund"),
        ("execution step done", "send_reply"),
        ("execution step done", "set_status"),
    ]
    keys = [details["key"] for action, details in events if action == "execution step done"]
    assert keys[0] == f"evenhand-d{decision_id}-refund"
    # and the choice is recorded with the approval
    chosen = [details for action, details in events if action == "remedy choice"]
    assert [(each["choice"], each["by"]) for each in chosen] == [
        ("refund", "manager@nordhem.example")
    ]


def _drafted_and_approved(shop: Shop) -> tuple[str, str]:
    """The decision's draft, and the reply the approval stored."""
    with shop.engine.connect() as connection:
        draft = connection.execute(select(decisions.c.reply_text)).scalar_one()
        approved = connection.execute(select(reviews.c.reply_text)).scalar_one()
    return draft, approved


def test_asking_the_customer_sends_the_question_alone_and_leaves_the_ticket_pending(
    shop: Shop,
) -> None:
    # given Maja's broken mug, decided replace_or_refund
    decision_id = shop.decided()
    # when it is approved as it stands (the default: ask her) and the worker runs
    shop.approve(decision_id, choice=None)
    assert shop.steps(decision_id) == [("send_reply", "pending"), ("await_customer", "pending")]
    while shop.run():
        pass
    # then nothing is done at the shop: the reply asks which she wants, and the ticket waits
    # for her answer (pending) instead of being solved
    assert shop.shopify.calls == [] and shop.shopify.refunds == {} and shop.shopify.drafts == []
    ticket = shop.helpdesk.tickets["35436"]
    draft, _ = _drafted_and_approved(shop)
    assert ticket["comments"] == [{"body": draft, "public": True}]
    assert "Vill du att vi skickar en ny vara" in draft
    assert ticket["status"] == "pending"
    with shop.engine.connect() as connection:
        given = connection.execute(
            select(audit_events.c.details).where(audit_events.c.action == "execution started")
        ).scalar_one()
    assert given["choice"] == "ask" and given["money_minor"] == 0


def test_a_replacement_chosen_is_a_free_draft_order_and_the_reply_says_it_is_on_its_way(
    shop: Shop,
) -> None:
    # given Maja's broken mug, and her answer: a new one please
    decision_id = shop.decided()
    # when an agent approves it with a replacement and the worker runs
    shop.approve(decision_id, role=Role.AGENT, choice="replacement")
    while shop.run():
        pass
    # then one replacement order at no charge, no refund, and the ticket solved
    [draft] = shop.shopify.drafts
    assert draft["status"] == "COMPLETED" and draft["appliedDiscount"]["value"] == 100.0
    assert f"evenhand-d{decision_id}-replacement" in draft["tags"]
    assert shop.shopify.refunds == {}
    # and the reply says a new item is on its way at no cost, nothing to send back
    _, sent = _drafted_and_approved(shop)
    ticket = shop.helpdesk.tickets["35436"]
    assert ticket["comments"] == [{"body": sent, "public": True}]
    assert "En ny vara är på väg till dig utan kostnad" in sent
    assert "inte skicka tillbaka" in sent and "Vill du" not in sent
    assert ticket["status"] == "solved"


def test_a_crash_between_the_refund_and_its_record_does_not_refund_twice(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    decision_id = shop.decided()
    shop.approve(decision_id)
    # given the worker dies after Shopify refunded but before the outcome was stored
    killed_after_the_call(shop, monkeypatch)
    assert shop.steps(decision_id)[0] == ("refund", "pending")
    # when a new worker runs
    while shop.run():
        pass
    # then the refund was sent twice with one key, and Shopify made one refund
    assert shop.shopify.calls.count("refundCreate") == 2
    assert len(shop.shopify.refunds) == 1
    assert shop.steps(decision_id) == [
        ("refund", "done"), ("send_reply", "done"), ("set_status", "done")
    ]  # fmt: skip
    assert len(shop.helpdesk.tickets["35436"]["comments"]) == 1


def test_user_errors_fail_the_step_with_shopifys_reason_and_nothing_is_said_to_the_customer(
    shop: Shop,
) -> None:
    decision_id = shop.decided()
    shop.approve(decision_id)
    # given Shopify refuses the refund in a 200 answer
    reason = "Amount cannot be greater than the refundable amount"
    shop.shopify.user_errors["refundCreate"] = [
        {"field": ["transactions", "0", "amount"], "message": reason}
    ]
    # when the worker runs
    while shop.run():
        pass
    # then the refund failed, with the reason, and the reply waits (it would say "refunded")
    [refund, reply, status] = execution_steps_of(shop.engine, decision_id)
    assert refund["state"] == "failed" and reason in refund["last_error"]
    assert "transactions.0.amount" in refund["last_error"]
    assert reply["state"] == "pending" and status["state"] == "pending"
    assert "35436" not in shop.helpdesk.tickets


def test_a_failed_step_is_said_at_the_top_of_the_ticket_page(
    shop: Shop, sqlite_url: str, reader: EmbeddedReader
) -> None:
    # given an approved refund that Shopify refuses
    decision_id = shop.decided()
    shop.approve(decision_id)
    reason = "Amount cannot be greater than the refundable amount"
    shop.shopify.user_errors["refundCreate"] = [{"field": ["amount"], "message": reason}]
    while shop.run():
        pass
    for site in serve_site(sqlite_url, reader):
        # when an agent opens the ticket
        page = LexborHTMLParser(site.sign_in(AGENT).get(f"/tickets/{decision_id}").text)
        # then the top of the page says what was not carried out, and why
        alert = page.css_first("#steps-failed")
        assert alert is not None and alert.attributes.get("role") == "alert"
        assert "Refund in Shopify failed" in alert.text() and reason in alert.text()
        assert "The steps after it wait" in alert.text() and "try it again" in alert.text()
        # and the queue's row says it was approved, and that a step failed
        queue = LexborHTMLParser(site.sign_in(AGENT).get("/queue").text)
        (row,) = [
            tr
            for tr in queue.css("tbody tr")
            if tr.css_first(f'a[href="/tickets/{decision_id}"]') is not None
        ]
        marks = [mark.text() for mark in row.css(".mark")]
        assert "approved" in marks and "step failed" in marks


def test_429_waits_for_retry_after_and_a_5xx_backs_off_then_the_refund_is_made_once(
    shop: Shop,
) -> None:
    decision_id = shop.decided()
    shop.approve(decision_id)
    # given Shopify answers 429 with Retry-After: 7
    shop.shopify.fail_next(429, {"Retry-After": "7"})
    assert shop.run() == 1
    [refund, *_] = execution_steps_of(shop.engine, decision_id)
    assert refund["state"] == "pending" and "HTTP 429" in refund["last_error"]
    # then nothing is tried before the 7 seconds are up
    shop.clock.advance(6)
    assert shop.run() == 0
    assert SHOPIFY_TOKEN not in refund["last_error"]
    # and after them a 502 backs off (2 s after the second try)
    shop.shopify.fail_next(502)
    shop.clock.advance(1)
    assert shop.run() == 1
    shop.clock.advance(1)
    assert shop.run() == 0
    shop.clock.advance(1)
    while shop.run():
        pass
    assert len(shop.shopify.refunds) == 1
    assert shop.steps(decision_id)[0] == ("refund", "done")


def test_a_throttled_answer_waits_for_the_bucket_and_the_next_call_waits_first(
    shop: Shop,
) -> None:
    decision_id = shop.decided()
    shop.approve(decision_id)
    # given the order query is THROTTLED in a 200, the bucket empty
    shop.shopify.throttle_next()
    assert shop.run() == 1
    assert shop.steps(decision_id)[0] == ("refund", "pending")
    assert shop.run() == 0  # it waits at least a second
    # when the wait is over
    shop.clock.advance(1)
    while shop.run():
        pass
    # then the client slept until the bucket held the query's cost (10 at 100/s), once
    assert shop.slept == [pytest.approx(0.1)]
    assert len(shop.shopify.refunds) == 1


def test_an_unfulfilled_order_is_cancelled_once_even_when_the_record_is_lost(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a broken mug on an order not sent is a person's: the manager refunds it anyway)
    decision_id = shop.decided(fulfilled=False)
    shop.approve(decision_id, remedy="replace_or_refund")
    assert shop.steps(decision_id)[0] == ("cancel_order", "pending")
    killed_after_the_call(shop, monkeypatch)
    while shop.run():
        pass
    # then Shopify was asked to cancel once: the retry saw the order cancelled
    [cancel] = shop.shopify.cancels
    assert cancel == {
        "orderId": ORDER_GID,
        "restock": False,
        "notify": True,
        "staffNote": f"Cancelled by Evenhand (evenhand-d{decision_id}-cancel-order)",
    }
    assert shop.shopify.refunds == {}
    assert shop.steps(decision_id)[0] == ("cancel_order", "done")


def test_a_free_reship_is_a_draft_order_at_100_percent_off_completed_once(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    decision_id = shop.decided()
    shop.approve(decision_id, remedy="reship_free")
    killed_after_the_call(shop, monkeypatch)
    while shop.run():
        pass
    [draft] = shop.shopify.drafts
    assert draft["status"] == "COMPLETED"
    assert draft["appliedDiscount"]["value"] == 100.0
    assert draft["appliedDiscount"]["valueType"] == "PERCENTAGE"
    lines = [
        (line["sku"], line["quantity"], line["originalUnitPrice"]) for line in draft["lineItems"]
    ]
    assert lines == [("MUG-SKOG", 2, "249.00"), ("LIN-DUK-140", 1, "700.00")]
    assert f"evenhand-d{decision_id}-replacement" in draft["tags"]
    assert shop.shopify.calls.count("draftOrderCreate") == 1
    assert shop.shopify.refunds == {}


def test_a_cancelled_subscription_cancels_the_customers_running_contracts(shop: Shop) -> None:
    decision_id = shop.decided()
    shop.shopify.contracts[CUSTOMER_GID] = [
        {"id": "gid://shopify/SubscriptionContract/1", "status": "ACTIVE"},
        {"id": "gid://shopify/SubscriptionContract/2", "status": "CANCELLED"},
    ]
    shop.approve(decision_id, remedy="cancel_subscription")
    while shop.run():
        pass
    assert shop.shopify.calls.count("subscriptionContractCancel") == 1
    assert shop.shopify.contracts[CUSTOMER_GID][0]["status"] == "CANCELLED"
    assert shop.steps(decision_id)[0] == ("cancel_subscription", "done")


def test_a_second_approval_carries_nothing_out_again(shop: Shop) -> None:
    decision_id = shop.decided()
    shop.approve(decision_id)
    while shop.run():
        pass
    approve_many(
        shop.engine,
        decision_ids=[decision_id],
        user=shop.user(Role.AGENT),
        now=shop.clock(),
        settings=shop.worker.settings,
    )
    assert shop.run() == 0
    assert len(shop.shopify.refunds) == 1
    assert len(execution_steps_of(shop.engine, decision_id)) == 3


@pytest.fixture
def limited(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(sqlite_url, reader, agent_refund_limit=Decimal("500"))


def test_an_agent_refunds_up_to_the_limit_above_it_a_manager_approves(limited: Shop) -> None:
    decision_id = limited.decided()
    # when an agent approves a refund of 1,247 SEK with a limit of 500
    with pytest.raises(EvenhandError) as refused:
        limited.approve(decision_id, role=Role.AGENT)
    # then it is refused, saying why, and nothing is stored
    assert refused.value.code is AccessError.NOT_ALLOWED
    assert "1247.00 SEK" in refused.value.message and "manager" in refused.value.message
    assert execution_steps_of(limited.engine, decision_id) == []
    # but an agent may send a carrier investigation (no money), and a manager the refund
    limited.approve(decision_id, role=Role.MANAGER)
    assert limited.steps(decision_id)[0] == ("refund", "pending")


@pytest.fixture
def auto(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(
        sqlite_url,
        reader,
        auto_approve_remedies="replace_or_refund, send_tracking_status",
        auto_approve_daily_cap=Decimal("1000"),
    )


def test_auto_approve_asks_and_gives_nothing_while_the_customer_has_not_chosen(
    auto: Shop,
) -> None:
    # given Maja's broken mug, her question open ("what now?"), its remedy auto-approved
    decision_id = auto.decided()
    # when auto-approve runs, with a cap (1,000) below the order's refund (1,247 SEK)
    assert auto_approve(auto.engine, settings=auto.worker.settings, now=auto.clock()) == 1
    # then she is asked which she wants: the reply and the wait, nothing given away
    assert auto.steps(decision_id) == [("send_reply", "pending"), ("await_customer", "pending")]


def test_auto_approve_stays_within_the_days_cap(auto: Shop) -> None:
    decision_id = auto.decided(asks="Jag vill ha pengarna tillbaka.")
    # given a rule marked auto-approve, the customer asking for her money back, but its
    # refund (1,247 SEK) is above the cap (1,000)
    assert auto_approve(auto.engine, settings=auto.worker.settings, now=auto.clock()) == 0
    assert execution_steps_of(auto.engine, decision_id) == []
    # when the manager raises the cap
    settings = auto.worker.settings.model_copy(update={"auto_approve_daily_cap": Decimal("2000")})
    assert auto_approve(auto.engine, settings=settings, now=auto.clock()) == 1
    # then it is carried out without a person, once
    [first, *_] = execution_steps_of(auto.engine, decision_id)
    assert first["approved_by"] == AUTO_APPROVER and first["kind"] == "refund"
    assert auto_approve(auto.engine, settings=settings, now=auto.clock()) == 0


def test_the_ticket_page_shows_the_steps_and_an_agents_limit(
    shop: Shop, sqlite_url: str, reader: EmbeddedReader
) -> None:
    decision_id = shop.decided()
    for site in serve_site(sqlite_url, reader, agent_refund_limit="500"):
        # given an agent approves a refund above the agent's limit
        agent = site.sign_in(AGENT)
        path = f"/tickets/{decision_id}"
        refund = {"choice": "refund"}
        answer = agent.post(f"{path}/review", data={"csrf": csrf_of(agent, path), **refund})
        # then the page says why, and nothing is owed
        assert answer.status_code == 422
        assert "above the agent limit of 500" in answer.text
        assert execution_steps_of(shop.engine, decision_id) == []
        # when a manager approves and the worker carries it out
        lead = site.sign_in(LEAD)
        answer = lead.post(f"{path}/review", data={"csrf": csrf_of(lead, path), **refund})
        assert answer.status_code == 303
        while shop.run():
            pass
        # then the ticket page lists each step, done, with the refund's amount
        page = LexborHTMLParser(lead.get(path).text)
        section = page.css_first("section[aria-labelledby=h-steps]")
        assert section is not None
        rows = [
            [cell.text(strip=True) for cell in row.css("td")] for row in section.css("tbody tr")
        ]
        assert [row[0] for row in rows] == [
            "Refund in Shopify",
            "Send the reply on the ticket",
            "Set the ticket's status",
        ]
        assert all(row[1].startswith("done") for row in rows)
        assert "1" in rows[0][2] and "247" in rows[0][2]
        assert f"Approved by {LEAD}" in section.text()
        # and the history names the choice
        history = page.css_first("section[aria-labelledby=h-reviews]")
        assert history is not None
        assert f"{LEAD}: approve (refund)" in history.text()


@pytest.fixture
def on_gorgias(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(sqlite_url, reader, gorgias=True)


def test_on_gorgias_the_reply_is_an_outgoing_message_on_the_tickets_channel(
    on_gorgias: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Maja's Gorgias ticket about order #2101, decided
    created = json.loads(fixture("gorgias_ticket_created.json"))
    on_gorgias.helpdesk.tickets["88201"] = dict(created["ticket"])
    order = json.loads(fixture("shopify_orders_create.json"))
    on_gorgias.deliver("shopify", "orders/create", order, "order-2101")
    on_gorgias.deliver("gorgias", "ticket-created", created, "g")
    with on_gorgias.engine.connect() as connection:
        decision_id, draft = connection.execute(
            select(decisions.c.id, decisions.c.reply_text)
        ).one()
    # when it is approved and carried out, with a lost answer to the reply on the way
    on_gorgias.approve(decision_id)
    steps = [kind for kind, _ in on_gorgias.steps(decision_id)]
    assert steps == ["refund", "send_reply", "set_status"]
    assert on_gorgias.run() == 1  # the refund
    killed_after_the_call(on_gorgias, monkeypatch)  # the reply went, its record did not
    while on_gorgias.run():
        pass
    # then one outgoing e-mail from the agent to Maja, and the ticket closed
    ticket = on_gorgias.helpdesk.tickets["88201"]
    sent = [m for m in ticket["messages"] if m.get("from_agent")]
    assert len(sent) == 1
    [message] = sent
    assert message["channel"] == "email" and message["public"] is True
    assert message["body_text"] != draft  # the refund's reply, not the question
    assert message["body_text"] == _drafted_and_approved(on_gorgias)[1]
    assert message["source"]["to"] == [{"address": "maja.lind@example.se"}]
    assert ticket["status"] == "closed"
    assert all(state == "done" for _, state in on_gorgias.steps(decision_id))


def test_the_worker_carries_out_what_was_approved(shop: Shop) -> None:
    # given an approved decision
    decision_id = shop.decided()
    shop.approve(decision_id)
    # when the worker drains (`evenhand worker --once`)
    drain(shop.worker, now=shop.clock)
    # then the remedy is carried out, beside the write-back's tags and internal note
    assert len(shop.shopify.refunds) == 1
    comments = shop.helpdesk.tickets["35436"]["comments"]
    assert [comment["public"] for comment in comments].count(True) == 1
    assert all(state == "done" for _, state in shop.steps(decision_id))


def test_with_recharge_the_customers_active_subscriptions_are_cancelled_there_once(
    sqlite_url: str, reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    recharge = FakeRecharge(
        token="recharge-token-never-logged",
        customers=[{"id": 41, "email": "maja.lind@example.se"}],
        subscriptions=[
            {"id": 501, "customer_id": 41, "status": "active"},
            {"id": 502, "customer_id": 41, "status": "cancelled"},
        ],
    )
    with recharge_server(recharge) as url:
        for shop in shop_harness(
            sqlite_url, reader, recharge_url=url, recharge_api_token="recharge-token-never-logged"
        ):
            # given a cancellation approved for Maja, whose subscription Recharge runs
            decision_id = shop.decided()
            shop.approve(decision_id, remedy="cancel_subscription")
            # when the worker dies once after Recharge's answer, then runs again
            killed_after_the_call(shop, monkeypatch)
            while shop.run():
                pass
            # then her one active subscription was cancelled once, with a reason
            assert [sub_id for sub_id, _ in recharge.cancelled] == [501]
            [(_, body)] = recharge.cancelled
            assert body["send_email"] is True and "Evenhand" in body["cancellation_reason"]
            assert shop.shopify.calls.count("subscriptionContractCancel") == 0
            assert shop.steps(decision_id)[0] == ("cancel_subscription", "done")
