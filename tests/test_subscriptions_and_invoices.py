"""Pausing a subscription and invoicing a paid reship, carried out against the local
Shopify (`subscriptionContractPause`; `draftOrderCreate` + `draftOrderInvoiceSend`) and
Recharge (`set_next_charge_date`) servers of tests/shop_server.py, each exactly once through
a worker killed after the provider's answer; an agent who overrides to a pause gets the
guide's reply for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from evenhand.actions.execute import execution_steps_of
from evenhand.actions.guide import load_guide
from evenhand.actions.reviews import review_decision
from evenhand.domain.roles import Role
from evenhand.store.tables import executions
from evenhand.understand.reader import EmbeddedReader
from tests.execution_shop import CUSTOMER_GID, Shop, killed_after_the_call, shop_harness
from tests.shop_server import FakeRecharge, recharge_server

RECHARGE_TOKEN = "recharge-token-never-logged"
CONTRACTS = [
    {"id": "gid://shopify/SubscriptionContract/1", "status": "ACTIVE"},
    {"id": "gid://shopify/SubscriptionContract/2", "status": "PAUSED"},
    {"id": "gid://shopify/SubscriptionContract/3", "status": "CANCELLED"},
]


@pytest.fixture
def shop(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(sqlite_url, reader)


def test_a_pause_pauses_the_customers_active_contracts_once(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Maja's contracts (one active, one paused, one cancelled) and a pause approved
    decision_id = shop.decided()
    shop.shopify.contracts[CUSTOMER_GID] = [dict(each) for each in CONTRACTS]
    shop.approve(decision_id, remedy="pause_subscription")
    assert shop.steps(decision_id)[0][0] == "pause_subscription"
    # when the worker dies after Shopify's answer, then runs again
    killed_after_the_call(shop, monkeypatch)
    while shop.run():
        pass
    # then the active contract was paused once; nothing was cancelled or refunded
    statuses = [contract["status"] for contract in shop.shopify.contracts[CUSTOMER_GID]]
    assert statuses == ["PAUSED", "PAUSED", "CANCELLED"]
    assert shop.shopify.calls.count("subscriptionContractPause") == 1
    assert shop.shopify.calls.count("subscriptionContractCancel") == 0
    assert shop.shopify.refunds == {}
    assert all(state == "done" for _, state in shop.steps(decision_id))


def test_a_refused_pause_fails_with_shopifys_reason(shop: Shop) -> None:
    decision_id = shop.decided()
    shop.shopify.contracts[CUSTOMER_GID] = [dict(CONTRACTS[0])]
    shop.shopify.user_errors["subscriptionContractPause"] = [
        {"field": ["subscriptionContractId"], "message": "Contract has a pending billing attempt"}
    ]
    shop.approve(decision_id, remedy="pause_subscription")
    while shop.run():
        pass
    [pause, reply, _] = execution_steps_of(shop.engine, decision_id)
    assert pause["state"] == "failed" and "pending billing attempt" in pause["last_error"]
    assert reply["state"] == "pending"  # the reply ("we will pause") waits for the pause


def test_with_recharge_a_pause_moves_the_next_charge_once(
    sqlite_url: str, reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    recharge = FakeRecharge(
        token=RECHARGE_TOKEN,
        customers=[{"id": 41, "email": "maja.lind@example.se"}],
        subscriptions=[
            {"id": 501, "customer_id": 41, "status": "active",
             "next_charge_scheduled_at": "2026-12-01T00:00:00"},
            {"id": 502, "customer_id": 41, "status": "active",
             "next_charge_scheduled_at": "2027-06-01T00:00:00"},
            {"id": 503, "customer_id": 41, "status": "cancelled"},
        ],
    )  # fmt: skip
    with recharge_server(recharge) as url:
        for shop in shop_harness(
            sqlite_url,
            reader,
            recharge_url=url,
            recharge_api_token=RECHARGE_TOKEN,
            subscription_pause_days=45,
        ):
            # given a pause approved for Maja, whose subscriptions Recharge runs
            decision_id = shop.decided()
            shop.approve(decision_id, remedy="pause_subscription")
            with shop.engine.connect() as connection:
                approved = connection.execute(select(executions.c.created_at)).scalar_one()
            # when the worker dies after Recharge's answer, and runs again a day later
            killed_after_the_call(shop, monkeypatch)
            shop.clock.advance(86_400)
            while shop.run():
                pass
            # then the subscription due sooner moved to 45 days after the approval, once;
            # the one due later anyway, and the cancelled one, were left alone
            until = (approved + timedelta(days=45)).date().isoformat()
            assert recharge.moved == [(501, until)]
            assert recharge.subscriptions[0]["status"] == "active"
            assert recharge.cancelled == []
            assert shop.shopify.calls.count("subscriptionContractPause") == 0
            assert shop.steps(decision_id)[0] == ("pause_subscription", "done")


@pytest.fixture
def invoicing(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(
        sqlite_url,
        reader,
        paid_reship_invoice=True,
        paid_reship_shipping_price=Decimal("79"),
    )


def test_a_paid_reship_is_an_invoice_for_the_shipping_sent_once(invoicing: Shop) -> None:
    # given a paid reship approved, the shop sending invoices for its shipping
    decision_id = invoicing.decided()
    invoicing.approve(decision_id, remedy="offer_paid_reship")
    kinds = [kind for kind, _ in invoicing.steps(decision_id)]
    assert kinds == ["shipping_invoice", "send_reply", "set_status"]
    # when the worker runs until nothing is left
    while invoicing.run():
        pass
    # then one draft order: the lines again at 100 % off each, the shipping at 79, the
    # customer's e-mail, tagged with the step's key; its invoice sent once
    [draft] = invoicing.shopify.drafts
    assert draft["email"] == "maja.lind@example.se"
    assert draft["shippingLine"] == {"title": "Shipping", "price": "79"}
    assert "appliedDiscount" not in draft  # not on the whole draft: the shipping is paid
    assert {item["appliedDiscount"]["value"] for item in draft["lineItems"]} == {100.0}
    assert f"evenhand-d{decision_id}-shipping-invoice" in draft["tags"]
    assert invoicing.shopify.invoices == [draft["id"]]
    assert draft["status"] == "INVOICE_SENT"
    assert invoicing.shopify.refunds == {}
    assert all(state == "done" for _, state in invoicing.steps(decision_id))


def test_an_invoice_lost_on_the_way_back_is_not_sent_twice(
    invoicing: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    decision_id = invoicing.decided()
    invoicing.approve(decision_id, remedy="offer_paid_reship")
    # when the worker dies after Shopify's answer to the invoice, before its record
    killed_after_the_call(invoicing, monkeypatch)
    while invoicing.run():
        pass
    # then the retry found the draft by its tag, saw the invoice sent, and sent no other
    assert invoicing.shopify.calls.count("draftOrderCreate") == 1
    assert invoicing.shopify.calls.count("draftOrderInvoiceSend") == 1
    assert len(invoicing.shopify.invoices) == 1
    assert invoicing.steps(decision_id)[0] == ("shipping_invoice", "done")


def test_without_the_setting_a_paid_reship_is_the_reply_alone(shop: Shop) -> None:
    decision_id = shop.decided()
    shop.approve(decision_id, remedy="offer_paid_reship")
    assert [kind for kind, _ in shop.steps(decision_id)] == ["send_reply", "set_status"]


def test_an_override_to_a_pause_carries_the_guides_reply_for_it(shop: Shop) -> None:
    # given Maja's ticket, decided, and an agent overriding it to a pause with the draft
    # left as it was
    decision_id = shop.decided()
    shop.shopify.contracts[CUSTOMER_GID] = [dict(CONTRACTS[0])]
    review_decision(
        shop.engine,
        decision_id=decision_id,
        user=shop.user(Role.MANAGER),
        remedy="pause_subscription",
        reason="she asked for a break, not an end",
        reply_text=None,
        now=shop.clock(),
        settings=shop.worker.settings,
        guide=load_guide(shop.worker.settings),
    )
    while shop.run():
        pass
    # then the reply that went out is the guide's for a pause, in Swedish
    [comment] = [c for c in shop.helpdesk.tickets["35436"]["comments"] if c["public"]]
    assert "Vi pausar din prenumeration" in comment["body"]
