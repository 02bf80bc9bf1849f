"""The shop the execution tests carry remedies out in: order #2101 and Maja's ticket about
it, a local helpdesk (Zendesk or Gorgias) and Shopify (tests/shop_server.py), the worker
and carriers over them, a clock the tests move, and a worker killed after a provider's
answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from evenhand.actions import execute
from evenhand.actions.execute import execute_due_steps, execution_steps_of
from evenhand.actions.guide import load_guide
from evenhand.actions.inbox import Worker, process_inbox
from evenhand.actions.reviews import review_decision
from evenhand.actions.service import receive_delivery
from evenhand.actions.step_calls import Carriers
from evenhand.actions.users import create_user
from evenhand.actions.writeback import Helpdesks
from evenhand.domain.roles import Role
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import decisions
from evenhand.store.users import User, find_user
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW, Clock
from tests.live import GORGIAS_KEY, ZENDESK_TOKEN, FakeHelpdesk, basic_auth, helpdesk_server
from tests.senders import fixture
from tests.shop_server import FakeShopify, shopify_server

SHOPIFY_TOKEN = "shpat_never_logged"
ORDER_GID = "gid://shopify/Order/5820000000101"
REFUND_REFUSED = "Amount cannot be greater than the refundable amount"
CUSTOMER_GID = "gid://shopify/Customer/7300000000101"


@dataclass
class Shop:
    worker: Worker
    carriers: Carriers
    shopify: FakeShopify
    helpdesk: FakeHelpdesk
    clock: Clock = field(default_factory=Clock)
    slept: list[float] = field(default_factory=list)

    @property
    def engine(self) -> Any:
        return self.worker.engine

    def deliver(self, source: str, topic: str, body: dict[str, Any], key: str) -> None:
        receive_delivery(
            self.engine, source=source, event_key=key, topic=topic, body=json.dumps(body), now=NOW
        )
        process_inbox(self.worker, now=self.clock)

    def decided(self, *, fulfilled: bool = True, asks: str | None = None) -> int:
        """Order #2101 from Shopify, then Maja's Zendesk ticket about it, decided; `asks`
        in place of her question ("Vad gör vi nu?")."""
        order = json.loads(fixture("shopify_orders_create.json"))
        if not fulfilled:
            order["fulfillment_status"] = None
            order["fulfillments"] = []
        self.deliver("shopify", "orders/create", order, "order-2101")
        trigger = json.loads(fixture("zendesk_trigger.json"))
        if asks is not None:
            ticket = trigger["ticket"]
            ticket["description"] = ticket["description"].replace("Vad gör vi nu?", asks)
        self.deliver("zendesk", "ticket.trigger", trigger, "t")
        with self.engine.connect() as connection:
            return int(connection.execute(select(decisions.c.id)).scalar_one())

    def user(self, role: Role) -> User:
        """The shop's user of `role`, created the first time."""
        email = f"{role.value}@nordhem.example"
        with self.engine.connect() as connection:
            known = find_user(connection, email)
        if known is not None:
            return known
        create_user(self.engine, email=email, role=role, password="x" * 16, now=NOW)
        with self.engine.connect() as connection:
            found = find_user(connection, email)
        assert found is not None
        return found

    def approve(
        self,
        decision_id: int,
        *,
        role: Role = Role.MANAGER,
        remedy: str | None = None,
        choice: str | None = "refund",
        done_by_hand: bool = False,
    ) -> None:
        """An approval (or override to `remedy`) as the ticket page sends it; a broken mug
        (replace_or_refund) is refunded unless `choice` says otherwise (None: the default);
        `done_by_hand`: the agent's tick that they did the shop's step in Shopify."""
        review_decision(
            self.engine,
            decision_id=decision_id,
            user=self.user(role),
            remedy=remedy,
            reason="the customer's choice" if remedy else "",
            reply_text=None,
            now=self.clock(),
            settings=self.worker.settings,
            guide=self.worker.guide,
            choice=choice,
            done_by_hand=done_by_hand,
        )

    def refund_refused(self) -> int:
        """Maja's refund approved, and refused by Shopify in a 200 answer (userErrors)."""
        decision_id = self.decided()
        self.approve(decision_id)
        self.shopify.user_errors["refundCreate"] = [
            {"field": ["transactions", "0", "amount"], "message": REFUND_REFUSED}
        ]
        while self.run():
            pass
        return decision_id

    def run(self) -> int:
        return execute_due_steps(
            self.engine, carriers=self.carriers, settings=self.worker.settings, now=self.clock
        )

    def steps(self, decision_id: int) -> list[tuple[str, str]]:
        return [(s["kind"], s["state"]) for s in execution_steps_of(self.engine, decision_id)]


