"""Erasure speed: one customers/redact, then a shop/redact, on a SQLite shop of some size.

Builds the demo shop (3,000 customers, ~10,000 orders), triages its 400 tickets, copies
the tickets and decisions up to N, and fills the inbox with M delivered order webhooks
(~2 kB each, naming the demo's customers). Then times, as the worker runs them (one write
transaction each), the redaction of one customer who has orders and tickets, the TRUNCATE
checkpoint after it, and the whole shop's redaction.

A redaction holds SQLite's write lock, and a webhook waits for it up to 10 s: target for
one customer, at 50,000 tickets and 100,000 deliveries (2 cores): <= 2 s.

    .venv/bin/python bench/erasure.py [--tickets 50000] [--deliveries 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.reader import reader_models
from evenhand.actions.triage import triage_tickets
from evenhand.demo.shop import write_demo_shop
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store import privacy
from evenhand.store.database import (
    checkpoint_after_erasure,
    make_engine,
    upgrade,
    write_transaction,
)
from evenhand.store.privacy_shop import redact_shop
from evenhand.store.statements import bulk_insert
from evenhand.store.tables import customers, inbox, tickets
from evenhand.understand.reader import EmbeddedReader
from yardstick import print_yardstick

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ORDER_WEBHOOK = Path(__file__).parent.parent / "tests/fixtures/webhooks/shopify_orders_create.json"


def build(folder: Path, *, tickets_wanted: int, deliveries: int) -> Engine:
    files = write_demo_shop(folder / "demo")
    url = f"sqlite:///{folder / 'evenhand.sqlite3'}"
    settings = Settings(db=url)
    engine = make_engine(url)
    upgrade(engine)  # not `initialise`: it would write an evenhand.toml where the bench runs
    for kind, path in (
        (ImportKind.SHOPIFY_CUSTOMERS, files.customers_csv),
        (ImportKind.SHOPIFY_ORDERS, files.orders_csv),
    ):
        import_file(engine, kind=kind, path=path, settings=settings, now=NOW)
    reader = EmbeddedReader(reader_models(settings, announce=print))
    records = read_tickets(files.tickets)
    guide = load_guide(settings)
    triage_tickets(engine, records=records, guide=guide, reader=reader, settings=settings, now=NOW)
    _copy_tickets(engine, tickets_wanted)
    _fill_inbox(engine, deliveries)
    return engine


def _copy_tickets(engine: Engine, wanted: int) -> None:
    """The triaged tickets and their decisions again, under new keys, until there are N."""
    columns = "source, created_at, channel, customer_email, customer_id, first_name, subject, body, order_name, received_at"  # noqa: E501
    decided = "decided_at, language, intent, confidence, runner_up, runner_up_confidence, signals, threats, tier, ltv_minor, order_value_minor, currency, dispute, facts, remedy, rule_id, guide_version, tags, reply_language, reply_text, explanation, message_key, message_body, message_at"  # noqa: E501
    with engine.begin() as connection:
        have = connection.execute(select(func.count()).select_from(tickets)).scalar_one()
        copy = 0
        while have < wanted:
            copy += 1
            connection.execute(
                text(
                    f"INSERT INTO tickets (ticket_key, {columns}) SELECT ticket_key || '-c{copy}',"
                    f" {columns} FROM tickets WHERE ticket_key NOT LIKE '%-c%' LIMIT :n"
                ),
                {"n": wanted - have},
            )
            connection.execute(
                text(
                    f"INSERT INTO decisions (ticket_id, {decided}) SELECT copied.id, {decided} "
                    "FROM decisions JOIN tickets AS original ON original.id = decisions.ticket_id "
                    "JOIN tickets AS copied ON copied.ticket_key = original.ticket_key || :suffix"
                ),
                {"suffix": f"-c{copy}"},
            )
            have = connection.execute(select(func.count()).select_from(tickets)).scalar_one()


def _fill_inbox(engine: Engine, deliveries: int) -> None:
    template = json.loads(ORDER_WEBHOOK.read_text())
    with engine.begin() as connection:
        people = [row for row in connection.execute(select(customers.c.email))]
        rng = random.Random(7)
        rows = []
        for number in range(deliveries):
            (email,) = rng.choice(people)
            body = template | {"id": 9_000_000 + number, "email": email}
            body["customer"] = template["customer"] | {"email": email}
            rows.append(
                (
                    "shopify",
                    f"orders/create:e{number}",
                    "orders/create",
                    NOW.replace(tzinfo=None).isoformat(" "),
                    json.dumps(body),
                    "done",
                    1,
                )
            )
        columns = ("source", "event_key", "topic", "received_at", "body", "status", "deliveries")
        bulk_insert(connection, inbox, columns=columns, rows=rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--deliveries", type=int, default=100_000)
    options = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory() as folder:
        engine = build(Path(folder), tickets_wanted=options.tickets, deliveries=options.deliveries)
        with engine.connect() as connection:
            email = connection.execute(
                select(tickets.c.customer_email)
                .where(tickets.c.customer_id.is_not(None))
                .group_by(tickets.c.customer_email)
                .order_by(func.count().desc())
            ).first()[0]  # type: ignore[index]
            sizes = {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar()
                for table in (customers, tickets, inbox)
            }
        size = Path(folder, "evenhand.sqlite3").stat().st_size / 2**20
        print(f"shop: {sizes}, database {size:.0f} MiB")
        started = time.perf_counter()
        with write_transaction(engine) as connection:
            people = privacy.people_named(connection, privacy.Named(email=email))
            counts = privacy.redact_people(connection, people)
        redacted = time.perf_counter() - started
        print(f"customers/redact of one customer: {redacted:.2f} s (target <= 2 s); {counts}")
        started = time.perf_counter()
        checkpoint_after_erasure(engine)
        print(f"TRUNCATE checkpoint after it: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        with write_transaction(engine) as connection:
            counts = redact_shop(connection)
        print(f"shop/redact: {time.perf_counter() - started:.2f} s; {counts}")
        engine.dispose()


if __name__ == "__main__":
    main()
