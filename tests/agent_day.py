"""The agent's day, for the end-to-end browser tests: ten Zendesk tickets about ten Shopify
orders, each order known to a local Shopify (with its Shopify id, its capture and its
lines) and each ticket to a local Zendesk, taken in by the worker and decided, and the app
serving them. Factories with defaults build the orders and the tickets."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from evenhand.actions.execute import execute_due_steps
from evenhand.actions.guide import load_guide
from evenhand.actions.inbox import Worker, process_inbox
from evenhand.actions.service import receive_delivery
from evenhand.actions.step_calls import Carriers
from evenhand.actions.writeback import Helpdesks
from evenhand.settings import Settings
from evenhand.store.tables import decisions, tickets
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW
from tests.execution_shop import SHOPIFY_TOKEN
from tests.live import ZENDESK_TOKEN, FakeHelpdesk, basic_auth, helpdesk_server
from tests.senders import fixture
from tests.shop_server import FakeShopify, shopify_server
from tests.sites import Site, serve_site

ZENDESK_LOGIN = "agent@nordhem.example"


@dataclass(frozen=True)
class Ticket:
    """One of the day's tickets: its Zendesk id, its order and what the customer wrote."""

    number: int  # the order is #22NN, the Zendesk ticket 360NN, the customer's ids 73..NN
    subject: str
    text: str
    first_name: str = "Maja"
    fulfilled: bool = True

    @property
    def zendesk_id(self) -> str:
        return str(36000 + self.number)

    @property
    def order_name(self) -> str:
        return f"#{2200 + self.number}"

    @property
    def order_gid(self) -> str:
        return f"gid://shopify/Order/{5820000000200 + self.number}"

    @property
    def email(self) -> str:
        return f"{self.first_name.lower()}.{self.number}@example.se"


def a_ticket(number: int, kind: str, **overrides: Any) -> Ticket:
    """A ticket of one of the day's kinds: `damaged`, `where`, `cancel` (its order not yet
    shipped) or `lost` (delivered, the carrier says, but not received)."""
    order = f"#{2200 + number}"
    texts = {
        "damaged": (
            f"Trasig mugg i order {order}",
            f"Hej! En av muggarna i order {order} kom fram sönder, skärvor överallt i "
            "paketet. Vad gör vi nu?",
        ),
        "where": (
            f"Var är mitt paket? {order}",
            f"Hej! Jag beställde order {order} för en vecka sedan. Var är mitt paket? "
            "Kan ni skicka spårningen?",
        ),
        "cancel": (
            f"Avbeställ order {order}",
            f"Hej! Jag vill avbeställa order {order}, jag har ångrat mig. Den har väl inte "
            "skickats än?",
        ),
        "lost": (
            f"Paketet har inte kommit, {order}",
            f"Hej! Spårningen för order {order} säger att paketet är levererat, men jag har "
            "inte fått något. Det finns inget i brevlådan eller hos grannarna.",
        ),
    }
    subject, text = texts[kind]
    values: dict[str, Any] = {"subject": subject, "text": text, "fulfilled": kind != "cancel"}
    values.update(overrides)
    return Ticket(number, **values)


def an_order_webhook(ticket: Ticket) -> dict[str, Any]:
    """Shopify's orders/create body for the ticket's order (the fixture's, renumbered)."""
    order = copy.deepcopy(json.loads(fixture("shopify_orders_create.json")))
    number, gid = ticket.number, ticket.order_gid
    order.update(
        id=int(gid.rsplit("/", 1)[1]),
        admin_graphql_api_id=gid,
        name=ticket.order_name,
        order_number=2200 + number,
        email=ticket.email,
    )
    order["customer"].update(
        id=7300000000200 + number, email=ticket.email, first_name=ticket.first_name
    )
    for index, line in enumerate(order["line_items"]):
        line["id"] = 14100000020000 + number * 10 + index
    if not ticket.fulfilled:
        order["fulfillment_status"] = None
        order["fulfillments"] = []
        for line in order["line_items"]:
            line["fulfillment_status"] = None
    return dict(order)


def a_shop_order(ticket: Ticket) -> dict[str, Any]:
    """The order as the local Shopify answers it: its capture and refundable lines."""
    transaction = "gid://shopify/OrderTransaction/"
    return {
        "id": ticket.order_gid,
        "cancelledAt": None,
        "email": ticket.email,
        "customer": {"id": f"gid://shopify/Customer/{7300000000200 + ticket.number}"},
        "transactions": [
            {"id": f"{transaction}{ticket.number}1", "kind": "AUTHORIZATION",
             "status": "SUCCESS", "gateway": "shopify_payments"},
            {"id": f"{transaction}{ticket.number}2", "kind": "CAPTURE",
             "status": "SUCCESS", "gateway": "shopify_payments"},
        ],
        "lineItems": {"nodes": [
            {"id": f"gid://shopify/LineItem/{14100000020000 + ticket.number * 10}",
             "refundableQuantity": 2},
            {"id": f"gid://shopify/LineItem/{14100000020001 + ticket.number * 10}",
             "refundableQuantity": 1},
        ]},
    }  # fmt: skip


