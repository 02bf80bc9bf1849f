"""`evenhand demo`: generate the demo shop's export files and import them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import ImportReport, import_file
from evenhand.actions.initialise import InitReport, initialise
from evenhand.actions.public_reviews import ReviewImport, import_public_reviews
from evenhand.actions.triage import (
    Triaged,
    TriageReport,
    decide_and_store,
    read_all,
    summary_counts,
)
from evenhand.demo.shop import DEFAULT_SEED, DemoFiles, write_demo_shop
from evenhand.domain.guide import Guide
from evenhand.ingest.batch import Progress, no_progress
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import TicketIn, TicketProblem, TicketRecord, read_tickets
from evenhand.settings import Settings
from evenhand.store import value_sql
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current
from evenhand.store.decisions import ensure_guide_version
from evenhand.store.tickets import customers_by_email
from evenhand.understand.model import Reader


@dataclass(frozen=True, slots=True)
class DemoReport:
    init: InitReport
    files: DemoFiles
    imports: list[ImportReport]
    triage: TriageReport
    reviews: ReviewImport | None = None


def run_demo(
    engine: Engine,
    *,
    settings: Settings,
    folder: Path,
    now: datetime,
    reader: Reader,
    seed: int = DEFAULT_SEED,
    progress: Progress = no_progress,
) -> DemoReport:
    """Each import is its own transaction, as if a support lead ran them one by one; then
    the demo inbox is triaged by the guide in force."""
    init = initialise(engine, settings=settings, now=now)
    files = write_demo_shop(folder, seed=seed)
    steps = (
        (ImportKind.SHOPIFY_ORDERS, files.orders_csv),
        (ImportKind.SHOPIFY_CUSTOMERS, files.customers_csv),
        (ImportKind.SHOPIFY_PRODUCTS, files.products_csv),
        (ImportKind.DISPUTES, files.shopify_disputes),
        (ImportKind.DISPUTES, files.stripe_disputes),
    )
    reports = [
        import_file(engine, kind=kind, path=path, settings=settings, now=now, progress=progress)
        for kind, path in steps
    ]
    triage = triage_as_received(
        engine,
        records=read_tickets(files.tickets),
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=now,
    )
    reviews = (
        import_public_reviews(engine, path=files.reviews, now=now, reader=reader)
        if files.reviews
        else None
    )
    return DemoReport(init=init, files=files, imports=reports, triage=triage, reviews=reviews)


def triage_as_received(
    engine: Engine,
    *,
    records: Sequence[TicketRecord],
    guide: Guide,
    reader: Reader,
    settings: Settings,
    now: datetime,
) -> TriageReport:
    """The demo inbox spans a year: each ticket is decided at the moment it came in, with its
    customer's value as it stood then (their orders before the ticket only), as a shop
    running Evenhand all year would have decided it. Deciding them all today would count
    the orders a customer placed after the ticket in the value that set their tier, and the
    outcome figures would then find the VIPs bought more afterwards by construction.
    The customers' values are restored to today's afterwards; one audit event at `now`."""
    ensure_current(engine)
    readings = read_all(records, reader=reader, market=settings.market)
    outcomes: list[Triaged | TicketProblem] = []
    with engine.connect() as connection, connection.begin():
        ensure_guide_version(
            connection, version=guide.version, source=guide.source, text=guide.text, now=now
        )
        people = customers_by_email(
            connection, [r.customer_email for r in records if isinstance(r, TicketIn)]
        )
        for record, reading in zip(records, readings, strict=True):
            at = record.created_at if isinstance(record, TicketIn) else now
            if isinstance(record, TicketIn) and record.customer_email in people:
                _values_as_of(connection, people[record.customer_email].id, at, settings)
            report = decide_and_store(
                connection, records=[record], readings=[reading], guide=guide,
                settings=settings, now=at,
            )  # fmt: skip
            outcomes.extend(report.outcomes)
        ids = {row.id for row in people.values()}
        value_sql.recompute_customers(connection, ids, margin_rate=settings.margin_rate)
        found = TriageReport(outcomes, guide, report.currency, summary_counts(outcomes))
        record_event(
            connection, at=now, action="triage", subject=guide.version,
            details={"decided": len(found.decided), "failed": len(found.failed)}
            | {name: dict(counter) for name, counter in found.counts.items()},
        )  # fmt: skip
    return found


def _values_as_of(connection: Connection, customer: int, at: datetime, settings: Settings) -> None:
    value_sql.recompute_customers(
        connection, [customer], margin_rate=settings.margin_rate, as_of=at
    )