def _shop_order() -> dict[str, Any]:
    return {
        "id": ORDER_GID,
        "cancelledAt": None,
        "email": "maja.lind@example.se",
        "customer": {"id": CUSTOMER_GID},
        "transactions": [
            {"id": "gid://shopify/OrderTransaction/1", "kind": "AUTHORIZATION",
             "status": "SUCCESS", "gateway": "shopify_payments"},
            {"id": "gid://shopify/OrderTransaction/2", "kind": "CAPTURE",
             "status": "SUCCESS", "gateway": "shopify_payments"},
        ],
        "lineItems": {"nodes": [
            {"id": "gid://shopify/LineItem/14100000000101", "refundableQuantity": 2},
            {"id": "gid://shopify/LineItem/14100000000102", "refundableQuantity": 1},
        ]},
    }  # fmt: skip


def shop_harness(
    sqlite_url: str, reader: EmbeddedReader, *, gorgias: bool = False, **extra: Any
) -> Iterator[Shop]:
    """Maja's shop: a helpdesk (Zendesk, or Gorgias) and Shopify on loopback ports, the
    settings that reach them (and `extra`), a worker and the carriers of remedies."""
    login = "agent@nordhem.example"
    user = login if gorgias else f"{login}/token"
    helpdesk = FakeHelpdesk(
        expected_auth=basic_auth(user, GORGIAS_KEY if gorgias else ZENDESK_TOKEN)
    )
    shopify = FakeShopify(token=SHOPIFY_TOKEN, orders={ORDER_GID: _shop_order()})
    with helpdesk_server(helpdesk) as desk_url, shopify_server(shopify) as shop_url:
        desk: dict[str, Any] = (
            {"gorgias_url": desk_url, "gorgias_email": login, "gorgias_api_key": GORGIAS_KEY}
            if gorgias
            else {
                "zendesk_url": desk_url,
                "zendesk_email": login,
                "zendesk_api_token": ZENDESK_TOKEN,
            }
        )
        settings = Settings(
            db=sqlite_url,
            **desk,
            shopify_shop_domain="nordhem.myshopify.com",
            shopify_admin_url=shop_url,
            shopify_access_token=SHOPIFY_TOKEN,
            **extra,
        )
        engine = make_engine(sqlite_url)
        upgrade(engine)
        helpdesks = Helpdesks.from_settings(settings)
        carriers = Carriers.from_settings(settings, helpdesks)
        worker = Worker(engine, reader, load_guide(settings), settings, helpdesks, carriers)
        found = Shop(worker, carriers, shopify, helpdesk)
        assert carriers.shop is not None
        carriers.shop.api.sleep = found.slept.append
        yield found
        carriers.close()
        helpdesks.close()


def killed_after_the_call(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    """One worker pass that dies after the provider's answer, before it is recorded."""

    def killed(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr(execute, "record_step", killed)
        with pytest.raises(SystemExit):
            shop.run()
    assert shop.run() == 0  # the step is the dead worker's until its lease ends
    shop.clock.advance(execute.LEASE_SECONDS)