def as_jsonl(day: list[Ticket]) -> str:
    """The tickets as a JSON Lines file for `evenhand triage` (one object a line)."""
    return "".join(
        json.dumps(
            {
                "id": f"zd-{ticket.zendesk_id}",
                "created_at": f"2026-11-21T{8 + ticket.number:02d}:30:00Z",
                "channel": "email",
                "customer_email": ticket.email,
                "first_name": ticket.first_name,
                "subject": ticket.subject,
                "body": ticket.text,
                "order_name": ticket.order_name,
            },
            ensure_ascii=False,
        )
        + "\n"
        for ticket in day
    )


def a_zendesk_trigger(ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket": {
            "id": int(ticket.zendesk_id),
            "created_at": f"2026-11-21T{8 + ticket.number:02d}:30:00Z",
            "updated_at": f"2026-11-21T{8 + ticket.number:02d}:30:00Z",
            "subject": ticket.subject,
            "description": ticket.text,
            "via": {"channel": "email"},
            "status": "new",
            "requester": {
                "id": 9020000 + ticket.number,
                "email": ticket.email,
                "name": f"{ticket.first_name} Lind",
            },
        }
    }


@dataclass
class Day:
    """The app (on `site`), the local Shopify and Zendesk it carries remedies out in, the
    settings that reach them, and an in-process worker over the same database."""

    site: Site
    shopify: FakeShopify
    helpdesk: FakeHelpdesk
    settings: Settings
    reach: dict[str, Any]  # the settings that reach Shopify and Zendesk
    worker: Worker
    carriers: Carriers

    def take_in(self, day: list[Ticket]) -> dict[str, int]:
        """Each ticket's order, then the ticket, delivered and decided by the worker; the
        decision of each Zendesk ticket, by its id."""
        for ticket in day:
            self.shopify.orders[ticket.order_gid] = a_shop_order(ticket)
            self._deliver("shopify", "orders/create", an_order_webhook(ticket), ticket.order_name)
            self._deliver("zendesk", "ticket.trigger", a_zendesk_trigger(ticket), ticket.zendesk_id)
        while process_inbox(self.worker, now=self.site.clock).taken:
            pass
        with self.site.engine.connect() as connection:
            rows = connection.execute(
                select(tickets.c.ticket_key, decisions.c.id).join(
                    decisions, decisions.c.ticket_id == tickets.c.id
                )
            ).all()
        return {str(key): int(decision) for key, decision in rows}

    def _deliver(self, source: str, topic: str, body: dict[str, Any], key: str) -> None:
        receive_delivery(
            self.site.engine,
            source=source,
            event_key=f"{source}-{key}",
            topic=topic,
            body=json.dumps(body, ensure_ascii=False),
            now=NOW,
        )

    def carry_out(self) -> int:
        """The worker's passes until nothing is due; how many steps were tried."""
        tried = 0
        while sent := execute_due_steps(
            self.site.engine, carriers=self.carriers, settings=self.settings, now=self.site.clock
        ):
            tried += sent
        return tried


def the_day(
    sqlite_url: str, reader: EmbeddedReader, shopify: FakeShopify | None = None
) -> Iterator[Day]:
    """The app over a local Zendesk and Shopify (`shopify`, or a new one), with settings
    that reach both, and a worker in this process."""
    helpdesk = FakeHelpdesk(expected_auth=basic_auth(f"{ZENDESK_LOGIN}/token", ZENDESK_TOKEN))
    shopify = shopify or FakeShopify(token=SHOPIFY_TOKEN)
    with ExitStack() as stack:
        desk_url = stack.enter_context(helpdesk_server(helpdesk))
        shop_url = stack.enter_context(shopify_server(shopify))
        reach: dict[str, Any] = {
            "zendesk_url": desk_url,
            "zendesk_email": ZENDESK_LOGIN,
            "zendesk_api_token": ZENDESK_TOKEN,
            "shopify_shop_domain": "nordhem.myshopify.com",
            "shopify_admin_url": shop_url,
            "shopify_access_token": SHOPIFY_TOKEN,
        }
        for site in serve_site(sqlite_url, reader, **reach):
            settings = Settings(db=sqlite_url, **reach)
            helpdesks = Helpdesks.from_settings(settings)
            carriers = Carriers.from_settings(settings, helpdesks)
            guide = load_guide(settings)
            worker = Worker(site.engine, reader, guide, settings, helpdesks, carriers)
            yield Day(site, shopify, helpdesk, settings, reach, worker, carriers)
            carriers.close()
            helpdesks.close()
