"""`evenhand demo`: generate the demo shop's export files and import them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import ImportReport, import_file
from evenhand.actions.initialise import InitReport, initialise
from evenhand.actions.public_reviews import ReviewImport, import_public_reviews
from evenhand.actions.triage import TriageReport, triage_tickets
from evenhand.demo.shop import DEFAULT_SEED, DemoFiles, write_demo_shop
from evenhand.ingest.batch import Progress, no_progress
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
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
    triage = triage_tickets(
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
