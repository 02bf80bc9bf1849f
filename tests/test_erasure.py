"""Erasure that erases: a person's e-mail address, name and phone number, planted through
the real flows (the Shopify exports imported, a JSON Lines inbox triaged, signed Shopify,
Stripe, Zendesk and Gorgias deliveries to the running app, a helpdesk that answers the
worker, reviews, a data request), are in no column of any table after Shopify's
customers/redact (or shop/redact), on SQLite and PostgreSQL, nor in any byte of the
SQLite files; a person known only from tickets is erased by their address; someone else's
data stays."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select

from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.inbox import Worker, process_inbox
from evenhand.actions.intent_corrections import Correction, correct_intent
from evenhand.actions.reviews import review_decision
from evenhand.actions.service import find_decision, receive_delivery
from evenhand.actions.triage import triage_tickets
from evenhand.actions.users import create_user
from evenhand.actions.writeback import Helpdesks, send_due_writebacks
from evenhand.domain.roles import Role
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.database import checkpoint_after_erasure, make_engine, upgrade
from evenhand.store.tables import customer_values, customers, decisions, inbox, tickets, writebacks
from evenhand.store.traces import Traces
from evenhand.store.users import find_user
from evenhand.understand.reader import EmbeddedReader
from evenhand.web.app import create_app
from tests.conftest import FIXTURES, NOW
from tests.live import FakeHelpdesk, basic_auth, helpdesk_server, serving
from tests.senders import (
    gorgias_headers,
    post,
    shopify_headers,
    stripe_headers,
    zendesk_headers,
)

FILES = FIXTURES / "erasure"
SECRETS: dict[str, Any] = {
    "shopify_webhook_secret": "shpss_erasure",
    "shopify_shop_domain": "nordhem.myshopify.com",
    "stripe_webhook_secret": "whsec_erasure",
    "zendesk_webhook_secret": "zendesk-erasure-secret",
    "gorgias_webhook_secret": "gorgias-erasure-secret",
}
ZENDESK_LOGIN, ZENDESK_TOKEN = "agent@nordhem.example", "zd-erasure-token"
AGENT = "agent@nordhem.example"


@dataclass(frozen=True)
class Someone:
    email: str
    name: str
    national_phone: str  # the digits after the country code (or the trunk 0)

    @property
    def surname(self) -> str:
        return self.name.split()[-1]

    def traces_in(self, text: str) -> list[str]:
        """This person's e-mail, name, surname or phone number in the text, however cased,
        spaced or punctuated (checked here independently of Evenhand's own matching)."""
        folded = text.casefold()
        words = (self.email, self.name, self.surname)
        escaped = [json.dumps(word)[1:-1] for word in words]  # as a JSON body may write it
        found = [w for w in (*words, *escaped) if w.casefold() in folded]
        if self.national_phone in re.sub(r"[\s\-./()+]", "", text):
            found.append(self.national_phone)
        return found


ASA = Someone("asa.sjostrom@example.se", "Åsa Sjöström", "705551234")  # a customer
TOVE = Someone("tove.lindqvist@example.net", "Tove Lindqvist", "739998877")  # tickets only
BERTIL = Someone("bertil.nyman@example.se", "Bertil Nyman", "701112233")  # stays


def _texts(value: Any) -> Iterator[str]:
    """A stored value as text, and a JSON text also decoded (a body may escape `ö`)."""
    if isinstance(value, dict | list):
        yield json.dumps(value, ensure_ascii=False)
    elif isinstance(value, str):
        yield value
        try:
            decoded = json.loads(value)
        except ValueError:
            return
        yield json.dumps(decoded, ensure_ascii=False)


def traces_in_database(engine: Engine, someone: Someone) -> list[tuple[str, str, str]]:
    """(table, column, trace) for every trace of the person in every column of every table
    the database has (reflected, so a column added later is scanned too)."""
    schema = MetaData()
    schema.reflect(engine)
    hits = []
    with engine.connect() as connection:
        for table in schema.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    for text in _texts(value):
                        hits += [(table.name, column, t) for t in someone.traces_in(text)]
    return sorted(set(hits))


@dataclass
class Shop:
    base: str
    engine: Engine
    worker: Worker
    helpdesk: FakeHelpdesk

    def deliver(self, source: str, name: str, *, topic: str = "", event_id: str = "") -> None:
        body = (FILES / name).read_bytes()
        headers = {
            "shopify": lambda: shopify_headers(
                body, SECRETS["shopify_webhook_secret"], topic=topic, event_id=event_id
            ),
            "stripe": lambda: stripe_headers(body, SECRETS["stripe_webhook_secret"]),
            "zendesk": lambda: zendesk_headers(body, SECRETS["zendesk_webhook_secret"]),
            "gorgias": lambda: gorgias_headers(SECRETS["gorgias_webhook_secret"]),
        }[source]()
        assert post(self.base, f"/webhooks/{source}", body, headers).status_code == 202

    def work(self) -> None:
        while process_inbox(self.worker, now=lambda: NOW).taken:
            pass

    def send_writebacks(self, *, hours_later: int = 0) -> int:
        moment = NOW + timedelta(hours=hours_later)
        return send_due_writebacks(
            self.engine,
            helpdesks=self.worker.helpdesks,
            settings=self.worker.settings,
            now=lambda: moment,
        )

    def decision_of(self, ticket_key: str) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(decisions.c.id)
                    .join(tickets, tickets.c.id == decisions.c.ticket_id)
                    .where(tickets.c.ticket_key == ticket_key)
                ).scalar_one()
            )


