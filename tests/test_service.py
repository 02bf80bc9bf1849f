"""`evenhand serve`: the real app on a loopback port, real signed payloads and forged ones,
the durable inbox, the worker's effects, and the API behind tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine, func, select

from evenhand.actions.guide import load_guide
from evenhand.actions.inbox import Worker, drain
from evenhand.actions.service import create_token, receive_delivery, revoke_token
from evenhand.actions.writeback import Helpdesks
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import customers, decisions, inbox, orders, tickets
from evenhand.understand.reader import EmbeddedReader
from evenhand.web.app import create_app
from tests.conftest import FIXTURES, NOW
from tests.live import serving
from tests.senders import (
    fixture,
    gorgias_headers,
    post,
    shopify_headers,
    stripe_headers,
    zendesk_headers,
)

SECRETS = {
    "shopify_webhook_secret": "shpss_current",
    "shopify_webhook_secret_previous": "shpss_before_rotation",
    "shopify_shop_domain": "nordhem.myshopify.com",
    "stripe_webhook_secret": "whsec_current",
    "zendesk_webhook_secret": "zendesk-signing-secret",
    "gorgias_webhook_secret": "gorgias-shared-secret",
}


@dataclass
class Live:
    base: str
    engine: Engine
    settings: Settings
    reader: EmbeddedReader

    def work(self, helpdesks: Helpdesks | None = None) -> None:
        """Run the worker until the inbox is empty."""
        worker = Worker(
            engine=self.engine,
            reader=self.reader,
            guide=load_guide(self.settings),
            settings=self.settings,
            helpdesks=helpdesks or Helpdesks(),
        )
        drain(worker, now=lambda: NOW)

    def count(self, table: object, *where: object) -> int:
        with self.engine.connect() as connection:
            query = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
            return int(connection.execute(query).scalar_one())

    def shopify(self, name: str, topic: str, *, event_id: str) -> httpx.Response:
        body = fixture(name)
        headers = shopify_headers(
            body, SECRETS["shopify_webhook_secret"], topic=topic, event_id=event_id
        )
        return post(self.base, "/webhooks/shopify", body, headers)


def live_service(db_url: str, reader: EmbeddedReader, **extra: object) -> Iterator[Live]:
    settings = Settings(db=db_url, **SECRETS | extra)  # type: ignore[arg-type]
    engine = make_engine(db_url)
    upgrade(engine)
    with serving(create_app(settings, reader=reader, warm_reader=False)) as base:
        yield Live(base, engine, settings, reader)
    engine.dispose()


@pytest.fixture
def live(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Live]:
    yield from live_service(sqlite_url, reader)


@pytest.fixture
def live_on_each_backend(db_url: str, reader: EmbeddedReader) -> Iterator[Live]:
    yield from live_service(db_url, reader)


# --- webhooks: verification -------------------------------------------------------------


def test_a_signed_shopify_order_is_stored_once_however_often_it_is_delivered(live: Live) -> None:
    # given a signed orders/create delivery, when Shopify sends it three times
    answers = [
        live.shopify("shopify_orders_create.json", "orders/create", event_id="e-1")
        for _ in range(3)
    ]
    # then each is answered 202, the retries are marked duplicate, one delivery is stored
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert [a.json()["duplicate"] for a in answers] == [False, True, True]
    assert live.count(inbox) == 1
    with live.engine.connect() as connection:
        assert connection.execute(select(inbox.c.deliveries)).scalar_one() == 3


def test_a_delivery_signed_with_the_secret_before_rotation_is_accepted(live: Live) -> None:
    body = fixture("shopify_orders_create.json")
    old = shopify_headers(
        body, SECRETS["shopify_webhook_secret_previous"], topic="orders/create", event_id="e-2"
    )
    assert post(live.base, "/webhooks/shopify", body, old).status_code == 202


def _forged(name: str) -> tuple[str, bytes, dict[str, str]]:
    order = fixture("shopify_orders_create.json")
    event = fixture("stripe_charge_dispute_created.json")
    ticket = fixture("zendesk_trigger.json")
    gorgias = fixture("gorgias_ticket_created.json")
    return {
        "shopify wrong secret": (
            "/webhooks/shopify",
            order,
            shopify_headers(order, "not-the-secret", topic="orders/create", event_id="f"),
        ),
        "shopify body changed after signing": (
            "/webhooks/shopify",
            order.replace(b'"1247.00"', b'"1.00"'),
            shopify_headers(
                order, SECRETS["shopify_webhook_secret"], topic="orders/create", event_id="f"
            ),
        ),
        "shopify no signature": ("/webhooks/shopify", order, {"X-Shopify-Topic": "orders/create"}),
        "stripe wrong secret": ("/webhooks/stripe", event, stripe_headers(event, "whsec_other")),
        "stripe stale timestamp": (
            "/webhooks/stripe",
            event,
            stripe_headers(event, SECRETS["stripe_webhook_secret"], age_seconds=301),
        ),
        "zendesk wrong secret": ("/webhooks/zendesk", ticket, zendesk_headers(ticket, "other")),
        "zendesk stale timestamp": (
            "/webhooks/zendesk",
            ticket,
            zendesk_headers(ticket, SECRETS["zendesk_webhook_secret"], age_seconds=301),
        ),
        "gorgias wrong shared secret": ("/webhooks/gorgias", gorgias, gorgias_headers("guess")),
        "gorgias no shared secret": ("/webhooks/gorgias", gorgias, {}),
    }[name]


@pytest.mark.parametrize(
    "case",
    [
        "shopify wrong secret",
        "shopify body changed after signing",
        "shopify no signature",
        "stripe wrong secret",
        "stripe stale timestamp",
        "zendesk wrong secret",
        "zendesk stale timestamp",
        "gorgias wrong shared secret",
        "gorgias no shared secret",
    ],
)
def test_a_forged_or_stale_delivery_is_401_and_nothing_is_stored(live: Live, case: str) -> None:
    path, body, headers = _forged(case)
    answer = post(live.base, path, body, headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == "bad_signature"
    assert live.count(inbox) == 0


def test_a_delivery_for_another_shop_is_401(live: Live) -> None:
    body = fixture("shopify_orders_create.json")
    headers = shopify_headers(
        body, SECRETS["shopify_webhook_secret"], topic="orders/create", event_id="x"
    )
    headers["X-Shopify-Shop-Domain"] = "someone-else.myshopify.com"
    answer = post(live.base, "/webhooks/shopify", body, headers)
    assert (answer.status_code, answer.json()["error"]) == (401, "unknown_shop")
    assert live.count(inbox) == 0


def test_a_signed_body_that_is_not_json_is_400_with_the_reason(live: Live) -> None:
    body = b'{"id": 1, "name": "#1", '
    headers = shopify_headers(
        body, SECRETS["shopify_webhook_secret"], topic="orders/create", event_id="m"
    )
    answer = post(live.base, "/webhooks/shopify", body, headers)
    assert answer.status_code == 400
    assert "malformed JSON" in answer.json()["message"]
    assert live.count(inbox) == 0


def test_stripe_accepts_any_of_several_v1_signatures(live: Live) -> None:
    body = fixture("stripe_charge_dispute_created.json")
    headers = stripe_headers(body, "whsec_rolled_out", SECRETS["stripe_webhook_secret"])
    assert post(live.base, "/webhooks/stripe", body, headers).status_code == 202


def test_an_unconfigured_webhook_refuses_everything(
    sqlite_url: str, reader: EmbeddedReader
) -> None:
    for running in live_service(sqlite_url, reader, gorgias_webhook_secret=None):
        body = fixture("gorgias_ticket_created.json")
        answer = post(running.base, "/webhooks/gorgias", body, gorgias_headers(""))
        assert (answer.status_code, answer.json()["error"]) == (401, "webhook_not_configured")


# --- the worker: what each delivery does ------------------------------------------------


def test_order_refund_dispute_and_ticket_deliveries_take_effect_in_order(
    live_on_each_backend: Live,
) -> None:
    live = live_on_each_backend
    # given an order, its refund, a ticket about it, then a Stripe dispute and a second ticket
    assert (
        live.shopify("shopify_orders_create.json", "orders/create", event_id="o1").status_code
        == 202
    )
    assert (
        live.shopify("shopify_refunds_create.json", "refunds/create", event_id="r1").status_code
        == 202
    )
    ticket = fixture("zendesk_trigger.json")
    zendesk_secret = SECRETS["zendesk_webhook_secret"]
    assert (
        post(
            live.base, "/webhooks/zendesk", ticket, zendesk_headers(ticket, zendesk_secret)
        ).status_code
        == 202
    )
    event = fixture("stripe_charge_dispute_created.json")
    headers = stripe_headers(event, SECRETS["stripe_webhook_secret"])
    assert post(live.base, "/webhooks/stripe", event, headers).status_code == 202
    again = ticket.replace(b"35436", b"35439")
    assert (
        post(
            live.base, "/webhooks/zendesk", again, zendesk_headers(again, zendesk_secret)
        ).status_code
        == 202
    )
    # when the worker runs
    live.work()
    # then every delivery is done, the refund counted once, the ticket decided by the guide
    assert live.count(inbox, inbox.c.status == "done") == 5
    customer = httpx.get(f"{live.base}/healthz").json()
    assert customer["status"] == "ok"
    with live.engine.connect() as connection:
        refunded = connection.execute(select(orders.c.refunded_minor)).scalar_one()
        remedies = connection.execute(
            select(tickets.c.ticket_key, decisions.c.remedy, decisions.c.dispute)
            .join(tickets, tickets.c.id == decisions.c.ticket_id)
            .order_by(decisions.c.id)
        ).all()
    assert refunded == 24900
    assert [tuple(row) for row in remedies] == [
        ("35436", "replace_or_refund", "none"),  # a broken mug: our mistake
        ("35439", "route_to_dispute", "this_order"),  # a chargeback on its order: disputed
    ]


def test_a_refund_already_in_the_order_is_not_counted_again(live: Live) -> None:
    order = json.loads(fixture("shopify_orders_create.json"))
    refund = json.loads(fixture("shopify_refunds_create.json"))
    order["refunds"] = [refund]
    order["financial_status"] = "partially_refunded"
    body = json.dumps(order).encode()
    headers = shopify_headers(
        body, SECRETS["shopify_webhook_secret"], topic="orders/updated", event_id="u1"
    )
    assert post(live.base, "/webhooks/shopify", body, headers).status_code == 202
    assert (
        live.shopify("shopify_refunds_create.json", "refunds/create", event_id="r1").status_code
        == 202
    )
    live.work()
    with live.engine.connect() as connection:
        assert connection.execute(select(orders.c.refunded_minor)).scalar_one() == 24900
        outcome = connection.execute(
            select(inbox.c.outcome).where(inbox.c.topic == "refunds/create")
        ).scalar_one()
    assert outcome["counted"] is False


def test_a_refund_for_an_unknown_order_is_kept_as_failed_with_the_reason(live: Live) -> None:
    assert (
        live.shopify("shopify_orders_create.json", "orders/create", event_id="o1").status_code
        == 202
    )
    refund = json.loads(fixture("shopify_refunds_create.json")) | {"order_id": 1}
    body = json.dumps(refund).encode()
    headers = shopify_headers(
        body, SECRETS["shopify_webhook_secret"], topic="refunds/create", event_id="r9"
    )
    assert post(live.base, "/webhooks/shopify", body, headers).status_code == 202
    live.work()
    with live.engine.connect() as connection:
        rows = connection.execute(
            select(inbox.c.topic, inbox.c.status, inbox.c.error).order_by(inbox.c.id)
        ).all()
    assert [(topic, status) for topic, status, _ in rows] == [
        ("orders/create", "done"),
        ("refunds/create", "failed"),
    ]
    assert "order 1 is not known yet" in rows[1].error


def test_customers_redact_erases_personal_data_and_keeps_anonymous_figures(
    live_on_each_backend: Live,
) -> None:
    live = live_on_each_backend
    # given a customer with an order and a decided ticket
    live.shopify("shopify_orders_create.json", "orders/create", event_id="o1")
    ticket = fixture("zendesk_trigger.json")
    post(
        live.base,
        "/webhooks/zendesk",
        ticket,
        zendesk_headers(ticket, SECRETS["zendesk_webhook_secret"]),
    )
    live.work()
    # when Shopify asks to redact them
    assert (
        live.shopify(
            "shopify_customers_redact.json", "customers/redact", event_id="gdpr1"
        ).status_code
        == 202
    )
    live.work()
    # then no trace of their address, name or words is left, and the figures remain
    with live.engine.connect() as connection:
        person = connection.execute(select(customers)).mappings().one()
        ticket_row = connection.execute(select(tickets)).mappings().one()
        decision = connection.execute(select(decisions)).mappings().one()
        bodies = [body for (body,) in connection.execute(select(inbox.c.body))]
        order_hash = connection.execute(
            select(inbox.c.body_sha256).where(inbox.c.topic == "orders/create")
        ).scalar_one()
        order = connection.execute(
            select(orders.c.email, orders.c.billing_name, orders.c.total_minor)
        ).one()
    assert person["email"].endswith("@redacted.invalid")
    assert (person["first_name"], person["last_name"], person["phone"]) == (None, None, None)
    assert (ticket_row["body"], ticket_row["subject"], ticket_row["first_name"]) == ("", None, None)
    assert decision["reply_text"] == "" and decision["remedy"] == "replace_or_refund"
    assert all("maja" not in body.lower() for body in bodies)
    assert order_hash is None  # the replay fingerprint of their order's body went with it
    assert tuple(order) == (None, None, 124700)
    assert live.count(orders) == 1


def test_shop_redact_erases_every_customer(live: Live) -> None:
    live.shopify("shopify_orders_create.json", "orders/create", event_id="o1")
    live.shopify("shopify_shop_redact.json", "shop/redact", event_id="gdpr2")
    live.work()
    with live.engine.connect() as connection:
        emails = [email for (email,) in connection.execute(select(customers.c.email))]
    assert emails and all(email.endswith("@redacted.invalid") for email in emails)


def test_a_data_request_records_what_is_held(live: Live) -> None:
    live.shopify("shopify_orders_create.json", "orders/create", event_id="o1")
    live.shopify("shopify_customers_data_request.json", "customers/data_request", event_id="gdpr3")
    live.work()
    with live.engine.connect() as connection:
        outcome = connection.execute(
            select(inbox.c.outcome).where(inbox.c.topic == "customers/data_request")
        ).scalar_one()
    assert outcome == {
        "data_request": {
            "customers": [{"email": "maja.lind@example.se", "orders": 1, "tickets": 0}]
        }
    }


def test_a_zendesk_event_without_an_email_and_no_api_credentials_fails_with_the_reason(
    live: Live,
) -> None:
    body = fixture("zendesk_ticket_created_event.json")
    post(
        live.base,
        "/webhooks/zendesk",
        body,
        zendesk_headers(body, SECRETS["zendesk_webhook_secret"]),
    )
    live.work()
    with live.engine.connect() as connection:
        status, error = connection.execute(select(inbox.c.status, inbox.c.error)).one()
    assert status == "failed"
    assert "no zendesk API credentials" in error


# --- the API ----------------------------------------------------------------------------


def test_the_api_wants_a_live_token(live: Live) -> None:
    token = create_token(live.engine, name="shop-backend", now=NOW)
    url = f"{live.base}/api/customers/nobody@example.se"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer eh_wrong"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 404
    revoke_token(live.engine, name="shop-backend", now=NOW)
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_ticket_posted_to_the_api_is_decided_stored_and_read_back(live: Live) -> None:
    token = create_token(live.engine, name="t", now=NOW)
    auth = {"Authorization": f"Bearer {token}"}
    imported = httpx.post(
        f"{live.base}/api/imports/shopify-orders",
        content=(FIXTURES / "shopify" / "orders_for_triage.csv").read_bytes(),
        headers=auth,
        timeout=30,
    )
    assert imported.status_code == 200 and imported.json()["created"] > 0
    line = (FIXTURES / "tickets" / "tickets.jsonl").read_text().splitlines()[0]
    decided = httpx.post(
        f"{live.base}/api/tickets",
        content=line,
        headers=auth | {"Content-Type": "application/json"},
        timeout=30,
    )
    assert decided.status_code == 200
    decision = decided.json()
    assert decision["ticket_id"] == json.loads(line)["id"]
    stored = httpx.get(f"{live.base}/api/decisions/{decision['decision_id']}", headers=auth).json()
    for key in ("ticket_id", "intent", "tier", "remedy", "rule", "guide_version", "tags", "reply"):
        assert stored[key] == decision[key]
    [signal] = stored["signals"]  # "... I'm leaving a one star review on Trustpilot."
    assert signal == decision["signals"][0] and signal["source"]["stage"] == "lexicon"
    customer = httpx.get(f"{live.base}/api/customers/{decision['customer_email']}", headers=auth)
    assert customer.status_code == 200 and customer.json()["email"] == decision["customer_email"]
    assert httpx.get(f"{live.base}/api/decisions/999999", headers=auth).status_code == 404


def test_a_bad_upload_names_the_line_and_column_and_imports_nothing(live: Live) -> None:
    token = create_token(live.engine, name="t", now=NOW)
    answer = httpx.post(
        f"{live.base}/api/imports/shopify-orders",
        content=(FIXTURES / "shopify" / "orders_bad_total.csv").read_bytes(),
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("upload, line ")
    assert "column 'Total'" in answer.json()["message"]
    assert live.count(orders) == 0


def test_health_and_openapi(live: Live) -> None:
    assert httpx.get(f"{live.base}/healthz").json()["status"] == "ok"
    paths = httpx.get(f"{live.base}/openapi.json").json()["paths"]
    for path in (
        "/api/tickets",
        "/api/decisions/{decision_id}",
        "/api/customers/{email}",
        "/api/imports/{kind}",
        "/webhooks/shopify",
        "/webhooks/stripe",
        "/webhooks/zendesk",
        "/webhooks/gorgias",
        "/webhooks/trustpilot",
        "/webhooks/judgeme",
    ):
        assert path in paths


def test_the_inbox_keeps_one_row_per_event_on_each_backend(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    first = receive_delivery(
        engine, source="stripe", event_key="evt_1", topic="t", body="{}", now=NOW
    )
    again = receive_delivery(
        engine, source="stripe", event_key="evt_1", topic="t", body="{}", now=NOW
    )
    other = receive_delivery(
        engine, source="shopify", event_key="evt_1", topic="t", body="{}", now=NOW
    )
    assert (first.duplicate, again.duplicate, other.duplicate) == (False, True, False)
    assert first.delivery_id == again.delivery_id != other.delivery_id
    engine.dispose()