@pytest.fixture
def shop(db_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    """The app serving webhooks on a loopback port, a worker whose Zendesk is a local
    server speaking Zendesk's API (it knows Åsa as requester 9030077)."""
    helpdesk = FakeHelpdesk(expected_auth=basic_auth(f"{ZENDESK_LOGIN}/token", ZENDESK_TOKEN))
    helpdesk.users["9030077"] = {"id": 9030077, "email": ASA.email, "name": ASA.name}
    with helpdesk_server(helpdesk) as zendesk_url:
        settings = Settings(
            db=db_url,
            zendesk_url=zendesk_url,
            zendesk_email=ZENDESK_LOGIN,
            zendesk_api_token=ZENDESK_TOKEN,
            **SECRETS,
        )
        engine = make_engine(db_url)
        upgrade(engine)
        worker = Worker(
            engine=engine,
            reader=reader,
            guide=load_guide(settings),
            settings=settings,
            helpdesks=Helpdesks.from_settings(settings),
        )
        with serving(create_app(settings, reader=reader, warm_reader=False)) as base:
            yield Shop(base, engine, worker, helpdesk)
        worker.helpdesks.close()
        engine.dispose()


def plant_everywhere(shop: Shop) -> None:
    """Åsa, Tove and Bertil in every place the flows put a person."""
    settings = shop.worker.settings
    # the shop's exports: Åsa's and Bertil's customer rows (names, phones, notes) and orders
    for kind, name in (
        (ImportKind.SHOPIFY_CUSTOMERS, "customers_export.csv"),
        (ImportKind.SHOPIFY_ORDERS, "orders_export.csv"),
    ):
        import_file(shop.engine, kind=kind, path=FILES / name, settings=settings, now=NOW)
    # the support inbox: Åsa (a threat naming her phone), Tove (no customer row), Bertil
    # (who names Åsa and her phone)
    triage_tickets(
        shop.engine,
        records=read_tickets(FILES / "tickets.jsonl"),
        guide=shop.worker.guide,
        reader=shop.worker.reader,
        settings=settings,
        now=NOW,
    )
    # signed deliveries: an order, one that fails, a dispute, two Zendesk tickets (one names
    # its requester by id only), a Gorgias ticket from Tove, and a data request
    shop.deliver("shopify", "shopify_orders_create.json", topic="orders/create", event_id="o1")
    shop.deliver(
        "shopify", "shopify_orders_updated_bad_total.json", topic="orders/updated", event_id="o2"
    )
    shop.deliver("stripe", "stripe_charge_dispute_created.json")
    shop.deliver("zendesk", "zendesk_trigger.json")
    shop.deliver("zendesk", "zendesk_ticket_created_event.json")
    shop.deliver("gorgias", "gorgias_ticket_created.json")
    shop.deliver(
        "shopify",
        "shopify_customers_data_request.json",
        topic="customers/data_request",
        event_id="dr1",
    )
    shop.work()
    # the write-backs owed to Zendesk meet a helpdesk that fails: both still owed
    shop.helpdesk.fail_next(500)
    shop.helpdesk.fail_next(500)
    assert shop.send_writebacks() == 2
    # an agent overrides Åsa's ticket with a reason and an edited reply, approves another
    create_user(shop.engine, email=AGENT, role=Role.AGENT, password="long enough pw", now=NOW)
    with shop.engine.connect() as connection:
        agent = find_user(connection, AGENT)
    assert agent is not None
    review_decision(
        shop.engine,
        decision_id=shop.decision_of("t-asa-1"),
        user=agent,
        remedy="reship_free",
        reason=f"{ASA.name} ringde från 070-555 12 34, stamkund",
        reply_text=f"Hej {ASA.name}! Vi återbetalar muggen. Svar till {ASA.email}",
        now=NOW,
    )
    review_decision(
        shop.engine,
        decision_id=shop.decision_of("35777"),
        user=agent,
        remedy=None,
        reason="+46 70 555 12 34 bekräftade",
        reply_text=None,
        now=NOW,
    )
    # and corrects the intent of Åsa's ticket, with a note naming her
    asa_ticket = shop.decision_of("t-asa-1")
    read_as = find_decision(shop.engine, decision_id=asa_ticket).intent.value
    intent = "feedback" if read_as != "feedback" else "other"
    note = f"{ASA.name} ({ASA.email}) menar kaffet"
    correct_intent(shop.engine, Correction(asa_ticket, intent, note, by=AGENT), now=NOW)


def test_plant_puts_each_person_in_many_tables(shop: Shop) -> None:
    # given / when the flows run
    plant_everywhere(shop)
    # then the scan sees them where the flows put them (so its zero below means something)
    tables = {table for table, _, _ in traces_in_database(shop.engine, ASA)}
    assert tables >= {"customers", "orders", "tickets", "decisions", "reviews", "audit_events"}
    assert "intent_corrections" in tables
    assert "inbox" in tables
    assert {table for table, _, _ in traces_in_database(shop.engine, TOVE)} >= {
        "tickets",
        "inbox",
    }


def test_customers_redact_leaves_no_trace_of_the_person_in_any_column(shop: Shop) -> None:
    # given Åsa, Tove (known only from her tickets) and Bertil everywhere the flows go
    plant_everywhere(shop)
    requests_before = len(shop.helpdesk.requests)
    # when Shopify asks to redact Åsa, then Tove
    shop.deliver(
        "shopify", "shopify_customers_redact_asa.json", topic="customers/redact", event_id="r1"
    )
    shop.deliver(
        "shopify", "shopify_customers_redact_tove.json", topic="customers/redact", event_id="r2"
    )
    shop.work()
    # then no column of any table holds their e-mail, name, surname or phone
    assert traces_in_database(shop.engine, ASA) == []
    assert traces_in_database(shop.engine, TOVE) == []
    # and the owed write-backs are cancelled: nothing more goes to the helpdesk
    assert shop.send_writebacks(hours_later=2) == 0
    assert len(shop.helpdesk.requests) == requests_before
    # and what is kept is anonymous: Åsa's figures, her decisions' remedies, an earlier
    # data request's outcome under her placeholder, Tove's tickets under hers
    with shop.engine.connect() as connection:
        asa = connection.execute(
            select(customers.c.id, customers.c.email, customer_values.c.orders)
            .join(customer_values)
            .where(customers.c.shopify_id == 7300000000777)
        ).one()
        addresses = {e for (e,) in connection.execute(select(tickets.c.customer_email))}
        owed = {s for (s,) in connection.execute(select(writebacks.c.status))}
        outcome = connection.execute(
            select(inbox.c.outcome).where(inbox.c.topic == "customers/data_request")
        ).scalar_one()
        remedies = connection.execute(
            select(decisions.c.remedy).where(decisions.c.reply_text == "")
        ).all()
    placeholder = f"redacted-{asa.id}@redacted.invalid"
    assert (asa.email, asa.orders) == (placeholder, 2)
    assert outcome["data_request"]["customers"][0]["email"] == placeholder
    assert any(a.startswith("redacted-ticket-") for a in addresses)
    assert owed == {"cancelled"}
    assert len(remedies) == 5  # Åsa's three tickets, Tove's two
    # and Bertil keeps his data, less Åsa's name and number in his message
    assert BERTIL.email in addresses
    with shop.engine.connect() as connection:
        body = connection.execute(
            select(tickets.c.body).where(tickets.c.customer_email == BERTIL.email)
        ).scalar_one()
    assert body.startswith("Hej! Min kudde i order #3002 kom fram trasig. Min granne [redacted]")
    assert {"customers", "orders", "tickets"} <= {
        table for table, _, _ in traces_in_database(shop.engine, BERTIL)
    }


def test_shop_redact_leaves_no_trace_of_anyone_and_keeps_the_figures(shop: Shop) -> None:
    # given three people everywhere the flows go
    plant_everywhere(shop)
    # when Shopify asks to redact the whole shop
    shop.deliver(
        "shopify", "../webhooks/shopify_shop_redact.json", topic="shop/redact", event_id="s1"
    )
    shop.work()
    # then none of them is in any column of any table
    for someone in (ASA, TOVE, BERTIL):
        assert traces_in_database(shop.engine, someone) == []
    # and the figures stay: every customer's value, every decision's remedy, the staff
    with shop.engine.connect() as connection:
        values = connection.execute(
            select(customers.c.email, customer_values.c.orders).join(customer_values)
        ).all()
        remedies = connection.execute(select(decisions.c.remedy)).all()
        owed = {s for (s,) in connection.execute(select(writebacks.c.status))}
    assert sorted(orders for _, orders in values) == [1, 2]
    assert all(email.endswith("@redacted.invalid") for email, _ in values)
    assert len(remedies) == 6
    assert owed == {"cancelled"}
    with shop.engine.connect() as connection:
        assert find_user(connection, AGENT) is not None


def _database_files(engine: Engine) -> list[Path]:
    database = Path(str(engine.url.database))
    return [database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_after_a_redaction_the_sqlite_files_hold_no_byte_of_the_person(shop: Shop) -> None:
    # given Åsa and Tove everywhere, in the database file and its write-ahead log
    plant_everywhere(shop)
    files = _database_files(shop.engine)
    planted = "".join(f.read_bytes().decode("utf-8", "replace") for f in files if f.exists())
    assert ASA.traces_in(planted) and TOVE.traces_in(planted)
    # when both are redacted, while the app that took the deliveries keeps running
    for name, event_id in (("asa", "r1"), ("tove", "r2")):
        shop.deliver(
            "shopify",
            f"shopify_customers_redact_{name}.json",
            topic="customers/redact",
            event_id=event_id,
        )
    shop.work()
    # then neither the database file nor its -wal and -shm files hold a byte of them:
    # deleted content was zeroed (secure_delete) and the log checkpointed and truncated
    with shop.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace") if path.exists() else ""
        assert (path.name, ASA.traces_in(text), TOVE.traces_in(text)) == (path.name, [], [])
    assert files[1].stat().st_size == 0
    # and Bertil, who was not redacted, is still in the file
    assert BERTIL.email in files[0].read_bytes().decode("utf-8", "replace")


def test_traces_are_found_however_they_are_written() -> None:
    # given Åsa's traces as the stored rows give them
    traces = Traces.of(
        emails=["Asa.Sjostrom@Example.se"], names=["Åsa  Sjöström", "Åsa"], phones=["+46705551234"]
    )
    # when texts write them in other cases, spacings, escapes and phone formats
    written = [
        "ASA.SJOSTROM@EXAMPLE.SE",
        "åsa sjöström",
        "Åsa\nSjöström".replace("\\n", "\n"),
        '{"name": "\\u00c5sa Sj\\u00f6str\\u00f6m"}',
        "ring 070-555 12 34",
        "(0)70 555 1234",
        "0046 70 555 12 34",
    ]
    # then each is found, and replaced (the address by the placeholder)
    assert [traces.found_in_body(text) for text in written] == [True] * len(written)
    assert traces.scrub(
        "Mejla asa.sjostrom@example.se, ring 070-555 12 34", email_placeholder="x@y"
    ) == ("Mejla x@y, ring [redacted]")
    # and a first name alone, another number or a longer number is not a trace
    assert not traces.found_in("Hej Åsa, ditt ordernummer är 5551234 eller 0705551234567")


def test_a_person_known_only_from_tickets_is_found_by_address_and_erased(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # given Tove, who wrote to support but has no customer row, and Bertil
    settings = Settings(db=str(engine.url.render_as_string(hide_password=False)))
    guide = load_guide(settings)
    records = read_tickets(FILES / "tickets.jsonl")
    triage_tickets(engine, records=records, guide=guide, reader=reader, settings=settings, now=NOW)
    worker = Worker(engine, reader, guide, settings, Helpdesks())
    # when Shopify asks what is held on her, then to redact her
    for topic, name in (
        ("customers/data_request", "shopify_customers_data_request_tove.json"),
        ("customers/redact", "shopify_customers_redact_tove.json"),
    ):
        body = (FILES / name).read_text()
        receive_delivery(engine, source="shopify", event_key=name, topic=topic, body=body, now=NOW)
    process_inbox(worker, now=lambda: NOW)
    # then the data request found her tickets by her address (her address itself is now
    # the placeholder of her first ticket), and nothing of her is left
    with engine.connect() as connection:
        first = connection.execute(
            select(tickets.c.id, tickets.c.customer_email, tickets.c.body).where(
                tickets.c.ticket_key == "t-tove-1"
            )
        ).one()
        asked = connection.execute(
            select(inbox.c.outcome).where(inbox.c.topic == "customers/data_request")
        ).scalar_one()
    placeholder = f"redacted-ticket-{first.id}@redacted.invalid"
    assert asked == {
        "data_request": {"customers": [{"email": placeholder, "orders": 0, "tickets": 1}]}
    }
    assert (first.customer_email, first.body) == (placeholder, "")
    assert traces_in_database(engine, TOVE) == []
    assert traces_in_database(engine, BERTIL) != []


@pytest.mark.postgres
def test_after_an_erasure_on_postgresql_the_operator_is_told_to_vacuum(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # given a PostgreSQL database, when the worker has erased someone there
    engine = make_engine(postgres_url)
    with caplog.at_level(logging.WARNING):
        settled = checkpoint_after_erasure(engine)
    engine.dispose()
    # then it says that the old row versions stay until VACUUM (FULL)
    assert settled is False
    assert "VACUUM (FULL)" in caplog.text
